"""/api/v1/c/<slug>/: assignments, visits (one, or a phone's offline batch), survey questions and scripts,
with the pages' permissions.

Coordinators (and owners) see and assign everything. A volunteer lists their own assignments and the
visits they logged, and logs visits only for households of turfs assigned to them: any other household
does not exist for them (404 for one visit; a rejected item in a batch). Every member reads the survey
questions and the script (the visit form needs them); only coordinators change questions.

Visits carry a code made by the phone: a POST with a code already stored answers 200 with that visit
and changes nothing.
"""

from typing import Any
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from campaign.models import Membership, Role
from canvassing import selectors_visits as selectors
from canvassing.models import Assignment, Script, SurveyQuestion, Turf
from canvassing.serializers_visits import (
    AssignmentCreateSerializer,
    AssignmentSerializer,
    ScriptSerializer,
    SurveyQuestionSerializer,
    SyncInSerializer,
    SyncOutSerializer,
    VisitInSerializer,
    VisitSerializer,
    parse_visit,
)
from canvassing.services_assignments import assignment_create, assignment_done, assignment_withdraw
from canvassing.services_survey import question_create, question_update
from canvassing.services_visits import BATCH_LIMIT, visits_record_batch
from volunteers.api import VolunteersAPIMixin, service_errors
from volunteers.models import Shift

# Assignments


class AssignmentsMixin(VolunteersAPIMixin):
    read_role = Role.VOLUNTEER
    write_role = Role.COORDINATOR

    def assignments(self) -> Any:
        assignments = Assignment.objects.filter(campaign=self.campaign).select_related("turf", "membership", "shift")
        if not self.is_coordinator:
            assignments = assignments.filter(membership=self.membership)
        return assignments.order_by("-created_at", "-pk")

    def assignment(self) -> Assignment:
        return get_object_or_404(self.assignments(), code=self.kwargs["code"])


class AssignmentList(AssignmentsMixin, generics.ListAPIView):
    """Coordinators: every assignment (filter with `status`, `turf`); a volunteer: their own."""

    serializer_class = AssignmentSerializer

    def get_queryset(self) -> Any:
        assignments = self.assignments()
        params = self.request.query_params
        if params.get("status"):
            if params["status"] not in Assignment.Status.values:
                raise exceptions.ValidationError({"status": [f"Choose one of {', '.join(Assignment.Status.values)}."]})
            assignments = assignments.filter(status=params["status"])
        if params.get("turf"):
            try:
                assignments = assignments.filter(turf__code=UUID(params["turf"]))
            except ValueError:
                raise exceptions.ValidationError({"turf": ["Not a valid code."]}) from None
        return assignments

    @extend_schema(request=AssignmentCreateSerializer, responses={201: AssignmentSerializer(many=True)})
    def post(self, request: Request, campaign_slug: str) -> Response:
        """Assign a turf to one or more members (coordinators). Each is told by email and reminded the day
        before the due date."""
        serializer = AssignmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        turf = Turf.objects.filter(campaign=self.campaign, code=data["turf"]).first()
        if turf is None:
            raise exceptions.ValidationError({"turf": ["No such turf."]})
        memberships = list(Membership.objects.filter(campaign=self.campaign, code__in=data["memberships"]))
        if len(memberships) != len(set(data["memberships"])):
            raise exceptions.ValidationError({"memberships": ["No such member."]})
        shift = None
        if data.get("shift"):
            shift = Shift.objects.filter(campaign=self.campaign, code=data["shift"]).first()
            if shift is None:
                raise exceptions.ValidationError({"shift": ["No such shift."]})
        with service_errors():
            created = assignment_create(
                turf=turf,
                memberships=memberships,
                due_on=data.get("due_on"),
                shift=shift,
                acting_user=self.membership.user,
            )
        return Response(AssignmentSerializer(created, many=True).data, status=status.HTTP_201_CREATED)


