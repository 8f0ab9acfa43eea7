"""Public pages are not in the isolation matrix (they are not under /c/ or /api/v1/), so here:
a link made for campaign A, opened under campaign B's address, is a 404 and changes nothing."""

import datetime as dt
import hashlib
import json

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from campaign.models import Person
from notifications.optout import opt_out_url_for
from tests.factories import PersonFactory
from volunteers import services_public
from volunteers.links import signup_action_url
from volunteers.models import Shift, Volunteer
from volunteers.services import signup_create

pytestmark = [pytest.mark.django_db, pytest.mark.isolation]

BOOKKEEPING = {"last_used_at", "last_login", "last_seen_at"}


def table_checksums() -> dict[str, str]:
    """A fingerprint of every row of the tables these pages could touch."""
    sums = {}
    with scopes_disabled():
        for model in apps.get_models():
            if model._meta.app_label not in {"campaign", "accounts", "volunteers", "notifications"}:
                continue
            fields = [f.attname for f in model._meta.concrete_fields if f.name not in BOOKKEEPING]
            rows = list(model._base_manager.order_by("pk").values_list(*fields))
            sums[model._meta.label] = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()
    return sums


def under(slug: str, absolute_url: str) -> str:
    """The same link with another campaign's slug in it."""
    path = absolute_url.removeprefix(settings.SITE_URL.rstrip("/"))
    _empty, p, _slug, rest = path.split("/", 3)
    assert p == "p"
    return f"/p/{slug}/{rest}"


@pytest.fixture
def a_signup(team_a):
    campaign = team_a.campaign
    with scope(campaign=campaign.pk):
        person = PersonFactory(campaign=campaign, consent_email=True, consent_sms=True)
        volunteer = Volunteer.objects.create(campaign=campaign, person=person)
        start = timezone.now() + dt.timedelta(days=3)
        shift = Shift.objects.create(
            campaign=campaign,
            title="A's shift",
            location="A street",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=3,
            published=True,
        )
        return signup_create(shift=shift, volunteer=volunteer, acting_user=None)


def a_links(signup) -> dict[str, str]:
    campaign = signup.campaign
    person = signup.volunteer.person
    links = {
        f"action-{action}": signup_action_url(campaign_slug=campaign.slug, signup_code=str(signup.code), action=action)
        for action in ("confirm", "cancel", "attended", "missed")
    }
    links["claim"] = services_public.claim_url(person)
    for channel in ("email", "sms"):
        links[f"opt-out-{channel}"] = opt_out_url_for(
            campaign_slug=campaign.slug, person_code=str(person.code), channel=channel
        )
    return links


@pytest.mark.parametrize("signed_in_as", [None, "b_owner", "a_owner"])
def test_campaign_as_links_under_campaign_bs_address_are_not_found(client, team_a, team_b, a_signup, signed_in_as):
    if signed_in_as == "b_owner":
        client.force_login(team_b.owner.user)
    elif signed_in_as == "a_owner":
        client.force_login(team_a.owner.user)
    with scopes_disabled():
        links = a_links(a_signup)
    before = table_checksums()
    for name, link in links.items():
        url = under(team_b.campaign.slug, link)
        assert url.startswith(f"/p/{team_b.campaign.slug}/")
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 404, (name, method, response.status_code)
            assert "This link does not work" in response.content.decode()
            assert "A street" not in response.content.decode()
    assert table_checksums() == before


def test_the_same_links_work_under_their_own_campaign(client, team_a, a_signup):
    """The control for the test above: the links are good, only the address was wrong."""
    with scopes_disabled():
        links = a_links(a_signup)
    for name, link in links.items():
        response = client.get(link.removeprefix(settings.SITE_URL.rstrip("/")))
        assert response.status_code == 200, name


def test_a_public_page_shows_only_its_own_campaigns_shifts(client, team_a, team_b, a_signup):
    body = client.get(reverse("public:page", kwargs={"campaign_slug": team_b.campaign.slug})).content.decode()
    assert "A&#x27;s shift" not in body and "A's shift" not in body
    assert "A street" not in body
    body = client.get(reverse("public:page", kwargs={"campaign_slug": team_a.campaign.slug})).content.decode()
    assert "A street" in body


def test_a_signup_under_b_never_touches_as_people(client, team_a, team_b):
    """The same email in two campaigns is two people: a signup in B neither finds nor updates A's."""
    with scope(campaign=team_a.campaign.pk):
        PersonFactory(campaign=team_a.campaign, given_name="A-side", email="shared@example.test")
    before_a = _people(team_a)
    response = client.post(
        reverse("public:join", kwargs={"campaign_slug": team_b.campaign.slug}),
        {"given_name": "B-side", "email": "shared@example.test", "language": "en", "consent": "on"},
    )
    assert response.status_code == 302 and "again" not in response["Location"]
    assert _people(team_a) == before_a
    with scope(campaign=team_b.campaign.pk):
        assert Person.objects.get(campaign=team_b.campaign).given_name == "B-side"


def test_a_skill_of_campaign_a_cannot_be_given_to_bs_volunteer(team_a, team_b):
    with scope(campaign=team_a.campaign.pk):
        services_public.program_for(team_a.campaign)
        a_skill = team_a.campaign.skills.first()
    with scope(campaign=team_b.campaign.pk):
        volunteer, _created = services_public.volunteer_signup_public(
            campaign=team_b.campaign,
            given_name="B",
            email="b@example.test",
            skills=[a_skill],
            consent=True,
            wording="ok",
            ip="10.0.0.1",
        )
        assert volunteer.skills.count() == 0


def _people(team) -> list:
    with scopes_disabled():
        return list(Person.objects.filter(campaign=team.campaign).order_by("pk").values())
