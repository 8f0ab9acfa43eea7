"""Security review of canvassing as an attacker would try it: a volunteer of campaign A reading what others
logged, a coordinator of A naming campaign B's objects by code, garbage in filters, mass assignment."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from canvassing.models import Assignment, Household, Visit
from canvassing.services_visits import visit_record
from tests.canvassing.visits_helpers import assign, turf_with_doors

pytestmark = pytest.mark.django_db


def api(name, team, **kwargs):
    return reverse(f"api:{name}", kwargs={"campaign_slug": team.campaign.slug, **kwargs})


def page(name, team, **kwargs):
    return reverse(f"canvassing:{name}", kwargs={"campaign_slug": team.campaign.slug, **kwargs})


def log(household, membership, outcome="contacted", **values):
    with scopes_disabled():
        visit, _created = visit_record(
            household=household,
            canvasser=membership,
            outcome=outcome,
            visited_at=timezone.now(),
            code=uuid.uuid4(),
            acting_user=membership.user,
            **values,
        )
    return visit


@pytest.fixture
def walk(team_a):
    turf, doors = turf_with_doors(team_a.campaign, 4)
    assign(turf, team_a.volunteer)
    return turf, doors


def test_volunteer_reads_no_other_canvassers_notes_on_a_household_page(client, team_a, walk):
    _turf, doors = walk
    log(doors[0], team_a.coordinator, support_level=5, note="Strong supporter, gave HK$500 last week")
    log(doors[0], team_a.volunteer, outcome="not_home", note="Dog in the yard")
    client.force_login(team_a.volunteer.user)
    body = client.get(page("household_detail", team_a, code=doors[0].code)).content.decode()
    assert "Dog in the yard" in body
    assert "Strong supporter" not in body
    client.force_login(team_a.coordinator.user)
    body = client.get(page("household_detail", team_a, code=doors[0].code)).content.decode()
    assert "Strong supporter" in body and "Dog in the yard" in body


def test_volunteer_api_lists_only_their_own_visits_without_other_support_levels(client, team_a, walk):
    _turf, doors = walk
    theirs = log(doors[0], team_a.coordinator, support_level=1)
    mine = log(doors[1], team_a.volunteer, support_level=4)
    client.force_login(team_a.volunteer.user)
    rows = client.get(api("visit-list", team_a)).json()["results"]
    assert [row["code"] for row in rows] == [str(mine.code)]
    assert str(theirs.code) not in client.get(api("visit-list", team_a), {"household": doors[0].code}).content.decode()
    household = client.get(api("household-detail", team_a, code=doors[0].code)).json()
    assert "last_support" not in household and "support_level" not in str(household)


def test_codes_of_another_campaign_are_refused_and_nothing_is_attached(client, team_a, team_b, walk):
    turf, _doors = walk
    b_turf, b_doors = turf_with_doors(team_b.campaign, 2, name="B turf")
    client.force_login(team_a.coordinator.user)
    with scopes_disabled():
        before = Assignment.objects.count(), Visit.objects.count()
    # An assignment of A's turf to B's member, and of B's turf to A's member.
    response = client.post(
        api("assignment-list", team_a),
        {"turf": str(turf.code), "memberships": [str(team_b.volunteer.code)]},
        content_type="application/json",
    )
    assert response.status_code == 400
    response = client.post(
        api("assignment-list", team_a),
        {"turf": str(b_turf.code), "memberships": [str(team_a.volunteer.code)]},
        content_type="application/json",
    )
    assert response.status_code == 400
    # A visit at B's door, and one at A's door leaving B's leaflet edition.
    visit = {"code": str(uuid.uuid4()), "household": str(b_doors[0].code), "outcome": "not_home"}
    assert client.post(api("visit-list", team_a), visit, content_type="application/json").status_code == 404
    # Moving B's household into A's turf.
    move = api("turf-move", team_a, code=turf.code)
    response = client.post(move, {"households": [str(b_doors[0].code)]}, content_type="application/json")
    assert response.status_code == 400
    merge = api("turf-merge", team_a, code=turf.code)
    assert client.post(merge, {"into": str(b_turf.code)}, content_type="application/json").status_code == 400
    with scopes_disabled():
        assert (Assignment.objects.count(), Visit.objects.count()) == before
        assert Household.objects.get(pk=b_doors[0].pk).turf_id == b_turf.pk


@pytest.mark.parametrize("name", ["household-list", "visit-list", "assignment-list", "turf-list"])
@pytest.mark.parametrize("param", ["turf", "area", "household"])
def test_query_filters_with_garbage_or_another_campaigns_code(client, team_a, team_b, walk, name, param):
    b_turf, _b_doors = turf_with_doors(team_b.campaign, 2, name="B turf")
    client.force_login(team_a.coordinator.user)
    garbage = client.get(api(name, team_a), {param: "not-a-uuid'; drop table"})
    assert garbage.status_code in (200, 400)
    other = client.get(api(name, team_a), {param: str(b_turf.code)})
    assert other.status_code in (200, 400)
    if other.status_code == 200:
        # Ignored or matching nothing: never a row of B.
        assert str(b_turf.code) not in other.content.decode()
        assert "B turf" not in other.content.decode()


def test_volunteer_cannot_patch_a_household_and_a_coordinator_cannot_move_it(client, team_a, team_b, walk):
    _turf, doors = walk
    url = api("household-detail", team_a, code=doors[0].code)
    client.force_login(team_a.volunteer.user)
    assert client.patch(url, {"street": "Hacked Road"}, content_type="application/json").status_code == 403
    client.force_login(team_a.coordinator.user)
    b_turf, _ = turf_with_doors(team_b.campaign, 1, name="B turf")
    response = client.patch(
        url,
        {
            "code": str(uuid.uuid4()),
            "campaign": team_b.campaign.pk,
            "turf": str(b_turf.code),
            "last_outcome": "contacted",
            "needs_review": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    with scopes_disabled():
        household = Household.objects.get(pk=doors[0].pk)
    assert household.code == doors[0].code and household.campaign_id == team_a.campaign.pk
    assert household.turf_id == walk[0].pk and household.street == "Nathan Road"
    assert household.last_outcome == "" and household.needs_review is False


PAGES_WITH_FILTERS = [
    ("turfs", {}),
    ("turf_cut", {}),
    ("households", {}),
    ("assignments", {}),
    ("review", {}),
    ("progress", {}),
    ("progress_areas", {}),
    ("progress_turfs", {}),
    ("progress_volunteers", {}),
    ("progress_days", {}),
    ("areas", {}),
    ("map_versions", {}),
    ("imports", {}),
]


@pytest.mark.parametrize("value", ["not-a-uuid", "0", "' or 1=1 --", "%00"])
def test_page_filters_with_garbage_are_ignored_not_a_500(client, team_a, team_b, walk, value):
    b_turf, _ = turf_with_doors(team_b.campaign, 1, name="B turf")
    client.force_login(team_a.coordinator.user)
    from django.urls import NoReverseMatch

    for name, kwargs in PAGES_WITH_FILTERS:
        try:
            url = page(name, team_a, **kwargs)
        except NoReverseMatch:
            continue
        for param in ("area", "turf", "volunteer", "canvasser", "status", "day", "page", "period", "flag"):
            for given in (value, str(b_turf.code), str(b_turf.area.code)):
                response = client.get(url, {param: given})
                assert response.status_code in (200, 400), (name, param, given, response.status_code)
                assert "B turf" not in response.content.decode(), (name, param)


def test_the_sync_endpoint_needs_the_csrf_token_with_a_session(walk, team_a):
    from django.test import Client

    _turf, doors = walk
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(team_a.volunteer.user)
    body = {"visits": [{"code": str(uuid.uuid4()), "household": str(doors[0].code), "outcome": "not_home"}]}
    body["visits"][0]["visited_at"] = timezone.now().isoformat()
    response = browser.post(api("visit-sync", team_a), body, content_type="application/json")
    assert response.status_code == 403
    with scopes_disabled():
        assert not Visit.objects.exists()


def test_leaflet_edition_shift_and_question_of_another_campaign_are_refused(client, team_a, team_b, walk):
    from inventory.models import Item, Variant
    from tests.canvassing.visits_helpers import questions
    from tests.volunteers.test_api import make_shift

    turf, doors = walk
    with scopes_disabled():
        item = Item.objects.create(campaign=team_b.campaign, kind="leaflet", name="B manifesto")
        b_edition = Variant.objects.create(campaign=team_b.campaign, item=item, edition="May")
    b_question = questions(team_b.campaign)["vote"]
    b_shift = make_shift(team_b)
    client.force_login(team_a.volunteer.user)
    base = {"household": str(doors[0].code), "visited_at": timezone.now().isoformat()}
    leaflet = {**base, "code": str(uuid.uuid4()), "outcome": "leaflet_left", "leaflet_variant": str(b_edition.code)}
    answer = {**base, "code": str(uuid.uuid4()), "outcome": "contacted", "answers": {str(b_question.code): "yes"}}
    for visit in (leaflet, answer):
        response = client.post(api("visit-list", team_a), visit, content_type="application/json")
        assert response.status_code == 400, visit
    client.force_login(team_a.coordinator.user)
    response = client.post(
        api("assignment-list", team_a),
        {"turf": str(turf.code), "memberships": [str(team_a.volunteer.code)], "shift": str(b_shift.code)},
        content_type="application/json",
    )
    assert response.status_code == 400
    turf_url = api("turf-detail", team_a, code=turf.code)
    response = client.patch(
        turf_url, {"mode": "leaflet", "leaflet_variant": str(b_edition.code)}, content_type="application/json"
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not Visit.objects.exists()
        assert Assignment.objects.filter(shift__isnull=False).count() == 0
        turf.refresh_from_db()
        assert turf.leaflet_variant_id is None


def test_a_volunteer_cannot_assign_withdraw_or_finish_someone_elses_walk(client, team_a, walk):
    from campaign.models import Role
    from tests.factories import MembershipFactory

    turf, _doors = walk
    with scopes_disabled():
        other = MembershipFactory(campaign=team_a.campaign, role=Role.VOLUNTEER)
    theirs = assign(turf, other)
    client.force_login(team_a.volunteer.user)
    body = {"turf": str(turf.code), "memberships": [str(team_a.volunteer.code)]}
    assert client.post(api("assignment-list", team_a), body, content_type="application/json").status_code == 403
    for name in ("assignment-withdraw", "assignment-done"):
        response = client.post(api(name, team_a, code=theirs.code))
        assert response.status_code in (403, 404), name
    assert client.get(api("assignment-detail", team_a, code=theirs.code)).status_code == 404
    listed = client.get(api("assignment-list", team_a)).content.decode()
    assert str(theirs.code) not in listed
    with scopes_disabled():
        theirs.refresh_from_db()
        assert theirs.status == Assignment.Status.ACTIVE


# A turf's map in a real browser: text from an imported file (an address) or from the owner's settings (the
# tile credit) must show as text, never run as HTML in the session of whoever opens the map.
from tests.browser.conftest import _allow_async_unsafe, chromium, new_phone_context  # noqa: E402, F401

XSS_STREET = '<img src="x-street" onerror="window.__xssStreet = 1">Nathan Road'
XSS_CREDIT = '<img src="x-credit" onerror="window.__xssCredit = 1">Tiles'


@pytest.mark.browser
def test_turf_map_shows_addresses_and_tile_credit_as_text(live_server, transactional_db, new_phone_context):  # noqa: F811
    from django.conf import settings
    from django.test import Client
    from playwright.sync_api import expect

    from canvassing.models import CanvassingSettings
    from tests.canvassing.turfs_helpers import current_area, make_turf
    from tests.factories import CampaignFactory, MembershipFactory

    with scopes_disabled():
        campaign = CampaignFactory(slug="xss-map", language="en")
        coordinator = MembershipFactory(campaign=campaign, role="coordinator")
        CanvassingSettings.objects.create(
            campaign=campaign, map_tile_url="https://tiles.invalid/{z}/{x}/{y}.png", map_tile_attribution=XSS_CREDIT
        )
    turf = make_turf(current_area(campaign), "Imported", households=1)
    with scopes_disabled():
        Household.objects.filter(turf=turf).update(street=XSS_STREET, latitude=22.3, longitude=114.17)
    browser = Client()
    browser.force_login(coordinator.user)
    context = new_phone_context()
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.route("https://tiles.invalid/**", lambda route: route.abort())
    page.goto(f"{live_server.url}/c/{campaign.slug}/canvassing/turfs/{turf.code}/")
    credit = page.locator("#turf-map .leaflet-control-attribution")
    expect(credit).to_contain_text("<img")
    box = page.locator("#turf-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the one door is in the middle
    tooltip = page.locator("#turf-map .leaflet-tooltip")
    expect(tooltip).to_contain_text("<img")
    page.wait_for_timeout(300)  # an injected image would have failed to load and run its handler by now
    assert page.evaluate("() => [window.__xssStreet, window.__xssCredit]") == [None, None]


def test_naming_ones_own_turf_does_not_open_every_door_of_the_area(client, team_a, walk):
    """A visit naming a turf the canvasser holds is accepted only for a door that is in that turf, or left it
    after the visit; not for every door of the area (the offline re-cut allowance)."""
    from canvassing.services_visits import VisitInput, visits_record_batch

    turf, _doors = walk
    _neighbour, far_doors = turf_with_doors(team_a.campaign, 2, name="Someone else's turf")  # same area
    item = VisitInput(
        code=uuid.uuid4(),
        household=far_doors[0].code,
        outcome="do_not_contact",
        visited_at=timezone.now(),
        turf=turf.code,
    )
    with scopes_disabled():
        (result,) = visits_record_batch(canvasser=team_a.volunteer, items=[item], acting_user=team_a.volunteer.user)
        assert result.forbidden and not result.created
        assert Household.objects.get(pk=far_doors[0].pk).status == Household.Status.ACTIVE
    # The same through the API, one visit (404) and the phone's sync batch (rejected).
    client.force_login(team_a.volunteer.user)
    body = {
        "code": str(uuid.uuid4()),
        "household": str(far_doors[1].code),
        "outcome": "contacted",
        "support_level": 1,
        "turf": str(turf.code),
        "visited_at": timezone.now().isoformat(),
    }
    assert client.post(api("visit-list", team_a), body, content_type="application/json").status_code == 404
    sync = client.post(api("visit-sync", team_a), {"visits": [body]}, content_type="application/json")
    assert sync.json()["results"][0]["status"] == "rejected"
    with scopes_disabled():
        assert not Visit.objects.filter(household__in=far_doors).exists()
        assert [h.last_outcome for h in Household.objects.filter(pk__in=[d.pk for d in far_doors])] == ["", ""]


def test_a_door_moved_out_of_my_turf_while_i_was_offline_still_takes_my_queued_visit(client, team_a, walk):
    """Knocked at 10:00 offline; at 10:20 the coordinator moves the door into a neighbour's turf; the phone
    syncs at 10:30. The visit counts for the walked turf. A visit made after the move is refused."""
    import datetime as dt

    from campaign.models import Campaign
    from canvassing.services_turfs import turf_households_move

    turf, doors = walk
    neighbour, _their_doors = turf_with_doors(team_a.campaign, 1, name="Neighbour")
    now = timezone.now()
    with scopes_disabled():
        Campaign.objects.filter(pk=team_a.campaign.pk).update(created_at=now - dt.timedelta(days=1))
        Assignment.objects.filter(turf=turf).update(created_at=now - dt.timedelta(hours=1))
        turf_households_move(households=[doors[0]], to_turf=neighbour, acting_user=team_a.coordinator.user)
        moved = Household.objects.get(pk=doors[0].pk)
        assert (moved.turf_id, moved.previous_turf_id) == (neighbour.pk, turf.pk)
        Household.objects.filter(pk=moved.pk).update(turf_changed_at=now - dt.timedelta(minutes=10))
    client.force_login(team_a.volunteer.user)

    def queued(visited_at, outcome="contacted"):
        return {
            "code": str(uuid.uuid4()),
            "household": str(doors[0].code),
            "outcome": outcome,
            "turf": str(turf.code),
            "visited_at": visited_at.isoformat(),
        }

    before, after = queued(now - dt.timedelta(minutes=30)), queued(now - dt.timedelta(minutes=1), "refused")
    response = client.post(api("visit-sync", team_a), {"visits": [before, after]}, content_type="application/json")
    assert [r["status"] for r in response.json()["results"]] == ["created", "rejected"]
    with scopes_disabled():
        visit = Visit.objects.get(household=doors[0])
        assert str(visit.code) == before["code"] and visit.turf_id == turf.pk
        assert visit.assignment == Assignment.objects.get(turf=turf)
        assert Household.objects.get(pk=doors[0].pk).last_outcome == "contacted"


def test_every_turf_edit_records_the_turf_a_door_left(team_a, walk):
    """Move, split, merge and a new cut each leave the door's earlier turf and the time on the door."""
    from canvassing.services_turfs import turf_households_move, turf_split, turfs_merge

    turf, doors = walk
    spare, _spare_doors = turf_with_doors(team_a.campaign, 2, name="Spare")
    user = team_a.coordinator.user
    with scopes_disabled():
        before = timezone.now()
        turf_households_move(households=doors[:1], to_turf=spare, acting_user=user)
        half = turf_split(turf=spare, acting_user=user)
        moved_by_split = Household.objects.filter(turf=half).first()
        assert moved_by_split.previous_turf_id == spare.pk and moved_by_split.turf_changed_at >= before
        turfs_merge(turf=half, into=turf, acting_user=user)  # `half` is deleted: its record goes with it
        merged = Household.objects.get(pk=moved_by_split.pk)
        assert merged.turf_id == turf.pk and merged.previous_turf_id is None
        untouched = Household.objects.get(pk=doors[1].pk)
        assert (untouched.previous_turf_id, untouched.turf_changed_at) == (None, None)


