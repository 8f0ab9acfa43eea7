"""/c/<slug>/fundraising/reports/: income and expenditure for a range and the donors to disclose,
checked against a campaign built by hand; the CSV exports need MFA, are audited and cannot carry
a spreadsheet formula."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from campaign.models import AuditEvent
from fundraising import services
from tests.factories import PersonFactory
from tests.volunteers.test_roster_helpers import enable_mfa

pytestmark = pytest.mark.django_db


def url(name: str, team) -> str:
    return reverse(f"fundraising_reports:{name}", kwargs={"campaign_slug": team.campaign.slug})


def day(team, days_ago: int) -> dt.date:
    """A date in the campaign's time zone, where a refund recorded now is dated."""
    return services.today_for(team.campaign) - dt.timedelta(days=days_ago)


@pytest.fixture
def books(team_a):
    """Chan 600 by bank 20 days ago, 100 refunded today; Lee 150 + 30 cash; 20 anonymous cash;
    Wong 900 online 40 days ago. Printing 200 + 50.50 in the last 10 days; a venue 300 40 days ago."""
    campaign, user = team_a.campaign, team_a.coordinator.user
    with scope(campaign=campaign.pk):
        services.settings_update(campaign=campaign, acting_user=team_a.owner.user, disclosure_threshold=Decimal("100"))
        chan = PersonFactory(
            campaign=campaign, given_name="+Ann", family_name="Chan", address_line="=cmd|' /C calc'!A0"
        )
        lee = PersonFactory(campaign=campaign, given_name="Bo", family_name="Lee")
        wong = PersonFactory(campaign=campaign, given_name="Cy", family_name="Wong")

        def give(donor, amount, days_ago, method):
            return services.donation_record(
                campaign=campaign,
                acting_user=user,
                amount=Decimal(amount),
                received_on=day(team_a, days_ago),
                method=method,
                donor=donor,
            )

        first = give(chan, "600.00", 20, "bank_transfer")
        services.donation_refund(original=first, amount=Decimal("100"), reason="Asked", acting_user=user)
        give(lee, "150.00", 20, "cash")
        give(lee, "30.00", 5, "cash")
        give(None, "20.00", 5, "cash")
        give(wong, "900.00", 40, "online")
        for amount, days_ago, category in (("200.00", 10, "printing"), ("50.50", 3, "printing"), ("300", 40, "venue")):
            services.expense_record(
                campaign=campaign,
                acting_user=user,
                spent_on=day(team_a, days_ago),
                payee="Shop",
                category=category,
                amount=Decimal(amount),
            )
    return team_a


def last_30_days(team) -> dict[str, str]:
    return {"start": day(team, 30).isoformat(), "end": day(team, 0).isoformat()}


def test_report_numbers_for_a_range(client, books):
    client.force_login(books.coordinator.user)
    response = client.get(url("reports", books), last_30_days(books))
    assert response.status_code == 200
    report = response.context["report"]
    assert {row["method"]: (row["gifts"], row["total"]) for row in report["income_by_method"]} == {
        "bank_transfer": (1, Decimal("500.00")),
        "cash": (3, Decimal("200.00")),
    }
    assert report["refunds"] == Decimal("-100.00") and report["income"] == Decimal("700.00")
    assert {row["category"]: (row["count"], row["total"]) for row in report["expenditure_by_category"]} == {
        "printing": (2, Decimal("250.50"))
    }
    assert report["expenditure"] == Decimal("250.50") and report["balance"] == Decimal("449.50")
    assert [(p.family_name, p.total) for p in response.context["donors"]] == [
        ("Chan", Decimal("500.00")),
        ("Lee", Decimal("180.00")),
    ]
    html = response.content.decode()
    assert "449.50" in html and "250.50" in html and "Wong" not in html


def test_report_without_a_range_covers_everything(client, books):
    client.force_login(books.owner.user)
    response = client.get(url("reports", books))
    assert response.context["report"]["income"] == Decimal("1600.00")
    assert response.context["report"]["balance"] == Decimal("1049.50")
    assert [p.family_name for p in response.context["donors"]] == ["Wong", "Chan", "Lee"]


