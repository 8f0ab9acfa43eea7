"""/api/v1/c/<slug>/: volunteers, skills, shifts, signups and check-in, with the pages' permissions.

Coordinators (and owners) manage volunteers and shifts and see every signup. Any member sees the
campaign's shifts, signs themselves up, cancels their own signup until the cancel-by time and checks
in on arrival; another volunteer's signup does not exist for them (404).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from campaign.api import CampaignAPIMixin, _as_drf_error
from campaign.models import Campaign, Role
from campaign.services import PERSON_FIELDS
from volunteers import selectors, services, services_roster
from volunteers.models import Shift, Signup, Skill, Volunteer
from volunteers.serializers import (
    AttendanceSerializer,
    CheckInSerializer,
    HoursSerializer,
    ShiftCreateSerializer,
    ShiftSerializer,
    SignupCreateSerializer,
    SignupSerializer,
    SkillSerializer,
    VolunteerSerializer,
)


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's ValidationError is a 400 naming the field; its PermissionDenied a 403."""
    try:
        yield
    except DjangoValidationError as exc:
        raise _as_drf_error(exc) from exc
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on")


class VolunteersAPIMixin(CampaignAPIMixin):
    """Serializers look related codes up in the campaign, and hide what the caller's role may not see."""

    campaign: Campaign
    kwargs: dict[str, Any]

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]
        context.update(campaign=getattr(self, "campaign", None), membership=getattr(self, "membership", None))
        return context

    @property
    def is_coordinator(self) -> bool:
        return self.membership.has_role(Role.COORDINATOR)

    def my_volunteer(self) -> Volunteer | None:
        """The caller's own volunteer profile in this campaign (a token's membership decides whose)."""
        return (
            Volunteer.objects.select_related("person")
            .filter(campaign=self.campaign, person__user_id=self.membership.user_id)
            .first()
        )

    def shift_queryset(self) -> QuerySet[Shift]:
        """Shifts with their places taken and waiting list counted in SQL, and the caller's own signup."""
        active = Signup.objects.filter(shift=OuterRef("pk"), volunteer__person__user_id=self.membership.user_id)
        active = active.exclude(status=Signup.Status.CANCELLED)
        return (
            Shift.objects.filter(campaign=self.campaign)
            .select_related("required_skill")
            .annotate(
                filled=Count("signups", filter=Q(signups__status=Signup.Status.CONFIRMED)),
                waitlist=Count("signups", filter=Q(signups__status=Signup.Status.WAITLISTED)),
                my_signup_code=Subquery(active.values("code")[:1]),
                my_signup_status=Subquery(active.values("status")[:1]),
            )
            .order_by("starts_at", "pk")
        )

    def get_shift(self) -> Shift:
        return get_object_or_404(Shift, campaign=self.campaign, code=self.kwargs["code"])


# Volunteers and skills


class SkillList(VolunteersAPIMixin, generics.ListAPIView):
    """The campaign's skills; volunteers and shifts name them by code."""

    serializer_class = SkillSerializer

    def get_queryset(self) -> QuerySet[Skill]:
        return Skill.objects.filter(campaign=self.campaign).order_by("position", "name", "pk")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.program_for(self.campaign)  # the standard skills exist from the first look
        return super().list(request, *args, **kwargs)


def _volunteer_queryset(campaign: Campaign) -> QuerySet[Volunteer]:
    return selectors.roster(campaign, selectors.RosterFilter())


def _roster_errors(exc: DjangoValidationError) -> exceptions.ValidationError:
    """The roster services name contact fields at the top level; here they are inside `person`."""
    error = _as_drf_error(exc)
    if isinstance(error.detail, dict):
        person = {key: value for key, value in error.detail.items() if key in PERSON_FIELDS}
        if person:
            rest = {key: value for key, value in error.detail.items() if key not in PERSON_FIELDS}
            return exceptions.ValidationError({**rest, "person": person})
    return error


