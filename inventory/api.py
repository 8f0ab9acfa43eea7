"""/api/v1/c/<slug>/inventory/: items, variants, places, movements and on-hand for coordinators and owners;
`my-bag/` for every member.

Every write goes through inventory.services, so the ledger, the never-negative guard, low-stock alerts and
the audit are the same as on the pages. A refused write is a 400 naming the field, and nothing is changed.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from campaign.models import Role
from inventory import selectors, services
from inventory.models import Item, Location, Movement, Variant
from inventory.serializers import (
    ItemSerializer,
    LocationSerializer,
    MovementSerializer,
    StockLevelSerializer,
    VariantSerializer,
    VariantUpdateSerializer,
)
from volunteers.api import VolunteersAPIMixin, service_errors


class InventoryAPIMixin(VolunteersAPIMixin):
    read_role = Role.COORDINATOR
    write_role = Role.COORDINATOR

    def _code_param(self, model: type, name: str) -> Any:
        raw = self.request.query_params.get(name)
        if not raw:
            return None
        try:
            return model.objects.get(campaign=self.campaign, code=raw)
        except (model.DoesNotExist, ValueError, DjangoValidationError):  # a malformed UUID fails in the lookup
            raise exceptions.ValidationError({name: [f"Unknown code {raw}."]}) from None


class ItemList(InventoryAPIMixin, generics.ListCreateAPIView):
    serializer_class = ItemSerializer

    def get_queryset(self) -> Any:
        return selectors.items(campaign=self.campaign)

    def perform_create(self, serializer: ItemSerializer) -> None:  # type: ignore[override]
        with service_errors():
            serializer.instance = services.item_create(
                campaign=self.campaign, acting_user=self.membership.user, **serializer.validated_data
            )


class ItemDetail(InventoryAPIMixin, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = ItemSerializer

    def get_object(self) -> Item:
        return get_object_or_404(Item, campaign=self.campaign, code=self.kwargs["code"])

    def perform_update(self, serializer: ItemSerializer) -> None:  # type: ignore[override]
        with service_errors():
            serializer.instance = services.item_update(
                item=self.get_object(), acting_user=self.membership.user, **serializer.validated_data
            )

    def perform_destroy(self, instance: Item) -> None:
        with service_errors():
            services.item_delete(item=instance, acting_user=self.membership.user)


class VariantList(InventoryAPIMixin, generics.ListCreateAPIView):
    serializer_class = VariantSerializer

    @extend_schema(parameters=[OpenApiParameter("item", OpenApiTypes.UUID, description="An item's variants only.")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        variants = selectors.variants(campaign=self.campaign)
        item = self._code_param(Item, "item")
        return variants.filter(item=item) if item is not None else variants

    def perform_create(self, serializer: VariantSerializer) -> None:  # type: ignore[override]
        values = dict(serializer.validated_data)
        with service_errors():
            variant = services.variant_create(item=values.pop("item"), acting_user=self.membership.user, **values)
        serializer.instance = selectors.variants(campaign=self.campaign).get(pk=variant.pk)


class VariantDetail(InventoryAPIMixin, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = VariantUpdateSerializer

    def get_object(self) -> Variant:
        return get_object_or_404(
            selectors.variants(campaign=self.campaign, include_deleted=True), code=self.kwargs["code"]
        )

    def perform_update(self, serializer: VariantUpdateSerializer) -> None:  # type: ignore[override]
        with service_errors():
            variant = services.variant_update(
                variant=Variant.objects.select_related("item").get(pk=serializer.instance.pk),
                acting_user=self.membership.user,
                **serializer.validated_data,
            )
        serializer.instance = self.get_object() if variant else None

    def perform_destroy(self, instance: Variant) -> None:
        with service_errors():
            services.variant_delete(variant=instance, acting_user=self.membership.user)


class LocationList(InventoryAPIMixin, generics.ListCreateAPIView):
    serializer_class = LocationSerializer

    @extend_schema(parameters=[OpenApiParameter("kind", OpenApiTypes.STR, enum=Location.Kind.values)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return selectors.locations(campaign=self.campaign, kind=self.request.query_params.get("kind", ""))

    def perform_create(self, serializer: LocationSerializer) -> None:  # type: ignore[override]
        with service_errors():
            location = services.location_create(
                campaign=self.campaign, acting_user=self.membership.user, **serializer.validated_data
            )
        serializer.instance = selectors.locations(campaign=self.campaign).get(pk=location.pk)


class LocationDetail(InventoryAPIMixin, generics.RetrieveUpdateDestroyAPIView):
    """DELETE archives the place (it must be empty); its ledger stays."""

    serializer_class = LocationSerializer

    def get_object(self) -> Location:
        return get_object_or_404(
            selectors.locations(campaign=self.campaign, include_archived=True), code=self.kwargs["code"]
        )

    def perform_update(self, serializer: LocationSerializer) -> None:  # type: ignore[override]
        with service_errors():
            services.location_update(
                location=Location.objects.get(pk=serializer.instance.pk),
                acting_user=self.membership.user,
                **serializer.validated_data,
            )
        serializer.instance = self.get_object()

    def perform_destroy(self, instance: Location) -> None:
        with service_errors():
            services.location_archive(location=instance, acting_user=self.membership.user)


class MovementList(InventoryAPIMixin, generics.ListCreateAPIView):
    """The ledger, newest first; POST records one movement (send your own `code` to make retries safe)."""

    serializer_class = MovementSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Movement.Kind.values),
            OpenApiParameter("variant", OpenApiTypes.UUID),
            OpenApiParameter("location", OpenApiTypes.UUID, description="Into or out of this place."),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        kind = self.request.query_params.get("kind", "")
        if kind and kind not in Movement.Kind.values:
            raise exceptions.ValidationError({"kind": [f"Choose one of {', '.join(Movement.Kind.values)}."]})
        return selectors.ledger(
            campaign=self.campaign,
            kind=kind,
            variant=self._code_param(Variant, "variant"),
            location=self._code_param(Location, "location"),
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        member = values.pop("member", None)
        expense_code = values.pop("expense_code", None)
        if member is not None and values.get("to_location") is not None:
            raise exceptions.ValidationError({"member": ["Give either `member` or `to_location`, not both."]})
        if expense_code is not None:
            from fundraising.models import Expense

            values["expense"] = Expense.objects.filter(campaign=self.campaign, code=expense_code).first()
            if values["expense"] is None:
                raise exceptions.ValidationError({"expense_code": [f"Unknown code {expense_code}."]})
        code = values.get("code")
        replay = code is not None and Movement.objects.filter(campaign=self.campaign, code=code).exists()
        # One transaction: a member's first bag, made for this issue, goes again when the issue is refused.
        with transaction.atomic(), service_errors():
            if member is not None:
                values["to_location"] = services.bag_for(membership=member)
            movement = services.movement_record(campaign=self.campaign, acting_user=self.membership.user, **values)
        out = self.get_serializer(selectors.ledger(campaign=self.campaign).get(pk=movement.pk))
        return Response(out.data, status=status.HTTP_200_OK if replay else status.HTTP_201_CREATED)


class OnHandList(InventoryAPIMixin, generics.ListAPIView):
    """Non-zero on-hand rows by place, optionally for one place or one variant."""

    serializer_class = StockLevelSerializer

    @extend_schema(
        parameters=[OpenApiParameter("location", OpenApiTypes.UUID), OpenApiParameter("variant", OpenApiTypes.UUID)]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return selectors.stock_rows(
            campaign=self.campaign,
            location=self._code_param(Location, "location"),
            variant=self._code_param(Variant, "variant"),
        )


class MyBag(InventoryAPIMixin, generics.ListAPIView):
    """What the caller's own bag holds."""

    read_role = Role.VOLUNTEER
    serializer_class = StockLevelSerializer

    def get_queryset(self) -> Any:
        return selectors.bag_contents(membership=self.membership).select_related("location")
