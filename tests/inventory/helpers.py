"""Stock set-ups shared by the inventory tests. Call inside the campaign's scope."""

import datetime as dt
import uuid

from django.utils import timezone

from campaign.models import Membership
from canvassing.models import Household, Visit
from inventory import services
from inventory.models import Item, Location, Variant
from tests.conftest import Team


def leaflet(team: Team, *, label: str = "", door_default: bool = False, threshold: int = 0, **fields) -> Variant:
    item = services.item_create(
        campaign=team.campaign,
        acting_user=team.coordinator.user,
        kind=Item.Kind.LEAFLET,
        name=fields.pop("name", "Manifesto"),
        unit="sheet",
        low_stock_threshold=threshold,
    )
    variant = item.variants.get()
    if label or door_default or fields:
        variant = services.variant_update(
            variant=variant, acting_user=team.coordinator.user, label=label, door_default=door_default, **fields
        )
    return variant


def tshirt(team: Team, sizes=("S", "M", "L")) -> list[Variant]:
    item = services.item_create(
        campaign=team.campaign, acting_user=team.coordinator.user, kind=Item.Kind.TSHIRT, name="Team T-shirt"
    )
    return [
        services.variant_create(item=item, acting_user=team.coordinator.user, size=size, colour="green")
        for size in sizes
    ]


def office(team: Team, name: str = "Office") -> Location:
    return services.location_create(
        campaign=team.campaign, acting_user=team.coordinator.user, kind=Location.Kind.OFFICE, name=name
    )


def receive(team: Team, variant: Variant, place: Location, quantity: int):
    return services.movement_record(
        campaign=team.campaign,
        kind="received",
        variant=variant,
        quantity=quantity,
        to_location=place,
        acting_user=team.coordinator.user,
    )


def issue(team: Team, variant: Variant, place: Location, member: Membership, quantity: int):
    return services.movement_record(
        campaign=team.campaign,
        kind="issued",
        variant=variant,
        quantity=quantity,
        from_location=place,
        to_location=services.bag_for(membership=member),
        acting_user=team.coordinator.user,
    )


def visit(team: Team, *, leaflets: int, variant: Variant | None = None, member=None, code=None) -> Visit:
    household = Household.objects.create(
        campaign=team.campaign,
        street="Nathan Road",
        house_number=str(uuid.uuid4().int % 1000),
        address_key=str(uuid.uuid4()),
    )
    return Visit.objects.create(
        code=code or uuid.uuid4(),
        campaign=team.campaign,
        household=household,
        canvasser=member or team.volunteer,
        outcome=Visit.Outcome.LEAFLET_LEFT,
        leaflets_left=leaflets,
        leaflet_variant=variant,
        visited_at=timezone.now() - dt.timedelta(minutes=1),
    )