class VolunteerList(VolunteersAPIMixin, generics.ListCreateAPIView):
    read_role = Role.COORDINATOR
    write_role = Role.COORDINATOR
    serializer_class = VolunteerSerializer

    def get_queryset(self) -> QuerySet[Volunteer]:
        params = self.request.query_params
        status_ = params.get("status", "")
        if status_ and status_ not in Volunteer.Status.values:
            raise exceptions.ValidationError(
                {"status": [_("Choose one of %(choices)s.") % {"choices": ", ".join(Volunteer.Status.values)}]}
            )
        availability = params.get("availability", "")
        if availability and availability not in selectors.AVAILABILITY_FIELDS:
            raise exceptions.ValidationError(
                {
                    "availability": [
                        _("Choose one of %(choices)s.") % {"choices": ", ".join(selectors.AVAILABILITY_FIELDS)}
                    ]
                }
            )
        skill = None
        if params.get("skill"):
            try:
                skill = Skill.objects.filter(campaign=self.campaign, code=UUID(params["skill"])).first()
            except ValueError:
                skill = None
            if skill is None:
                raise exceptions.ValidationError({"skill": [_("Unknown skill code.")]})
        return selectors.roster(
            self.campaign,
            selectors.RosterFilter(
                q=params.get("q", "").strip(),
                status=status_,
                skill=skill.code if skill else None,
                availability=availability,
                neighbourhood=params.get("neighbourhood", "").strip(),
            ),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=Volunteer.Status.values, description="Only volunteers with this status."),
            OpenApiParameter("skill", OpenApiTypes.UUID, description="Only volunteers with this skill (its code)."),
            OpenApiParameter(
                "availability", enum=list(selectors.AVAILABILITY_FIELDS), description="Only volunteers available then."
            ),
            OpenApiParameter("neighbourhood", description="Only volunteers in this neighbourhood (any case)."),
            OpenApiParameter("q", description="Search names, email and phone; every word must match."),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The roster, coordinators only, by family name."""
        return super().get(request, *args, **kwargs)

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Coordinators: add a volunteer. A contact of the campaign with the same email or phone who is
        not yet a volunteer becomes the volunteer; one already on the roster is refused (400)."""
        return super().post(request, *args, **kwargs)

    def perform_create(self, serializer: VolunteerSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        try:
            volunteer = services_roster.volunteer_create(
                campaign=self.campaign,
                acting_user=self.membership.user,
                person_values=data.pop("person"),
                skills=data.pop("skills", []),
                volunteer_values=data,
                consent_wording="API",
            )
        except DjangoValidationError as exc:
            raise _roster_errors(exc) from exc
        serializer.instance = _volunteer_queryset(self.campaign).get(pk=volunteer.pk)


class VolunteerDetail(VolunteersAPIMixin, generics.RetrieveUpdateAPIView):
    """One volunteer, coordinators only. PATCH changes status, availability, skills and T-shirt size;
    the contact details are changed at /people/<code>/."""

    read_role = Role.COORDINATOR
    write_role = Role.COORDINATOR
    http_method_names = ["get", "patch", "head", "options"]
    lookup_field = "code"
    serializer_class = VolunteerSerializer

    def get_queryset(self) -> QuerySet[Volunteer]:
        return _volunteer_queryset(self.campaign)

    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().patch(request, *args, **kwargs)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        volunteer = self.get_object()
        serializer = self.get_serializer(volunteer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            services_roster.volunteer_update(
                volunteer=volunteer,
                acting_user=self.membership.user,
                person_values={},
                volunteer_values={k: v for k, v in data.items() if k != "skills"},
                skills=data.get("skills"),
            )
        except DjangoValidationError as exc:
            raise _roster_errors(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=volunteer.pk)).data)


class MyVolunteer(VolunteersAPIMixin, generics.GenericAPIView):
    """The caller's own volunteer profile in this campaign; 404 when they have none."""

    serializer_class = VolunteerSerializer

    def get(self, request: Request, campaign_slug: str) -> Response:
        volunteer = get_object_or_404(_volunteer_queryset(self.campaign), person__user_id=self.membership.user_id)
        return Response(VolunteerSerializer(volunteer).data)


