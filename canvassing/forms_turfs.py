"""Forms of the turf pages. They parse input; canvassing.services_turfs decides what is allowed."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from canvassing.models import Area, Turf
from canvassing.services_turfs import MAX_TARGET_DOORS, MAX_TURFS
from inventory.models import Variant


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        doors = getattr(obj, "doors", None)
        return f"{obj} ({doors})" if doors is not None else str(obj)


class TurfCutForm(forms.Form):
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none(), to_field_name="code")
    target_doors = forms.IntegerField(
        label=_("Doors per turf"),
        required=False,
        min_value=1,
        max_value=MAX_TARGET_DOORS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        # xgettext:no-python-format
        help_text=_("Turfs are balanced within ±10% of this where whole turfs allow it."),
    )
    turf_count = forms.IntegerField(
        label=_("…or a number of turfs"),
        required=False,
        min_value=1,
        max_value=MAX_TURFS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("target_doors") and cleaned.get("turf_count"):
            raise ValidationError(_("Give either a number of doors per turf or a number of turfs, not both."))
        if not cleaned.get("target_doors") and not cleaned.get("turf_count") and not self.errors:
            self.add_error("target_doors", _("Give a number of doors per turf, or a number of turfs."))
        return cleaned


class TurfSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    mode = forms.ChoiceField(label=_("Mode"), choices=Turf.Mode.choices)
    leaflet_variant = forms.ModelChoiceField(
        label=_("Leaflet edition"),
        queryset=Variant.objects.none(),
        required=False,
        to_field_name="code",
        help_text=_("For leaflets only: the edition handed out in this turf."),
    )

    def __init__(self, *args: Any, variants: list[Variant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["leaflet_variant"]
        field.queryset = Variant.objects.filter(pk__in=[v.pk for v in variants])
        field.choices = [("", "---------"), *[(str(v.code), f"{v.item.name} {v}".strip()) for v in variants]]


class TurfMoveForm(forms.Form):
    households = forms.CharField(required=False)  # codes, read by the view from getlist()
    to_turf = forms.ModelChoiceField(label=_("Move to"), queryset=Turf.objects.none(), to_field_name="code")

    def __init__(self, *args: Any, siblings: QuerySet[Turf], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_turf"].queryset = siblings


class TurfMergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=Turf.objects.none(), to_field_name="code")

    def __init__(self, *args: Any, siblings: QuerySet[Turf], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = siblings
