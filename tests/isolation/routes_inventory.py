"""Inventory pages and API (issue 5)."""

import uuid
from typing import Any

from django_scopes import scopes_disabled

from campaign.models import Role
from inventory.models import Item, Location, Shortfall, Variant
from tests.conftest import Team
from tests.isolation.routes import Route


def _item(team: Team) -> Any:
    with scopes_disabled():
        item, _created = Item.objects.get_or_create(
            campaign=team.campaign, name="Isolation leaflet", defaults={"kind": Item.Kind.LEAFLET}
        )
        return item.code


def _variant(team: Team) -> Any:
    with scopes_disabled():
        item = Item.objects.get(code=_item(team))
        variant, _created = Variant.objects.get_or_create(campaign=team.campaign, item=item, label="")
        return variant.code


def _location(team: Team) -> Any:
    with scopes_disabled():
        location, _created = Location.objects.get_or_create(
            campaign=team.campaign, name="Isolation office", defaults={"kind": Location.Kind.OFFICE}
        )
        return location.code


def _shortfall(team: Team) -> Any:
    with scopes_disabled():
        variant = Variant.objects.get(code=_variant(team))
        shortfall = Shortfall.objects.filter(campaign=team.campaign).first() or Shortfall.objects.create(
            campaign=team.campaign,
            variant=variant,
            membership=team.volunteer,
            visit_code=uuid.uuid4(),
            wanted=3,
            drawn=0,
        )
        return shortfall.code


C = Role.COORDINATOR
FORM = ("GET", "POST")

ROUTES = {
    "inventory:home": Route(role=C),
    "inventory:item_new": Route(role=C, methods=FORM),
    "inventory:item_detail": Route(role=C, objects={"code": _item}),
    "inventory:item_edit": Route(role=C, methods=FORM, objects={"code": _item}),
    "inventory:item_delete": Route(role=C, methods=("POST",), objects={"code": _item}),
    "inventory:variant_new": Route(role=C, methods=FORM, objects={"code": _item}),
    "inventory:variant_edit": Route(role=C, methods=FORM, objects={"code": _variant}),
    "inventory:variant_delete": Route(role=C, methods=("POST",), objects={"code": _variant}),
    "inventory:locations": Route(role=C),
    "inventory:location_new": Route(role=C, methods=FORM),
    "inventory:location_detail": Route(role=C, objects={"code": _location}),
    "inventory:location_edit": Route(role=C, methods=FORM, objects={"code": _location}),
    "inventory:location_archive": Route(role=C, methods=("POST",), objects={"code": _location}),
    "inventory:on_hand": Route(role=C),
    "inventory:on_hand_csv": Route(role=C),
    "inventory:receive": Route(role=C, methods=FORM),
    "inventory:issue": Route(role=C, methods=FORM),
    "inventory:return": Route(role=C, methods=FORM),
    "inventory:transfer": Route(role=C, methods=FORM),
    "inventory:give": Route(role=C, methods=FORM),
    "inventory:write_off": Route(role=C, methods=FORM),
    "inventory:adjust": Route(role=C, methods=FORM),
    "inventory:stock_count": Route(role=C, methods=FORM),
    "inventory:ledger": Route(role=C),
    "inventory:ledger_csv": Route(role=C),
    "inventory:tshirts": Route(role=C, methods=FORM),
    "inventory:shortfalls": Route(role=C),
    "inventory:shortfall_resolve": Route(role=C, methods=("POST",), objects={"code": _shortfall}),
    "inventory:my_bag": Route(role=Role.VOLUNTEER),
}

API = ("GET", "POST")
ROUTES.update(
    {
        "api:inventory-item-list": Route(role=C, methods=API),
        "api:inventory-item-detail": Route(role=C, methods=("GET", "PATCH", "DELETE"), objects={"code": _item}),
        "api:inventory-variant-list": Route(role=C, methods=API),
        "api:inventory-variant-detail": Route(role=C, methods=("GET", "PATCH", "DELETE"), objects={"code": _variant}),
        "api:inventory-location-list": Route(role=C, methods=API),
        "api:inventory-location-detail": Route(role=C, methods=("GET", "PATCH", "DELETE"), objects={"code": _location}),
        "api:inventory-movement-list": Route(role=C, methods=API),
        "api:inventory-on-hand": Route(role=C),
        "api:inventory-my-bag": Route(role=Role.VOLUNTEER),
    }
)
