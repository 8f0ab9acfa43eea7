"""/api/v1/c/<slug>/ for donations, pledges, expenses and progress: every endpoint's happy path, who may
call it, what bad input gets back, and that nothing changes when a request is refused."""

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from campaign.models import AuditEvent, Person
from campaign.services import api_token_create
from fundraising import services
from fundraising.models import Donation, Expense, FundraisingGrant, Pledge
from notifications.models import Message
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def yesterday() -> str:
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


class Api:
    """Calls the API with a team member's personal token, as a phone app would."""

    def __init__(self, client, campaign):
        self.client, self.campaign, self.keys = client, campaign, {}

    def key(self, membership):
        if membership.pk not in self.keys:
            with scope(campaign=membership.campaign_id):
                _token, self.keys[membership.pk] = api_token_create(membership=membership, name="phone")
        return self.keys[membership.pk]

    def __call__(self, membership, verb, path, data=None, **params):
        url = f"/api/v1/c/{self.campaign.slug}/{path}"
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.key(membership)}"}
        if verb == "get":
            return self.client.get(url, params, **headers)
        return self.client.generic(
            verb.upper(),
            url,
            data="" if data is None else json.dumps(data),
            content_type="application/json",
            **headers,
        )


@pytest.fixture
def api(client, team_a):
    return Api(client, team_a.campaign)


def donor_of(team, **values) -> Person:
    with scopes_disabled():
        return PersonFactory(campaign=team.campaign, **values)


def record(team, amount="50.00", donor=None, **values) -> Donation:
    with scope(campaign=team.campaign.pk):
        return services.donation_record(
            campaign=team.campaign,
            acting_user=team.coordinator.user,
            amount=Decimal(amount),
            received_on=timezone.localdate() - dt.timedelta(days=1),
            method=values.pop("method", "bank_transfer"),
            donor=donor,
            **values,
        )


def set_limits(team, **values) -> None:
    with scope(campaign=team.campaign.pk):
        services.settings_update(campaign=team.campaign, acting_user=team.owner.user, **values)


def counts(team) -> tuple[int, int, int, int, int]:
    with scopes_disabled():
        return (
            Donation.objects.filter(campaign=team.campaign).count(),
            Person.objects.filter(campaign=team.campaign).count(),
            Pledge.objects.filter(campaign=team.campaign).count(),
            Expense.objects.filter(campaign=team.campaign).count(),
            Message.objects.filter(campaign=team.campaign).count(),
        )


# Donations


def test_coordinator_records_a_donation_from_a_new_donor(api, team_a):
    response = api(
        team_a.coordinator,
        "post",
        "donations/",
        {
            "new_donor": {"given_name": "Mei", "family_name": "Chan", "email": "mei@example.test", "language": "en"},
            "amount": "25.50",
            "received_on": yesterday(),
            "method": "cash",
            "appeal": "Spring dinner",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == "25.50" and body["currency"] == team_a.campaign.currency
    assert body["status"] == "accepted" and body["receipt_number"] == 1 and body["kind"] == "donation"
    assert body["donor"]["email"] == "mei@example.test"
    with scopes_disabled():
        donation = Donation.objects.get(code=body["code"])
        assert donation.amount == Decimal("25.50") and donation.recorded_by == team_a.coordinator.user
        assert donation.donor.given_name == "Mei"


def test_new_donor_with_the_same_email_is_the_existing_person(api, team_a):
    known = donor_of(team_a, email="known@example.test")
    response = api(
        team_a.owner,
        "post",
        "donations/",
        {
            "new_donor": {"given_name": "Someone", "email": "KNOWN@example.test"},
            "amount": "10",
            "received_on": yesterday(),
            "method": "online",
        },
    )
    assert response.status_code == 201
    assert response.json()["donor"]["code"] == str(known.code)


def test_donation_by_donor_code_and_anonymous(api, team_a):
    donor = donor_of(team_a, consent_email=True)
    named = api(
        team_a.coordinator,
        "post",
        "donations/",
        {"donor": str(donor.code), "amount": "100", "received_on": yesterday(), "method": "cheque"},
    )
    assert named.status_code == 201 and named.json()["donor"]["code"] == str(donor.code)
    with scopes_disabled():  # the thank-you with the receipt, through the outbox
        assert Message.objects.filter(person=donor, template="fundraising/thank_you").count() == 1
    anonymous = api(
        team_a.coordinator, "post", "donations/", {"amount": "5", "received_on": yesterday(), "method": "cash"}
    )
    assert anonymous.status_code == 201
    assert anonymous.json()["donor"] is None and anonymous.json()["receipt_number"] is None


def test_a_retried_post_with_the_same_client_uuid_is_a_no_op(api, team_a):
    data = {
        "new_donor": {"given_name": "Retry", "email": "retry@example.test"},
        "amount": "20.00",
        "received_on": yesterday(),
        "method": "mobile",
        "client_uuid": str(uuid.uuid4()),
    }
    first = api(team_a.coordinator, "post", "donations/", data)
    before = counts(team_a)
    again = api(team_a.coordinator, "post", "donations/", data)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["code"] == first.json()["code"]
    assert counts(team_a) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-10"}, "amount"),
        ({"amount": "10.005"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"received_on": "yesterday"}, "received_on"),
        ({"method": "bitcoin"}, "method"),
        ({"method": "in_kind"}, "in_kind_description"),
        ({"new_donor": {"given_name": "", "email": "x@example.test"}}, "new_donor"),
        ({"donor": "not-a-code"}, "donor"),
        ({"donor": str(uuid.uuid4())}, "donor"),
    ],
)
def test_bad_donation_is_a_400_naming_the_field_and_nothing_changes(api, team_a, change, field):
    data = {
        "new_donor": {"given_name": "Ada", "email": "ada@example.test"},
        "amount": "10",
        "received_on": yesterday(),
        "method": "cash",
    }
    if "donor" in change:
        del data["new_donor"]
    data.update(change)
    before = counts(team_a)
    response = api(team_a.coordinator, "post", "donations/", data)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert counts(team_a) == before  # the new donor was not created either


