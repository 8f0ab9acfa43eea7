"""Forms of the fundraising pages. They parse input; the services decide what is allowed."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, Membership, Role
from fundraising.models import MONEY, Donation, Expense, FundraisingSettings, Pledge
from fundraising.services import RECEIPT_TYPES, check_receipt_file


def money_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    """Two decimals at most: a third one is refused with a message, never rounded away."""
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=MONEY["max_digits"],
        decimal_places=MONEY["decimal_places"],
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))


class DonorFields(forms.Form):
    """A donor found by email or phone, or created from the names given."""

    given_name = forms.CharField(label=_("Donor's given name"), max_length=100, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False, help_text=_("An existing donor is found by email."))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False, help_text=_("…or by phone."))

    def donor_values(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in ("given_name", "family_name", "email", "phone")}

    def require_donor(self, cleaned: dict[str, Any]) -> None:
        if not (cleaned.get("given_name") or cleaned.get("email") or cleaned.get("phone")):
            self.add_error("given_name", _("Give the donor's name, email or phone."))


class DonationForm(DonorFields):
    anonymous = forms.BooleanField(label=_("Anonymous donation"), required=False)
    amount = money_field(_("Amount"))
    received_on = date_field(_("Date received"))
    method = forms.ChoiceField(label=_("Method"), choices=Donation.Method.choices)
    in_kind_description = forms.CharField(
        label=_("What was given (in kind)"), max_length=255, required=False, help_text=_("Needed for gifts in kind.")
    )
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    appeal = forms.CharField(label=_("Event or appeal"), max_length=150, required=False)
    donor_category = forms.CharField(
        label=_("Donor category"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "donor-categories"}),
        help_text=_("Leave empty for a private individual."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = [
        "anonymous",
        "given_name",
        "family_name",
        "email",
        "phone",
        "amount",
        "received_on",
        "method",
        "in_kind_description",
        "reference",
        "appeal",
        "donor_category",
        "notes",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("anonymous"):
            self.require_donor(cleaned)
        return cleaned

    def donation_values(self) -> dict[str, Any]:
        keys = ("amount", "received_on", "method", "in_kind_description", "reference", "appeal", "donor_category")
        return {key: self.cleaned_data[key] for key in keys} | {"notes": self.cleaned_data["notes"]}


class RefundForm(forms.Form):
    amount = money_field(_("Amount to refund"))
    reason = forms.CharField(label=_("Why"), max_length=255)


class CorrectionForm(forms.Form):
    delta = money_field(_("Change (+ or −)"), help_text=_("For example -5.00 when 5.00 too much was recorded."))
    reason = forms.CharField(label=_("Why"), max_length=255)


class ReviewForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Accept it")), ("0", _("Reject it"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Why"), max_length=255)


class PledgeForm(DonorFields):
    amount = money_field(_("Amount pledged"))
    due_on = date_field(_("Due on"))
    recurrence = forms.ChoiceField(label=_("Repeats"), choices=Pledge.Recurrence.choices, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.require_donor(cleaned)
        amount = cleaned.get("amount")
        if amount is not None and amount <= 0:
            self.add_error("amount", _("The amount must be more than zero."))
        return cleaned


class ExpenseForm(forms.Form):
    spent_on = date_field(_("Date"))
    payee = forms.CharField(label=_("Paid to"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Expense.Category.choices)
    amount = money_field(_("Amount"))
    description = forms.CharField(label=_("What for"), max_length=255, required=False)
    receipt_file = forms.FileField(label=_("Receipt"), required=False, help_text=_("PDF, JPG or PNG, at most 10 MB."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["spent_on"].initial = timezone.localdate()
        self.fields["receipt_file"].widget.attrs["accept"] = ",".join(sorted(set(RECEIPT_TYPES.values())))

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise ValidationError(_("The amount must be more than zero."))
        return amount

    def clean_spent_on(self) -> Any:
        spent_on = self.cleaned_data["spent_on"]
        if spent_on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return spent_on

    def clean_receipt_file(self) -> Any:
        upload = self.cleaned_data.get("receipt_file")
        if upload:
            check_receipt_file(upload)  # the service checks again: the API uses it too
        return upload


class SettingsForm(forms.ModelForm):
    forbidden_categories_text = forms.CharField(
        label=_("Donor categories not allowed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line, or separated by commas. For example: foreign donor, company."),
    )
    granted: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Volunteers who may see fundraising"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Coordinators and owners always can. Volunteers only see it, they cannot record anything."),
    )

    class Meta:
        model = FundraisingSettings
        fields = [
            "goal_amount",
            "goal_deadline",
            "show_thermometer",
            "per_donor_cap",
            "anonymous_cap",
            "cash_cap",
            "over_limit",
            "near_cap_share",
            "disclosure_threshold",
        ]
        widgets = {"goal_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, campaign: Campaign, granted_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["forbidden_categories_text"].initial = "\n".join(self.instance.forbidden_categories or [])
        volunteers = Membership.objects.filter(campaign=campaign, role=Role.VOLUNTEER).select_related("user")
        granted = self.fields["granted"]
        assert isinstance(granted, forms.ModelMultipleChoiceField)
        granted.queryset = volunteers.order_by("user__email")
        granted.label_from_instance = lambda obj: str(obj.user)  # type: ignore[method-assign,assignment]
        granted.initial = [pk for pk in granted_ids]

    def clean_forbidden_categories_text(self) -> list[str]:
        text = self.cleaned_data["forbidden_categories_text"]
        seen: list[str] = []
        for part in text.replace(",", "\n").splitlines():
            part = part.strip()
            if part and part.casefold() not in {s.casefold() for s in seen}:
                seen.append(part[:100])
        return seen

    def settings_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        values["forbidden_categories"] = self.cleaned_data["forbidden_categories_text"]
        return values
