"""Forms for shifts, attendance, hours, check-in and the campaign's volunteer settings."""

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign
from volunteers.models import Shift, Signup, Skill, VolunteerSettings

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
MAX_CAPACITY = 10_000
MAX_REMINDER_HOURS = 24 * 14


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in the campaign's time zone, whatever zone the request runs in."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)

    def __init__(self, *, tz: zoneinfo.ZoneInfo | None = None, **kwargs: Any) -> None:
        self.tz = tz
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.datetime | None:
        if self.tz is None:
            return super().to_python(value)
        with timezone.override(self.tz):
            return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime) and timezone.is_aware(value) and self.tz is not None:
            return timezone.localtime(value, self.tz).replace(tzinfo=None)
        return value


class ShiftForm(forms.Form):
    """One shift, or with `repeat_weeks` the same shift on each of the next weeks (create only)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Shift.Kind.choices, initial=Shift.Kind.CANVASSING)
    title = forms.CharField(label=_("Title"), max_length=200)
    location = forms.CharField(label=_("Meeting point"), max_length=255)
    starts_at = LocalDateTimeField(label=_("Starts"))
    ends_at = LocalDateTimeField(label=_("Ends"))
    capacity = forms.IntegerField(
        label=_("Places"),
        min_value=1,
        max_value=MAX_CAPACITY,
        initial=5,
        error_messages={"min_value": _("A shift needs at least one place.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    required_skill: "forms.ModelChoiceField[Skill]" = forms.ModelChoiceField(
        label=_("Required skill"),
        queryset=Skill.objects.none(),
        required=False,
        empty_label=_("Any volunteer"),
        help_text=_("Volunteers without it can still sign up, but see a warning."),
    )
    notes = forms.CharField(label=_("Notes for volunteers"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    published = forms.BooleanField(label=_("Show on the public page"), required=False)
    repeat_weeks = forms.IntegerField(
        label=_("Repeat weekly, number of weeks"),
        min_value=1,
        max_value=52,
        initial=1,
        help_text=_("1 for a single shift; up to 52."),
        error_messages={
            "min_value": _("Repeat for 1 to 52 weeks."),
            "max_value": _("Repeat for 1 to 52 weeks."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    SHIFT_FIELDS = (
        "kind",
        "title",
        "location",
        "starts_at",
        "ends_at",
        "capacity",
        "required_skill",
        "notes",
        "published",
    )

    def __init__(self, *args: Any, campaign: Campaign, shift: Shift | None = None, **kwargs: Any) -> None:
        if shift is not None:
            kwargs.setdefault("initial", {field: getattr(shift, field) for field in self.SHIFT_FIELDS})
        super().__init__(*args, **kwargs)
        self.shift = shift
        tz = campaign.tzinfo
        for name in ("starts_at", "ends_at"):
            self.fields[name].tz = tz  # type: ignore[attr-defined]
        self.fields["required_skill"].queryset = Skill.objects.filter(campaign=campaign)  # type: ignore[attr-defined]
        if shift is not None:
            del self.fields["repeat_weeks"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("A shift must end after it starts."))
        if starts_at and self.shift is None and starts_at < timezone.now():
            self.add_error("starts_at", _("This time is in the past."))
        return data

    def shift_values(self) -> dict[str, Any]:
        values = {field: self.cleaned_data[field] for field in self.SHIFT_FIELDS}
        if self.shift is not None:
            # The form shows minutes only: a time left as it was is not a change (nobody is told about it).
            for field in ("starts_at", "ends_at"):
                stored = getattr(self.shift, field)
                if values[field] == stored.replace(second=0, microsecond=0):
                    values[field] = stored
        return values


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(
        choices=[(Signup.Attendance.ATTENDED, _("Attended")), (Signup.Attendance.NO_SHOW, _("No-show"))],
        error_messages={
            "required": _("Choose attended or no-show."),
            "invalid_choice": _("Choose attended or no-show."),
        },
    )


class HoursForm(forms.Form):
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=0,
        max_value=24,
        max_digits=5,
        decimal_places=2,
        error_messages={
            "min_value": _("Hours must be between 0 and 24."),
            "max_value": _("Hours must be between 0 and 24."),
        },
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the hours are corrected."))
        return reason


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        min_length=6,
        max_length=8,
        help_text=_("The six letters and digits on the poster at the meeting point."),
        error_messages={
            "required": _("Type the code from the poster."),
            "min_length": _("The code has six letters and digits."),
            "max_length": _("The code has six letters and digits."),
        },
        widget=forms.TextInput(
            attrs={
                "autocapitalize": "characters",
                "autocomplete": "off",
                "spellcheck": "false",
                "inputmode": "text",
                "class": "text-uppercase",
            }
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).upper()


class VolunteerSettingsForm(forms.Form):
    reminder_hours = forms.CharField(
        label=_("Reminders, hours before a shift"),
        max_length=100,
        help_text=_("Separate with commas, e.g. 24, 2. Each from 1 to 336 (two weeks)."),
        error_messages={"required": _("Give at least one reminder time, e.g. 24.")},
    )
    cancel_by_hours = forms.IntegerField(
        label=_("Volunteers can cancel until (hours before the start)"),
        min_value=0,
        max_value=MAX_REMINDER_HOURS,
        error_messages={
            "min_value": _("Use 0 to 336 hours."),
            "max_value": _("Use 0 to 336 hours."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    thank_you = forms.BooleanField(label=_("Send a thank-you after each shift"), required=False)
    signup_open = forms.BooleanField(label=_("The public signup form is open"), required=False)
    consent_text = forms.CharField(
        label=_("Consent wording on the signup form"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty for the standard wording."),
    )

    FIELDS = ("reminder_hours", "cancel_by_hours", "thank_you", "signup_open", "consent_text")

    @classmethod
    def for_program(cls, program: VolunteerSettings, data: Any = None) -> "VolunteerSettingsForm":
        initial = {field: getattr(program, field) for field in cls.FIELDS}
        initial["reminder_hours"] = ", ".join(str(h) for h in program.reminder_hours or [])
        return cls(data, initial=initial)

    def clean_reminder_hours(self) -> list[int]:
        raw = self.cleaned_data["reminder_hours"].replace("，", ",")  # a full-width comma from a Chinese keyboard
        hours: list[int] = []
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            try:
                value = int(part)
            except ValueError:
                raise ValidationError(
                    _("“%(value)s” is not a whole number of hours."), params={"value": part}
                ) from None
            if not 1 <= value <= MAX_REMINDER_HOURS:
                raise ValidationError(
                    _("%(value)s is out of range: each reminder is 1 to 336 hours before the shift."),
                    params={"value": value},
                )
            hours.append(value)
        if not hours:
            raise ValidationError(_("Give at least one reminder time, e.g. 24."))
        if len(set(hours)) > 5:
            raise ValidationError(_("At most five reminders."))
        return sorted(set(hours), reverse=True)

    def clean_consent_text(self) -> str:
        return self.cleaned_data["consent_text"].strip()


class SkillForm(forms.Form):
    name = forms.CharField(label=_("New skill"), max_length=60)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Give the skill a name."))
        return name
