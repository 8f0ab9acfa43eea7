"""The movements API at its edges: another campaign's codes, a refused issue into a first bag, a volunteer."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from campaign.models import Person
from fundraising.models import Expense
from inventory.models import Location, Movement, StockLevel
from tests.inventory.helpers import issue, leaflet, office, receive

pytestmark = pytest.mark.django_db


def api(team, name="inventory-movement-list"):
    return reverse(f"api:{name}", kwargs={"campaign_slug": team.campaign.slug})


def snapshot():
    with scopes_disabled():
        return (
            Movement.objects.count(),
            Location.objects.count(),
            sorted(StockLevel.objects.values_list("location_id", "quantity")),
        )


@pytest.fixture
def stocked(team_a, team_b):
    with scope(campaign=team_b.campaign.pk):
        theirs = {
            "variant": leaflet(team_b, name="Their leaflet"),
            "place": office(team_b, "Their office"),
            "person": Person.objects.create(campaign=team_b.campaign, given_name="Bo", family_name="Lee"),
            "expense": Expense.objects.create(
                campaign=team_b.campaign,
                spent_on=dt.date.today(),
                payee="Printer",
                category="printing",
                amount=10,
                currency="HKD",
            ),
        }
        theirs["movement"] = receive(team_b, theirs["variant"], theirs["place"], 5)
    with scope(campaign=team_a.campaign.pk):
        variant = leaflet(team_a)
        base = office(team_a)
        receive(team_a, variant, base, 50)
    return variant, base, theirs


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("variant", lambda v, b, t: {"kind": "written_off", "variant": str(t["variant"].code), "reason": "x"}),
        ("from_location", lambda v, b, t: {"kind": "written_off", "from_location": str(t["place"].code)}),
        ("member", lambda v, b, t: {"kind": "issued", "member": "B_VOLUNTEER"}),
        ("recipient", lambda v, b, t: {"kind": "given", "recipient": str(t["person"].code)}),
        ("expense_code", lambda v, b, t: {"kind": "received", "expense_code": str(t["expense"].code)}),
        ("code", lambda v, b, t: {"kind": "written_off", "code": str(t["movement"].code)}),
    ],
)
def test_another_campaigns_codes_are_refused_and_change_nothing(client, team_a, team_b, stocked, field, body):
    variant, base, theirs = stocked
    values = {
        "kind": "written_off",
        "variant": str(variant.code),
        "from_location": str(base.code),
        "quantity": 5,
        "reason": "Rain",
    }
    values.update(body(variant, base, theirs))
    if values.get("member") == "B_VOLUNTEER":
        values["member"] = str(team_b.volunteer.code)
    if values["kind"] == "received":
        values.pop("from_location")
        values["to_location"] = str(base.code)
    before = snapshot()
    client.force_login(team_a.coordinator.user)
    response = client.post(api(team_a), values, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert snapshot() == before


def test_a_refused_issue_leaves_no_new_bag_behind(client, team_a, stocked):
    variant, base, _theirs = stocked
    before = snapshot()
    client.force_login(team_a.coordinator.user)
    body = {
        "kind": "issued",
        "variant": str(variant.code),
        "from_location": str(base.code),
        "member": str(team_a.volunteer.code),
        "quantity": 51,  # the office holds 50
        "code": str(uuid.uuid4()),
    }
    response = client.post(api(team_a), body, content_type="application/json")
    assert response.status_code == 400 and "holds only 50" in str(response.json())
    assert snapshot() == before  # no bag made for the volunteer either
    page = client.post(
        reverse("inventory:issue", kwargs={"campaign_slug": team_a.campaign.slug}),
        {"variant": variant.code, "from_location": base.code, "member": team_a.volunteer.code, "quantity": 51},
    )
    assert page.status_code == 200 and "holds only 50" in page.content.decode()
    assert snapshot() == before


def test_a_volunteer_sees_only_their_own_bag_and_cannot_move_stock(client, team_a, stocked):
    variant, base, _theirs = stocked
    with scope(campaign=team_a.campaign.pk):
        issue(team_a, variant, base, team_a.volunteer, 4)
        issue(team_a, variant, base, team_a.coordinator, 9)  # someone else's bag
    client.force_login(team_a.volunteer.user)
    mine = client.get(api(team_a, "inventory-my-bag")).json()
    assert [row["quantity"] for row in mine["results"]] == [4]
    page = client.get(reverse("inventory:my_bag", kwargs={"campaign_slug": team_a.campaign.slug})).content.decode()
    assert "4 sheet" in page
    assert "9 sheet" not in page
    before = snapshot()
    body = {"kind": "written_off", "variant": str(variant.code), "from_location": str(base.code), "quantity": 1}
    assert client.post(api(team_a), {**body, "reason": "x"}, content_type="application/json").status_code == 403
    assert client.get(api(team_a, "inventory-on-hand")).status_code == 403
    assert snapshot() == before
