"""The law's limits: per-donor cap across every gift, anonymous cap, cash cap, forbidden donors."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaign.models import AuditEvent
from fundraising import selectors, services
from fundraising.models import Donation
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def campaign(team_a, no_scope):
    return team_a.campaign


@pytest.fixture
def user(team_a):
    return team_a.coordinator.user


def give(campaign, user, amount, who=None, method="bank_transfer", **kwargs):
    return services.donation_record(
        campaign=campaign,
        acting_user=user,
        amount=D(amount),
        received_on=timezone.localdate(),
        method=method,
        donor=who,
        **kwargs,
    )


def set_limits(campaign, user, **values):
    return services.settings_update(campaign=campaign, acting_user=user, **values)


def test_the_cap_adds_up_every_method_and_gifts_in_kind(campaign, user):
    set_limits(campaign, user, per_donor_cap=D("1000"))
    ada = PersonFactory(campaign=campaign)
    give(campaign, user, "300", ada, method="cash")
    give(campaign, user, "250.50", ada, method="cheque")
    give(campaign, user, "200", ada, method="in_kind", in_kind_description="Loudspeaker loan")
    give(campaign, user, "249.50", ada, method="online")  # exactly at the cap: allowed
    with pytest.raises(ValidationError) as error:
        give(campaign, user, "0.01", ada, method="mobile")
    message = error.value.message_dict["amount"][0]
    assert "1,000.00" in message and "0.00" in message
    assert services.donor_total(campaign=campaign, donor=ada) == D("1000.00")
    assert Donation.objects.filter(donor=ada).count() == 4


def test_another_donor_is_not_affected_by_the_first_donors_gifts(campaign, user):
    set_limits(campaign, user, per_donor_cap=D("500"))
    ada, bob = PersonFactory(campaign=campaign), PersonFactory(campaign=campaign)
    give(campaign, user, "500", ada)
    assert give(campaign, user, "500", bob).status == Donation.Status.ACCEPTED


def test_a_refund_makes_room_under_the_cap_and_a_correction_up_uses_it(campaign, user):
    set_limits(campaign, user, per_donor_cap=D("1000"))
    ada = PersonFactory(campaign=campaign)
    gift = give(campaign, user, "900", ada)
    with pytest.raises(ValidationError):
        give(campaign, user, "200", ada)
    services.donation_refund(original=gift, amount=D("150"), reason="Returned", acting_user=user)
    assert give(campaign, user, "200", ada).status == Donation.Status.ACCEPTED  # 750 + 200 = 950
    with pytest.raises(ValidationError) as error:
        services.donation_correct(original=gift, delta=D("60"), reason="Miscounted", acting_user=user)
    assert "delta" in error.value.message_dict
    services.donation_correct(original=gift, delta=D("50"), reason="Miscounted", acting_user=user)
    assert services.donor_total(campaign=campaign, donor=ada) == D("1000.00")
    with pytest.raises(ValidationError):
        give(campaign, user, "0.01", ada)


def test_a_correction_downwards_is_not_limited(campaign, user):
    set_limits(campaign, user, per_donor_cap=D("100"))
    ada = PersonFactory(campaign=campaign)
    gift = give(campaign, user, "100", ada)
    services.donation_correct(original=gift, delta=D("-30"), reason="Only 70 arrived", acting_user=user)
    assert services.donor_total(campaign=campaign, donor=ada) == D("70.00")


def test_held_donations_count_towards_the_cap_rejected_ones_do_not(campaign, user):
    set_limits(campaign, user, per_donor_cap=D("100"), over_limit="hold")
    ada = PersonFactory(campaign=campaign)
    give(campaign, user, "80", ada)
    held = give(campaign, user, "50", ada)
    assert held.status == Donation.Status.HELD
    again = give(campaign, user, "10", ada)  # 80 + 50 held + 10 > 100: held too
    assert again.status == Donation.Status.HELD
    services.donation_review(donation=held, approve=False, reason="Over the cap", acting_user=user)
    assert services.donor_total(campaign=campaign, donor=ada) == D("90.00")
    assert selectors.summary(campaign)["raised"] == D("80.00")
    assert selectors.summary(campaign)["held"] == 1


def test_anonymous_cap(campaign, user):
    set_limits(campaign, user, anonymous_cap=D("100"))
    assert give(campaign, user, "100", None).status == Donation.Status.ACCEPTED
    with pytest.raises(ValidationError) as error:
        give(campaign, user, "100.01", None)
    assert "donor" in error.value.message_dict
    set_limits(campaign, user, anonymous_cap=D("0"))
    with pytest.raises(ValidationError) as error:
        give(campaign, user, "1", None)
    assert "not allowed" in error.value.message_dict["donor"][0]
    assert Donation.objects.count() == 1


def test_anonymous_gifts_have_no_receipt_and_do_not_count_to_a_donor(campaign, user):
    gift = give(campaign, user, "10", None)
    assert gift.receipt_number is None


def test_cash_cap_applies_to_cash_only(campaign, user):
    set_limits(campaign, user, cash_cap=D("200"))
    ada = PersonFactory(campaign=campaign)
    with pytest.raises(ValidationError) as error:
        give(campaign, user, "200.01", ada, method="cash")
    assert "method" in error.value.message_dict
    assert give(campaign, user, "200.01", ada, method="bank_transfer").status == Donation.Status.ACCEPTED
    assert give(campaign, user, "200", ada, method="cash").status == Donation.Status.ACCEPTED


def test_forbidden_donor_categories_any_case(campaign, user):
    set_limits(campaign, user, forbidden_categories=["Foreign donor", "Company"])
    ada = PersonFactory(campaign=campaign)
    with pytest.raises(ValidationError) as error:
        give(campaign, user, "10", ada, donor_category="company")
    assert "donor_category" in error.value.message_dict
    assert give(campaign, user, "10", ada, donor_category="Individual").status == Donation.Status.ACCEPTED


def test_hold_mode_records_breaches_with_the_reason_but_still_refuses_bad_input(campaign, user):
    set_limits(campaign, user, cash_cap=D("50"), forbidden_categories=["company"], over_limit="hold")
    ada = PersonFactory(campaign=campaign)
    held = give(campaign, user, "60", ada, method="cash", donor_category="Company")
    assert held.status == Donation.Status.HELD
    assert "cash" in held.review_reason.lower() and "company" in held.review_reason.lower()
    assert AuditEvent.objects.get(action="donation.held").data["limits"] == ["donor_category", "method"]
    with pytest.raises(ValidationError):
        give(campaign, user, "-5", ada)


def test_no_limits_set_accepts_large_gifts(campaign, user):
    ada = PersonFactory(campaign=campaign)
    assert give(campaign, user, "99999.99", ada).status == Donation.Status.ACCEPTED
    assert list(selectors.donors_near_cap(campaign)) == []
