"""Donations, refunds, corrections, review, pledges, expenses, donors, settings and grants."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import AuditEvent
from fundraising import selectors, services
from fundraising.models import Donation, Expense, FundraisingGrant, Pledge
from notifications.models import Message
from notifications.rendering import render_message
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def campaign(team_a, no_scope):
    return team_a.campaign


@pytest.fixture
def user(team_a):
    return team_a.coordinator.user


def donor(campaign, **kwargs):
    kwargs.setdefault("consent_email", True)
    kwargs.setdefault("consent_sms", True)
    return PersonFactory(campaign=campaign, **kwargs)


def give(campaign, user, amount, who=None, method="bank_transfer", **kwargs):
    return services.donation_record(
        campaign=campaign,
        acting_user=user,
        amount=D(amount),
        received_on=kwargs.pop("received_on", timezone.localdate()),
        method=method,
        donor=who,
        **kwargs,
    )


def test_a_donation_is_accepted_numbered_and_thanked_in_the_donors_language(campaign, user):
    ada = donor(campaign, language="zh-hans", given_name="Ada", family_name="Lovelace")
    donation = give(campaign, user, "250.50", ada, appeal="Spring dinner")
    assert donation.status == Donation.Status.ACCEPTED
    assert donation.amount == D("250.50") and donation.currency == campaign.currency
    assert donation.receipt_number == 1 and donation.receipt_issued_at is not None
    [message] = Message.objects.filter(campaign=campaign, template=services.THANK_YOU)
    assert message.to == ada.email and message.language == "zh-hans"
    assert message.context["receipt_number"] == 1 and message.context["amount"] == "250.50"
    text = render_message(message)
    assert "1" in text.subject and "250.50" in text.body
    event = AuditEvent.objects.get(action="donation.recorded")
    assert event.data["amount"] == "250.50"
    assert "Ada" not in str(event.data) and ada.email not in str(event.data)


def test_thank_you_email_renders_in_english_with_the_receipt_details(campaign, user):
    ada = donor(campaign, language="en", given_name="Ada", family_name="Lovelace")
    give(campaign, user, "30", ada, method="in_kind", in_kind_description="200 printed leaflets")
    message = Message.objects.get(template=services.THANK_YOU)
    text = render_message(message)
    assert "Thank you for your donation" in text.subject
    assert "Receipt number: 1" in text.body
    assert "In kind" in text.body and "200 printed leaflets" in text.body
    assert "Ada Lovelace" in text.body


def test_a_donor_without_email_gets_a_text_and_an_anonymous_gift_gets_nothing(campaign, user):
    sam = donor(campaign, email="")
    give(campaign, user, "20", sam)
    give(campaign, user, "5", None, method="cash")
    messages = list(Message.objects.filter(template=services.THANK_YOU))
    assert [m.channel for m in messages] == ["sms"]
    assert "Receipt 1" in render_message(messages[0]).body


def test_a_repeated_client_uuid_returns_the_first_donation(campaign, user):
    import uuid

    ada = donor(campaign)
    key = uuid.uuid4()
    first = give(campaign, user, "10", ada, client_uuid=key)
    again = give(campaign, user, "10", ada, client_uuid=key)
    assert again.pk == first.pk
    assert Donation.objects.count() == 1
    assert Message.objects.count() == 1


def test_refund_is_a_new_negative_entry_and_the_original_is_untouched(campaign, user):
    ada = donor(campaign)
    gift = give(campaign, user, "100", ada)
    refund = services.donation_refund(original=gift, amount=D("40"), reason="Asked back", acting_user=user)
    assert refund.kind == Donation.Kind.REFUND and refund.amount == D("-40.00") and refund.original == gift
    gift.refresh_from_db()
    assert gift.amount == D("100.00")
    assert services.remaining_of(gift) == D("60.00")
    assert selectors.summary(campaign)["raised"] == D("60.00")
    assert refund.receipt_number is None


def test_correction_up_and_down_counts_in_the_total(campaign, user):
    ada = donor(campaign)
    gift = give(campaign, user, "100", ada)
    services.donation_correct(original=gift, delta=D("-10.25"), reason="Typo", acting_user=user)
    services.donation_correct(original=gift, delta=D("5"), reason="Counted again", acting_user=user)
    assert selectors.summary(campaign)["raised"] == D("94.75")
    with pytest.raises(ValidationError) as error:
        services.donation_correct(original=gift, delta=D("-100"), reason="x", acting_user=user)
    assert "delta" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.donation_correct(original=gift, delta=D("3"), reason="", acting_user=user)
    assert "reason" in error.value.message_dict


def test_a_refund_or_correction_of_an_adjustment_is_refused(campaign, user):
    gift = give(campaign, user, "100", donor(campaign))
    refund = services.donation_refund(original=gift, amount=D("1"), reason="r", acting_user=user)
    with pytest.raises(ValidationError):
        services.donation_refund(original=refund, amount=D("1"), reason="r", acting_user=user)


def test_held_donation_is_approved_with_a_receipt_or_rejected_without(campaign, user):
    services.settings_update(campaign=campaign, acting_user=user, per_donor_cap=D("100"), over_limit="hold")
    ada, bob = donor(campaign), donor(campaign)
    held = give(campaign, user, "150", ada)
    assert held.status == Donation.Status.HELD and held.receipt_number is None and "cap" in held.review_reason
    assert not Message.objects.exists()
    approved = services.donation_review(donation=held, approve=True, reason="Legal advice", acting_user=user)
    assert approved.status == Donation.Status.ACCEPTED and approved.receipt_number == 1
    assert Message.objects.filter(template=services.THANK_YOU, person=ada).count() == 1

    other = give(campaign, user, "150", bob)
    rejected = services.donation_review(donation=other, approve=False, reason="Over the cap", acting_user=user)
    assert rejected.status == Donation.Status.REJECTED and rejected.receipt_number is None
    with pytest.raises(ValidationError):
        services.donation_review(donation=rejected, approve=True, reason="again", acting_user=user)
    assert selectors.summary(campaign)["raised"] == D("150.00")


def test_donor_find_or_create_matches_email_any_case_and_phone(campaign, user):
    ada = services.donor_find_or_create(
        campaign=campaign, acting_user=user, given_name="Ada", email="Ada@Example.test", phone="+85291234567"
    )
    assert (
        services.donor_find_or_create(campaign=campaign, acting_user=user, given_name="A", email="ada@example.TEST")
        == ada
    )
    assert (
        services.donor_find_or_create(campaign=campaign, acting_user=user, given_name="A", phone="+852 9123 4567")
        == ada
    )
    other = services.donor_find_or_create(campaign=campaign, acting_user=user, given_name="Bo", email="bo@example.test")
    assert other != ada
    with pytest.raises(ValidationError) as error:
        services.donor_find_or_create(campaign=campaign, acting_user=user, given_name="", email="new@example.test")
    assert "given_name" in error.value.message_dict


def test_pledge_reminder_partial_payment_and_fulfilment(campaign, user):
    ada = donor(campaign)
    due = timezone.localdate() + dt.timedelta(days=20)
    pledge = services.pledge_create(campaign=campaign, acting_user=user, donor=ada, amount=D("300"), due_on=due)
    [reminder] = Message.objects.filter(template=services.PLEDGE_REMINDER)
    assert reminder.send_at.date() == due - dt.timedelta(days=3)
    assert "300.00" in render_message(reminder).body

    give(campaign, user, "100", ada, pledge=pledge)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN
    assert services.pledge_paid_total(pledge) == D("100.00")
    give(campaign, user, "200", ada, pledge=pledge)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.FULFILLED
    reminder.refresh_from_db()
    assert reminder.cancelled_at is not None


def test_monthly_pledge_moves_on_a_month_when_paid(campaign, user):
    ada = donor(campaign)
    due = timezone.localdate() + dt.timedelta(days=10)
    pledge = services.pledge_create(
        campaign=campaign, acting_user=user, donor=ada, amount=D("50"), due_on=due, recurrence="monthly"
    )
    give(campaign, user, "50", ada, pledge=pledge)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN and pledge.due_on == services.add_months(due, 1)
    pending = Message.objects.filter(template=services.PLEDGE_REMINDER, cancelled_at=None)
    assert [m.context["due_on"] for m in pending] == [pledge.due_on.isoformat()]


def test_a_pledge_payment_from_someone_else_is_refused_and_cancel_withdraws_reminders(campaign, user):
    ada, bob = donor(campaign), donor(campaign)
    pledge = services.pledge_create(
        campaign=campaign, acting_user=user, donor=ada, amount=D("50"), due_on=timezone.localdate() + dt.timedelta(9)
    )
    with pytest.raises(ValidationError) as error:
        give(campaign, user, "50", bob, pledge=pledge)
    assert "pledge" in error.value.message_dict
    services.pledge_cancel(pledge=pledge, acting_user=user)
    assert not Message.objects.filter(template=services.PLEDGE_REMINDER, cancelled_at=None).exists()
    with pytest.raises(ValidationError):
        give(campaign, user, "50", ada, pledge=pledge)


def test_expense_is_recorded_and_appears_in_income_and_expenditure(campaign, user):
    give(campaign, user, "500", donor(campaign))
    expense = services.expense_record(
        campaign=campaign,
        acting_user=user,
        spent_on=timezone.localdate(),
        payee="Print shop",
        category="printing",
        amount=D("120.40"),
    )
    assert expense.currency == campaign.currency
    report = selectors.income_expenditure(campaign, None, None)
    assert report["income"] == D("500.00") and report["expenditure"] == D("120.40")
    assert report["balance"] == D("379.60")
    assert report["expenditure_by_category"][0]["category"] == "printing"
    with pytest.raises(ValidationError) as error:
        services.expense_record(
            campaign=campaign,
            acting_user=user,
            spent_on=timezone.localdate() + dt.timedelta(days=5),
            payee="",
            category="yachts",
            amount=D("-1"),
        )
    assert {"spent_on", "payee", "category", "amount"} <= set(error.value.message_dict)
    assert Expense.objects.count() == 1


def test_summary_by_method_week_goal_and_average(campaign, user):
    services.settings_update(campaign=campaign, acting_user=user, goal_amount=D("1000"))
    ada, bob = donor(campaign), donor(campaign)
    give(campaign, user, "100", ada, method="cash")
    give(campaign, user, "200", bob)
    give(campaign, user, "50.01", None, method="cash")
    result = selectors.summary(campaign)
    assert result["raised"] == D("350.01")
    assert result["donors"] == 2 and result["gifts"] == 3
    assert result["average_gift"] == D("116.67")
    assert {row["method"]: row["total"] for row in result["by_method"]} == {
        "cash": D("150.01"),
        "bank_transfer": D("200.00"),
    }
    assert sum(row["total"] for row in result["by_week"]) == D("350.01")
    assert result["goal_share"] == 35


def test_near_cap_and_disclosure(campaign, user):
    services.settings_update(
        campaign=campaign, acting_user=user, per_donor_cap=D("1000"), near_cap_share=80, disclosure_threshold=D("500")
    )
    ada, bob, cy = donor(campaign), donor(campaign), donor(campaign)
    give(campaign, user, "800", ada)
    give(campaign, user, "600", bob)
    give(campaign, user, "100", cy)
    near = list(selectors.donors_near_cap(campaign))
    assert near == [ada] and near[0].room == D("200.00")
    assert [p.pk for p in selectors.disclosure_list(campaign)] == [ada.pk, bob.pk]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert list(selectors.disclosure_list(campaign, end=yesterday)) == []
    totals = {p.pk: p.total for p in selectors.donor_totals(campaign)}
    assert totals == {ada.pk: D("800.00"), bob.pk: D("600.00"), cy.pk: D("100.00")}


def test_settings_update_validates_and_audits(campaign, user):
    fs = services.settings_update(
        campaign=campaign, acting_user=user, forbidden_categories="Foreign donor\n\ncompany\n", cash_cap=D("500")
    )
    assert fs.forbidden_categories == ["Foreign donor", "company"]
    assert AuditEvent.objects.filter(action="fundraising.settings_updated").count() == 1
    with pytest.raises(ValidationError):
        services.settings_update(campaign=campaign, acting_user=user, cash_cap=D("-5"))
    with pytest.raises(TypeError):
        services.settings_update(campaign=campaign, acting_user=user, nonsense=1)


def test_grant_set_adds_and_removes_and_refuses_another_campaigns_member(campaign, user, team_a, team_b):
    services.grant_set(campaign=campaign, membership=team_a.volunteer, granted=True, acting_user=user)
    assert FundraisingGrant.objects.filter(membership=team_a.volunteer).exists()
    services.grant_set(campaign=campaign, membership=team_a.volunteer, granted=False, acting_user=user)
    assert not FundraisingGrant.objects.filter(membership=team_a.volunteer).exists()
    with pytest.raises(ValidationError):
        services.grant_set(campaign=campaign, membership=team_b.volunteer, granted=True, acting_user=user)
    assert AuditEvent.objects.filter(action__startswith="fundraising.grant").count() == 2


def test_receipt_reissue_keeps_the_number_and_sends_a_copy(campaign, user):
    ada = donor(campaign, language="en")
    gift = give(campaign, user, "75", ada)
    copy = services.receipt_reissue(donation=gift, acting_user=user)
    assert copy.receipt_number == 1 and copy.receipt_copies == 1
    emails = list(Message.objects.filter(template=services.THANK_YOU).order_by("id"))
    assert len(emails) == 2
    assert "Copy of receipt 1" in render_message(emails[1]).subject
    assert "COPY" in render_message(emails[1]).body


def test_access_helpers_follow_roles_and_grants(team_a, no_scope):
    from fundraising.access import can_read, can_write

    assert can_read(team_a.owner) and can_write(team_a.coordinator)
    assert not can_read(team_a.volunteer) and not can_write(team_a.volunteer)
    services.grant_set(
        campaign=team_a.campaign, membership=team_a.volunteer, granted=True, acting_user=team_a.owner.user
    )
    assert can_read(team_a.volunteer) and not can_write(team_a.volunteer)
    with scopes_disabled():
        assert can_read(None) is False
