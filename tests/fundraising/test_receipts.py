"""Receipt numbers: sequential per campaign, no gaps, kept on re-issue."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fundraising import services
from fundraising.models import Donation
from notifications.models import Message
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

D = Decimal


def give(campaign, user, amount, who, method="bank_transfer"):
    return services.donation_record(
        campaign=campaign,
        acting_user=user,
        amount=D(amount),
        received_on=timezone.localdate(),
        method=method,
        donor=who,
    )


def test_numbers_are_sequential_per_campaign_and_skip_nothing(team_a, team_b, no_scope):
    a, b = team_a.campaign, team_b.campaign
    user_a, user_b = team_a.owner.user, team_b.owner.user
    services.settings_update(campaign=a, acting_user=user_a, cash_cap=D("100"))
    ada, bob = PersonFactory(campaign=a), PersonFactory(campaign=a)
    give(a, user_a, "10", ada)
    give(a, user_a, "10", None)  # anonymous: no receipt, no number used
    with pytest.raises(ValidationError):
        give(a, user_a, "500", bob, method="cash")  # refused: no number used
    give(b, user_b, "10", PersonFactory(campaign=b))
    give(a, user_a, "10", bob)
    numbers_a = sorted(n for n in Donation.objects.filter(campaign=a).values_list("receipt_number", flat=True) if n)
    assert numbers_a == [1, 2]
    assert list(Donation.objects.filter(campaign=b).values_list("receipt_number", flat=True)) == [1]


def test_a_held_donation_gets_the_next_number_only_when_approved(team_a, no_scope):
    campaign, user = team_a.campaign, team_a.owner.user
    services.settings_update(campaign=campaign, acting_user=user, per_donor_cap=D("100"), over_limit="hold")
    ada, bob = PersonFactory(campaign=campaign), PersonFactory(campaign=campaign)
    held = give(campaign, user, "150", ada)
    assert held.receipt_number is None
    assert give(campaign, user, "20", bob).receipt_number == 1
    assert services.donation_review(donation=held, approve=True, reason="ok", acting_user=user).receipt_number == 2


def test_reissue_keeps_the_number_counts_copies_and_refuses_without_a_receipt(team_a, no_scope):
    campaign, user = team_a.campaign, team_a.owner.user
    ada = PersonFactory(campaign=campaign, consent_email=True)
    gift = give(campaign, user, "40", ada)
    services.receipt_reissue(donation=gift, acting_user=user)
    again = services.receipt_reissue(donation=gift, acting_user=user)
    assert again.receipt_number == gift.receipt_number == 1 and again.receipt_copies == 2
    assert give(campaign, user, "1", ada).receipt_number == 2  # a copy does not use a number
    copies = Message.objects.filter(template=services.THANK_YOU, context__copy=True)
    assert copies.count() == 2
    anonymous = give(campaign, user, "5", None)
    with pytest.raises(ValidationError):
        services.receipt_reissue(donation=anonymous, acting_user=user)
    refund = services.donation_refund(original=gift, amount=D("40"), reason="r", acting_user=user)
    assert refund.receipt_number is None
