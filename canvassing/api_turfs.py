"""/api/v1/c/<slug>/turfs/: turfs with their walk lists, with the pages' permissions.

Coordinators (and owners) see, cut and edit every turf. A volunteer reads only the turfs assigned to
them (an active assignment); any other turf does not exist for them (404), and every write is 403.
Writes go through canvassing.services_turfs, so the rules (locked turfs, same area, ±10%) and the audit
are the same as on the pages.
"""

from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from campaign.models import Role
from canvassing import selectors_turfs as selectors
from canvassing import services_turfs as services
from canvassing.models import Household, Turf
from canvassing.serializers_turfs import (
    TurfCutResultSerializer,
    TurfCutSerializer,
    TurfDetailSerializer,
    TurfLockSerializer,
    TurfMergeSerializer,
    TurfMoveSerializer,
    TurfSerializer,
    TurfSplitSerializer,
    TurfUpdateSerializer,
)
from inventory.models import Variant
from volunteers.api import VolunteersAPIMixin, service_errors


class TurfAPIMixin(VolunteersAPIMixin):
    read_role = Role.VOLUNTEER
    write_role = Role.COORDINATOR

    def turf(self, *, write: bool = False) -> Turf:
        return selectors.turf_for_member(self.campaign, self.membership, self.kwargs["code"], write=write)

    def counted(self, turf: Turf) -> Turf:
        return selectors.turfs_with_counts(self.campaign).get(pk=turf.pk)

    def detail_response(self, turf: Turf) -> Response:
        rows = selectors.walk_rows(turf)
        return Response(TurfDetailSerializer(self.counted(turf), context={"rows": rows}).data)


