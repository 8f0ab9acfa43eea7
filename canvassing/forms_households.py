from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from canvassing.importing import COLUMN_LABELS, ENCODINGS
from canvassing.models import Household, Resident
from canvassing.services_households import HOUSEHOLD_FIELDS


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = list(HOUSEHOLD_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in HOUSEHOLD_FIELDS}


class DoorHouseholdForm(forms.Form):
    """What a volunteer can type on a doorstep, one-handed."""

    turf = forms.ChoiceField(label=_("Turf"), required=False)
    building = forms.CharField(label=_("building"), max_length=200, required=False)
    street = forms.CharField(label=_("street"), max_length=200, required=False)
    house_number = forms.CharField(label=_("house number"), max_length=20, required=False)
    floor = forms.CharField(label=_("floor"), max_length=20, required=False)
    unit = forms.CharField(label=_("unit / door"), max_length=50, required=False)
    resident_name = forms.CharField(label=_("resident's name (optional)"), max_length=200, required=False)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, turfs: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["turf"].choices = [("", _("(not in one of my turfs)")), *turfs]
        if not turfs:
            del self.fields["turf"]

    def values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in ("building", "street", "house_number", "floor", "unit", "notes")
        }


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    age_band = forms.ChoiceField(label=_("age band"), choices=[("", "-"), *Resident.AgeBand.choices], required=False)
    notes = forms.CharField(label=_("notes"), required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=Household.Status.choices)


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label=_("Address"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    turf = forms.ChoiceField(label=_("Turf"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any")), *Household.Status.choices], required=False)
    review = forms.ChoiceField(
        label=_("Review"),
        choices=[("", _("Any")), ("yes", _("Needs review")), ("no", _("Reviewed"))],
        required=False,
    )

    def __init__(self, *args: Any, areas: list, turfs: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("Any")), *areas]
        self.fields["turf"].choices = [("", _("Any")), *turfs]


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Household file (.csv or .xlsx)"))


class MappingForm(forms.Form):
    """One choice per column of the file: which field it fills, or none."""

    encoding = forms.ChoiceField(label=_("Characters (encoding)"), choices=list(ENCODINGS.items()), required=False)

    def __init__(self, *args: Any, headers: list[str], mapping: dict[str, str], csv: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("(ignore this column)")), *((name, label) for name, label in COLUMN_LABELS.items())]
        if not csv:
            del self.fields["encoding"]
        self.columns = []
        for index, header in enumerate(headers):
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or _("(column %(n)s)") % {"n": index + 1},
                choices=choices,
                required=False,
                initial=mapping.get(str(index), ""),
            )
            self.columns.append(name)

    def mapping(self) -> dict[str, str]:
        return {name.removeprefix("col_"): self.cleaned_data[name] for name in self.columns if self.cleaned_data[name]}