def test_end_before_start_is_a_400_next_to_the_field(client, books):
    client.force_login(books.coordinator.user)
    response = client.get(url("reports", books), {"start": day(books, 0).isoformat(), "end": day(books, 5).isoformat()})
    assert response.status_code == 400
    assert response.context["form"].errors["end"]
    enable_mfa(books.coordinator.user)
    assert client.get(url("income_csv", books), {"start": "someday"}).status_code == 400
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="fundraising.exported").exists()


@pytest.mark.parametrize("name", ["reports", "income_csv", "disclosure_csv"])
def test_volunteers_get_403_even_with_a_grant(client, team_a, name):
    enable_mfa(team_a.volunteer.user)
    with scope(campaign=team_a.campaign.pk):
        services.grant_set(
            campaign=team_a.campaign, membership=team_a.volunteer, granted=True, acting_user=team_a.owner.user
        )
    client.force_login(team_a.volunteer.user)
    assert client.get(url(name, team_a)).status_code == 403


@pytest.mark.parametrize("name", ["income_csv", "disclosure_csv"])
def test_exports_need_two_factor_authentication(client, books, name):
    client.force_login(books.owner.user)
    response = client.get(url(name, books))
    assert response.status_code == 403
    assert reverse("mfa_index") in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="fundraising.exported").exists()


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_income_csv_matches_the_report_and_is_audited(client, books):
    enable_mfa(books.coordinator.user)
    client.force_login(books.coordinator.user)
    response = client.get(url("income_csv", books), last_30_days(books))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    currency = books.campaign.currency
    assert rows[0] == ["section", "item", "label", "count", "amount", "currency"]
    assert [(r[0], r[1], r[3], r[4]) for r in rows[1:]] == [
        ("income", "bank_transfer", "1", "500.00"),
        ("income", "cash", "3", "200.00"),
        ("income", "refunds", "", "-100.00"),
        ("income", "total", "", "700.00"),
        ("expenditure", "printing", "2", "250.50"),
        ("expenditure", "total", "", "250.50"),
        ("balance", "net", "", "449.50"),
    ]
    assert {r[5] for r in rows[1:]} == {currency}
    with scopes_disabled():
        event = AuditEvent.objects.get(action="fundraising.exported")
    assert event.actor_id == books.coordinator.user.pk
    assert event.data == {"report": "income_expenditure", "rows": 7, "filters": last_30_days(books)}


def test_disclosure_csv_lists_donors_over_the_threshold_and_neutralises_formulas(client, books):
    enable_mfa(books.owner.user)
    client.force_login(books.owner.user)
    response = client.get(url("disclosure_csv", books), last_30_days(books))
    assert response.status_code == 200
    header, *rows = csv_rows(response)
    assert header[:2] == ["given_name", "family_name"] and header[-2:] == ["total", "currency"]
    by_name = {row[1]: row for row in rows}
    assert set(by_name) == {"Chan", "Lee"}
    chan = dict(zip(header, by_name["Chan"], strict=True))
    assert chan["given_name"] == "'+Ann"  # shown as text, never run as a formula
    assert chan["address_line"].startswith("'=")
    assert (chan["gifts"], chan["total"]) == ("1", "500.00")
    with scopes_disabled():
        event = AuditEvent.objects.get(action="fundraising.exported")
    assert event.data["report"] == "disclosure" and event.data["rows"] == 2
    assert "Chan" not in str(event.data) and "Ann" not in str(event.data)


def test_reports_page_queries_do_not_grow_with_the_data(client, books, django_assert_max_num_queries):
    client.force_login(books.coordinator.user)
    client.get(url("reports", books))
    with django_assert_max_num_queries(20) as small:
        client.get(url("reports", books))
    with scope(campaign=books.campaign.pk):
        for n in range(30):
            donor = PersonFactory(campaign=books.campaign)
            services.donation_record(
                campaign=books.campaign,
                acting_user=books.coordinator.user,
                amount=Decimal("101") + n,
                received_on=day(books, 1),
                method="mobile",
                donor=donor,
            )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("reports", books))
    assert len(response.context["donors"]) == 33
