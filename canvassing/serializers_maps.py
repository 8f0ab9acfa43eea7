"""What /api/v1/c/<slug>/ says about map versions and areas. Volunteers see areas without household
figures; coordinators see the counts and each version's difference."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from canvassing.models import Area, MapVersion


class MapVersionSerializer(serializers.ModelSerializer):
    area_count = serializers.IntegerField(read_only=True)
    created_by = serializers.StringRelatedField()
    applied_by = serializers.StringRelatedField()

    class Meta:
        model = MapVersion
        fields = [
            "code",
            "number",
            "name",
            "source",
            "status",
            "area_count",
            "created_by",
            "created_at",
            "applied_by",
            "applied_at",
        ]
        read_only_fields = fields


class MapVersionDetailSerializer(MapVersionSerializer):
    diff = serializers.JSONField(
        read_only=True,
        help_text=_(
            "The difference from the map it replaces (or, for a draft, the current map): households placed, "
            "moved and unplaced, each area's counts, areas added/removed/renamed, the turfs affected."
        ),
    )

    class Meta(MapVersionSerializer.Meta):
        fields = [*MapVersionSerializer.Meta.fields, "diff"]
        read_only_fields = fields


class MapUploadSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=MapVersion.Source.choices)
    file = serializers.FileField()
    name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    key_property = serializers.CharField(max_length=100, required=False, default="code")
    name_property = serializers.CharField(max_length=100, required=False, default="name")


class AreaSerializer(serializers.ModelSerializer):
    version = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Area
        fields = ["code", "key", "name", "version"]
        read_only_fields = fields

    def to_representation(self, instance: Area) -> dict[str, Any]:
        data = super().to_representation(instance)
        if self.context.get("coordinator"):
            data["household_count"] = getattr(instance, "household_count", None)
            data["turf_count"] = getattr(instance, "turf_count", None)
        return data


class AreaDetailSerializer(AreaSerializer):
    geometry = serializers.JSONField(
        read_only=True, help_text=_("GeoJSON Polygon or MultiPolygon; null for an area from a household file.")
    )

    class Meta(AreaSerializer.Meta):
        fields = [*AreaSerializer.Meta.fields, "geometry"]
        read_only_fields = fields
