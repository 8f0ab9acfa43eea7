"""Turfs through the API: the list with counts, one turf with its walk list, and the edits' inputs."""

from typing import Any

from rest_framework import serializers

from canvassing.models import Turf
from canvassing.selectors_turfs import WalkRow
from canvassing.services_turfs import MAX_TARGET_DOORS, MAX_TURFS


class TurfAreaSerializer(serializers.Serializer):
    code = serializers.UUIDField()
    key = serializers.CharField()
    name = serializers.CharField()


class TurfAssigneeSerializer(serializers.Serializer):
    assignment = serializers.UUIDField(source="code")
    membership = serializers.UUIDField(source="membership.code")
    name = serializers.CharField(source="membership.user.__str__")


class TurfSerializer(serializers.ModelSerializer):
    area = TurfAreaSerializer()
    leaflet_variant = serializers.UUIDField(source="leaflet_variant.code", allow_null=True, default=None)
    doors = serializers.IntegerField(help_text="Households in the walk list (active).")
    visited = serializers.IntegerField(help_text="Of those, visited at least once.")
    assignees = serializers.SerializerMethodField()

    class Meta:
        model = Turf
        fields = [
            "code",
            "name",
            "area",
            "mode",
            "leaflet_variant",
            "locked",
            "needs_review",
            "review_reason",
            "completed_at",
            "doors",
            "visited",
            "assignees",
        ]

    def get_assignees(self, turf: Turf) -> list[dict[str, Any]]:
        return TurfAssigneeSerializer(getattr(turf, "active_assignments", []), many=True).data  # type: ignore[return-value]


class WalkRowSerializer(serializers.Serializer):
    """One door, in walking order."""

    code = serializers.UUIDField()
    street = serializers.CharField()
    house_number = serializers.CharField()
    building = serializers.CharField()
    floor = serializers.CharField()
    unit = serializers.CharField()
    district = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    last_outcome = serializers.CharField(help_text="Empty when never visited.")
    last_visited_at = serializers.DateTimeField(allow_null=True)
    needs_review = serializers.BooleanField()

    def to_representation(self, row: WalkRow) -> dict[str, Any]:
        return super().to_representation(row)


class TurfDetailSerializer(TurfSerializer):
    walk_list = serializers.SerializerMethodField()

    class Meta(TurfSerializer.Meta):
        fields = [*TurfSerializer.Meta.fields, "walk_list"]

    def get_walk_list(self, turf: Turf) -> list[dict[str, Any]]:
        return WalkRowSerializer(self.context.get("rows", []), many=True).data  # type: ignore[return-value]


class TurfUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    mode = serializers.ChoiceField(choices=Turf.Mode.choices, required=False)
    leaflet_variant = serializers.UUIDField(required=False, allow_null=True, help_text="Variant code of a leaflet.")
    locked = serializers.BooleanField(required=False)
    completed = serializers.BooleanField(required=False)


class TurfCutSerializer(serializers.Serializer):
    area = serializers.UUIDField(help_text="Code of an area of the current map.")
    target_doors = serializers.IntegerField(min_value=1, max_value=MAX_TARGET_DOORS, required=False)
    turf_count = serializers.IntegerField(min_value=1, max_value=MAX_TURFS, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("target_doors")) == bool(attrs.get("turf_count")):
            raise serializers.ValidationError("Give either target_doors or turf_count.")
        return attrs


class TurfCutResultSerializer(serializers.Serializer):
    area = serializers.UUIDField()
    turfs = serializers.ListField(child=serializers.UUIDField(), help_text="Codes of the new turfs.")
    households = serializers.IntegerField()
    kept = serializers.IntegerField()
    replaced = serializers.IntegerField()
    job = serializers.UUIDField(required=False, help_text="For a large area: the background job to follow.")


class TurfMoveSerializer(serializers.Serializer):
    households = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=5000)


class TurfMergeSerializer(serializers.Serializer):
    into = serializers.UUIDField(help_text="The turf that takes this turf's households.")


class TurfSplitSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TurfLockSerializer(serializers.Serializer):
    locked = serializers.BooleanField()
