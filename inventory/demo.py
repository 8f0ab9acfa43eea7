"""Demo data for inventory: a manifesto leaflet in two editions (English marked as the default for doors,
Chinese), campaign T-shirts in every size, posters; the office and a storage point; printer deliveries
(linked to a printing expense when fundraising's demo made one), leaflets issued to volunteers' bags and
T-shirts handed to some volunteers who asked for their size.

Called by `manage.py seed_demo` inside the demo campaign's scope. Idempotent: nothing happens for a
campaign that already has items. Everything goes through the services, so the ledger is the truth.
"""

import random

from faker import Faker

from campaign.models import Campaign, Membership, Role
from inventory import services
from inventory.models import Item, Location, Movement
from inventory.selectors import on_hand

TSHIRT_STOCK = {"XS": 10, "S": 30, "M": 50, "L": 40, "XL": 20, "XXL": 8}


def seed(*, campaign: Campaign, scale: str, rng: random.Random, fake_zh: Faker, fake_en: Faker) -> None:
    if Item.objects.filter(campaign=campaign).exists():
        return
    owner = Membership.objects.filter(campaign=campaign, role=Role.OWNER).select_related("user").first()
    actor = owner.user if owner else None
    if actor is None:
        return
    office = services.location_create(
        campaign=campaign, acting_user=actor, kind=Location.Kind.OFFICE, name="Campaign office", address="King's Road"
    )
    store = services.location_create(
        campaign=campaign, acting_user=actor, kind=Location.Kind.STORAGE, name="Quarry Bay storeroom"
    )
    manifesto = services.item_create(
        campaign=campaign,
        acting_user=actor,
        kind=Item.Kind.LEAFLET,
        name="Manifesto leaflet",
        unit="sheet",
        unit_cost="0.35",
        low_stock_threshold=500,
    )
    english = services.variant_update(
        variant=manifesto.variants.get(),
        acting_user=actor,
        label="",
        edition="Spring",
        language="en",
        door_default=True,
    )
    chinese = services.variant_create(item=manifesto, acting_user=actor, edition="Spring", language="zh-hans")
    shirts_item = services.item_create(
        campaign=campaign,
        acting_user=actor,
        kind=Item.Kind.TSHIRT,
        name="Campaign T-shirt",
        unit="piece",
        low_stock_threshold=5,
    )
    shirts = {
        size: services.variant_create(item=shirts_item, acting_user=actor, size=size, colour="green")
        for size in TSHIRT_STOCK
    }
    poster = services.item_create(
        campaign=campaign,
        acting_user=actor,
        kind=Item.Kind.POSTER,
        name="A2 poster",
        unit="piece",
        low_stock_threshold=10,
    )

    expense = None
    try:
        from fundraising.models import Expense

        expense = Expense.objects.filter(campaign=campaign, category="printing").first()
    except ImportError:  # fundraising is optional for this demo
        pass
    for variant, quantity in ((english, 6000), (chinese, 4000)):
        services.movement_record(
            campaign=campaign,
            kind=Movement.Kind.RECEIVED,
            variant=variant,
            quantity=quantity,
            to_location=office,
            unit_cost="0.35",
            supplier="Island Print Co.",
            expense=expense,
            acting_user=actor,
        )
    for size, quantity in TSHIRT_STOCK.items():
        services.movement_record(
            campaign=campaign,
            kind=Movement.Kind.RECEIVED,
            variant=shirts[size],
            quantity=quantity,
            to_location=store,
            unit_cost="38.00",
            supplier="Kowloon Garments",
            acting_user=actor,
        )
    services.movement_record(
        campaign=campaign,
        kind=Movement.Kind.RECEIVED,
        variant=poster.variants.get(),
        quantity=200,
        to_location=office,
        supplier="Island Print Co.",
        acting_user=actor,
    )
    volunteers = list(
        Membership.objects.filter(campaign=campaign, role=Role.VOLUNTEER).select_related("user").order_by("pk")[:8]
    )
    for member in volunteers:
        for variant, quantity in ((english, rng.choice([100, 150, 200])), (chinese, rng.choice([50, 100]))):
            services.movement_record(
                campaign=campaign,
                kind=Movement.Kind.ISSUED,
                variant=variant,
                quantity=quantity,
                from_location=office,
                to_location=services.bag_for(membership=member),
                acting_user=actor,
            )
    services.movement_record(
        campaign=campaign,
        kind=Movement.Kind.WRITTEN_OFF,
        variant=poster.variants.get(),
        quantity=12,
        from_location=office,
        reason="Water damage in the office",
        acting_user=actor,
    )
    try:
        from volunteers.models import Volunteer
    except ImportError:
        return
    sized = list(Volunteer.objects.filter(campaign=campaign).exclude(tshirt_size="").select_related("person")[:40])
    for volunteer in sized[: len(sized) // 2]:
        size = volunteer.tshirt_size
        if shirts.get(size) is None or on_hand(location=store, variant=shirts[size]) < 1:
            continue
        services.movement_record(
            campaign=campaign,
            kind=Movement.Kind.GIVEN,
            variant=shirts[size],
            quantity=1,
            from_location=store,
            recipient=volunteer.person,
            reason="T-shirt for a volunteer",
            acting_user=actor,
        )
