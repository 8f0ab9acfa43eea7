"""The public volunteer signup form (/p/<slug>/join/): no account, one screen, clear errors."""

from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from campaign.models import Campaign, Person
from volunteers.models import Skill, Volunteer
from volunteers.services_public import normalise_email, phone_region_for

AVAILABILITY = ("available_weekdays", "available_evenings", "available_weekends")


class TelInput(forms.TextInput):
    input_type = "tel"  # phones show the number pad


class PublicSignupForm(forms.Form):
    given_name = forms.CharField(
        label=capfirst(Person._meta.get_field("given_name").verbose_name),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    family_name = forms.CharField(
        label=capfirst(Person._meta.get_field("family_name").verbose_name),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("This is not a valid email address. Check it for typing mistakes.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    phone = PhoneNumberField(
        label=_("Mobile phone"),
        required=False,
        error_messages={"invalid": _("This is not a valid phone number. Include the country code.")},
        widget=TelInput(attrs={"autocomplete": "tel"}),
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    neighbourhood = forms.CharField(
        label=capfirst(Person._meta.get_field("neighbourhood").verbose_name),
        max_length=100,
        required=False,
        help_text=_("Where you live or would like to help."),
    )
    available_weekdays = forms.BooleanField(
        label=capfirst(Volunteer._meta.get_field("available_weekdays").verbose_name), required=False
    )
    available_evenings = forms.BooleanField(
        label=capfirst(Volunteer._meta.get_field("available_evenings").verbose_name), required=False
    )
    available_weekends = forms.BooleanField(
        label=capfirst(Volunteer._meta.get_field("available_weekends").verbose_name), required=False
    )
    skills: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("What would you like to do?"),
        queryset=Skill.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        to_field_name="code",
    )
    tshirt_size = forms.ChoiceField(
        label=capfirst(Volunteer._meta.get_field("tshirt_size").verbose_name),
        choices=[("", _("No T-shirt, thanks")), *Volunteer.Size.choices],
        required=False,
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please agree to be contacted, or we cannot sign you up.")},
    )
    # The honeypot: hidden from people, so whatever fills it in is a robot.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, campaign: Campaign, consent_wording: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("language", _current_language())
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["skills"].queryset = Skill.objects.filter(  # type: ignore[attr-defined]
            campaign=campaign
        ).order_by("position", "name")
        region = phone_region_for(campaign)
        self.fields["phone"].region = region  # type: ignore[attr-defined]
        self.fields["phone"].error_messages["invalid"] = _(
            "This is not a valid phone number. Include the country code, e.g. %(example)s."
        ) % {"example": _example_mobile(region)}
        self.fields["phone"].help_text = _("For text messages about your shifts.")
        self.fields["consent"].label = consent_wording

    def is_robot(self) -> bool:
        return bool(self.data.get(self.add_prefix("website"), "").strip())

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data.get("email") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email_ok = "email" not in self.errors
        phone_ok = "phone" not in self.errors
        if email_ok and phone_ok and not cleaned.get("email") and not cleaned.get("phone"):
            self.add_error("email", _("Give an email address or a mobile number, or both."))
        return cleaned

    def availability_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in AVAILABILITY]

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "given_name": data["given_name"],
            "family_name": data["family_name"],
            "email": data["email"],
            "phone": data["phone"] or None,
            "language": data["language"],
            "neighbourhood": data["neighbourhood"],
            "available_weekdays": data["available_weekdays"],
            "available_evenings": data["available_evenings"],
            "available_weekends": data["available_weekends"],
            "skills": list(data["skills"]),
            "tshirt_size": data["tshirt_size"],
            "consent": data["consent"],
        }


def _example_mobile(region: str | None) -> str:
    number = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE) if region else None
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL) if number else "+852 5123 4567"


def _current_language() -> str:
    language = get_language() or settings.LANGUAGE_CODE
    codes = [code for code, _name in settings.LANGUAGES]
    return language if language in codes else settings.LANGUAGE_CODE
