"""Inventory pages, the API and the forecast, as a coordinator and a volunteer would use them."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from canvassing.models import Area, Household, MapVersion, Turf
from inventory import services
from inventory.models import Movement, StockLevel
from inventory.selectors import on_hand
from reports.forecast import leaflet_forecast
from tests.inventory.helpers import issue, leaflet, office, receive, visit

pytestmark = pytest.mark.django_db


def url(team, name, **kwargs):
    return reverse(f"inventory:{name}", kwargs={"campaign_slug": team.campaign.slug, **kwargs})


def test_issue_form_moves_stock_into_the_volunteers_bag(client, team_a):
    with scope(campaign=team_a.campaign.pk):
        variant = leaflet(team_a)
        base = office(team_a)
        receive(team_a, variant, base, 100)
    client.force_login(team_a.coordinator.user)
    response = client.post(
        url(team_a, "issue"),
        {"variant": variant.code, "from_location": base.code, "member": team_a.volunteer.code, "quantity": 30},
    )
    assert response.status_code == 302
    client.force_login(team_a.volunteer.user)
    page = client.get(url(team_a, "my_bag")).content.decode()
    assert 'data-testid="bag-row"' in page and "30" in page


def test_form_refusal_is_shown_next_to_the_field_and_changes_nothing(client, team_a):
    with scope(campaign=team_a.campaign.pk):
        variant = leaflet(team_a)
        base = office(team_a)
        receive(team_a, variant, base, 5)
    client.force_login(team_a.coordinator.user)
    response = client.post(
        url(team_a, "write_off"), {"variant": variant.code, "from_location": base.code, "quantity": 9, "reason": "x"}
    )
    assert response.status_code == 200
    assert "holds only 5" in response.content.decode()
    with scope(campaign=team_a.campaign.pk):
        assert on_hand(location=base, variant=variant) == 5
        assert Movement.objects.count() == 1


def _many(team, n):
    with scope(campaign=team.campaign.pk):
        base = office(team, f"Office {n}")
        for i in range(n):
            variant = leaflet(team, name=f"Leaflet {n}-{i}")
            receive(team, variant, base, 10 + i)
            issue(team, variant, base, team.volunteer, 1)


@pytest.mark.parametrize("name", ["home", "on_hand", "ledger", "locations", "shortfalls", "tshirts"])
def test_pages_run_the_same_queries_at_two_sizes(client, team_a, django_assert_max_num_queries, name):
    client.force_login(team_a.coordinator.user)
    _many(team_a, 2)
    client.get(url(team_a, name))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url(team_a, name)).status_code == 200
    _many(team_a, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url(team_a, name)).status_code == 200


def test_on_hand_by_item_and_csv_needs_mfa(client, team_a):
    with scope(campaign=team_a.campaign.pk):
        variant = leaflet(team_a, name="Flyer")
        receive(team_a, variant, office(team_a), 42)
    client.force_login(team_a.coordinator.user)
    page = client.get(url(team_a, "on_hand") + "?by=variant").content.decode()
    assert "Flyer" in page and "42" in page
    response = client.get(url(team_a, "ledger_csv"))
    assert response.status_code == 403 and "two-factor" in response.content.decode().lower()


def test_ledger_csv_with_mfa_is_audited_and_defused(client, team_a, monkeypatch):
    from campaign.models import AuditEvent
    from inventory import views

    monkeypatch.setattr(views, "is_mfa_enabled", lambda user: True)
    with scope(campaign=team_a.campaign.pk):
        variant = leaflet(team_a, name="=HYPERLINK(1)")
        receive(team_a, variant, office(team_a), 7)
    client.force_login(team_a.coordinator.user)
    response = client.get(url(team_a, "ledger_csv"))
    body = response.content.decode()
    assert response.status_code == 200 and "received" in body
    assert "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body
    with scope(campaign=team_a.campaign.pk):
        assert AuditEvent.objects.filter(action="inventory.exported", data__report="ledger").exists()


def test_shortfall_is_listed_for_the_coordinator_and_can_be_sorted_out(client, team_a):
    with scope(campaign=team_a.campaign.pk):
        leaflet(team_a, door_default=True)
        services.stock_drop_for_visit(visit=visit(team_a, leaflets=3), acting_user=None)
    client.force_login(team_a.coordinator.user)
    page = client.get(url(team_a, "shortfalls")).content.decode()
    assert page.count('data-testid="shortfall-row"') == 1
    with scope(campaign=team_a.campaign.pk):
        code = services.Shortfall.objects.get().code
    client.post(url(team_a, "shortfall_resolve", code=code))
    assert 'data-testid="shortfall-row"' not in client.get(url(team_a, "shortfalls")).content.decode()


def test_tshirt_page_counts_sizes_and_records_who_received_one(client, team_a):
    from campaign.models import Person
    from tests.inventory.helpers import tshirt
    from volunteers.models import Volunteer

    with scope(campaign=team_a.campaign.pk):
        (medium,) = tshirt(team_a, sizes=("M",))
        store = office(team_a, "Store")
        receive(team_a, medium, store, 1)
        people = [Person.objects.create(campaign=team_a.campaign, given_name=f"V{i}") for i in range(3)]
        volunteers = [Volunteer.objects.create(campaign=team_a.campaign, person=p, tshirt_size="M") for p in people]
    client.force_login(team_a.coordinator.user)
    page = client.get(url(team_a, "tshirts")).content.decode()
    assert '<td>M</td><td class="text-end">3</td><td class="text-end">1</td>' in page.replace("\n", "")
    client.post(
        url(team_a, "tshirts"), {"volunteer": volunteers[0].code, "variant": medium.code, "from_location": store.code}
    )
    with scope(campaign=team_a.campaign.pk):
        given = Movement.objects.get(kind="given")
        assert given.recipient == people[0]
    page = client.get(url(team_a, "tshirts")).content.decode()
    assert "Received a T-shirt" in page
    # The last one is gone: handing out another is refused with a message, and nothing changes.
    client.post(
        url(team_a, "tshirts"), {"volunteer": volunteers[1].code, "variant": medium.code, "from_location": store.code}
    )
    with scope(campaign=team_a.campaign.pk):
        assert Movement.objects.filter(kind="given").count() == 1


def test_api_movement_with_client_code_is_recorded_once(client, team_a):
    with scope(campaign=team_a.campaign.pk):
        variant = leaflet(team_a)
        base = office(team_a)
        receive(team_a, variant, base, 50)
    client.force_login(team_a.coordinator.user)
    api = reverse("api:inventory-movement-list", kwargs={"campaign_slug": team_a.campaign.slug})
    body = {
        "code": str(uuid.uuid4()),
        "kind": "issued",
        "variant": str(variant.code),
        "from_location": str(base.code),
        "member": str(team_a.volunteer.code),
        "quantity": 20,
    }
    first = client.post(api, body, content_type="application/json")
    again = client.post(api, body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    bad = client.post(api, {**body, "code": str(uuid.uuid4()), "quantity": -3}, content_type="application/json")
    assert bad.status_code == 400 and "quantity" in bad.json()
    with scope(campaign=team_a.campaign.pk):
        assert on_hand(location=base, variant=variant) == 30
    listed = client.get(
        reverse("api:inventory-on-hand", kwargs={"campaign_slug": team_a.campaign.slug}) + f"?location={base.code}"
    ).json()
    assert [row["quantity"] for row in listed["results"]] == [30]
    client.force_login(team_a.volunteer.user)
    mine = client.get(reverse("api:inventory-my-bag", kwargs={"campaign_slug": team_a.campaign.slug})).json()
    assert [row["quantity"] for row in mine["results"]] == [20]


def test_api_transfer_to_a_place_of_another_campaign_is_unknown(client, team_a, team_b):
    with scope(campaign=team_b.campaign.pk):
        foreign = office(team_b)
    with scope(campaign=team_a.campaign.pk):
        variant = leaflet(team_a)
        base = office(team_a)
        receive(team_a, variant, base, 50)
    client.force_login(team_a.coordinator.user)
    api = reverse("api:inventory-movement-list", kwargs={"campaign_slug": team_a.campaign.slug})
    response = client.post(
        api,
        {
            "kind": "transferred",
            "variant": str(variant.code),
            "from_location": str(base.code),
            "to_location": str(foreign.code),
            "quantity": 5,
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "to_location" in response.json()
    with scope(campaign=team_a.campaign.pk):
        assert on_hand(location=base, variant=variant) == 50


def test_forecast_counts_doors_left_by_edition_and_the_run_out_date(in_scope_a, client):
    team = in_scope_a
    english = leaflet(team, name="Manifesto EN", door_default=True)
    chinese = leaflet(team, name="Manifesto ZH", per_door=2)
    version = MapVersion.objects.create(campaign=team.campaign, name="v1", number=1, source="geojson")
    area = Area.objects.create(campaign=team.campaign, version=version, key="A01", name="A01")
    plain = Turf.objects.create(campaign=team.campaign, area=area, name="Plain")
    zh_turf = Turf.objects.create(campaign=team.campaign, area=area, name="ZH", leaflet_variant=chinese)
    done = Turf.objects.create(campaign=team.campaign, area=area, name="Done", completed_at=timezone.now())

    def door(turf, **extra):
        Household.objects.create(campaign=team.campaign, turf=turf, street="S", address_key=str(uuid.uuid4()), **extra)

    for _ in range(4):
        door(plain)
    door(plain, last_visited_at=timezone.now())  # already knocked
    door(plain, status=Household.Status.MOVED)  # not active
    for _ in range(3):
        door(zh_turf)
    door(done)  # completed turf
    base = office(team)
    receive(team, english, base, 100)
    issue(team, english, base, team.volunteer, 100)
    receive(team, chinese, base, 2)
    # 28 left at doors over the last two weeks: 2 a day.
    services.movement_record(
        campaign=team.campaign,
        kind="dropped",
        variant=english,
        from_location=services.bag_for(membership=team.volunteer),
        quantity=28,
        acting_user=None,
    )
    rows = {row.variant.pk: row for row in leaflet_forecast(campaign=team.campaign)}
    assert (rows[english.pk].doors_left, rows[english.pk].needed, rows[english.pk].in_stock) == (4, 4, 72)
    assert rows[english.pk].runs_out_on == timezone.localdate(timezone=team.campaign.tzinfo) + dt.timedelta(days=36)
    assert (rows[chinese.pk].doors_left, rows[chinese.pk].needed, rows[chinese.pk].short) == (3, 6, 4)
    assert rows[chinese.pk].runs_out_on is None
    client.force_login(team.coordinator.user)
    page = client.get(reverse("reports:leaflet_forecast", kwargs={"campaign_slug": team.campaign.slug}))
    assert page.status_code == 200 and page.content.decode().count('data-testid="forecast-row"') == 2
    assert StockLevel.objects.filter(quantity__lt=0).count() == 0
