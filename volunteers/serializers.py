"""What /api/v1/c/<slug>/ says about volunteers, shifts and signups, and what it accepts.

Related objects are named by their UUID `code`, always looked up within the request's campaign,
so another campaign's code is simply unknown.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaign.api import PersonSerializer
from campaign.models import Role
from volunteers.models import Shift, Signup, Skill, Volunteer


class CampaignCodeField(serializers.SlugRelatedField):
    """A related object given by its code, found only among the campaign's own (context["campaign"])."""

    default_error_messages = {
        "does_not_exist": _("Unknown code {value}."),
        "invalid": _("Not a valid code."),
    }

    def __init__(self, model: type[models.Model], **kwargs) -> None:  # type: ignore[no-untyped-def]
        # .none() works outside a scope, and tells drf-spectacular which model the codes belong to.
        kwargs.setdefault("queryset", None if kwargs.get("read_only") else model._default_manager.none())
        super().__init__(slug_field="code", **kwargs)
        self.model = model

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return self.model._default_manager.filter(campaign=self.context["campaign"])

    def to_internal_value(self, data):  # type: ignore[no-untyped-def]
        try:
            return super().to_internal_value(data)
        except DjangoValidationError:  # a malformed UUID fails in the lookup itself
            self.fail("invalid")


class SkillSerializer(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["code", "name"]
        read_only_fields = fields


class VolunteerSerializer(serializers.ModelSerializer):
    """A volunteer and the contact they are. On create `person` is required; afterwards it is
    changed through /people/<code>/, and only the volunteer fields can be patched here."""

    person = PersonSerializer()
    skills = CampaignCodeField(Skill, many=True, required=False, help_text=_("Skill codes, see /skills/."))

    class Meta:
        model = Volunteer
        fields = [
            "code",
            "person",
            "status",
            "available_weekdays",
            "available_evenings",
            "available_weekends",
            "skills",
            "tshirt_size",
            "source",
            "last_activity_at",
            "created_at",
        ]
        read_only_fields = ["code", "source", "last_activity_at", "created_at"]

    def validate_person(self, person: dict) -> dict:
        if self.instance is not None:
            raise serializers.ValidationError(_("Change the contact details at /people/<code>/."))
        return person


class ShiftSerializer(serializers.ModelSerializer):
    required_skill = CampaignCodeField(Skill, required=False, allow_null=True)
    filled = serializers.IntegerField(read_only=True, help_text=_("Confirmed places taken."))
    waitlist = serializers.IntegerField(read_only=True, help_text=_("People on the waiting list."))
    my_signup = serializers.SerializerMethodField(help_text=_("The caller's own signup on this shift, if any."))
    checkin_code = serializers.SerializerMethodField(
        help_text=_("The code volunteers type on arrival; null unless the caller is a coordinator.")
    )
    duration_hours = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)

    class Meta:
        model = Shift
        fields = [
            "code",
            "kind",
            "title",
            "location",
            "starts_at",
            "ends_at",
            "duration_hours",
            "capacity",
            "required_skill",
            "notes",
            "published",
            "series",
            "filled",
            "waitlist",
            "my_signup",
            "checkin_code",
            "cancelled_at",
            "created_at",
        ]
        read_only_fields = ["code", "series", "cancelled_at", "created_at"]

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "code": {"type": "string", "format": "uuid"},
                "status": {"type": "string", "enum": [Signup.Status.CONFIRMED, Signup.Status.WAITLISTED]},
            },
        }
    )
    def get_my_signup(self, shift: Shift) -> dict | None:
        code = getattr(shift, "my_signup_code", None)
        if code is None:
            return None
        return {"code": str(code), "status": shift.my_signup_status}  # type: ignore[attr-defined]

    @extend_schema_field({"type": "string", "nullable": True})
    def get_checkin_code(self, shift: Shift) -> str | None:
        membership = self.context.get("membership")
        if membership is None or not membership.has_role(Role.COORDINATOR):
            # Knowing the code is what proves a volunteer is there: it is read off the poster on site.
            return None
        return shift.checkin_code


class ShiftCreateSerializer(ShiftSerializer):
    repeat_weeks = serializers.IntegerField(
        write_only=True,
        required=False,
        default=1,
        min_value=1,
        max_value=52,
        help_text=_("Create the same shift on this many consecutive weeks (a series)."),
    )

    class Meta(ShiftSerializer.Meta):
        fields = [*ShiftSerializer.Meta.fields, "repeat_weeks"]


class SignupSerializer(serializers.ModelSerializer):
    shift: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    volunteer: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.person.full_name", read_only=True)
    counted_hours = serializers.SerializerMethodField()

    class Meta:
        model = Signup
        fields = [
            "code",
            "shift",
            "volunteer",
            "volunteer_name",
            "status",
            "attendance",
            "checked_in_at",
            "hours",
            "hours_reason",
            "counted_hours",
            "created_at",
            "promoted_at",
            "cancelled_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_counted_hours(self, signup: Signup) -> str:
        return str(signup.counted_hours())


class SignupCreateSerializer(serializers.Serializer):
    volunteer = CampaignCodeField(
        Volunteer,
        required=False,
        allow_null=True,
        help_text=_("Coordinators only: sign up this volunteer instead of yourself."),
    )
    client_uuid = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_("Optional, generated by the client once per signup and sent again on a retry."),
    )


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, help_text=_("The shift's check-in code, as shown on site."))


class AttendanceSerializer(serializers.Serializer):
    attendance = serializers.ChoiceField(choices=[Signup.Attendance.ATTENDED, Signup.Attendance.NO_SHOW])


class HoursSerializer(serializers.Serializer):
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(24), coerce_to_string=True
    )
    reason = serializers.CharField(max_length=255)