class MySignupList(VolunteersAPIMixin, generics.ListAPIView):
    """The caller's own signups (cancelled ones included), soonest shift first."""

    serializer_class = SignupSerializer

    def get_queryset(self) -> QuerySet[Signup]:
        signups = Signup.objects.filter(
            campaign=self.campaign, volunteer__person__user_id=self.membership.user_id
        ).select_related("shift", "volunteer__person")
        if _truthy(self.request.query_params.get("upcoming")):
            signups = signups.filter(shift__ends_at__gte=timezone.now())
        return signups.order_by("shift__starts_at", "pk")

    @extend_schema(
        parameters=[OpenApiParameter("upcoming", OpenApiTypes.BOOL, description="Only shifts not over yet.")]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# Shifts


class ShiftList(VolunteersAPIMixin, generics.ListCreateAPIView):
    read_role = Role.VOLUNTEER
    write_role = Role.COORDINATOR
    serializer_class = ShiftSerializer

    def get_queryset(self) -> QuerySet[Shift]:
        shifts = self.shift_queryset()
        params = self.request.query_params
        if not (self.is_coordinator and _truthy(params.get("include_cancelled"))):
            shifts = shifts.filter(cancelled_at=None)
        if _truthy(params.get("upcoming")):
            shifts = shifts.filter(ends_at__gte=timezone.now())
        return shifts

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "include_cancelled", OpenApiTypes.BOOL, description="Coordinators: list cancelled shifts too."
            ),
            OpenApiParameter("upcoming", OpenApiTypes.BOOL, description="Only shifts not over yet."),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The campaign's shifts with places taken and waiting list. `checkin_code` only for coordinators."""
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ShiftCreateSerializer, responses={201: ShiftSerializer(many=True)})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Coordinators: a shift, or with `repeat_weeks` the same shift on that many consecutive weeks
        (same local time each week). Times without an offset are in the campaign's time zone.
        Answers with the list of shifts created."""
        serializer = ShiftCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        repeat_weeks = values.pop("repeat_weeks", 1)
        with service_errors():
            shifts = services.shift_create(
                campaign=self.campaign, acting_user=self.membership.user, repeat_weeks=repeat_weeks, **values
            )
        created = self.shift_queryset().filter(pk__in=[shift.pk for shift in shifts])
        return Response(
            ShiftSerializer(created, many=True, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class ShiftDetail(VolunteersAPIMixin, generics.GenericAPIView):
    read_role = Role.VOLUNTEER
    write_role = Role.COORDINATOR
    serializer_class = ShiftSerializer

    def get_object(self) -> Shift:
        return get_object_or_404(self.shift_queryset(), code=self.kwargs["code"])

    def get(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def patch(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Coordinators. Signups stay; a change of time or place is told to everyone signed up, and
        fewer places move the latest confirmed signups to the waiting list."""
        shift = self.get_object()
        serializer = self.get_serializer(shift, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.shift_update(shift=shift, acting_user=self.membership.user, **serializer.validated_data)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Coordinators: cancels the shift and tells everyone signed up. The shift stays, cancelled."""
        with service_errors():
            services.shift_cancel(shift=self.get_shift(), acting_user=self.membership.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Signups


class ShiftSignupList(VolunteersAPIMixin, generics.ListAPIView):
    read_role = Role.COORDINATOR
    write_role = Role.VOLUNTEER
    serializer_class = SignupSerializer

    def get_queryset(self) -> QuerySet[Signup]:
        return (
            Signup.objects.filter(campaign=self.campaign, shift=self.get_shift())
            .select_related("shift", "volunteer__person")
            .order_by("created_at", "pk")
        )

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Coordinators: every signup of the shift, cancelled ones included, in the order they came."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=SignupCreateSerializer,
        responses={
            201: OpenApiResponse(SignupSerializer, description="Signed up: a place, or the waiting list when full."),
            200: OpenApiResponse(SignupSerializer, description="Already signed up: the existing signup, unchanged."),
        },
    )
    def post(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Sign the caller up for this shift: a confirmed place if one is free, otherwise the waiting list
        (`status` says which). Coordinators may send `volunteer` to sign up someone else.

        Safe to retry: a volunteer has at most one active signup per shift, so sending the same request
        again (for example after a dropped connection on a phone) changes nothing and answers 200 with
        the existing signup instead of 201. A `client_uuid` generated on the phone makes a retry a no-op
        even after the signup was cancelled in between; reusing it for another shift is a 400.
        """
        shift = self.get_shift()
        named = request.data.get("volunteer") if hasattr(request.data, "get") else None
        if named and not self.is_coordinator:
            raise exceptions.PermissionDenied(_("Only coordinators can sign up someone else."))
        serializer = SignupCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        named_volunteer = serializer.validated_data.get("volunteer")
        try:
            with service_errors(), transaction.atomic():
                volunteer = named_volunteer or services.volunteer_for_member(membership=self.membership)
                client_uuid = serializer.validated_data.get("client_uuid")
                existed = self.active_signups(shift, volunteer).exists() or (
                    client_uuid is not None
                    and Signup.objects.filter(campaign=self.campaign, client_uuid=client_uuid).exists()
                )
                signup = services.signup_create(
                    shift=shift, volunteer=volunteer, acting_user=self.membership.user, client_uuid=client_uuid
                )
        except IntegrityError:
            # The same request twice at once on a database without row locks (SQLite): the other one won.
            volunteer = named_volunteer or self.my_volunteer()
            winner = self.active_signups(shift, volunteer).first() if volunteer else None
            if winner is None:
                raise
            signup, existed = winner, True
        return Response(
            SignupSerializer(self.signup(signup.pk)).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @staticmethod
    def active_signups(shift: Shift, volunteer: Volunteer) -> QuerySet[Signup]:
        return Signup.objects.filter(shift=shift, volunteer=volunteer).exclude(status=Signup.Status.CANCELLED)

    def signup(self, pk: int) -> Signup:
        return Signup.objects.select_related("shift", "volunteer__person").get(campaign=self.campaign, pk=pk)


class SignupAPIMixin(VolunteersAPIMixin):
    def get_object(self) -> Signup:
        """A coordinator reaches every signup of the campaign; a volunteer only their own (else 404)."""
        signups = Signup.objects.filter(campaign=self.campaign).select_related("shift", "volunteer__person")
        if not self.is_coordinator:
            signups = signups.filter(volunteer__person__user_id=self.membership.user_id)
        return get_object_or_404(signups, code=self.kwargs["code"])


class SignupDetail(SignupAPIMixin, generics.GenericAPIView):
    read_role = Role.VOLUNTEER
    write_role = Role.VOLUNTEER
    serializer_class = SignupSerializer

    def get(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """A coordinator sees any signup; a volunteer only their own."""
        return Response(SignupSerializer(self.get_object()).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Cancel the signup; the place goes to the first person waiting. Volunteers cancel their own until
        the campaign's cancel-by time; coordinators cancel any, at any time. Cancelling twice is a no-op."""
        signup = self.get_object()
        with service_errors():
            services.signup_cancel(signup=signup, acting_user=self.membership.user, by_coordinator=self.is_coordinator)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignupAttendance(SignupAPIMixin, generics.GenericAPIView):
    read_role = Role.COORDINATOR
    write_role = Role.COORDINATOR
    serializer_class = AttendanceSerializer

    @extend_schema(request=AttendanceSerializer, responses=SignupSerializer)
    def post(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Coordinators: mark a confirmed signup attended or a no-show."""
        signup = self.get_object()
        serializer = AttendanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.signup_mark_attendance(
                signup=signup, attendance=serializer.validated_data["attendance"], acting_user=self.membership.user
            )
        return Response(SignupSerializer(self.get_object()).data)


class SignupHours(SignupAPIMixin, generics.GenericAPIView):
    read_role = Role.COORDINATOR
    write_role = Role.COORDINATOR
    serializer_class = HoursSerializer

    @extend_schema(request=HoursSerializer, responses=SignupSerializer)
    def post(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Coordinators: correct the hours counted for a signup (0 to 24), saying why."""
        signup = self.get_object()
        serializer = HoursSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.signup_correct_hours(
                signup=signup,
                hours=serializer.validated_data["hours"],
                reason=serializer.validated_data["reason"],
                acting_user=self.membership.user,
            )
        return Response(SignupSerializer(self.get_object()).data)


class ShiftCheckIn(VolunteersAPIMixin, generics.GenericAPIView):
    read_role = Role.VOLUNTEER
    write_role = Role.VOLUNTEER
    serializer_class = CheckInSerializer

    @extend_schema(request=CheckInSerializer, responses=SignupSerializer)
    def post(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Check the caller in on arrival with the code shown on site. Opens two hours before the start
        and closes at the end; needs a confirmed place. Checking in again changes nothing."""
        shift = self.get_shift()
        serializer = CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors(), transaction.atomic():
            signup = services.signup_check_in(
                shift=shift,
                volunteer=services.volunteer_for_member(membership=self.membership),
                code=serializer.validated_data["code"],
                acting_user=self.membership.user,
            )
        return Response(
            SignupSerializer(Signup.objects.select_related("shift", "volunteer__person").get(pk=signup.pk)).data
        )
