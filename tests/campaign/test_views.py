import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from campaign.models import ApiToken, Campaign, Invitation, Membership, Person, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def campaign_form(**overrides):
    data = {
        "name": "Lee for Kowloon",
        "slug": "lee-kowloon",
        "candidate_name": "Lee",
        "office": "Council",
        "district": "Kowloon East",
        "election_date": (timezone.localdate() + dt.timedelta(days=40)).isoformat(),
        "time_zone": "Asia/Hong_Kong",
        "language": "zh-hans",
        "currency": "HKD",
        "description": "",
        "slogan": "Together",
    }
    data.update(overrides)
    return data


class TestCreateCampaign:
    def test_signed_in_person_creates_a_campaign_and_owns_it(self, client):
        user = UserFactory()
        client.force_login(user)
        response = client.post(reverse("campaign_create"), campaign_form())
        assert response.status_code == 302 and response["Location"] == "/c/lee-kowloon/"
        with scopes_disabled():
            assert Membership.objects.get(user=user).role == Role.OWNER
        page = client.get("/c/lee-kowloon/")
        assert "Lee for Kowloon" in page.content.decode()

    @pytest.mark.parametrize(
        "bad",
        [
            {"slug": "Bad Slug!"},
            {"election_date": "2001-01-01"},
            {"time_zone": "Mars/Olympus"},
            {"currency": "XXX"},
            {"name": ""},
        ],
    )
    def test_bad_input_is_shown_next_to_the_field_and_nothing_is_created(self, client, bad):
        client.force_login(UserFactory())
        response = client.post(reverse("campaign_create"), campaign_form(**bad))
        assert response.status_code == 200
        assert "invalid-feedback" in response.content.decode() or "alert-danger" in response.content.decode()
        assert not Campaign.objects.exists()

    def test_duplicate_slug_says_so(self, client, team_a):
        client.force_login(UserFactory())
        response = client.post(reverse("campaign_create"), campaign_form(slug=team_a.campaign.slug))
        assert response.status_code == 200
        assert Campaign.objects.filter(slug=team_a.campaign.slug).count() == 1

    def test_anonymous_is_asked_to_sign_in(self, client):
        assert client.get(reverse("campaign_create")).status_code == 302