class AssignmentDetail(AssignmentsMixin, generics.GenericAPIView):
    serializer_class = AssignmentSerializer

    def get(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        return Response(AssignmentSerializer(self.assignment()).data)


class AssignmentWithdraw(AssignmentsMixin, generics.GenericAPIView):
    serializer_class = AssignmentSerializer

    @extend_schema(request=None, responses=AssignmentSerializer)
    def post(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Take the turf back (coordinators); the pending reminder is withdrawn."""
        assignment = self.assignment()
        with service_errors():
            assignment = assignment_withdraw(assignment=assignment, acting_user=self.membership.user)
        return Response(AssignmentSerializer(assignment).data)


class AssignmentDone(AssignmentsMixin, generics.GenericAPIView):
    write_role = Role.VOLUNTEER  # the member holding it marks their own walk done
    serializer_class = AssignmentSerializer

    @extend_schema(request=None, responses=AssignmentSerializer)
    def post(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        assignment = self.assignment()
        with service_errors():
            assignment = assignment_done(
                assignment=assignment, membership=self.membership, acting_user=self.membership.user
            )
        return Response(AssignmentSerializer(assignment).data)


# Visits


class VisitsMixin(VolunteersAPIMixin):
    read_role = Role.VOLUNTEER
    write_role = Role.VOLUNTEER


class VisitList(VisitsMixin, generics.ListAPIView):
    """Coordinators: every visit of the campaign (filter with `household`, `turf`); a volunteer: their own."""

    serializer_class = VisitSerializer

    def get_queryset(self) -> Any:
        visits = selectors.visits_for(self.membership)
        params = self.request.query_params
        for name in ("household", "turf"):
            if params.get(name):
                try:
                    visits = visits.filter(**{f"{name}__code": UUID(params[name])})
                except ValueError:
                    raise exceptions.ValidationError({name: ["Not a valid code."]}) from None
        return visits

    @extend_schema(
        request=VisitInSerializer,
        responses={
            201: OpenApiResponse(VisitSerializer, description="Recorded."),
            200: OpenApiResponse(VisitSerializer, description="This code was recorded before: that visit, unchanged."),
            404: OpenApiResponse(description="No such household, or not in a turf assigned to you."),
        },
    )
    def post(self, request: Request, campaign_slug: str) -> Response:
        """Log one visit. `visited_at` defaults to now. Safe to retry with the same `code`."""
        item, errors = parse_visit(request.data, default_visited_at=timezone.now())
        if errors:
            raise exceptions.ValidationError(errors)
        assert item is not None
        with service_errors():
            (result,) = visits_record_batch(canvasser=self.membership, items=[item], acting_user=self.membership.user)
        if result.forbidden:
            raise exceptions.NotFound
        if result.errors:
            raise exceptions.ValidationError(result.errors)
        assert result.visit is not None
        return Response(
            VisitSerializer(result.visit, context={"membership": self.membership}).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class VisitSync(VisitsMixin, generics.GenericAPIView):
    serializer_class = SyncInSerializer

    @extend_schema(request=SyncInSerializer, responses=SyncOutSerializer)
    def post(self, request: Request, campaign_slug: str) -> Response:
        """A phone's offline queue: `{"visits": [...]}` (or a bare list), at most 200 at a time. Each item
        is recorded on its own: `created`, `exists` (its code was stored before; nothing changed) or
        `rejected` with `errors` by field. Send a rejected item again only after fixing it."""
        raw = request.data.get("visits") if isinstance(request.data, dict) else request.data
        if not isinstance(raw, list):
            raise exceptions.ValidationError({"visits": ["Send a list of visits."]})
        if len(raw) > BATCH_LIMIT:
            raise exceptions.ValidationError({"visits": [f"Send at most {BATCH_LIMIT} visits at a time."]})
        results: list[dict[str, Any]] = []
        items = []
        for entry in raw:
            item, errors = parse_visit(entry)
            if item is None:
                code = entry.get("code") if isinstance(entry, dict) else None
                results.append({"code": str(code or ""), "status": "rejected", "errors": errors})
            else:
                items.append(item)
        with service_errors():
            recorded = visits_record_batch(canvasser=self.membership, items=items, acting_user=self.membership.user)
        for result in recorded:
            if result.errors:
                results.append({"code": str(result.code), "status": "rejected", "errors": result.errors})
            else:
                results.append({"code": str(result.code), "status": "created" if result.created else "exists"})
        return Response({"results": results})


# Survey and script


class SurveyQuestionList(VolunteersAPIMixin, generics.ListCreateAPIView):
    """Every member reads the questions (with `?all=1` coordinators see switched-off ones too); coordinators add."""

    read_role = Role.VOLUNTEER
    write_role = Role.COORDINATOR
    serializer_class = SurveyQuestionSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        questions = SurveyQuestion.objects.filter(campaign=self.campaign).order_by("position", "id")
        if not (self.is_coordinator and self.request.query_params.get("all")):
            questions = questions.filter(active=True)
        return questions

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = SurveyQuestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            question = question_create(
                campaign=self.campaign,
                kind=data["kind"],
                prompt=data["prompt"],
                choices=data.get("choices"),
                acting_user=self.membership.user,
            )
            if data.get("active") is False:
                question = question_update(question=question, active=False, acting_user=self.membership.user)
        return Response(SurveyQuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class SurveyQuestionDetail(VolunteersAPIMixin, generics.GenericAPIView):
    read_role = Role.VOLUNTEER
    write_role = Role.COORDINATOR
    serializer_class = SurveyQuestionSerializer

    def question(self) -> SurveyQuestion:
        questions = SurveyQuestion.objects.filter(campaign=self.campaign)
        if not self.is_coordinator:
            questions = questions.filter(active=True)
        return get_object_or_404(questions, code=self.kwargs["code"])

    def get(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        return Response(SurveyQuestionSerializer(self.question()).data)

    @extend_schema(request=SurveyQuestionSerializer, responses=SurveyQuestionSerializer)
    def patch(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Change the prompt, the choices or whether it is asked; the kind never changes."""
        question = self.question()
        serializer = SurveyQuestionSerializer(question, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "kind" in data and data["kind"] != question.kind:
            raise exceptions.ValidationError({"kind": ["The kind of a question cannot change."]})
        with service_errors():
            question = question_update(
                question=question,
                prompt=data.get("prompt"),
                choices=data.get("choices"),
                active=data.get("active"),
                acting_user=self.membership.user,
            )
        return Response(SurveyQuestionSerializer(question).data)


class ScriptList(VolunteersAPIMixin, generics.ListAPIView):
    """The campaign's script (talking points), one per language."""

    read_role = Role.VOLUNTEER
    serializer_class = ScriptSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return Script.objects.filter(campaign=self.campaign).order_by("language")
