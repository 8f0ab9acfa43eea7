"""What a review of the money code found: each case failed before its fix."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.services import api_token_create
from fundraising import services
from fundraising.models import Expense, Pledge
from notifications.models import Channel, Message
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def campaign(team_a, no_scope):
    return team_a.campaign


def test_an_html_file_is_refused_as_an_expense_receipt_through_the_api(client, team_a, campaign):
    _token, key = api_token_create(membership=team_a.coordinator, name="t")
    evil = SimpleUploadedFile("evil.html", b"<script>alert(1)</script>", content_type="text/html")
    response = client.post(
        f"/api/v1/c/{campaign.slug}/expenses/",
        {
            "spent_on": timezone.localdate().isoformat(),
            "payee": "X",
            "category": "printing",
            "amount": "10.00",
            "receipt_file": evil,
        },
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400 and "receipt_file" in response.json()
    assert not Expense.objects.exists()


def test_a_receipt_is_served_with_its_own_type_and_sandboxed(client, team_a, campaign):
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    expense = services.expense_record(
        campaign=campaign,
        acting_user=None,
        spent_on=timezone.localdate(),
        payee="Print",
        category="printing",
        amount=D("5.00"),
        receipt_file=pdf,
    )
    client.force_login(team_a.owner.user)
    response = client.get(f"/c/{campaign.slug}/fundraising/expenses/{expense.code}/receipt/")
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("due_on", [dt.date(1, 1, 1), dt.date(9999, 12, 31)])
def test_an_absurd_pledge_date_is_a_clear_refusal(campaign, due_on):
    person = PersonFactory(campaign=campaign)
    with pytest.raises(ValidationError) as excinfo:
        services.pledge_create(
            campaign=campaign, acting_user=None, donor=person, amount=D("10"), due_on=due_on, recurrence="monthly"
        )
    assert "due_on" in excinfo.value.message_dict
    assert not Pledge.objects.exists()


def test_the_near_cap_warning_share_is_at_most_100_percent(campaign):
    with pytest.raises(ValidationError):
        services.settings_update(campaign=campaign, acting_user=None, near_cap_share=1000)


def test_a_receipt_states_the_amount_after_a_correction_under_the_same_number(client, team_a, campaign):
    person = PersonFactory(campaign=campaign, consent_email=True)
    donation = services.donation_record(
        campaign=campaign,
        acting_user=None,
        amount=D("50.00"),
        received_on=timezone.localdate(),
        method="bank_transfer",
        donor=person,
    )
    services.donation_correct(original=donation, delta=D("25.00"), reason="typo", acting_user=None)
    client.force_login(team_a.owner.user)
    page = client.get(f"/c/{campaign.slug}/fundraising/donations/{donation.code}/receipt/").content.decode()
    assert "75.00" in page and f"No. {donation.receipt_number}" in page
    copy = services.receipt_reissue(donation=donation, acting_user=None)
    with scopes_disabled():
        latest = Message.objects.filter(topic=f"donation:{donation.code}").order_by("-id").first()
    assert copy.receipt_number == donation.receipt_number and latest.context["amount"] == "75.00"


def test_a_donor_who_stopped_email_is_thanked_by_text_message(campaign):
    person = PersonFactory(campaign=campaign, consent_email=False, consent_sms=True)
    services.donation_record(
        campaign=campaign,
        acting_user=None,
        amount=D("20.00"),
        received_on=timezone.localdate(),
        method="cash",
        donor=person,
    )
    assert list(Message.objects.values_list("channel", flat=True)) == [Channel.SMS]
