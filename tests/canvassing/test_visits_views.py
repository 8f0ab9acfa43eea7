"""The doorstep pages: my turfs, the walk screen, the visit form (plain POST), a floor not home, the service
worker, and what a volunteer may not reach."""

import re
import uuid

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from canvassing.models import Household, Script, Turf, Visit
from tests.canvassing.visits_helpers import assign, questions, turf_with_doors


@pytest.fixture
def walk(team_a):
    turf, doors = turf_with_doors(team_a.campaign, 6)
    assign(turf, team_a.volunteer)
    return team_a, turf, doors


def url(name, team, **kwargs):
    return reverse(f"canvassing:{name}", kwargs={"campaign_slug": team.campaign.slug, **kwargs})


def test_my_turfs_lists_my_turf_with_doors_left(client, walk):
    team, turf, _doors = walk
    turf_with_doors(team.campaign, 2, name="Someone else's")
    client.force_login(team.volunteer.user)
    body = client.get(url("my_turfs", team)).content.decode()
    assert turf.name in body and "Someone else&#x27;s" not in body and "Someone else's" not in body
    assert "6 doors left · 0 of 6 knocked" in body


def test_walk_screen_in_walk_order_and_visit_form_post_updates_progress(client, walk):
    team, turf, doors = walk
    client.force_login(team.volunteer.user)
    page = client.get(url("turf_walk", team, code=turf.code)).content.decode()
    positions = [page.index(f'id="door-{d.code}"') for d in doors]
    assert positions == sorted(positions)
    response = client.post(
        url("visit_new", team, code=doors[0].code),
        {"code": str(uuid.uuid4()), "outcome": "contacted", "support_level": "4", "leaflets_left": "0", "note": ""},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#door-{doors[1].code}")  # on to the next door
    page = client.get(url("turf_walk", team, code=turf.code)).content.decode()
    assert re.search(r'data-testid="doors-left">5<', page) and re.search(r'data-testid="doors-done">1<', page)


def test_a_double_tap_on_the_plain_form_is_one_visit(client, walk):
    team, _turf, doors = walk
    client.force_login(team.volunteer.user)
    data = {"code": str(uuid.uuid4()), "outcome": "not_home", "leaflets_left": "0"}
    client.post(url("visit_new", team, code=doors[0].code), data)
    client.post(url("visit_new", team, code=doors[0].code), data)
    with scopes_disabled():
        assert Visit.objects.filter(household=doors[0]).count() == 1


def test_visit_form_shows_questions_in_my_language_and_the_script(client, walk):
    team, _turf, doors = walk
    questions(team.campaign)
    with scopes_disabled():
        Script.objects.create(campaign=team.campaign, language="en", body="Hello, I am calling for Chan.")
        Script.objects.create(campaign=team.campaign, language="zh-hans", body="你好，我们是陈的团队。")
    user = team.volunteer.user
    user.language = "zh-hans"
    user.save()
    client.force_login(user)
    body = client.get(url("visit_new", team, code=doors[0].code)).content.decode()
    assert "你会投票吗？" in body and "How important is transport?" in body  # fallback: campaign language
    assert "住房" in body and "你好，我们是陈的团队。" in body and "Hello, I am calling" not in body


def test_bad_answer_on_the_plain_form_is_shown_and_nothing_saved(client, walk):
    team, _turf, doors = walk
    q = questions(team.campaign)
    client.force_login(team.volunteer.user)
    response = client.post(
        url("visit_new", team, code=doors[0].code),
        {"code": str(uuid.uuid4()), "outcome": "contacted", "leaflets_left": "0", f"q_{q['issue'].code}": "crime"},
    )
    assert response.status_code == 200 and "Pick one of the choices offered." in response.content.decode()
    with scopes_disabled():
        assert not Visit.objects.exists()


def test_volunteer_gets_404_for_a_household_outside_their_assignments(client, walk):
    team, _turf, _doors = walk
    other, other_doors = turf_with_doors(team.campaign, 2, name="Not mine")
    client.force_login(team.volunteer.user)
    assert client.get(url("visit_new", team, code=other_doors[0].code)).status_code == 404
    response = client.post(
        url("visit_new", team, code=other_doors[0].code), {"code": str(uuid.uuid4()), "outcome": "not_home"}
    )
    assert response.status_code == 404
    assert client.get(url("turf_walk", team, code=other.code)).status_code == 404
    with scopes_disabled():
        assert not Visit.objects.exists()
    # The coordinator reaches it.
    client.force_login(team.coordinator.user)
    assert client.get(url("visit_new", team, code=other_doors[0].code)).status_code == 200


def test_floor_not_home_button(client, walk):
    team, turf, _doors = walk
    client.force_login(team.volunteer.user)
    response = client.post(url("floor_not_home", team, code=turf.code), {"place": "Block A|3"}, follow=True)
    assert "3 doors marked not home." in response.content.decode()
    with scopes_disabled():
        assert set(Visit.objects.values_list("household__floor", flat=True)) == {"3"}


def test_leaflet_run_shows_editions_and_greys_out_doors_that_have_it(client, team_a):
    from inventory.models import Item, Variant

    with scopes_disabled():
        item = Item.objects.create(campaign=team_a.campaign, kind="leaflet", name="Newsletter")
        may = Variant.objects.create(campaign=team_a.campaign, item=item, label="May", edition="May edition")
        april = Variant.objects.create(campaign=team_a.campaign, item=item, label="April", edition="April edition")
    turf, doors = turf_with_doors(team_a.campaign, 3, mode=Turf.Mode.LEAFLET, leaflet_variant=may)
    assign(turf, team_a.volunteer)
    with scopes_disabled():
        for door, edition in ((doors[0], may), (doors[1], april)):
            Visit.objects.create(
                campaign=team_a.campaign,
                household=door,
                turf=turf,
                outcome="leaflet_left",
                leaflets_left=1,
                leaflet_variant=edition,
                visited_at=door.created_at,
            )
    client.force_login(team_a.volunteer.user)
    page = client.get(url("turf_walk", team_a, code=turf.code)).content.decode()
    assert page.count('data-testid="already-has-edition"') == 1
    assert "April edition" in page and "Leaflet left" in page and "No access for leaflets" in page
    response = client.post(
        url("visit_new", team_a, code=doors[2].code),
        {"code": str(uuid.uuid4()), "outcome": "leaflet_left", "leaflets_left": "1"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        visit = Visit.objects.get(household=doors[2])
    assert visit.leaflet_variant == may


def test_service_worker_is_served_under_the_canvassing_scope(client, walk):
    team, _turf, _doors = walk
    client.force_login(team.volunteer.user)
    response = client.get(url("service_worker", team))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    scope = f"/c/{team.campaign.slug}/canvassing/"
    assert response["Service-Worker-Allowed"] == scope
    body = response.content.decode()
    assert f'const SCOPE = "{scope}"' in body and "visit_queue.js" in body


@pytest.mark.parametrize("size", [3, 30])
def test_walk_screen_queries_do_not_grow_with_the_turf(client, team_a, django_assert_max_num_queries, size):
    turf, _doors = turf_with_doors(team_a.campaign, size)
    assign(turf, team_a.volunteer)
    client.force_login(team_a.volunteer.user)
    client.get(url("turf_walk", team_a, code=turf.code))
    with django_assert_max_num_queries(17):
        assert client.get(url("turf_walk", team_a, code=turf.code)).status_code == 200


def test_do_not_contact_drops_out_of_the_walk_after_this_walk(client, walk):
    team, turf, doors = walk
    with scopes_disabled():
        Household.objects.filter(pk=doors[5].pk).update(status="do_not_contact")
    client.force_login(team.volunteer.user)
    page = client.get(url("turf_walk", team, code=turf.code)).content.decode()
    assert f"door-{doors[5].code}" not in page and f"door-{doors[4].code}" in page


def test_an_inaccessible_door_is_not_done_on_the_walk_my_turfs_or_progress(client, walk):
    """One definition of a door done: the walk screen, My turfs and the progress pages all say a door found
    inaccessible is still to do, and a door knocked (even "not home") is done."""
    from canvassing.selectors_progress import progress_by_turf

    team, turf, doors = walk
    client.force_login(team.volunteer.user)
    for door, outcome in ((doors[0], "inaccessible"), (doors[1], "not_home")):
        r = client.post(
            url("visit_new", team, code=door.code),
            {"code": str(uuid.uuid4()), "outcome": outcome, "leaflets_left": "0"},
        )
        assert r.status_code == 302, r.content.decode()[-3000:]
    page = client.get(url("turf_walk", team, code=turf.code)).content.decode()
    assert re.search(r'data-testid="doors-left">5<', page) and re.search(r'data-testid="doors-done">1<', page)
    door_card = page[page.index(f'id="door-{doors[0].code}"') :][:1500]
    assert 'data-testid="door-done"' not in door_card.split("</li>")[0]
    door_card = page[page.index(f'id="door-{doors[1].code}"') :][:1500]
    assert 'data-testid="door-done"' in door_card.split("</li>")[0]
    assert "5 doors left · 1 of 6 knocked" in client.get(url("my_turfs", team)).content.decode()
    with scopes_disabled():
        (row,) = [r for r in progress_by_turf(campaign=team.campaign) if r.turf.pk == turf.pk]
    assert (row.coverage.households, row.coverage.knocked) == (6, 1)
    # After the last door the form leads round to the first door not done: the inaccessible one.
    response = client.post(
        url("visit_new", team, code=doors[5].code),
        {"code": str(uuid.uuid4()), "outcome": "refused", "leaflets_left": "0"},
    )
    assert response["Location"].endswith(f"#door-{doors[0].code}")
    # Reached at last: done everywhere.
    client.post(
        url("visit_new", team, code=doors[0].code),
        {"code": str(uuid.uuid4()), "outcome": "contacted", "leaflets_left": "0"},
    )
    assert "3 doors left · 3 of 6 knocked" in client.get(url("my_turfs", team)).content.decode()


def test_sign_out_page_empties_the_pages_kept_on_the_phone(client, walk):
    """The sign-out form runs sign_out.js, which deletes the service worker's caches of walk screens and
    tells the worker; the worker also forgets them when a page of its scope is answered by a sign-in
    redirect. Visits waiting to be sent are kept per member, so the next person's session never sends them."""
    from django.contrib.staticfiles import finders

    team, turf, _doors = walk
    client.force_login(team.volunteer.user)
    walk_page = client.get(url("turf_walk", team, code=turf.code)).content.decode()
    assert f'data-member="{team.volunteer.code}"' in walk_page
    page = client.get(reverse("account_logout")).content.decode()
    assert 'data-testid="sign-out-clears"' in page and 'src="/static/js/sign_out.js"' in page
    assert f'data-logout-url="{reverse("account_logout")}"' in page and 'method="post"' in page
    with open(finders.find("js/sign_out.js"), encoding="utf-8") as handle:
        script = handle.read()
    assert "caches.delete" in script and '"sign-out"' in script and "gs-doors:" in script
    worker = client.get(url("service_worker", team)).content.decode()
    assert 'data.type === "sign-out"' in worker and "signedOut(response)" in worker
    # Signing out still works, and the kept walk screen is then behind the sign-in page.
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get(url("turf_walk", team, code=turf.code)).status_code == 302


def test_walk_screen_shows_the_last_visit_on_the_campaigns_day(client, walk):
    """07:30 in Hong Kong is 23:30 UTC the day before: the door says today's date, as the canvasser's
    "not visited today" does."""
    import datetime as dt

    team, turf, doors = walk
    with scopes_disabled():
        team.campaign.time_zone = "Asia/Hong_Kong"
        team.campaign.save(update_fields=["time_zone"])
        at = dt.datetime(2026, 5, 3, 23, 30, tzinfo=dt.UTC)
        Household.objects.filter(pk=doors[0].pk).update(last_outcome="not_home", last_visited_at=at)
    client.force_login(team.volunteer.user)
    page = client.get(url("turf_walk", team, code=turf.code)).content.decode()
    card = page[page.index(f'id="door-{doors[0].code}"') :].split("</li>")[0]
    assert "05/04/2026" in card and "05/03/2026" not in card
