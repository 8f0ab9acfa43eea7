"""Forms of the coordinators' roster: filters, bulk actions, a volunteer by hand, notes, merge, import."""

import uuid
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaign.models import Person, Tag
from volunteers.models import Skill, Volunteer
from volunteers.selectors import RosterFilter

ANY = [("", _("Any"))]
AVAILABILITY_CHOICES = [
    ("weekdays", _("Weekdays")),
    ("evenings", _("Evenings")),
    ("weekends", _("Weekends")),
]
ACTIVITY_CHOICES = [
    ("7", _("Active in the last 7 days")),
    ("30", _("Active in the last 30 days")),
    ("90", _("Active in the last 90 days")),
    ("stale", _("Not active for 90 days")),
    ("never", _("Never active")),
]
SORT_CHOICES = [
    ("name", _("Name")),
    ("-signed_up", _("Newest signup")),
    ("signed_up", _("Oldest signup")),
    ("-last_activity", _("Recently active")),
    ("last_activity", _("Least recently active")),
]
MAX_BULK = 500


class RosterFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY + list(Volunteer.Status.choices))
    skill = forms.ChoiceField(label=_("Skill"), required=False)
    availability = forms.ChoiceField(label=_("Available"), required=False, choices=ANY + AVAILABILITY_CHOICES)
    neighbourhood = forms.ChoiceField(label=_("Neighbourhood"), required=False)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    activity = forms.ChoiceField(label=_("Last activity"), required=False, choices=ANY + ACTIVITY_CHOICES)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(
        self, *args: Any, skills: list[Skill], tags: list[Tag], neighbourhoods: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["skill"]).choices = ANY + [(str(s.code), s.name) for s in skills]
        cast(forms.ChoiceField, self.fields["tag"]).choices = ANY + [(str(t.code), t.name) for t in tags]
        cast(forms.ChoiceField, self.fields["neighbourhood"]).choices = ANY + [(n, n) for n in neighbourhoods]

    def to_filter(self) -> RosterFilter:
        """The valid part of what was asked; a value that is not (any more) a choice is ignored."""
        self.is_valid()
        data = {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}
        for name in ("skill", "tag"):
            if name in data:
                data[name] = uuid.UUID(data[name])
        return RosterFilter(**data)

    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields if name != "sort")


class UUIDListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[uuid.UUID]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            codes = list(dict.fromkeys(uuid.UUID(str(v)) for v in value))
        except ValueError as exc:
            raise ValidationError(_("The selection is not valid. Reload the page and try again.")) from exc
        if len(codes) > MAX_BULK:
            raise ValidationError(_("Choose at most %(max)s volunteers at once.") % {"max": MAX_BULK})
        return codes


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("tag", _("Add a tag")), ("status", _("Set status"))])
    volunteers = UUIDListField(required=True, error_messages={"required": _("Choose at least one volunteer.")})
    tag = forms.CharField(label=_("Tag"), required=False, max_length=60)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY + list(Volunteer.Status.choices))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "tag" and not (data.get("tag") or "").strip():
            self.add_error("tag", _("Type a tag to add."))
        if data.get("action") == "status" and not data.get("status"):
            self.add_error("status", _("Choose a status."))
        return data


class VolunteerForm(forms.ModelForm):
    """The person and their volunteer profile on one page."""

    status = forms.ChoiceField(label=_("Status"), choices=Volunteer.Status.choices, initial=Volunteer.Status.NEW)
    available_weekdays = forms.BooleanField(label=_("Available on weekdays"), required=False)
    available_evenings = forms.BooleanField(label=_("Available in the evenings"), required=False)
    available_weekends = forms.BooleanField(label=_("Available at weekends"), required=False)
    skills: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Skills and interests"),
        queryset=Skill.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    tshirt_size = forms.ChoiceField(
        label=_("T-shirt size"), required=False, choices=[("", "—"), *Volunteer.Size.choices]
    )

    PERSON_FIELDS = ("given_name", "family_name", "email", "phone", "language", "neighbourhood")
    CONSENT_FIELDS = ("consent_email", "consent_sms")
    VOLUNTEER_FIELDS = ("status", "available_weekdays", "available_evenings", "available_weekends", "tshirt_size")

    class Meta:
        model = Person
        fields = [
            "given_name",
            "family_name",
            "email",
            "phone",
            "language",
            "neighbourhood",
            "consent_email",
            "consent_sms",
        ]

    def __init__(self, *args: Any, campaign: Any, volunteer: Volunteer | None = None, **kwargs: Any) -> None:
        if volunteer is not None:
            kwargs["instance"] = volunteer.person
            kwargs["initial"] = {
                **{name: getattr(volunteer, name) for name in self.VOLUNTEER_FIELDS},
                "skills": list(volunteer.skills.all()),
                **kwargs.get("initial", {}),
            }
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["skills"]).queryset = Skill.objects.filter(
            campaign=campaign
        ).order_by("position", "name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("email")
            and not data.get("phone")
            and not self.has_error("email")
            and not self.has_error("phone")
        ):
            self.add_error("email", _("Give an email or a phone number, so the campaign can reach them."))
        return data

    def _post_clean(self) -> None:
        """The service validates the person; the form only checks the fields, so a rejected value is
        never written onto the instance the page shows."""

    def person_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in (*self.PERSON_FIELDS, *self.CONSENT_FIELDS)}

    def volunteer_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.VOLUNTEER_FIELDS}

    def person_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in (*self.PERSON_FIELDS, *self.CONSENT_FIELDS)]

    def volunteer_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.VOLUNTEER_FIELDS]


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write something first.")},
    )


class MergeForm(forms.Form):
    keep = forms.UUIDField()
    drop = forms.UUIDField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("keep") and data.get("keep") == data.get("drop"):
            raise ValidationError(_("Choose two different volunteers."))
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 (with or without BOM) or GB18030, at most 5 MB. English or Chinese column names."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": _("Choose a file to upload."), "empty": _("The file is empty.")},
    )
