"""/api/v1/c/<slug>/households/: the pages' permissions. Coordinators read, add and change every household;
a volunteer reads only the households of turfs assigned to them (others are 404) and may add a household
found at the door (flagged for review, in their turf when they name one assigned to them)."""

from typing import Any
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from campaign.models import Role
from canvassing import services_households as services
from canvassing.access import visible_households
from canvassing.models import Household, Resident
from canvassing.selectors_households import HouseholdFilter, households
from canvassing.serializers_households import DoorHouseholdSerializer, HouseholdSerializer
from volunteers.api import VolunteersAPIMixin, service_errors


def _uuid_param(params: Any, name: str) -> UUID | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        return UUID(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [_("Enter a valid code.")]}) from None


class HouseholdAPIMixin(VolunteersAPIMixin):
    read_role = Role.VOLUNTEER
    write_role = Role.VOLUNTEER  # a volunteer may only add a door household; the views check the rest

    def with_residents(self, rows: QuerySet[Household]) -> QuerySet[Household]:
        residents = Resident.objects.select_related("person").order_by("pk")
        return rows.select_related("turf", "area").prefetch_related(Prefetch("residents", queryset=residents))


class HouseholdList(HouseholdAPIMixin, generics.ListCreateAPIView):
    serializer_class = HouseholdSerializer

    def get_queryset(self) -> QuerySet[Household]:
        params = self.request.query_params
        state = params.get("status", "")
        if state and state not in Household.Status.values:
            raise exceptions.ValidationError(
                {"status": [_("Choose one of %(c)s.") % {"c": ", ".join(Household.Status.values)}]}
            )
        review = params.get("needs_review", "")
        filters = HouseholdFilter(
            q=params.get("q", "").strip(),
            area=_uuid_param(params, "area"),
            turf=_uuid_param(params, "turf"),
            status=state,
            needs_review=None if review == "" else review.lower() in ("1", "true", "yes"),
        )
        return self.with_residents(households(self.membership, filters))

    @extend_schema(
        parameters=[
            OpenApiParameter("q", description="Words that must each match a part of the address."),
            OpenApiParameter("status", enum=Household.Status.values),
            OpenApiParameter("needs_review", OpenApiTypes.BOOL),
            OpenApiParameter("turf", OpenApiTypes.UUID),
            OpenApiParameter("area", OpenApiTypes.UUID),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Households the caller may see: all for coordinators, their assigned turfs' for volunteers."""
        return super().get(request, *args, **kwargs)

    @extend_schema(request=HouseholdSerializer, responses={201: HouseholdSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Coordinators add a household. A volunteer's household is one found at the door: send `turf`
        (one assigned to you) to place it there; it waits for a coordinator's review."""
        if self.is_coordinator:
            serializer = HouseholdSerializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            values = {k: v for k, v in serializer.validated_data.items() if k in services.HOUSEHOLD_FIELDS}
            with service_errors():
                household = services.household_create(
                    campaign=self.campaign, acting_user=self.membership.user, values=values
                )
        else:
            door = DoorHouseholdSerializer(data=request.data)
            door.is_valid(raise_exception=True)
            data = dict(door.validated_data)
            with service_errors():
                household = services.household_add_at_door(
                    campaign=self.campaign,
                    membership=self.membership,
                    values={k: data[k] for k in ("building", "street", "house_number", "floor", "unit", "notes")},
                    turf_code=data.get("turf"),
                    resident_name=data.get("resident_name", ""),
                )
        household = self.with_residents(Household.objects.filter(pk=household.pk)).get()
        return Response(HouseholdSerializer(household).data, status=status.HTTP_201_CREATED)


class HouseholdDetail(HouseholdAPIMixin, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = HouseholdSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self) -> Household:
        return get_object_or_404(self.with_residents(visible_households(self.membership)), code=self.kwargs["code"])

    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Coordinators change a household's address, notes or status."""
        household = self.get_object()
        if not self.is_coordinator:
            raise exceptions.PermissionDenied
        serializer = HouseholdSerializer(household, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        new_status = data.pop("status", None)
        with service_errors():
            values = {k: v for k, v in data.items() if k in services.HOUSEHOLD_FIELDS}
            if values:
                household = services.household_update(
                    household=household, acting_user=self.membership.user, values=values
                )
            if new_status is not None and new_status != household.status:
                services.household_set_status(household=household, acting_user=self.membership.user, status=new_status)
        household = self.with_residents(Household.objects.filter(pk=household.pk)).get()
        return Response(HouseholdSerializer(household).data)

    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Coordinators delete a household added by mistake; one with visits must be merged instead (400)."""
        household = self.get_object()
        if not self.is_coordinator:
            raise exceptions.PermissionDenied
        with service_errors():
            services.household_delete(household=household, acting_user=self.membership.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
