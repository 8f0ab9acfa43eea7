import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from campaign.models import Invitation, Membership, Person, Role
from campaign.services import api_token_create

pytestmark = pytest.mark.django_db


def bearer(membership) -> dict:
    with scope(campaign=membership.campaign_id):
        _token, key = api_token_create(membership=membership, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_schema_and_docs_are_served_without_a_cdn(client, team_a):
    client.force_login(team_a.owner.user)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"/api/v1/c/{campaign_slug}/members/" in schema.content
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger" in docs.lower() and "cdn" not in docs and "https://" not in docs


def test_me(client, team_a):
    response = client.get("/api/v1/me/", **bearer(team_a.volunteer))
    assert response.json()["email"] == team_a.volunteer.user.email


def test_token_sees_only_its_own_campaign_even_when_the_user_has_more(client, team_a, team_b):
    with scopes_disabled():
        second = Membership.objects.create(campaign=team_b.campaign, user=team_a.owner.user, role=Role.VOLUNTEER)
    headers = bearer(team_a.owner)
    slugs = [m["campaign"]["slug"] for m in client.get("/api/v1/memberships/", **headers).json()["results"]]
    assert slugs == [team_a.campaign.slug]
    assert client.get(f"/api/v1/c/{team_b.campaign.slug}/", **headers).status_code == 404
    client.force_login(second.user)  # with a session, every campaign of the user
    slugs = {m["campaign"]["slug"] for m in client.get("/api/v1/memberships/").json()["results"]}
    assert slugs == {team_a.campaign.slug, team_b.campaign.slug}


def test_token_carries_its_role(client, team_a):
    headers = bearer(team_a.volunteer)
    assert client.get(f"/api/v1/c/{team_a.campaign.slug}/", **headers).status_code == 200
    assert client.get(f"/api/v1/c/{team_a.campaign.slug}/members/", **headers).status_code == 403


def test_bad_tokens_are_refused(client, team_a):
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer gsw_nope").status_code == 401
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer").status_code == 401
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_members_list_and_role_change(client, team_a):
    headers = bearer(team_a.owner)
    url = f"/api/v1/c/{team_a.campaign.slug}/members/"
    members = client.get(url, **headers).json()
    assert members["count"] == 3
    detail = f"{url}{team_a.volunteer.code}/"
    response = client.patch(detail, {"role": "coordinator"}, content_type="application/json", **headers)
    assert response.status_code == 200 and response.json()["role"] == "coordinator"
    bad = client.patch(detail, {"role": "emperor"}, content_type="application/json", **headers)
    assert bad.status_code == 400


def test_last_owner_cannot_be_removed_through_the_api(client, team_a):
    headers = bearer(team_a.owner)
    response = client.delete(f"/api/v1/c/{team_a.campaign.slug}/members/{team_a.owner.code}/", **headers)
    assert response.status_code == 400 and "owner" in str(response.json())
    with scopes_disabled():
        assert Membership.objects.filter(pk=team_a.owner.pk).exists()


def test_coordinator_cannot_change_roles_through_the_api(client, team_a):
    headers = bearer(team_a.coordinator)
    response = client.patch(
        f"/api/v1/c/{team_a.campaign.slug}/members/{team_a.volunteer.code}/",
        {"role": "coordinator"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 403


def test_invite_through_the_api(client, team_a, django_capture_on_commit_callbacks):
    headers = bearer(team_a.coordinator)
    url = f"/api/v1/c/{team_a.campaign.slug}/invitations/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"email": "new@example.test", "role": "volunteer"}, content_type="application/json", **headers
        )
    assert response.status_code == 201 and len(mail.outbox) == 1
    duplicate = client.post(
        url, {"email": "new@example.test", "role": "volunteer"}, content_type="application/json", **headers
    )
    assert duplicate.status_code == 400 and "email" in duplicate.json()
    above = client.post(
        url, {"email": "boss@example.test", "role": "owner"}, content_type="application/json", **headers
    )
    assert above.status_code == 403
    code = response.json()["code"]
    assert client.delete(f"{url}{code}/", **headers).status_code == 204
    with scopes_disabled():
        assert Invitation.objects.get(code=code).revoked_at is not None


def test_people_create_and_validate(client, team_a):
    headers = bearer(team_a.coordinator)
    url = f"/api/v1/c/{team_a.campaign.slug}/people/"
    ok = client.post(
        url,
        {"given_name": "Ada", "phone": "+85291234567", "consent_email": True},
        content_type="application/json",
        **headers,
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["consent_recorded_at"] is not None
    bad = client.post(url, {"given_name": "Bob", "phone": "12"}, content_type="application/json", **headers)
    assert bad.status_code == 400 and "phone" in bad.json()
    with scope(campaign=team_a.campaign.pk):
        assert Person.objects.count() == 1
    code = ok.json()["code"]
    patched = client.patch(f"{url}{code}/", {"family_name": "Lovelace"}, content_type="application/json", **headers)
    assert patched.status_code == 200 and patched.json()["family_name"] == "Lovelace"


def test_list_endpoints_paginate_with_a_fixed_number_of_queries(client, team_a, django_assert_max_num_queries):
    from tests.factories import MembershipFactory

    headers = bearer(team_a.owner)
    url = f"/api/v1/c/{team_a.campaign.slug}/members/"
    with django_assert_max_num_queries(8):
        client.get(url, **headers)
    with scopes_disabled():
        MembershipFactory.create_batch(60, campaign=team_a.campaign)
    with django_assert_max_num_queries(8):
        body = client.get(url, **headers).json()
    assert body["count"] == 63 and len(body["results"]) == 50 and body["next"]


def test_a_member_patch_that_is_not_an_object_is_a_clear_400(client, team_a):
    headers = bearer(team_a.owner)
    response = client.patch(
        f"/api/v1/c/{team_a.campaign.slug}/members/{team_a.volunteer.code}/",
        "[]",
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400


def test_api_calls_beyond_the_rate_limit_get_429(client, team_a, settings):
    from django.core.cache import cache

    cache.clear()
    settings.API_RATE_LIMIT_USER = "3/minute"
    client.force_login(team_a.volunteer.user)
    url = reverse("api:me")
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    client.force_login(team_a.owner.user)  # counted per member
    assert client.get(url).status_code == 200
    cache.clear()
