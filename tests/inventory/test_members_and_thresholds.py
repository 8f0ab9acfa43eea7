"""What happens to stock around the movements: members who leave, thresholds that change, bags archived and
reused, a campaign deleted with its ledger."""

import pytest
from django.db.models import RestrictedError
from django_scopes import scope, scopes_disabled

from campaign.models import Campaign
from campaign.services import membership_end
from inventory import services
from inventory.models import Item, Location, Movement, StockLevel, Variant
from inventory.selectors import on_hand
from notifications.models import Message
from tests.inventory.helpers import issue, leaflet, office, receive

pytestmark = pytest.mark.django_db


def alerts() -> int:
    return Message.objects.filter(template="inventory/low_stock").count()


def test_a_member_who_leaves_keeps_their_bag_its_stock_and_its_ledger(in_scope_a):
    team = in_scope_a
    variant = leaflet(team)
    base = office(team)
    receive(team, variant, base, 100)
    issue(team, variant, base, team.volunteer, 30)
    bag = services.bag_for(membership=team.volunteer)

    membership_end(membership=team.volunteer, acting=team.owner)  # was a 500: the bag's ledger protected it

    bag.refresh_from_db()
    assert bag.membership is None and bag.is_bag
    assert on_hand(location=bag, variant=variant) == 30
    # The coordinator gets the leaflets back into the office from the orphaned bag.
    services.movement_record(
        campaign=team.campaign,
        kind="returned",
        variant=variant,
        quantity=30,
        from_location=bag,
        to_location=base,
        acting_user=team.coordinator.user,
    )
    assert (on_hand(location=bag, variant=variant), on_hand(location=base, variant=variant)) == (0, 100)
    assert Movement.objects.filter(from_location=bag).count() == 1


def test_a_new_threshold_above_on_hand_flags_the_item_and_alerts_once(in_scope_a):
    team = in_scope_a
    variant = leaflet(team, threshold=10)
    base = office(team)
    receive(team, variant, base, 100)
    item = Item.objects.get(pk=variant.item_id)

    services.item_update(item=item, acting_user=team.coordinator.user, low_stock_threshold=150)
    variant.refresh_from_db()
    assert variant.is_low
    assert alerts() == 2  # the owner and the coordinator
    services.item_update(item=Item.objects.get(pk=item.pk), acting_user=team.coordinator.user, name="Manifesto v2")
    assert alerts() == 2  # nothing crossed
    services.item_update(item=Item.objects.get(pk=item.pk), acting_user=team.coordinator.user, low_stock_threshold=50)
    variant.refresh_from_db()
    assert not variant.is_low
    assert alerts() == 2


def test_an_archived_bag_is_back_when_its_holder_is_issued_leaflets_again(in_scope_a):
    team = in_scope_a
    variant = leaflet(team)
    base = office(team)
    receive(team, variant, base, 20)
    issue(team, variant, base, team.volunteer, 5)
    bag = services.bag_for(membership=team.volunteer)
    services.movement_record(
        campaign=team.campaign,
        kind="returned",
        variant=variant,
        quantity=5,
        from_location=bag,
        to_location=base,
        acting_user=team.coordinator.user,
    )
    services.location_archive(location=bag, acting_user=team.coordinator.user)

    issue(team, variant, base, team.volunteer, 7)  # was refused for good: "the bag is archived"

    bag.refresh_from_db()
    assert bag.archived_at is None
    assert on_hand(location=bag, variant=variant) == 7


def test_a_place_with_movements_cannot_be_deleted_but_a_whole_campaign_can(team_a, team_b):
    with scope(campaign=team_a.campaign.pk):
        variant = leaflet(team_a)
        base = office(team_a)
        receive(team_a, variant, base, 20)
        issue(team_a, variant, base, team_a.volunteer, 5)
        with pytest.raises(RestrictedError):
            Location.objects.get(pk=base.pk).delete()
    with scope(campaign=team_b.campaign.pk):
        receive(team_b, leaflet(team_b), office(team_b), 3)
    with scopes_disabled():
        Campaign.objects.get(pk=team_a.campaign.pk).delete()
        assert not Movement.objects.filter(campaign_id=team_a.campaign.pk).exists()
        assert not StockLevel.objects.filter(campaign_id=team_a.campaign.pk).exists()
        assert not Variant.objects.filter(campaign_id=team_a.campaign.pk).exists()
        assert Movement.objects.filter(campaign=team_b.campaign).count() == 1
