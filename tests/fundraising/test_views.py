"""The fundraising pages: the summary, recording donations (and every bad input the issue names),
refunds, corrections, review, receipts, pledges, expenses, settings and who may see them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from campaign.models import Person
from fundraising.models import Donation, Expense, FundraisingGrant, Pledge
from fundraising.services import (
    donation_record,
    donor_find_or_create,
    grant_set,
    pledge_create,
    settings_update,
)

pytestmark = pytest.mark.django_db


def url(name: str, team, **kwargs) -> str:
    return reverse(f"fundraising:{name}", kwargs={"campaign_slug": team.campaign.slug, **kwargs})


def donor(team, name="Dana", email="dana@example.test"):
    with scope(campaign=team.campaign.pk):
        return donor_find_or_create(campaign=team.campaign, acting_user=team.owner.user, given_name=name, email=email)


def give(team, amount, *, person=None, method="bank_transfer", days_ago=0, **values) -> Donation:
    with scope(campaign=team.campaign.pk):
        return donation_record(
            campaign=team.campaign,
            acting_user=team.owner.user,
            amount=Decimal(amount),
            received_on=timezone.localdate() - dt.timedelta(days=days_ago),
            method=method,
            donor=person,
            **values,
        )


def configure(team, **values) -> None:
    with scope(campaign=team.campaign.pk):
        settings_update(campaign=team.campaign, acting_user=team.owner.user, **values)


def counts(team) -> tuple[int, int]:
    with scopes_disabled():
        return (
            Donation.objects.filter(campaign=team.campaign).count(),
            Person.objects.filter(campaign=team.campaign).count(),
        )


def donation_form(**overrides) -> dict:
    data = {
        "given_name": "Mei",
        "family_name": "Chan",
        "email": "mei@example.test",
        "phone": "",
        "amount": "100.00",
        "received_on": timezone.localdate().isoformat(),
        "method": "bank_transfer",
        "in_kind_description": "",
        "reference": "TX-1",
        "appeal": "Spring dinner",
        "donor_category": "",
        "notes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class TestSummary:
    def test_shows_raised_goal_donors_weeks_methods_and_held(self, client, team_a):
        configure(team_a, goal_amount=Decimal("1000.00"), per_donor_cap=Decimal("500.00"), over_limit="hold")
        dana = donor(team_a)
        give(team_a, "450.00", person=dana)
        give(team_a, "25.50", person=donor(team_a, "Li", "li@example.test"), method="cash", days_ago=8)
        give(team_a, "100.00", person=dana)  # over the cap: held
        client.force_login(team_a.coordinator.user)
        response = client.get(url("summary", team_a))
        assert response.status_code == 200
        body = response.content.decode()
        assert 'data-testid="raised">475.50<' in body
        assert 'aria-valuenow="47"' in body
        assert 'data-testid="donors">2<' in body
        assert "237.75" in body  # average gift
        assert body.count("<rect") == 2  # two weeks drawn
        assert "Bank transfer" in body and "Cash" in body
        assert 'data-testid="held-alert"' in body
        assert "Dana" in body.split('data-testid="near-cap"')[1]

    def test_query_count_does_not_grow(self, client, team_a, django_assert_max_num_queries):
        configure(team_a, goal_amount=Decimal("1000.00"), per_donor_cap=Decimal("100.00"))
        client.force_login(team_a.owner.user)
        give(team_a, "90.00", person=donor(team_a))
        with django_assert_max_num_queries(30) as small:
            client.get(url("summary", team_a))
        for i in range(15):
            give(team_a, "95.00", person=donor(team_a, f"D{i}", f"d{i}@example.test"), days_ago=i * 7)
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(url("summary", team_a)).status_code == 200


class TestRecordDonation:
    def test_records_a_donation_with_a_new_donor_and_a_receipt(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        response = client.post(url("donation_new", team_a), donation_form())
        with scopes_disabled():
            donation = Donation.objects.get(campaign=team_a.campaign)
        assert response.status_code == 302
        assert response["Location"] == url("donation_detail", team_a, code=donation.code)
        assert donation.amount == Decimal("100.00") and donation.donor.email == "mei@example.test"
        assert donation.receipt_number == 1 and donation.appeal == "Spring dinner"
        page = client.get(response["Location"]).content.decode()
        assert "Mei" in page and 'data-testid="receipt-link"' in page

    def test_finds_the_existing_donor_by_email(self, client, team_a):
        existing = donor(team_a, "Mei", "MEI@example.test")
        client.force_login(team_a.owner.user)
        client.post(url("donation_new", team_a), donation_form(given_name="", family_name=""))
        with scopes_disabled():
            assert Donation.objects.get(campaign=team_a.campaign).donor_id == existing.pk
            assert Person.objects.filter(campaign=team_a.campaign).count() == 1

    def test_anonymous_donation(self, client, team_a):
        client.force_login(team_a.owner.user)
        client.post(url("donation_new", team_a), donation_form(anonymous="on", given_name="", email=""))
        with scopes_disabled():
            donation = Donation.objects.get(campaign=team_a.campaign)
        assert donation.donor is None and donation.receipt_number is None

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"amount": "-5"}, "amount"),
            ({"amount": "0"}, "amount"),
            ({"amount": "10.005"}, "amount"),
            ({"amount": "ten"}, "amount"),
            ({"received_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()}, "received_on"),
            ({"method": "in_kind"}, "in_kind_description"),
            ({"given_name": "", "email": "", "phone": ""}, "given_name"),
        ],
    )
    def test_bad_input_is_refused_next_to_the_field_and_nothing_changes(self, client, team_a, overrides, field):
        client.force_login(team_a.owner.user)
        response = client.post(url("donation_new", team_a), donation_form(**overrides))
        assert response.status_code == 200
        assert response.context["form"].errors.get(field), response.context["form"].errors
        assert f'id="id_{field}_errors"' in response.content.decode()
        assert counts(team_a) == (0, 0)

    def test_forbidden_category_is_refused(self, client, team_a):
        configure(team_a, forbidden_categories=["Foreign donor"])
        client.force_login(team_a.owner.user)
        response = client.post(url("donation_new", team_a), donation_form(donor_category="foreign donor"))
        assert response.context["form"].errors["donor_category"]
        assert counts(team_a) == (0, 0)

    def test_donor_over_the_cap_is_refused_and_no_donor_is_created(self, client, team_a):
        configure(team_a, per_donor_cap=Decimal("150.00"))
        dana = donor(team_a)
        give(team_a, "100.00", person=dana)
        client.force_login(team_a.owner.user)
        response = client.post(url("donation_new", team_a), donation_form(email="dana@example.test", amount="60"))
        assert "at most" in " ".join(response.context["form"].errors["amount"])
        assert counts(team_a) == (1, 1)
        response = client.post(url("donation_new", team_a), donation_form(email="new@example.test", amount="200"))
        assert response.context["form"].errors["amount"]
        assert counts(team_a) == (1, 1)  # the new donor was not kept either

    def test_anonymous_over_the_cap_is_refused_next_to_the_anonymous_box(self, client, team_a):
        configure(team_a, anonymous_cap=Decimal("20.00"))
        client.force_login(team_a.owner.user)
        response = client.post(url("donation_new", team_a), donation_form(anonymous="on", amount="50"))
        assert response.context["form"].errors["anonymous"]
        assert counts(team_a) == (0, 0)

    def test_over_the_cap_with_hold_is_recorded_held_with_the_reason(self, client, team_a):
        configure(team_a, per_donor_cap=Decimal("50.00"), over_limit="hold")
        client.force_login(team_a.owner.user)
        response = client.post(url("donation_new", team_a), donation_form(amount="80"), follow=True)
        body = response.content.decode()
        assert "held for review" in body and 'data-testid="held"' in body and 'data-testid="review-form"' in body
        with scopes_disabled():
            donation = Donation.objects.get(campaign=team_a.campaign)
        assert donation.status == Donation.Status.HELD and donation.receipt_number is None


class TestDonationPage:
    def test_refund_and_correction_are_new_entries(self, client, team_a):
        donation = give(team_a, "100.00", person=donor(team_a))
        client.force_login(team_a.coordinator.user)
        response = client.post(
            url("donation_refund", team_a, code=donation.code), {"refund-amount": "30", "refund-reason": "Asked back"}
        )
        assert response.status_code == 302
        client.post(
            url("donation_correct", team_a, code=donation.code), {"correct-delta": "-5", "correct-reason": "Typo"}
        )
        body = client.get(url("donation_detail", team_a, code=donation.code)).content.decode()
        assert 'data-testid="net">65.00<' in body
        with scopes_disabled():
            donation.refresh_from_db()
            assert donation.amount == Decimal("100.00")
            assert sorted(a.amount for a in donation.adjustments.all()) == [Decimal("-30.00"), Decimal("-5.00")]

    @pytest.mark.parametrize("amount", ["120", "0", "-3", "1.001"])
    def test_bad_refund_is_refused_and_nothing_changes(self, client, team_a, amount):
        donation = give(team_a, "100.00", person=donor(team_a))
        client.force_login(team_a.coordinator.user)
        response = client.post(
            url("donation_refund", team_a, code=donation.code), {"refund-amount": amount, "refund-reason": "x"}
        )
        assert response.status_code == 400
        assert response.context["refund_form"].errors
        assert 'id="id_refund-amount_errors"' in response.content.decode()
        assert counts(team_a) == (1, 1)

    def test_review_accepts_a_held_donation_with_a_receipt(self, client, team_a):
        configure(team_a, per_donor_cap=Decimal("50.00"), over_limit="hold")
        held = give(team_a, "80.00", person=donor(team_a))
        client.force_login(team_a.owner.user)
        response = client.post(url("donation_review", team_a, code=held.code), {"review-approve": "1"})
        assert response.status_code == 400  # a reason is needed
        with scopes_disabled():
            held.refresh_from_db()
        assert held.status == Donation.Status.HELD
        client.post(url("donation_review", team_a, code=held.code), {"review-approve": "1", "review-reason": "ok"})
        with scopes_disabled():
            held.refresh_from_db()
        assert held.status == Donation.Status.ACCEPTED and held.receipt_number == 1

    def test_receipt_page_and_reissue_marks_a_copy(self, client, team_a):
        donation = give(team_a, "100.00", person=donor(team_a))
        client.force_login(team_a.coordinator.user)
        body = client.get(url("donation_receipt", team_a, code=donation.code)).content.decode()
        assert "Receipt No. 1" in body and "Dana" in body and "@media print" in body
        assert 'data-testid="copy-mark"' not in body
        assert (
            'data-testid="copy-mark"'
            in client.get(url("donation_receipt", team_a, code=donation.code) + "?copy=1").content.decode()
        )
        response = client.post(url("receipt_reissue", team_a, code=donation.code))
        assert response.status_code == 302
        body = client.get(response["Location"]).content.decode()
        assert 'data-testid="copy-mark"' in body and "Receipt No. 1" in body
        with scopes_disabled():
            donation.refresh_from_db()
        assert donation.receipt_copies == 1 and donation.receipt_number == 1


class TestDonationList:
    def test_filters_by_method_status_and_date(self, client, team_a):
        dana = donor(team_a)
        give(team_a, "11.00", person=dana, method="cash")
        give(team_a, "22.00", person=dana, days_ago=40)
        client.force_login(team_a.coordinator.user)
        body = client.get(url("donations", team_a) + "?method=cash").content.decode()
        assert "11.00" in body and "22.00" not in body
        start = (timezone.localdate() - dt.timedelta(days=50)).isoformat()
        end = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
        body = client.get(url("donations", team_a) + f"?start={start}&end={end}").content.decode()
        assert "22.00" in body and "11.00" not in body
        assert "22.00" not in client.get(url("donations", team_a) + "?status=held").content.decode()

    def test_query_count_does_not_grow(self, client, team_a, django_assert_max_num_queries):
        client.force_login(team_a.coordinator.user)
        give(team_a, "5.00", person=donor(team_a))
        with django_assert_max_num_queries(30) as small:
            client.get(url("donations", team_a))
        for i in range(60):
            give(team_a, "5.00", person=donor(team_a, f"D{i}", f"d{i}@example.test"))
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client.get(url("donations", team_a))
        assert response.content.decode().count('data-testid="donation-row"') == 50


class TestPledges:
    def test_create_list_with_paid_so_far_and_cancel(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
        response = client.post(
            url("pledge_new", team_a),
            {"given_name": "Pat", "email": "pat@example.test", "amount": "200", "due_on": due, "recurrence": ""},
        )
        assert response.status_code == 302
        with scopes_disabled():
            pledge = Pledge.objects.get(campaign=team_a.campaign)
        give(team_a, "50.00", person=pledge.donor, pledge=pledge)
        body = client.get(url("pledges", team_a)).content.decode()
        assert "50.00 of 200.00" in body
        client.post(url("pledge_cancel", team_a, code=pledge.code))
        with scopes_disabled():
            pledge.refresh_from_db()
        assert pledge.status == Pledge.Status.CANCELLED

    def test_bad_amount_is_refused(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        response = client.post(url("pledge_new", team_a), {"given_name": "Pat", "amount": "-1", "due_on": "2030-01-01"})
        assert response.context["form"].errors["amount"]
        with scopes_disabled():
            assert not Pledge.objects.exists() and not Person.objects.exists()

    def test_query_count_does_not_grow(self, client, team_a, django_assert_max_num_queries):
        client.force_login(team_a.coordinator.user)
        due = timezone.localdate() + dt.timedelta(days=30)
        with scope(campaign=team_a.campaign.pk):
            pledge_create(
                campaign=team_a.campaign, acting_user=None, donor=donor(team_a), amount=Decimal(5), due_on=due
            )
        with django_assert_max_num_queries(30) as small:
            client.get(url("pledges", team_a))
        with scope(campaign=team_a.campaign.pk):
            for i in range(20):
                person = donor(team_a, f"P{i}", f"p{i}@example.test")
                pledge_create(campaign=team_a.campaign, acting_user=None, donor=person, amount=Decimal(5), due_on=due)
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(url("pledges", team_a))


PDF = b"%PDF-1.4\n%fake\n"


class TestExpenses:
    def test_record_with_a_receipt_and_open_it(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        response = client.post(
            url("expense_new", team_a),
            {
                "spent_on": timezone.localdate().isoformat(),
                "payee": "Print shop",
                "category": "printing",
                "amount": "80.50",
                "description": "Leaflets",
                "receipt_file": SimpleUploadedFile("bill.pdf", PDF, content_type="application/pdf"),
            },
        )
        assert response.status_code == 302
        with scopes_disabled():
            expense = Expense.objects.get(campaign=team_a.campaign)
        assert expense.amount == Decimal("80.50")
        body = client.get(response["Location"]).content.decode()
        assert "Print shop" in body and 'data-testid="receipt-file"' in body
        receipt = client.get(url("expense_receipt", team_a, code=expense.code))
        assert receipt.status_code == 200 and b"".join(receipt.streaming_content) == PDF
        assert "80.50" in client.get(url("expenses", team_a)).content.decode()

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"amount": "0"}, "amount"),
            ({"amount": "1.234"}, "amount"),
            ({"spent_on": "2999-01-01"}, "spent_on"),
            ({"receipt_file": SimpleUploadedFile("x.exe", b"MZ")}, "receipt_file"),
            ({"receipt_file": SimpleUploadedFile("x.png", b"not a png")}, "receipt_file"),
        ],
    )
    def test_bad_input_is_refused(self, client, team_a, overrides, field):
        client.force_login(team_a.coordinator.user)
        data = {"spent_on": "2026-01-01", "payee": "Shop", "category": "other", "amount": "10"} | overrides
        response = client.post(url("expense_new", team_a), data)
        assert response.context["form"].errors[field]
        with scopes_disabled():
            assert not Expense.objects.exists()

    def test_a_receipt_over_10_mb_is_refused(self, client, team_a, settings):
        client.force_login(team_a.coordinator.user)
        big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
        data = {"spent_on": "2026-01-01", "payee": "Shop", "category": "other", "amount": "10", "receipt_file": big}
        response = client.post(url("expense_new", team_a), data)
        assert "10 MB" in " ".join(response.context["form"].errors["receipt_file"])


class TestSettings:
    def test_owner_sets_limits_goal_categories_and_grants(self, client, team_a):
        client.force_login(team_a.owner.user)
        assert client.get(url("settings", team_a)).status_code == 200
        response = client.post(
            url("settings", team_a),
            {
                "goal_amount": "5000",
                "goal_deadline": "2030-05-01",
                "show_thermometer": "on",
                "per_donor_cap": "1000",
                "anonymous_cap": "0",
                "cash_cap": "",
                "over_limit": "hold",
                "near_cap_share": "80",
                "disclosure_threshold": "",
                "forbidden_categories_text": "Foreign donor, Company\nCompany",
                "granted": [team_a.volunteer.pk],
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        with scopes_disabled():
            fs = team_a.campaign.fundraising_settings
            fs.refresh_from_db()
            assert fs.goal_amount == Decimal("5000.00") and fs.show_thermometer and fs.over_limit == "hold"
            assert sorted(fs.forbidden_categories) == ["Company", "Foreign donor"]
            assert FundraisingGrant.objects.filter(membership=team_a.volunteer).exists()

    def test_bad_cap_is_refused(self, client, team_a):
        client.force_login(team_a.owner.user)
        response = client.post(
            url("settings", team_a), {"per_donor_cap": "-5", "over_limit": "refuse", "near_cap_share": "80"}
        )
        assert response.context["form"].errors["per_donor_cap"]
        with scopes_disabled():
            assert not FundraisingGrant.objects.exists()

    def test_coordinator_cannot_change_settings(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        assert client.get(url("settings", team_a)).status_code == 403


class TestWhoSees:
    def test_volunteer_without_a_grant_gets_403_and_no_nav_link(self, client, team_a):
        donation = give(team_a, "10.00", person=donor(team_a))
        client.force_login(team_a.volunteer.user)
        for page in (
            url("summary", team_a),
            url("donations", team_a),
            url("donation_detail", team_a, code=donation.code),
        ):
            assert client.get(page).status_code == 403
        home = client.get(reverse("campaign:home", kwargs={"campaign_slug": team_a.campaign.slug}))
        assert url("summary", team_a) not in home.content.decode()

    def test_outsider_gets_404(self, client, team_a, team_b):
        client.force_login(team_b.owner.user)
        assert client.get(url("summary", team_a)).status_code == 404

    def test_volunteer_with_a_grant_reads_but_cannot_write(self, client, team_a):
        donation = give(team_a, "10.00", person=donor(team_a))
        with scope(campaign=team_a.campaign.pk):
            grant_set(
                campaign=team_a.campaign, membership=team_a.volunteer, granted=True, acting_user=team_a.owner.user
            )
        client.force_login(team_a.volunteer.user)
        assert client.get(url("summary", team_a)).status_code == 200
        body = client.get(url("donation_detail", team_a, code=donation.code)).content.decode()
        assert "10.00" in body and 'data-testid="refund-form"' not in body
        assert client.get(url("donation_new", team_a)).status_code == 403
        response = client.post(
            url("donation_refund", team_a, code=donation.code), {"refund-amount": "1", "refund-reason": "x"}
        )
        assert response.status_code == 403
        assert counts(team_a) == (1, 1)

    def test_coordinator_sees_the_nav_link(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        home = client.get(reverse("campaign:home", kwargs={"campaign_slug": team_a.campaign.slug}))
        assert url("summary", team_a) in home.content.decode()


class TestPublicThermometer:
    def test_shown_only_when_turned_on(self, client, team_a):
        from django.core.cache import cache

        give(team_a, "250.00", person=donor(team_a))
        public = reverse("public:page", kwargs={"campaign_slug": team_a.campaign.slug})
        configure(team_a, goal_amount=Decimal("1000.00"))
        assert 'data-testid="public-thermometer"' not in client.get(public).content.decode()
        configure(team_a, show_thermometer=True)
        cache.clear()  # as when the minute is over
        body = client.get(public).content.decode()
        assert 'data-testid="public-thermometer"' in body and "250.00" in body and 'aria-valuenow="25"' in body


def test_refunding_a_held_donation_says_why_not(client, team_a):
    configure(team_a, per_donor_cap=Decimal("50.00"), over_limit="hold")
    held = give(team_a, "80.00", person=donor(team_a))
    client.force_login(team_a.owner.user)
    response = client.post(url("donation_refund", team_a, code=held.code), {"refund-amount": "5", "refund-reason": "x"})
    assert response.status_code == 400
    assert "review it first" in response.content.decode()
    assert counts(team_a) == (1, 1)
