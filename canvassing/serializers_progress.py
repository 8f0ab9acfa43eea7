"""What /api/v1/c/<slug>/canvassing/progress/… says: the selectors_progress rows as JSON.

Counts are integers; `contact_rate` is a fraction 0–1 (null when no door was knocked); `support` and
`support_recorded` are five counts, for support levels 1 to 5. See canvassing.selectors_progress for
what each number counts.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from canvassing.models import Visit
from canvassing.services_review import Decision


class FiguresSerializer(serializers.Serializer):
    visits = serializers.IntegerField(help_text="Visits in the period, not counting discarded ones.")
    doors_knocked = serializers.IntegerField(
        help_text="Households with a visit in the period, except inaccessible / no access."
    )
    contacts = serializers.IntegerField(help_text="Households with a 'contacted' visit in the period.")
    contact_rate = serializers.FloatField(
        allow_null=True, help_text="contacts ÷ doors_knocked, per household; null when no door was knocked."
    )


class CoverageSerializer(serializers.Serializer):
    households = serializers.IntegerField(help_text="Active households in turfs now.")
    knocked = serializers.IntegerField(help_text="Of them, knocked at least once (any time).")
    left = serializers.IntegerField(help_text="Of them, never knocked.")
    percent = serializers.IntegerField()


def support_field(help_text: str) -> serializers.ListField:
    return serializers.ListField(child=serializers.IntegerField(), min_length=5, max_length=5, help_text=help_text)


class SummarySerializer(serializers.Serializer):
    since = serializers.DateTimeField(allow_null=True)
    until = serializers.DateTimeField(allow_null=True)
    figures = FiguresSerializer()
    coverage = CoverageSerializer()
    households = serializers.IntegerField(help_text="Every active household, in a turf or not.")
    support = support_field("Households at support level 1..5 (latest known level).")
    turfs = serializers.IntegerField()
    turfs_completed = serializers.IntegerField()
    needs_review = serializers.IntegerField(help_text="Visits waiting for a coordinator's review.")


@extend_schema_field(OpenApiTypes.UUID)
class CodeField(serializers.SlugRelatedField):
    """A related object as its UUID code (the schema says so: these serializers have no model to tell it)."""


class TurfRefSerializer(serializers.Serializer):
    code = serializers.UUIDField()
    name = serializers.CharField()
    mode = serializers.CharField()
    area = CodeField(slug_field="code", read_only=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class TurfProgressSerializer(serializers.Serializer):
    turf = TurfRefSerializer()
    completed = serializers.BooleanField()
    figures = FiguresSerializer()
    coverage = CoverageSerializer()
    support = support_field("Households at support level 1..5 (latest known level).")


class AreaRefSerializer(serializers.Serializer):
    code = serializers.UUIDField()
    key = serializers.CharField()
    name = serializers.CharField()


class AreaProgressSerializer(serializers.Serializer):
    area = AreaRefSerializer(allow_null=True, help_text="null: households outside the current map's areas.")
    figures = FiguresSerializer()
    coverage = CoverageSerializer()
    support = support_field("Households at support level 1..5 (latest known level).")
    turfs = serializers.IntegerField()
    turfs_completed = serializers.IntegerField()


class VolunteerProgressSerializer(serializers.Serializer):
    membership = serializers.UUIDField(source="membership.code")
    name = serializers.CharField(source="membership.user.get_full_name")
    figures = FiguresSerializer()
    support_recorded = support_field("Visits that recorded support level 1..5.")
    turfs_assigned = serializers.IntegerField()
    turfs_completed = serializers.IntegerField()


class DayProgressSerializer(serializers.Serializer):
    day = serializers.DateField(help_text="A day in the campaign's time zone.")
    figures = FiguresSerializer()
    support_recorded = support_field("Visits that recorded support level 1..5.")


class MyProgressSerializer(serializers.Serializer):
    since = serializers.DateTimeField(allow_null=True)
    until = serializers.DateTimeField(allow_null=True)
    figures = FiguresSerializer()
    support_recorded = support_field("Visits that recorded support level 1..5.")
    days = DayProgressSerializer(many=True)


class ReviewInSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=Decision.VALUES, help_text="accept: it stays counted, leaves the queue; discard: it stops counting."
    )


class ReviewOutSerializer(serializers.ModelSerializer):
    """The reviewed visit: who reviewed it, when, and whether it was discarded."""

    reviewed_by = serializers.CharField(source="reviewed_by.get_full_name", read_only=True, allow_null=True)

    class Meta:
        model = Visit
        fields = ["code", "outcome", "flags", "needs_review", "reviewed_at", "reviewed_by", "discarded_at"]
        read_only_fields = fields
