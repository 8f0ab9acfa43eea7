"""What /api/v1/c/<slug>/ says about donations, pledges, expenses and progress, and what it accepts.

Money is a string with two decimals (never a float). Donors and originals are named by their UUID
`code`, looked up only within the request's campaign, so another campaign's code is simply unknown.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaign.models import Person
from fundraising.models import MONEY, Donation, Expense, Pledge
from volunteers.serializers import CampaignCodeField

MONEY_FIELD = {**MONEY, "coerce_to_string": True}


class DonorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["code", "given_name", "family_name", "email", "phone", "language"]
        read_only_fields = fields


class NewDonorSerializer(serializers.Serializer):
    """A donor not yet known: found by the same email or phone, created otherwise."""

    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    email = serializers.EmailField(required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    language = serializers.CharField(max_length=10, required=False, default="", allow_blank=True)


class DonationSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField(
        help_text=_("donation; refund (a negative amount) or correction, both pointing at `original`.")
    )
    donor = DonorSerializer(read_only=True, allow_null=True)
    amount = serializers.DecimalField(**MONEY_FIELD, read_only=True)
    original = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    pledge = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Donation
        fields = [
            "code",
            "kind",
            "original",
            "donor",
            "donor_category",
            "amount",
            "currency",
            "received_on",
            "method",
            "in_kind_description",
            "reference",
            "appeal",
            "notes",
            "pledge",
            "status",
            "review_reason",
            "receipt_number",
            "receipt_issued_at",
            "receipt_copies",
            "created_at",
        ]
        read_only_fields = fields

    # Not an enum: drf-spectacular would name it "KindEnum" and collide with the shifts' own `kind`
    # (a warning, which --fail-on-warn refuses) unless settings.py had an ENUM_NAME_OVERRIDES entry.
    @extend_schema_field({"type": "string", "pattern": "^(" + "|".join(Donation.Kind.values) + ")$"})
    def get_kind(self, donation: Donation) -> str:
        return donation.kind


class DonationCreateSerializer(serializers.Serializer):
    """A donation. Give `donor` (a person code), or `new_donor` (found by email/phone or created), or
    neither for an anonymous donation. `client_uuid`, made on the phone, makes a retry a no-op."""

    donor = CampaignCodeField(Person, required=False, allow_null=True, help_text=_("A person code."))
    new_donor = NewDonorSerializer(required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=None, coerce_to_string=True)
    received_on = serializers.DateField()
    method = serializers.ChoiceField(choices=Donation.Method.choices)
    donor_category = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    in_kind_description = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    reference = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    appeal = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    notes = serializers.CharField(required=False, default="", allow_blank=True)
    pledge = CampaignCodeField(Pledge, required=False, allow_null=True, help_text=_("A pledge code it pays."))
    client_uuid = serializers.UUIDField(required=False, allow_null=True)

    def validate(self, attrs: dict) -> dict:
        if attrs.get("donor") and attrs.get("new_donor"):
            raise serializers.ValidationError({"new_donor": [_("Give either donor or new_donor, not both.")]})
        return attrs


class RefundSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=None, coerce_to_string=True)
    reason = serializers.CharField(max_length=255)


class CorrectSerializer(serializers.Serializer):
    delta = serializers.DecimalField(
        max_digits=14,
        decimal_places=None,
        coerce_to_string=True,
        help_text=_("Added to the donation; may be negative."),
    )
    reason = serializers.CharField(max_length=255)


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=255, help_text=_("Why, for the record."))


class PledgeSerializer(serializers.ModelSerializer):
    donor = CampaignCodeField(Person, help_text=_("A person code."))
    amount = serializers.DecimalField(max_digits=14, decimal_places=None, coerce_to_string=True)
    paid = serializers.SerializerMethodField(
        help_text=_("Accepted payments towards the pledge so far, less their refunds.")
    )

    class Meta:
        model = Pledge
        fields = ["code", "donor", "amount", "due_on", "recurrence", "status", "notes", "paid", "created_at"]
        read_only_fields = ["code", "status", "paid", "created_at"]

    def get_paid(self, pledge: Pledge) -> str:
        paid = getattr(pledge, "paid_total", None) or Decimal("0.00")
        return f"{paid:.2f}"

    def to_representation(self, instance: Pledge) -> dict:
        data = super().to_representation(instance)
        data["amount"] = f"{instance.amount:.2f}"
        return data


class ExpenseSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=None, coerce_to_string=True)
    receipt_file = serializers.FileField(
        required=False, allow_null=True, write_only=True, help_text=_("A photo or PDF of the receipt (multipart).")
    )
    has_receipt = serializers.SerializerMethodField()

    class Meta:
        model = Expense
        fields = [
            "code",
            "spent_on",
            "payee",
            "category",
            "amount",
            "currency",
            "description",
            "receipt_file",
            "has_receipt",
            "created_at",
        ]
        read_only_fields = ["code", "currency", "has_receipt", "created_at"]

    def get_has_receipt(self, expense: Expense) -> bool:
        return bool(expense.receipt_file)

    def to_representation(self, instance: Expense) -> dict:
        data = super().to_representation(instance)
        data["amount"] = f"{instance.amount:.2f}"
        return data


class MoneyRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    amount = serializers.CharField()


class ProgressSerializer(serializers.Serializer):
    currency = serializers.CharField()
    raised = serializers.CharField()
    donors = serializers.IntegerField()
    average_gift = serializers.CharField()
    goal = serializers.CharField(allow_null=True)
    goal_deadline = serializers.DateField(allow_null=True)
    goal_share = serializers.CharField(allow_null=True, help_text=_("Share of the goal raised, in percent."))
    by_method = serializers.ListField(child=serializers.DictField())
    by_week = serializers.ListField(child=serializers.DictField())