def test_another_campaigns_donor_code_is_unknown(api, team_a, team_b):
    theirs = donor_of(team_b)
    before = counts(team_a)
    response = api(
        team_a.owner,
        "post",
        "donations/",
        {"donor": str(theirs.code), "amount": "10", "received_on": yesterday(), "method": "cash"},
    )
    assert response.status_code == 400 and "donor" in response.json()
    assert counts(team_a) == before


def test_a_donor_over_the_cap_is_refused_naming_the_amount(api, team_a):
    set_limits(team_a, per_donor_cap=Decimal("500.00"))
    donor = donor_of(team_a)
    record(team_a, "400.00", donor=donor)
    before = counts(team_a)
    response = api(
        team_a.coordinator,
        "post",
        "donations/",
        {"donor": str(donor.code), "amount": "100.01", "received_on": yesterday(), "method": "cash"},
    )
    assert response.status_code == 400
    assert "400.00" in response.json()["amount"][0]
    assert counts(team_a) == before


def test_held_donation_is_reviewed_through_the_api(api, team_a):
    set_limits(team_a, per_donor_cap=Decimal("100.00"), over_limit="hold")
    donor = donor_of(team_a)
    held = api(
        team_a.coordinator,
        "post",
        "donations/",
        {"donor": str(donor.code), "amount": "150", "received_on": yesterday(), "method": "online"},
    )
    assert held.status_code == 201
    assert held.json()["status"] == "held" and held.json()["receipt_number"] is None and held.json()["review_reason"]
    listed = api(team_a.coordinator, "get", "donations/", status="held").json()
    assert [row["code"] for row in listed["results"]] == [held.json()["code"]]

    missing_reason = api(team_a.coordinator, "post", f"donations/{held.json()['code']}/review/", {"approve": True})
    assert missing_reason.status_code == 400 and "reason" in missing_reason.json()
    approved = api(
        team_a.coordinator,
        "post",
        f"donations/{held.json()['code']}/review/",
        {"approve": True, "reason": "The donor is a sitting councillor; allowed."},
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == "accepted" and approved.json()["receipt_number"] == 1
    again = api(
        team_a.coordinator, "post", f"donations/{held.json()['code']}/review/", {"approve": False, "reason": "x"}
    )
    assert again.status_code == 400


def test_refund_and_correction_are_new_entries(api, team_a):
    donation = record(team_a, "80.00", donor=donor_of(team_a))
    refund = api(team_a.coordinator, "post", f"donations/{donation.code}/refund/", {"amount": "30", "reason": "Asked"})
    assert refund.status_code == 201, refund.json()
    assert refund.json()["kind"] == "refund" and refund.json()["amount"] == "-30.00"
    assert refund.json()["original"] == str(donation.code)
    correction = api(
        team_a.coordinator, "post", f"donations/{donation.code}/correct/", {"delta": "-0.50", "reason": "Typo"}
    )
    assert correction.status_code == 201, correction.json()
    assert correction.json()["kind"] == "correction" and correction.json()["amount"] == "-0.50"
    with scopes_disabled():
        donation.refresh_from_db()
        assert donation.amount == Decimal("80.00")  # the original is never edited
    progress = api(team_a.coordinator, "get", "fundraising/progress/").json()
    assert progress["raised"] == "49.50"


def test_refund_larger_than_what_is_left_is_refused(api, team_a):
    donation = record(team_a, "50.00", donor=donor_of(team_a))
    assert (
        api(
            team_a.coordinator, "post", f"donations/{donation.code}/refund/", {"amount": "40", "reason": "a"}
        ).status_code
        == 201
    )
    before = counts(team_a)
    response = api(team_a.coordinator, "post", f"donations/{donation.code}/refund/", {"amount": "10.01", "reason": "b"})
    assert response.status_code == 400 and "amount" in response.json()
    missing = api(team_a.coordinator, "post", f"donations/{donation.code}/refund/", {"amount": "1"})
    assert missing.status_code == 400 and "reason" in missing.json()
    assert counts(team_a) == before


def test_donation_list_filters_and_detail(api, team_a):
    donor = donor_of(team_a)
    cash = record(team_a, "10.00", donor=donor, method="cash")
    bank = record(team_a, "20.00", method="bank_transfer")
    everything = api(team_a.owner, "get", "donations/").json()
    assert {row["code"] for row in everything["results"]} == {str(cash.code), str(bank.code)}
    only_cash = api(team_a.owner, "get", "donations/", method="cash").json()
    assert [row["code"] for row in only_cash["results"]] == [str(cash.code)]
    by_donor = api(team_a.owner, "get", "donations/", donor=str(donor.code)).json()
    assert [row["code"] for row in by_donor["results"]] == [str(cash.code)]
    future = api(team_a.owner, "get", "donations/", start=timezone.localdate().isoformat()).json()
    assert future["results"] == []
    assert api(team_a.owner, "get", "donations/", method="gold").status_code == 400
    assert "start" in api(team_a.owner, "get", "donations/", start="soon").json()
    detail = api(team_a.owner, "get", f"donations/{cash.code}/")
    assert detail.status_code == 200 and detail.json()["amount"] == "10.00"


# Pledges


def test_pledge_create_list_and_cancel(api, team_a):
    donor = donor_of(team_a)
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    created = api(
        team_a.coordinator,
        "post",
        "pledges/",
        {"donor": str(donor.code), "amount": "300", "due_on": due, "recurrence": "monthly"},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["amount"] == "300.00" and created.json()["status"] == "open"
    assert created.json()["paid"] == "0.00"
    with scopes_disabled():
        pledge = Pledge.objects.get(code=created.json()["code"])
    payment = record(team_a, "100.00", donor=donor, pledge=pledge)
    record(team_a, "7.00", donor=donor)  # not towards the pledge
    listed = api(team_a.coordinator, "get", "pledges/").json()["results"]
    assert [(row["code"], row["paid"]) for row in listed] == [(str(pledge.code), "100.00")]
    refunded = api(team_a.coordinator, "post", f"donations/{payment.code}/refund/", {"amount": "0.50", "reason": "r"})
    assert refunded.status_code == 201
    assert api(team_a.coordinator, "get", f"pledges/{pledge.code}/").json()["paid"] == "99.50"
    assert api(team_a.coordinator, "delete", f"pledges/{pledge.code}/").status_code == 204
    with scopes_disabled():
        pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.CANCELLED


def test_bad_pledge_is_a_400_and_nothing_changes(api, team_a, team_b):
    before = counts(team_a)
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    theirs = donor_of(team_b)
    for data, field in (
        ({"donor": str(theirs.code), "amount": "10", "due_on": due}, "donor"),
        ({"donor": str(donor_of(team_a).code), "amount": "0", "due_on": due}, "amount"),
        ({"donor": str(donor_of(team_a).code), "amount": "1.001", "due_on": due}, "amount"),
        ({"donor": str(donor_of(team_a).code), "amount": "10", "due_on": "later"}, "due_on"),
    ):
        response = api(team_a.coordinator, "post", "pledges/", data)
        assert response.status_code == 400 and field in response.json(), (data, response.json())
    assert counts(team_a)[2:] == before[2:]


# Expenses


def test_expense_with_a_receipt_file(api, team_a):
    url = f"/api/v1/c/{team_a.campaign.slug}/expenses/"
    receipt = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    response = api.client.post(
        url,
        {
            "spent_on": yesterday(),
            "payee": "Print Shop",
            "category": "printing",
            "amount": "1200.40",
            "receipt_file": receipt,
        },
        HTTP_AUTHORIZATION=f"Bearer {api.key(team_a.coordinator)}",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == "1200.40" and body["has_receipt"] is True and body["category"] == "printing"
    with scopes_disabled():
        expense = Expense.objects.get(code=body["code"])
        assert expense.receipt_file.read() == b"%PDF-1.4 receipt"
        expense.receipt_file.delete()
    detail = api(team_a.coordinator, "get", f"expenses/{body['code']}/")
    assert detail.status_code == 200 and detail.json()["payee"] == "Print Shop"


def test_expense_without_a_receipt_and_bad_expenses(api, team_a):
    ok = api(
        team_a.owner,
        "post",
        "expenses/",
        {"spent_on": yesterday(), "payee": "Hall", "category": "venue", "amount": "300"},
    )
    assert ok.status_code == 201 and ok.json()["has_receipt"] is False
    before = counts(team_a)
    for change, field in (
        ({"amount": "-1"}, "amount"),
        ({"amount": "3.141"}, "amount"),
        ({"category": "bribes"}, "category"),
        ({"spent_on": "2999-01-01"}, "spent_on"),
        ({"payee": ""}, "payee"),
    ):
        data = {"spent_on": yesterday(), "payee": "Hall", "category": "venue", "amount": "300", **change}
        response = api(team_a.owner, "post", "expenses/", data)
        assert response.status_code == 400 and field in response.json(), (change, response.json())
    assert counts(team_a) == before
    listed = api(team_a.owner, "get", "expenses/", category="venue").json()["results"]
    assert [row["code"] for row in listed] == [ok.json()["code"]]


# Progress


def test_progress_gives_money_as_strings(api, team_a):
    set_limits(team_a, goal_amount=Decimal("1000.00"))
    record(team_a, "100.10", donor=donor_of(team_a))
    record(team_a, "50.05", donor=donor_of(team_a), method="cash")
    body = api(team_a.coordinator, "get", "fundraising/progress/").json()
    assert body["raised"] == "150.15" and body["donors"] == 2 and body["average_gift"] == "75.08"
    assert body["goal"] == "1000.00" and body["goal_share"] == 15
    assert {row["method"]: row["total"] for row in body["by_method"]} == {"bank_transfer": "100.10", "cash": "50.05"}
    assert body["currency"] == team_a.campaign.currency


# Who may call


ENDPOINTS = [
    ("get", "donations/"),
    ("post", "donations/"),
    ("get", "donations/{donation}/"),
    ("post", "donations/{donation}/refund/"),
    ("post", "donations/{donation}/correct/"),
    ("post", "donations/{donation}/review/"),
    ("get", "pledges/"),
    ("post", "pledges/"),
    ("get", "pledges/{pledge}/"),
    ("delete", "pledges/{pledge}/"),
    ("get", "expenses/"),
    ("post", "expenses/"),
    ("get", "expenses/{expense}/"),
    ("get", "fundraising/progress/"),
]


@pytest.fixture
def objects(team_a):
    donor = donor_of(team_a)
    donation = record(team_a, "10.00", donor=donor)
    with scope(campaign=team_a.campaign.pk):
        pledge = services.pledge_create(
            campaign=team_a.campaign,
            acting_user=team_a.owner.user,
            donor=donor,
            amount=Decimal("50"),
            due_on=timezone.localdate() + dt.timedelta(days=10),
        )
        expense = services.expense_record(
            campaign=team_a.campaign,
            acting_user=team_a.owner.user,
            spent_on=timezone.localdate() - dt.timedelta(days=1),
            payee="P",
            category="other",
            amount=Decimal("5"),
        )
    return {"donation": donation.code, "pledge": pledge.code, "expense": expense.code}


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_volunteers_get_403_even_with_a_grant_and_nothing_changes(api, team_a, objects, method, path):
    with scope(campaign=team_a.campaign.pk):
        services.grant_set(
            campaign=team_a.campaign, membership=team_a.volunteer, granted=True, acting_user=team_a.owner.user
        )
        assert FundraisingGrant.objects.filter(membership=team_a.volunteer).exists()
    before = counts(team_a)
    response = api(team_a.volunteer, method, path.format(**objects), {})
    assert response.status_code == 403
    assert counts(team_a) == before


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_other_campaigns_owner_and_token_get_404(client, team_a, team_b, objects, method, path):
    url = f"/api/v1/c/{team_a.campaign.slug}/{path.format(**objects)}"
    with scope(campaign=team_b.campaign.pk):
        _token, key = api_token_create(membership=team_b.owner, name="b")
    before = counts(team_a)
    response = client.generic(
        method.upper(), url, data="{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 404
    client.force_login(team_b.owner.user)
    assert client.generic(method.upper(), url, data="{}", content_type="application/json").status_code == 404
    assert counts(team_a) == before


def test_session_of_an_owner_works_too(client, team_a, objects):
    client.force_login(team_a.owner.user)
    response = client.get(f"/api/v1/c/{team_a.campaign.slug}/donations/{objects['donation']}/")
    assert response.status_code == 200


def test_writes_are_audited(api, team_a):
    api(team_a.coordinator, "post", "donations/", {"amount": "5", "received_on": yesterday(), "method": "cash"})
    with scopes_disabled():
        assert AuditEvent.objects.filter(campaign=team_a.campaign, action="donation.recorded").count() == 1
