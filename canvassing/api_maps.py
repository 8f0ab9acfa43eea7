"""/api/v1/c/<slug>/: the district map's versions (coordinators) and areas (every member, without
household figures for volunteers). Uploading and applying go through canvassing.services_maps, as on
the pages: a refused file is a 400 naming the problem, and nothing is saved."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from campaign.models import Role
from canvassing import geo, selectors_maps, services_maps
from canvassing.models import Area, MapVersion
from canvassing.serializers_maps import (
    AreaDetailSerializer,
    AreaSerializer,
    MapUploadSerializer,
    MapVersionDetailSerializer,
    MapVersionSerializer,
)
from volunteers.api import VolunteersAPIMixin, service_errors


class MapsAPIMixin(VolunteersAPIMixin):
    read_role = Role.COORDINATOR
    write_role = Role.COORDINATOR

    def version(self) -> MapVersion:
        return get_object_or_404(selectors_maps.versions(self.campaign).defer(None), code=self.kwargs["code"])

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["coordinator"] = self.membership.has_role(Role.COORDINATOR)
        return context


class MapVersionList(MapsAPIMixin, generics.ListAPIView):
    serializer_class = MapVersionSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[MapVersion]:
        return selectors_maps.versions(self.campaign)

    @extend_schema(
        request={"multipart/form-data": MapUploadSerializer},
        responses={201: OpenApiResponse(MapVersionDetailSerializer, description="Saved as a draft, with its diff.")},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Upload a map version (GeoJSON polygons or a household-to-area CSV) as a draft."""
        incoming = MapUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        with service_errors():
            version = services_maps.map_version_upload(
                campaign=self.campaign,
                acting_user=request.user,
                name=data["name"],
                source=data["source"],
                raw=geo.read_upload(data["file"]),
                key_property=data["key_property"],
                name_property=data["name_property"],
            )
        version = selectors_maps.versions(self.campaign).defer(None).get(pk=version.pk)
        return Response(MapVersionDetailSerializer(version).data, status=status.HTTP_201_CREATED)


class MapVersionDetail(MapsAPIMixin, generics.RetrieveAPIView):
    serializer_class = MapVersionDetailSerializer

    def get_object(self) -> MapVersion:
        return self.version()


class MapVersionApply(MapsAPIMixin, generics.GenericAPIView):
    serializer_class = MapVersionDetailSerializer

    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(MapVersionDetailSerializer, description="Applied: now the current map."),
            202: OpenApiResponse(description="A large map: applying in the background; `job` is its code."),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Make a draft the current map (keeps visits, re-flags turfs, tells the people concerned)."""
        version = self.version()
        if version.status == MapVersion.Status.DRAFT and services_maps.apply_in_background(version):
            from django.db import transaction

            from campaign.jobs import job_create
            from canvassing.tasks_maps import map_version_apply_task

            job = job_create(
                campaign=self.campaign,
                kind="canvassing.map_apply",
                title=f"Map v{version.number}",
                created_by=request.user,
                total=6,
            )
            user_id = request.user.pk
            transaction.on_commit(lambda: map_version_apply_task.delay(str(job.code), str(version.code), user_id))
            return Response({"job": str(job.code)}, status=status.HTTP_202_ACCEPTED)
        with service_errors():
            services_maps.map_version_apply(version=version, acting_user=request.user)
        return Response(MapVersionDetailSerializer(self.version()).data)


class MapVersionAreas(MapsAPIMixin, generics.ListAPIView):
    """The areas of one version, with household and turf counts for coordinators."""

    read_role = Role.VOLUNTEER
    serializer_class = AreaSerializer

    def get_queryset(self) -> QuerySet[Area]:
        version = get_object_or_404(MapVersion.objects.filter(campaign=self.campaign), code=self.kwargs["code"])
        return selectors_maps.areas_with_counts(version).select_related("version")


class AreaList(MapsAPIMixin, generics.ListAPIView):
    """The areas of the current map (empty before any map is applied)."""

    read_role = Role.VOLUNTEER
    serializer_class = AreaSerializer

    def get_queryset(self) -> QuerySet[Area]:
        current = selectors_maps.current_version(self.campaign)
        if current is None:
            return Area.objects.none()
        return selectors_maps.areas_with_counts(current).select_related("version")


class AreaDetail(MapsAPIMixin, generics.RetrieveAPIView):
    """One area with its boundary, of any version."""

    read_role = Role.VOLUNTEER
    serializer_class = AreaDetailSerializer

    def get_object(self) -> Area:
        areas = Area.objects.filter(campaign=self.campaign).select_related("version")
        area = get_object_or_404(areas, code=self.kwargs["code"])
        if self.membership.has_role(Role.COORDINATOR):
            area.household_count = area.placements.count()  # type: ignore[attr-defined]
            area.turf_count = area.turfs.count()  # type: ignore[attr-defined]
        return area