class TestInvitationFlow:
    def test_invite_email_accept(self, client, team_a, django_capture_on_commit_callbacks):
        client.force_login(team_a.owner.user)
        url = reverse("campaign:invitations", kwargs={"campaign_slug": team_a.campaign.slug})
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"email": "Helper@Example.test", "role": "coordinator"})
        assert response.status_code == 302
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["helper@example.test"]
        link = re.search(r"http://testserver(/invitations/[^/\s]+/)", mail.outbox[0].body).group(1)

        invitee = UserFactory(email="helper@example.test")
        client.force_login(invitee)
        assert "Accept" in client.get(link).content.decode()
        response = client.post(link)
        assert response.status_code == 302 and response["Location"] == f"/c/{team_a.campaign.slug}/"
        with scopes_disabled():
            assert Membership.objects.get(user=invitee).role == Role.COORDINATOR
        again = client.post(link)
        assert again.status_code == 400 and "already been used" in again.content.decode()

    def test_invitation_email_is_in_the_campaigns_language(self, client, team_a, django_capture_on_commit_callbacks):
        team_a.campaign.language = "zh-hans"
        team_a.campaign.save()
        client.force_login(team_a.owner.user)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("campaign:invitations", kwargs={"campaign_slug": team_a.campaign.slug}),
                {"email": "x@example.test", "role": "volunteer"},
            )
        assert "邀请" in mail.outbox[0].subject

    def test_invalid_link_is_a_clear_404(self, client):
        response = client.get("/invitations/not-a-token/")
        assert response.status_code == 404 and "not valid" in response.content.decode()

    def test_coordinator_cannot_offer_the_owner_role(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        url = reverse("campaign:invitations", kwargs={"campaign_slug": team_a.campaign.slug})
        response = client.post(url, {"email": "boss@example.test", "role": "owner"})
        assert response.status_code == 200
        with scopes_disabled():
            assert not Invitation.objects.exists()
        assert not mail.outbox


class TestTeam:
    def test_owner_changes_role_on_the_team_page(self, client, team_a):
        client.force_login(team_a.owner.user)
        slug = team_a.campaign.slug
        response = client.post(
            reverse("campaign:member_role", kwargs={"campaign_slug": slug, "code": team_a.volunteer.code}),
            {"role": "coordinator"},
            follow=True,
        )
        assert response.status_code == 200
        team_a.volunteer.refresh_from_db()
        assert team_a.volunteer.role == Role.COORDINATOR

    def test_last_owner_gets_a_clear_message_when_leaving(self, client, team_a):
        client.force_login(team_a.owner.user)
        response = client.post(reverse("campaign:leave", kwargs={"campaign_slug": team_a.campaign.slug}), follow=True)
        assert "last owner" in response.content.decode()
        with scopes_disabled():
            assert Membership.objects.filter(pk=team_a.owner.pk).exists()

    def test_volunteer_leaves(self, client, team_a):
        client.force_login(team_a.volunteer.user)
        response = client.post(reverse("campaign:leave", kwargs={"campaign_slug": team_a.campaign.slug}))
        assert response.status_code == 302
        assert client.get(f"/c/{team_a.campaign.slug}/").status_code == 404

    def test_volunteer_does_not_see_the_team_links(self, client, team_a):
        client.force_login(team_a.volunteer.user)
        body = client.get(f"/c/{team_a.campaign.slug}/").content.decode()
        assert f"/c/{team_a.campaign.slug}/members/" not in body
        assert team_a.campaign.name in body


class TestPeople:
    def test_add_and_find_a_person(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        slug = team_a.campaign.slug
        response = client.post(
            reverse("campaign:person_new", kwargs={"campaign_slug": slug}),
            {
                "given_name": "美玲",
                "family_name": "陈",
                "email": "mei@example.test",
                "phone": "+852 9123 4567",
                "language": "zh-hans",
                "consent_sms": "on",
            },
        )
        assert response.status_code == 302
        with scope(campaign=team_a.campaign.pk):
            person = Person.objects.get()
        assert str(person.phone) == "+85291234567" and person.consent_recorded_at is not None
        listing = client.get(reverse("campaign:people", kwargs={"campaign_slug": slug}), {"q": "陈"})
        assert "陈美玲" in listing.content.decode()

    def test_invalid_phone_is_refused(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        response = client.post(
            reverse("campaign:person_new", kwargs={"campaign_slug": team_a.campaign.slug}),
            {"given_name": "X", "phone": "123"},
        )
        assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
        with scopes_disabled():
            assert not Person.objects.exists()


class TestTokens:
    def test_create_use_and_revoke(self, client, team_a):
        client.force_login(team_a.volunteer.user)
        url = reverse("campaign:tokens", kwargs={"campaign_slug": team_a.campaign.slug})
        response = client.post(url, {"name": "my phone"})
        key = re.search(r"(gsw_[A-Za-z0-9_-]+)", response.content.decode()).group(1)
        client.logout()
        api = client.get("/api/v1/memberships/", HTTP_AUTHORIZATION=f"Bearer {key}")
        assert api.status_code == 200 and api.json()["results"][0]["campaign"]["slug"] == team_a.campaign.slug
        client.force_login(team_a.volunteer.user)
        with scopes_disabled():
            token = ApiToken.objects.get()
        client.post(
            reverse("campaign:token_revoke", kwargs={"campaign_slug": team_a.campaign.slug, "code": token.code})
        )
        client.logout()
        assert client.get("/api/v1/memberships/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401

    def test_nobody_else_can_revoke_my_token(self, client, team_a):
        with scope(campaign=team_a.campaign.pk):
            from campaign.services import api_token_create

            token, _key = api_token_create(membership=team_a.volunteer, name="mine")
        client.force_login(team_a.owner.user)
        response = client.post(
            reverse("campaign:token_revoke", kwargs={"campaign_slug": team_a.campaign.slug, "code": token.code})
        )
        assert response.status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None


class TestLanguage:
    def test_user_language_wins_then_campaign_language(self, client, team_a):
        team_a.campaign.language = "zh-hans"
        team_a.campaign.save()
        user = team_a.volunteer.user
        client.force_login(user)
        assert 'lang="zh-hans"' in client.get(f"/c/{team_a.campaign.slug}/").content.decode()
        client.post(reverse("accounts:language"), {"language": "en", "next": f"/c/{team_a.campaign.slug}/"})
        user.refresh_from_db()
        assert user.language == "en"
        assert 'lang="en"' in client.get(f"/c/{team_a.campaign.slug}/").content.decode()

    def test_switch_to_chinese_translates_the_page(self, client, team_a):
        client.force_login(team_a.owner.user)
        client.post(reverse("accounts:language"), {"language": "zh-hans", "next": "/"})
        body = client.get(f"/c/{team_a.campaign.slug}/").content.decode()
        assert 'lang="zh-hans"' in body and "竞选活动" in body

    def test_anonymous_choice_is_kept_in_a_cookie(self, client):
        response = client.post(reverse("accounts:language"), {"language": "zh-hans", "next": "https://evil.test/"})
        assert response["Location"] == "/"
        assert 'lang="zh-hans"' in client.get("/").content.decode()


def test_start_page_lists_demo_accounts_only_in_demo_mode(client, settings):
    settings.DEMO_MODE = False
    assert "demo-accounts" not in client.get("/").content.decode()
    settings.DEMO_MODE = True
    assert "owner@demo.groundswell.test" in client.get("/").content.decode()


def test_switcher_lists_my_campaigns_and_shows_the_current_one(client, team_a, team_b):
    from tests.factories import MembershipFactory

    with scopes_disabled():
        MembershipFactory(campaign=team_b.campaign, user=team_a.volunteer.user)
    client.force_login(team_a.volunteer.user)
    body = client.get(f"/c/{team_b.campaign.slug}/").content.decode()
    assert team_a.campaign.name in body and team_b.campaign.name in body
    assert 'data-testid="current-campaign"' in body


def test_error_pages_render(client, team_a):
    client.force_login(team_a.volunteer.user)
    assert "Not allowed" in client.get(f"/c/{team_a.campaign.slug}/audit/").content.decode()
    assert "Not found" in client.get("/c/nothing/").content.decode()


def test_audit_log_shows_each_detail_as_a_line_to_read(client, team_a):
    from campaign.audit import log_action

    with scope(campaign=team_a.campaign.pk):
        log_action(
            campaign=team_a.campaign,
            actor=team_a.owner.user,
            action="turfs.cut",
            data={"fields": ["name", "office"], "turf_count": 12, "existing_contact": False, "series": None},
        )
    client.force_login(team_a.owner.user)
    page = client.get(reverse("campaign:audit", kwargs={"campaign_slug": team_a.campaign.slug})).content.decode()
    for line in ("Fields: name, office", "Turf count: 12", "Existing contact: no", "Series: —"):
        assert f"<div>{line}</div>" in page
    assert "{" not in page.split("turfs.cut", 1)[1].split("</tr>", 1)[0]  # no raw dict
