"""The volunteer's home shows their own shifts, turfs, bag and month, and nobody else's — except the
names and doors of those who chose to appear on the leaderboard."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import Role
from reports.models import MemberPreferences
from tests.factories import MembershipFactory
from tests.reports.builders import household, shift, turf_area, visit, volunteer

pytestmark = pytest.mark.django_db


def _own_world(team, member, tag: str):
    """A volunteer profile, a shift, a turf with three doors (one knocked), a bag, all for `member`."""
    from canvassing.models import Assignment, Turf
    from inventory.models import Item, Location, StockLevel, Variant
    from volunteers.models import Signup

    campaign = team.campaign
    with scopes_disabled():
        v = volunteer(campaign, f"Vol{tag}", created_days_ago=3, active_days_ago=0, user=member.user)
        s = shift(campaign, f"Shift of {tag}", timezone.now() + dt.timedelta(days=2), capacity=5)
        Signup.objects.create(campaign=campaign, shift=s, volunteer=v, status="confirmed")
        past = shift(campaign, f"Done {tag}", timezone.now() - dt.timedelta(hours=5), capacity=5, hours=3)
        Signup.objects.create(campaign=campaign, shift=past, volunteer=v, status="confirmed", attendance="attended")
        turf = Turf.objects.create(campaign=campaign, area=turf_area(campaign), name=f"Turf of {tag}")
        Assignment.objects.create(campaign=campaign, turf=turf, membership=member)
        base = {"A": 100, "B": 200}[tag]
        doors = [household(campaign, base + n, turf) for n in range(3)]
        knocked_at = timezone.now() - dt.timedelta(minutes=5)
        visit(campaign, doors[0], knocked_at, "contacted", canvasser=member)
        # what the visit service keeps on the household (the builders write rows directly)
        doors[0].last_outcome, doors[0].last_visited_at = "contacted", knocked_at
        doors[0].save(update_fields=["last_outcome", "last_visited_at"])
        item = Item.objects.get_or_create(campaign=campaign, kind="leaflet", name="Flyer")[0]
        variant = Variant.objects.create(campaign=campaign, item=item, label=f"Edition {tag}")
        bag = Location.objects.create(campaign=campaign, kind="bag", name=f"Bag {tag}", membership=member)
        StockLevel.objects.create(campaign=campaign, variant=variant, location=bag, quantity=30 if tag == "A" else 70)


@pytest.fixture
def two_volunteers(team_a):
    with scopes_disabled():
        other = MembershipFactory(campaign=team_a.campaign, role=Role.VOLUNTEER)
    _own_world(team_a, team_a.volunteer, "A")
    _own_world(team_a, other, "B")
    return team_a.volunteer, other


def test_home_shows_my_things_and_not_anothers(client, team_a, two_volunteers):
    me, _other = two_volunteers
    client.force_login(me.user)
    response = client.get(reverse("reports:home", kwargs={"campaign_slug": team_a.campaign.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Shift of A" in html and "Turf of A" in html and "Edition A" in html
    assert "Shift of B" not in html and "Turf of B" not in html and "Edition B" not in html
    assert [(row["turf"].name, row["doors"], row["left"]) for row in response.context["turfs"]] == [("Turf of A", 3, 2)]
    assert "2 doors left" in html
    month = response.context["month"]
    assert month["doors"] == 1 and month["contacts"] == 1
    started = timezone.localtime(timezone.now() - dt.timedelta(hours=5), team_a.campaign.tzinfo)
    same_month = started.month == timezone.localtime(timezone.now(), team_a.campaign.tzinfo).month
    assert str(month["hours"]) == ("3.00" if same_month else "0.00")  # the 3-hour shift attended this month
    assert [row["quantity"] for row in response.context["bag"]] == [30]
    # nobody opted in: the leaderboard is empty, and it says so
    assert response.context["leaderboard"] == []
    assert "Nobody on the leaderboard yet" in html


def test_leaderboard_lists_only_those_who_opted_in_under_their_chosen_name(client, team_a, two_volunteers):
    me, other = two_volunteers
    with scopes_disabled():
        MemberPreferences.objects.create(
            campaign=team_a.campaign, membership=other, leaderboard_opt_in=True, leaderboard_name="Night Owl"
        )
    client.force_login(me.user)
    url = reverse("reports:home", kwargs={"campaign_slug": team_a.campaign.slug})
    html = client.get(url).content.decode()
    assert "Night Owl" in html
    assert str(other.user.display_name) not in html and other.user.email not in html
    assert [row["name"] for row in client.get(url).context["leaderboard"]] == ["Night Owl"]
    # I opt in through my preferences: now both appear, each under the chosen name
    response = client.post(
        reverse("reports:preferences", kwargs={"campaign_slug": team_a.campaign.slug}),
        {"leaderboard_opt_in": "on", "leaderboard_name": "  Early   Bird "},
    )
    assert response.status_code == 302
    names = [row["name"] for row in client.get(url).context["leaderboard"]]
    assert sorted(names) == ["Early Bird", "Night Owl"]
    # the API gives names and doors only
    data = client.get(f"/api/v1/c/{team_a.campaign.slug}/reports/home/").json()
    assert {tuple(sorted(row)) for row in data["leaderboard"]} == {("doors", "me", "name")}
    assert [row["name"] for row in data["turfs"]] == ["Turf of A"]
    assert [row["title"] for row in data["next_shifts"]] == ["Shift of A"]
    assert data["bag"] == [{"name": "Flyer · Edition A", "quantity": 30}]


def test_opting_in_needs_a_name(client, team_a):
    client.force_login(team_a.volunteer.user)
    url = reverse("reports:preferences", kwargs={"campaign_slug": team_a.campaign.slug})
    response = client.post(url, {"leaderboard_opt_in": "on", "leaderboard_name": ""})
    assert response.status_code == 400
    assert "Choose the name the leaderboard shows for you." in response.content.decode()
    with scopes_disabled():
        assert not MemberPreferences.objects.filter(membership=team_a.volunteer).exists()


def test_a_volunteer_sees_no_digest_switch_and_a_coordinator_does(client, team_a):
    url = reverse("reports:preferences", kwargs={"campaign_slug": team_a.campaign.slug})
    client.force_login(team_a.volunteer.user)
    assert "digest_enabled" not in client.get(url).content.decode()
    client.force_login(team_a.coordinator.user)
    assert "digest_enabled" in client.get(url).content.decode()
    assert client.post(url, {"leaderboard_name": ""}).status_code == 302  # digest box unticked: off
    with scopes_disabled():
        prefs = MemberPreferences.objects.get(membership=team_a.coordinator)
        assert prefs.digest_enabled is False and prefs.leaderboard_opt_in is False


def test_home_is_linked_from_the_campaign_home_and_the_nav(client, team_a):
    client.force_login(team_a.volunteer.user)
    html = client.get(reverse("campaign:home", kwargs={"campaign_slug": team_a.campaign.slug})).content.decode()
    home = reverse("reports:home", kwargs={"campaign_slug": team_a.campaign.slug})
    assert html.count(f'href="{home}"') >= 2  # the big button and the nav line
    assert reverse("reports:dashboard", kwargs={"campaign_slug": team_a.campaign.slug}) not in html
    client.force_login(team_a.owner.user)
    html = client.get(reverse("campaign:home", kwargs={"campaign_slug": team_a.campaign.slug})).content.decode()
    assert reverse("reports:dashboard", kwargs={"campaign_slug": team_a.campaign.slug}) in html
    assert reverse("reports:overview", kwargs={"campaign_slug": team_a.campaign.slug}) in html
