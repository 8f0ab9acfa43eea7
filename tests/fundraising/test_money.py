"""Money is Decimal end to end, totals match to the cent, and bad input changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign.models import AuditEvent, Campaign
from fundraising import selectors, services
from fundraising.models import Donation, Expense, Pledge, ReceiptCounter
from notifications.models import Message
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

D = Decimal
METHODS = [m for m in Donation.Method.values if m != Donation.Method.IN_KIND] + [Donation.Method.IN_KIND]

operation = st.one_of(
    st.tuples(
        st.just("give"),
        st.integers(min_value=1, max_value=50_000_000),  # cents: 0.01 to 500,000.00
        st.integers(min_value=-1, max_value=2),  # donor index, -1 anonymous
        st.sampled_from(METHODS),
    ),
    st.tuples(st.just("refund"), st.integers(min_value=1, max_value=50_000_000), st.integers(0, 50), st.just("")),
    st.tuples(st.just("correct"), st.integers(-5_000_000, 5_000_000), st.integers(0, 50), st.just("")),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=25))
def test_totals_match_the_exact_decimal_sum_to_the_cent(team_a, no_scope, operations):
    campaign, user = team_a.campaign, team_a.coordinator.user
    with transaction.atomic():  # each example starts from an empty ledger
        donors = [PersonFactory(campaign=campaign) for _ in range(3)]
        gifts: list[Donation] = []
        left: list[Decimal] = []
        expected = D("0")
        for op, cents, index, method in operations:
            value = D(cents) / 100
            if op == "give":
                gift = services.donation_record(
                    campaign=campaign,
                    acting_user=user,
                    amount=value,
                    received_on=timezone.localdate() - dt.timedelta(days=cents % 60),
                    method=method,
                    donor=donors[index] if index >= 0 else None,
                    in_kind_description="Goods" if method == Donation.Method.IN_KIND else "",
                )
                gifts.append(gift)
                left.append(value)
                expected += value
            elif gifts and op == "refund":
                i = index % len(gifts)
                amount = min(value, left[i])
                if amount <= 0:
                    continue
                refund = services.donation_refund(original=gifts[i], amount=amount, reason="r", acting_user=user)
                assert refund.amount == -amount
                left[i] -= amount
                expected -= amount
            elif gifts and op == "correct":
                i = index % len(gifts)
                delta = max(value, -left[i])
                if delta == 0:
                    continue
                services.donation_correct(original=gifts[i], delta=delta, reason="c", acting_user=user)
                left[i] += delta
                expected += delta

        result = selectors.summary(campaign)
        assert isinstance(result["raised"], Decimal)
        assert result["raised"] == expected
        assert str(result["raised"]) == str(expected.quantize(D("0.01")))
        assert sum((row["total"] for row in result["by_method"]), D(0)) == expected
        assert sum((row["total"] for row in result["by_week"]), D(0)) == expected
        assert selectors.income_expenditure(campaign, None, None)["income"] == expected
        named = sum((p.total for p in selectors.donor_totals(campaign)), D(0))
        anonymous = sum((left[i] for i, g in enumerate(gifts) if g.donor_id is None), D(0))
        assert named + anonymous == expected
        for i, gift in enumerate(gifts):
            assert services.remaining_of(gift) == left[i]
        transaction.set_rollback(True)


@pytest.fixture
def campaign(team_a, no_scope):
    return team_a.campaign


@pytest.fixture
def user(team_a):
    return team_a.coordinator.user


def snapshot(campaign):
    counter = ReceiptCounter.objects.filter(campaign=campaign).first()
    return (
        Donation.objects.count(),
        AuditEvent.objects.count(),
        Message.objects.count(),
        Pledge.objects.count(),
        Expense.objects.count(),
        counter.last_number if counter else 0,
    )


def record(campaign, user, **overrides):
    values = {
        "campaign": campaign,
        "acting_user": user,
        "amount": D("10"),
        "received_on": timezone.localdate(),
        "method": "cash",
        "donor": PersonFactory(campaign=campaign, consent_email=True),
    }
    values.update(overrides)
    return services.donation_record(**values)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"amount": D("-5")}, "amount", "more than zero"),
        ({"amount": D("0")}, "amount", "more than zero"),
        ({"amount": D("0.00")}, "amount", "more than zero"),
        ({"amount": D("10.005")}, "amount", "two decimals"),
        ({"amount": D("0.001")}, "amount", "two decimals"),
        ({"amount": 10.5}, "amount", "two decimals"),
        ({"amount": "ten"}, "amount", "number"),
        ({"amount": D("NaN")}, "amount", "number"),
        ({"amount": D("1E+12")}, "amount", "too large"),
        ({"received_on": timezone.localdate() + dt.timedelta(days=2)}, "received_on", "future"),
        ({"method": "barter"}, "method", "how"),
        ({"method": "in_kind"}, "in_kind_description", "what was given"),
    ],
)
def test_bad_donation_input_is_refused_with_a_clear_message_and_changes_nothing(
    campaign, user, overrides, field, words
):
    record(campaign, user)  # one good donation first: receipt 1 taken
    before = snapshot(campaign)
    with pytest.raises(ValidationError) as error:
        record(campaign, user, **overrides)
    assert words in error.value.message_dict[field][0]
    assert snapshot(campaign) == before


def test_a_donor_over_the_cap_changes_nothing(campaign, user):
    services.settings_update(campaign=campaign, acting_user=user, per_donor_cap=D("100"))
    ada = PersonFactory(campaign=campaign, consent_email=True)
    record(campaign, user, donor=ada, amount=D("90"))
    before = snapshot(campaign)
    with pytest.raises(ValidationError) as error:
        record(campaign, user, donor=ada, amount=D("10.01"))
    assert "at most" in error.value.message_dict["amount"][0]
    assert snapshot(campaign) == before


def test_a_refund_larger_than_the_donation_changes_nothing(campaign, user):
    gift = record(campaign, user, amount=D("50"))
    services.donation_refund(original=gift, amount=D("20"), reason="Part", acting_user=user)
    before = snapshot(campaign)
    for amount in (D("30.01"), D("0"), D("-1"), D("1.234")):
        with pytest.raises(ValidationError) as error:
            services.donation_refund(original=gift, amount=amount, reason="Too much", acting_user=user)
        assert "amount" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.donation_refund(original=gift, amount=D("31"), reason="x", acting_user=user)
    assert "30.00" in error.value.message_dict["amount"][0]
    assert snapshot(campaign) == before
    services.donation_refund(original=gift, amount=D("30"), reason="Rest", acting_user=user)
    assert services.remaining_of(gift) == D("0.00")


def test_an_unknown_currency_is_refused_and_changes_nothing(campaign, user):
    Campaign.objects.filter(pk=campaign.pk).update(currency="XYZ")
    campaign.refresh_from_db()
    before = snapshot(campaign)
    with pytest.raises(ValidationError) as error:
        record(campaign, user)
    assert "XYZ" in error.value.messages[0]
    assert snapshot(campaign) == before


def test_amounts_are_stored_and_read_back_as_decimals(campaign, user):
    gift = record(campaign, user, amount="19.90")
    gift = Donation.objects.get(pk=gift.pk)
    assert isinstance(gift.amount, Decimal) and gift.amount == D("19.90")
    assert isinstance(selectors.summary(campaign)["average_gift"], Decimal)
    assert isinstance(selectors.income_expenditure(campaign, None, None)["balance"], Decimal)


def test_bad_pledge_and_expense_input_change_nothing(campaign, user):
    ada = PersonFactory(campaign=campaign)
    before = snapshot(campaign)
    for amount in (D("0"), D("-1"), D("1.001")):
        with pytest.raises(ValidationError):
            services.pledge_create(
                campaign=campaign, acting_user=user, donor=ada, amount=amount, due_on=timezone.localdate()
            )
        with pytest.raises(ValidationError):
            services.expense_record(
                campaign=campaign,
                acting_user=user,
                spent_on=timezone.localdate(),
                payee="Shop",
                category="other",
                amount=amount,
            )
    assert snapshot(campaign) == before
