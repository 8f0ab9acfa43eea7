from rest_framework import serializers

from canvassing.models import Household, Resident
from canvassing.services_households import HOUSEHOLD_FIELDS


class ResidentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.full_name", read_only=True)
    person = serializers.UUIDField(source="person.code", read_only=True)

    class Meta:
        model = Resident
        fields = ["person", "name", "age_band", "notes"]
        read_only_fields = fields


class HouseholdSerializer(serializers.ModelSerializer):
    address = serializers.CharField(read_only=True)
    turf = serializers.UUIDField(source="turf.code", read_only=True, allow_null=True)
    area = serializers.UUIDField(source="area.code", read_only=True, allow_null=True)
    residents = ResidentSerializer(many=True, read_only=True)

    class Meta:
        model = Household
        fields = [
            "code",
            *HOUSEHOLD_FIELDS,
            "address",
            "status",
            "source",
            "needs_review",
            "house_number_value",
            "parity",
            "turf",
            "area",
            "last_outcome",
            "last_visited_at",
            "residents",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "code",
            "address",
            "source",
            "needs_review",
            "house_number_value",
            "parity",
            "turf",
            "area",
            "last_outcome",
            "last_visited_at",
            "residents",
            "created_at",
            "updated_at",
        ]
        # the uniqueness of address and external id is the service's to check, with its own message
        validators: list = []


class DoorHouseholdSerializer(serializers.Serializer):
    """What a volunteer sends for a household found at the door."""

    turf = serializers.UUIDField(required=False, allow_null=True)
    building = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    street = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    house_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    floor = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    resident_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
