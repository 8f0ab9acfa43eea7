"""What /api/v1/c/<slug>/ says about assignments, visits, survey questions and scripts, and what it accepts.

Objects are named by their UUID `code`, looked up only within the request's campaign. Visits are parsed
by `parse_visit` (a plain function, not a DRF serializer: a phone's batch of 50 is parsed in well under
a millisecond); the serializers below describe the same shape for the OpenAPI schema.
"""

import datetime as dt
import uuid
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import serializers

from canvassing.access import support_visible
from canvassing.models import Assignment, Script, SurveyQuestion, Visit
from canvassing.services_visits import VisitInput

# Parsing visits


def _uuid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def parse_visit(raw: Any, *, default_visited_at: dt.datetime | None = None) -> tuple[VisitInput | None, dict]:
    """A visit as JSON → VisitInput, or the errors by field. Types only: the service checks the rest."""
    if not isinstance(raw, dict):
        return None, {"detail": [_("Each visit is an object.")]}
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name in ("code", "household"):
        try:
            values[name] = _uuid(raw[name])
        except KeyError:
            errors[name] = [_("This field is required.")]
        except (TypeError, ValueError, AttributeError):
            errors[name] = [_("Must be a valid UUID.")]
    outcome = raw.get("outcome")
    if not isinstance(outcome, str) or not outcome:
        errors["outcome"] = [_("This field is required.")]
    values["outcome"] = outcome
    visited_raw = raw.get("visited_at")
    if visited_raw in (None, ""):
        if default_visited_at is None:
            errors["visited_at"] = [_("This field is required.")]
        values["visited_at"] = default_visited_at
    else:
        parsed = parse_datetime(visited_raw) if isinstance(visited_raw, str) else None
        if parsed is None:
            errors["visited_at"] = [_("Give a date and time in ISO 8601, with its time zone.")]
        values["visited_at"] = parsed
    support = raw.get("support_level")
    if support not in (None, ""):
        if isinstance(support, bool) or not isinstance(support, int | str) or not str(support).isdigit():
            errors["support_level"] = [_("Support is a number from 1 to 5.")]
        else:
            values["support_level"] = int(support)
    leaflets = raw.get("leaflets_left", 0)
    if leaflets in (None, ""):
        leaflets = 0
    if isinstance(leaflets, bool) or not isinstance(leaflets, int | str) or not str(leaflets).isdigit():
        errors["leaflets_left"] = [_("A whole number.")]
    else:
        values["leaflets_left"] = int(leaflets)
    variant = raw.get("leaflet_variant")
    if variant not in (None, ""):
        try:
            values["leaflet_variant"] = _uuid(variant)
        except (TypeError, ValueError, AttributeError):
            errors["leaflet_variant"] = [_("Must be a valid UUID.")]
    turf = raw.get("turf")
    if turf not in (None, ""):
        try:
            values["turf"] = _uuid(turf)
        except (TypeError, ValueError, AttributeError):
            errors["turf"] = [_("Must be a valid UUID.")]
    answers = raw.get("answers") or {}
    if not isinstance(answers, dict):
        errors["answers"] = [_("Answers are an object: question code → answer.")]
    else:
        values["answers"] = answers
    note = raw.get("note") or ""
    if not isinstance(note, str):
        errors["note"] = [_("Text.")]
    values["note"] = note if isinstance(note, str) else ""
    for name in ("latitude", "longitude"):
        value = raw.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            errors[name] = [_("A number.")]
            continue
        try:
            values[name] = float(value)
        except ValueError:
            errors[name] = [_("A number.")]
    if errors:
        return None, errors
    return VisitInput(**values), {}


# Describing them


class VisitInSerializer(serializers.Serializer):
    """A visit as a phone sends it. `code` is made by the phone (a UUID v4): sending it again is a no-op."""

    code = serializers.UUIDField()
    household = serializers.UUIDField(help_text="The household's code.")
    outcome = serializers.ChoiceField(choices=Visit.Outcome.choices)
    visited_at = serializers.DateTimeField(
        required=False, help_text="The phone's clock, ISO 8601 with zone. Required in a sync batch."
    )
    support_level = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    leaflets_left = serializers.IntegerField(min_value=0, max_value=50, required=False, default=0)
    leaflet_variant = serializers.UUIDField(required=False, allow_null=True, help_text="An inventory variant's code.")
    answers = serializers.DictField(required=False, help_text="Survey question code → answer.")
    note = serializers.CharField(required=False, allow_blank=True)
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)
    turf = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="The turf the phone was walking. A door moved out of it by a re-cut after the visit is still "
        "accepted from a canvasser who held that turf then.",
    )


class SyncInSerializer(serializers.Serializer):
    visits = VisitInSerializer(many=True)


class SyncResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=["created", "exists", "rejected"])
    errors = serializers.DictField(required=False)


class SyncOutSerializer(serializers.Serializer):
    results = SyncResultSerializer(many=True)


class VisitSerializer(serializers.ModelSerializer):
    """`support_level` is null unless the caller logged the visit or may see support levels (support_visible):
    pass the caller's `membership` in the context."""

    household = serializers.SlugRelatedField(slug_field="code", read_only=True)
    turf = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    canvasser = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    leaflet_variant = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Visit
        fields = [
            "code",
            "household",
            "turf",
            "canvasser",
            "outcome",
            "support_level",
            "leaflets_left",
            "leaflet_variant",
            "answers",
            "note",
            "visited_at",
            "recorded_at",
            "latitude",
            "longitude",
            "flags",
            "needs_review",
        ]
        read_only_fields = fields

    def to_representation(self, visit: Visit) -> dict[str, Any]:
        data = super().to_representation(visit)
        membership = self.context.get("membership")
        if membership is None or visit.canvasser_id != membership.pk:
            if "support_visible" not in self.context:  # once per response, not per row
                self.context["support_visible"] = support_visible(membership)
            if not self.context["support_visible"]:
                data["support_level"] = None
        return data


class AssignmentSerializer(serializers.ModelSerializer):
    turf = serializers.SlugRelatedField(slug_field="code", read_only=True)
    turf_name = serializers.CharField(source="turf.name", read_only=True)
    membership = serializers.SlugRelatedField(slug_field="code", read_only=True)
    shift = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Assignment
        fields = ["code", "turf", "turf_name", "membership", "shift", "due_on", "status", "created_at"]
        read_only_fields = fields


class AssignmentCreateSerializer(serializers.Serializer):
    turf = serializers.UUIDField(help_text="The turf's code.")
    memberships = serializers.ListField(child=serializers.UUIDField(), min_length=1, help_text="Membership codes.")
    due_on = serializers.DateField(required=False, allow_null=True)
    shift = serializers.UUIDField(required=False, allow_null=True, help_text="A canvassing shift's code.")


class SurveyQuestionSerializer(serializers.ModelSerializer):
    prompt = serializers.DictField(
        child=serializers.CharField(allow_blank=True), help_text='{"en": "…", "zh-hans": "…"}'
    )
    choices = serializers.ListField(
        child=serializers.DictField(), required=False, help_text='For "choice": [{"value", "label": {lang: text}}].'
    )

    class Meta:
        model = SurveyQuestion
        fields = ["code", "position", "kind", "prompt", "choices", "active"]
        read_only_fields = ["code", "position"]


class ScriptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Script
        fields = ["language", "body", "updated_at"]
        read_only_fields = fields