class TurfList(TurfAPIMixin, generics.ListAPIView):
    serializer_class = TurfSerializer

    def get_queryset(self) -> QuerySet[Turf]:
        turfs = selectors.turfs_for_member(self.campaign, self.membership)
        area = self.request.query_params.get("area")
        if area:
            try:
                turfs = turfs.filter(area__code=UUID(area))
            except ValueError:
                raise exceptions.ValidationError({"area": ["Not a valid code."]}) from None
        return turfs

    @extend_schema(parameters=[OpenApiParameter("area", OpenApiTypes.UUID, description="Only this area's turfs.")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Turfs with their door and visited counts and who holds them. A volunteer sees only their own."""
        return super().get(request, *args, **kwargs)


class TurfDetail(TurfAPIMixin, generics.GenericAPIView):
    serializer_class = TurfDetailSerializer

    def get(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """The turf and its walk list in walking order (street, side, number, building, unit, floor);
        do-not-contact and moved households are left out."""
        return self.detail_response(self.turf())

    @extend_schema(request=TurfUpdateSerializer, responses=TurfDetailSerializer)
    def patch(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Rename, switch mode (a leaflets-only turf names its leaflet edition), lock, mark complete."""
        turf = self.turf(write=True)
        serializer = TurfUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        user = self.membership.user
        with service_errors(), transaction.atomic():
            if "name" in values:
                turf = services.turf_rename(turf=turf, name=values["name"], acting_user=user)
            if "mode" in values or "leaflet_variant" in values:
                variant = None
                if values.get("leaflet_variant"):
                    variant = Variant.objects.filter(campaign=self.campaign, code=values["leaflet_variant"]).first()
                    if variant is None:
                        raise exceptions.ValidationError({"leaflet_variant": ["No such leaflet in this campaign."]})
                turf = services.turf_mode_set(
                    turf=turf, mode=values.get("mode", turf.mode), leaflet_variant=variant, acting_user=user
                )
            if "locked" in values:
                turf = services.turf_lock(turf=turf, locked=values["locked"], acting_user=user)
            if "completed" in values:
                turf = services.turf_complete(turf=turf, completed=values["completed"], acting_user=user)
        return self.detail_response(turf)


class TurfCut(TurfAPIMixin, generics.GenericAPIView):
    serializer_class = TurfCutSerializer
    read_role = Role.COORDINATOR

    @extend_schema(
        request=TurfCutSerializer,
        responses={
            201: OpenApiResponse(TurfCutResultSerializer, description="Cut: the new turfs."),
            202: OpenApiResponse(TurfCutResultSerializer, description="A large area: cutting in the background (job)."),
        },
    )
    def post(self, request: Request, campaign_slug: str) -> Response:
        """Cut an area of the current map into turfs of `target_doors` (or into `turf_count` turfs). Locked,
        assigned and visited turfs keep their households; the area's other turfs are replaced."""
        serializer = TurfCutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        area = selectors.current_areas(self.campaign).filter(code=values["area"]).first()
        if area is None:
            raise exceptions.ValidationError({"area": ["No such area in the current map."]})
        target, count = values.get("target_doors"), values.get("turf_count")
        if area.doors > services.BACKGROUND_THRESHOLD:
            from canvassing.tasks_turfs import turfs_cut_start

            list_url = reverse("canvassing:turfs", args=[self.campaign.slug]) + f"?area={area.code}"
            job = turfs_cut_start(
                area=area, target_doors=target, turf_count=count, acting_user=self.membership.user, return_url=list_url
            )
            return Response(
                {
                    "area": str(area.code),
                    "turfs": [],
                    "households": area.doors,
                    "kept": 0,
                    "replaced": 0,
                    "job": job.code,
                },
                status=status.HTTP_202_ACCEPTED,
            )
        with service_errors():
            result = services.turfs_cut(
                area=area, target_doors=target, turf_count=count, acting_user=self.membership.user
            )
        data = {**result.summary(), "turfs": [t.code for t in result.turfs]}
        return Response(TurfCutResultSerializer(data).data, status=status.HTTP_201_CREATED)


class TurfMove(TurfAPIMixin, generics.GenericAPIView):
    serializer_class = TurfMoveSerializer

    @extend_schema(request=TurfMoveSerializer, responses=TurfDetailSerializer)
    def post(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Move households (by code) into this turf, from other turfs of the same area."""
        turf = self.turf(write=True)
        serializer = TurfMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = serializer.validated_data["households"]
        households = list(Household.objects.filter(campaign=self.campaign, code__in=codes))
        if len(households) != len(set(codes)):
            raise exceptions.ValidationError({"households": ["Some of these households are not in this campaign."]})
        with service_errors():
            services.turf_households_move(households=households, to_turf=turf, acting_user=self.membership.user)
        return self.detail_response(turf)


class TurfMerge(TurfAPIMixin, generics.GenericAPIView):
    serializer_class = TurfMergeSerializer

    @extend_schema(request=TurfMergeSerializer, responses=TurfSerializer)
    def post(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Merge this turf into another of the same area: its households (and its visits' history) move
        there, and this turf is removed. A turf assigned to someone right now is refused."""
        turf = self.turf(write=True)
        serializer = TurfMergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        into = Turf.objects.filter(campaign=self.campaign, code=serializer.validated_data["into"]).first()
        if into is None:
            raise exceptions.ValidationError({"into": ["No such turf in this campaign."]})
        with service_errors():
            merged = services.turfs_merge(turf=turf, into=into, acting_user=self.membership.user)
        return Response(TurfSerializer(self.counted(merged)).data)


class TurfSplit(TurfAPIMixin, generics.GenericAPIView):
    serializer_class = TurfSplitSerializer

    @extend_schema(request=TurfSplitSerializer, responses={201: TurfSerializer})
    def post(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Split this turf in two by walking order: the second half becomes the new turf returned."""
        turf = self.turf(write=True)
        serializer = TurfSplitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            new = services.turf_split(
                turf=turf, acting_user=self.membership.user, name=serializer.validated_data.get("name", "")
            )
        return Response(TurfSerializer(self.counted(new)).data, status=status.HTTP_201_CREATED)


class TurfLock(TurfAPIMixin, generics.GenericAPIView):
    serializer_class = TurfLockSerializer

    @extend_schema(request=TurfLockSerializer, responses=TurfSerializer)
    def post(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Lock a turf (a re-cut keeps it, and its households cannot be moved, merged or split) or unlock it."""
        turf = self.turf(write=True)
        serializer = TurfLockSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        turf = services.turf_lock(
            turf=turf, locked=serializer.validated_data["locked"], acting_user=self.membership.user
        )
        return Response(TurfSerializer(self.counted(turf)).data)