def test_a_visits_support_level_needs_mfa_unless_it_is_ones_own(client, team_a, walk):
    """DESIGN: support levels need coordinator and MFA. A canvasser sees what they logged themselves."""
    from tests.volunteers.test_roster_helpers import enable_mfa

    _turf, doors = walk
    theirs = log(doors[0], team_a.volunteer, support_level=2)
    with scopes_disabled():
        Visit.objects.filter(pk=theirs.pk).update(needs_review=True, flags=["too_fast"])
    mine = log(doors[1], team_a.coordinator, support_level=4)
    client.force_login(team_a.coordinator.user)

    def support_by_code():
        return {row["code"]: row["support_level"] for row in client.get(api("visit-list", team_a)).json()["results"]}

    assert support_by_code() == {str(theirs.code): None, str(mine.code): 4}
    recent = client.get(page("visit_new", team_a, code=doors[0].code)).content.decode()
    assert "2/5" not in recent
    queue = client.get(page("review", team_a)).content.decode()
    assert str(doors[0].street) in queue and "support 2" not in queue
    with scopes_disabled():
        enable_mfa(team_a.coordinator.user)
    assert support_by_code() == {str(theirs.code): 2, str(mine.code): 4}
    assert "2/5" in client.get(page("visit_new", team_a, code=doors[0].code)).content.decode()
    assert "support 2" in client.get(page("review", team_a)).content.decode()
    # The canvasser who logged it sees it without MFA.
    client.force_login(team_a.volunteer.user)
    rows = client.get(api("visit-list", team_a)).json()["results"]
    assert [row["support_level"] for row in rows] == [2]


@pytest.mark.parametrize("start,end", [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-01"), ("0001-01-01", "")])
def test_a_custom_period_at_the_ends_of_the_calendar_is_not_a_server_error(client, team_a, walk, start, end):
    log(walk[1][0], team_a.volunteer)
    client.force_login(team_a.owner.user)
    query = {"period": "custom", "start": start, "end": end}
    for name in ("canvassing-progress", "canvassing-progress-days", "canvassing-progress-me"):
        assert client.get(api(name, team_a), query).status_code in (200, 400), name
    for name in ("progress", "progress_days", "progress_volunteers", "my_progress"):
        assert client.get(page(name, team_a), query).status_code == 200, name
    assert client.get(page("review", team_a), {"day": start}).status_code == 200
