"""Forms of the map pages. They parse input; canvassing.services_maps decides what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from canvassing.models import CanvassingSettings, MapVersion


class MapUploadForm(forms.Form):
    source = forms.ChoiceField(
        label=_("What the file holds"),
        choices=MapVersion.Source.choices,
        initial=MapVersion.Source.GEOJSON,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "GeoJSON: a FeatureCollection of polygons in longitude/latitude, one feature per area. "
            "Household-to-area file: CSV with an area code column (area) and the household's id "
            "(household) or its address (street, house_number, building, floor, unit, district)."
        ),
    )
    name = forms.CharField(
        label=_("Name of this version"),
        max_length=200,
        required=False,
        help_text=_('For example: "Boundaries gazetted 3 March".'),
    )
    key_property = forms.CharField(
        label=_("GeoJSON property with the area code"), max_length=100, initial="code", required=False
    )
    name_property = forms.CharField(
        label=_("GeoJSON property with the area name"), max_length=100, initial="name", required=False
    )


class MapSettingsForm(forms.ModelForm):
    class Meta:
        model = CanvassingSettings
        fields = ["map_tile_url", "map_tile_attribution"]
