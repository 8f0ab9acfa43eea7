"""/api/v1/c/<slug>/canvassing/progress/…: the progress figures for coordinators and owners, and a
volunteer's own numbers (progress/me/).

POST …/canvassing/visits/<code>/review/ with {"decision": "accept"|"discard"} is a coordinator's review of
a visit (canvassing.services_review.visit_review).

Every reading endpoint takes the period as ?period=today|7d|30d|all|custom (default all) with ?start= and
?end= (YYYY-MM-DD, both included, in the campaign's time zone) for custom. Each runs a fixed number of
queries whatever the data size; definitions are in canvassing.selectors_progress.
"""

import datetime as dt
from typing import Any
from uuid import UUID

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.response import Response

from campaign.models import Role
from canvassing import selectors_progress as progress
from canvassing.models import Turf, Visit
from canvassing.serializers_progress import (
    AreaProgressSerializer,
    DayProgressSerializer,
    MyProgressSerializer,
    ReviewInSerializer,
    ReviewOutSerializer,
    SummarySerializer,
    TurfProgressSerializer,
    VolunteerProgressSerializer,
)
from canvassing.services_review import visit_review
from volunteers.api import VolunteersAPIMixin, service_errors

PERIOD_PARAMETERS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=progress.Period.VALUES, description="Default: all."),
    OpenApiParameter("start", OpenApiTypes.DATE, description="custom: the first day included."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="custom: the last day included."),
]


class ProgressAPIMixin(VolunteersAPIMixin):
    read_role = Role.COORDINATOR
    write_role = Role.COORDINATOR

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        params = self.request.query_params
        period = params.get("period") or progress.Period.ALL
        if period not in progress.Period.VALUES:
            raise exceptions.ValidationError({"period": [f"One of: {', '.join(progress.Period.VALUES)}."]})
        days: dict[str, dt.date | None] = {}
        for name in ("start", "end"):
            raw = params.get(name)
            try:
                days[name] = dt.date.fromisoformat(raw) if raw else None
            except ValueError:
                raise exceptions.ValidationError({name: ["Enter a date as YYYY-MM-DD."]}) from None
        return progress.period_bounds(campaign=self.campaign, period=period, start=days["start"], end=days["end"])


@extend_schema(parameters=PERIOD_PARAMETERS)
class Summary(ProgressAPIMixin, generics.GenericAPIView):
    serializer_class = SummarySerializer

    def get(self, request: Request, campaign_slug: str) -> Response:
        """The campaign's doors knocked, contacts, contact rate, coverage, support and turfs completed."""
        since, until = self.bounds()
        summary = progress.progress_summary(campaign=self.campaign, since=since, until=until)
        return Response(SummarySerializer(summary).data)


@extend_schema(parameters=PERIOD_PARAMETERS)
class ByTurf(ProgressAPIMixin, generics.ListAPIView):
    """Per turf, by name, paginated."""

    serializer_class = TurfProgressSerializer

    def get_queryset(self) -> Any:
        return Turf.objects.filter(campaign=self.campaign).select_related("area").order_by("name", "pk")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        since, until = self.bounds()
        page = self.paginate_queryset(self.get_queryset())
        rows = progress.progress_by_turf(campaign=self.campaign, since=since, until=until, turfs=list(page or []))
        return self.get_paginated_response(TurfProgressSerializer(rows, many=True).data)


@extend_schema(parameters=PERIOD_PARAMETERS)
class ByArea(ProgressAPIMixin, generics.GenericAPIView):
    serializer_class = AreaProgressSerializer

    @extend_schema(responses=AreaProgressSerializer(many=True))
    def get(self, request: Request, campaign_slug: str) -> Response:
        """Per area of the current map (and one row, area null, for households outside it)."""
        since, until = self.bounds()
        rows = progress.progress_by_area(campaign=self.campaign, since=since, until=until)
        return Response(AreaProgressSerializer(rows, many=True).data)


@extend_schema(parameters=PERIOD_PARAMETERS)
class ByVolunteer(ProgressAPIMixin, generics.ListAPIView):
    """Per canvasser, most doors knocked first, paginated."""

    serializer_class = VolunteerProgressSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        since, until = self.bounds()
        rows = progress.progress_by_volunteer(campaign=self.campaign, since=since, until=until)
        page = self.paginate_queryset(rows)  # type: ignore[arg-type]
        return self.get_paginated_response(VolunteerProgressSerializer(page, many=True).data)


@extend_schema(parameters=PERIOD_PARAMETERS)
class ByDay(ProgressAPIMixin, generics.GenericAPIView):
    serializer_class = DayProgressSerializer

    @extend_schema(responses=DayProgressSerializer(many=True))
    def get(self, request: Request, campaign_slug: str) -> Response:
        """Per day in the campaign's time zone, oldest first; days without visits are included as zeros."""
        since, until = self.bounds()
        rows = progress.progress_by_day(campaign=self.campaign, since=since, until=until)
        return Response(DayProgressSerializer(rows, many=True).data)


@extend_schema(parameters=PERIOD_PARAMETERS)
class Mine(ProgressAPIMixin, generics.GenericAPIView):
    """Any member's own numbers: the visits they logged."""

    read_role = Role.VOLUNTEER
    serializer_class = MyProgressSerializer

    def get(self, request: Request, campaign_slug: str) -> Response:
        since, until = self.bounds()
        figures, support = progress.progress_for_member(
            campaign=self.campaign, membership=self.membership, since=since, until=until
        )
        days = progress.progress_by_day(campaign=self.campaign, since=since, until=until, canvasser=self.membership)
        data = {"since": since, "until": until, "figures": figures, "support_recorded": support, "days": days}
        return Response(MyProgressSerializer(data).data)


class Review(ProgressAPIMixin, generics.GenericAPIView):
    """Accept a visit waiting for review (it leaves the queue, its flags stay) or discard it (it stops
    counting in progress and the household's latest outcome and support are worked out again)."""

    read_role = Role.COORDINATOR
    write_role = Role.COORDINATOR
    serializer_class = ReviewInSerializer

    @extend_schema(request=ReviewInSerializer, responses=ReviewOutSerializer)
    def post(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        visit = get_object_or_404(Visit, campaign=self.campaign, code=code)
        incoming = ReviewInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            visit = visit_review(
                visit=visit, decision=incoming.validated_data["decision"], acting_user=self.membership.user
            )
        return Response(ReviewOutSerializer(visit).data)
