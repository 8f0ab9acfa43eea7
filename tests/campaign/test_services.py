import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from campaign import services
from campaign.models import AuditEvent, Campaign, Invitation, Membership, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def new_campaign(owner, slug="fresh", **overrides):
    values = dict(
        owner=owner,
        name="Fresh",
        slug=slug,
        candidate_name="Lee",
        office="Council",
        election_date=timezone.localdate() + dt.timedelta(days=30),
    )
    values.update(overrides)
    return services.campaign_create(**values)


class TestCampaignCreate:
    def test_creator_becomes_owner_and_it_is_audited(self):
        user = UserFactory()
        campaign = new_campaign(user)
        with scope(campaign=campaign.pk):
            assert Membership.objects.get(campaign=campaign).role == Role.OWNER
            assert AuditEvent.objects.filter(campaign=campaign, action="campaign.created", actor=user).exists()

    def test_duplicate_slug_is_refused_and_changes_nothing(self):
        new_campaign(UserFactory(), slug="taken")
        with pytest.raises(ValidationError) as excinfo:
            new_campaign(UserFactory(), slug="taken")
        assert "slug" in excinfo.value.error_dict
        assert Campaign.objects.filter(slug="taken").count() == 1

    def test_election_in_the_past_is_refused(self):
        with pytest.raises(ValidationError):
            new_campaign(UserFactory(), election_date=timezone.localdate() - dt.timedelta(days=1))
        assert not Campaign.objects.exists()


class TestRoles:
    def test_owner_changes_a_role(self, team_a):
        with scope(campaign=team_a.campaign.pk):
            services.membership_change_role(membership=team_a.volunteer, role=Role.COORDINATOR, acting=team_a.owner)
            team_a.volunteer.refresh_from_db()
            assert team_a.volunteer.role == Role.COORDINATOR
            event = AuditEvent.objects.get(action="membership.role_changed")
            assert event.data["from"] == "volunteer" and event.data["to"] == "coordinator"

    def test_nobody_raises_their_own_role(self, team_a):
        with scope(campaign=team_a.campaign.pk), pytest.raises(PermissionDenied):
            services.membership_change_role(membership=team_a.coordinator, role=Role.OWNER, acting=team_a.coordinator)
        team_a.coordinator.refresh_from_db()
        assert team_a.coordinator.role == Role.COORDINATOR

    def test_coordinator_cannot_change_roles(self, team_a):
        with scope(campaign=team_a.campaign.pk), pytest.raises(PermissionDenied):
            services.membership_change_role(
                membership=team_a.volunteer, role=Role.COORDINATOR, acting=team_a.coordinator
            )

    def test_last_owner_cannot_step_down(self, team_a):
        with scope(campaign=team_a.campaign.pk), pytest.raises(ValidationError):
            services.membership_change_role(membership=team_a.owner, role=Role.VOLUNTEER, acting=team_a.owner)
        team_a.owner.refresh_from_db()
        assert team_a.owner.role == Role.OWNER

    def test_an_owner_may_step_down_when_another_owner_remains(self, team_a):
        with scope(campaign=team_a.campaign.pk):
            other = MembershipFactory(campaign=team_a.campaign, role=Role.OWNER)
            services.membership_change_role(membership=team_a.owner, role=Role.COORDINATOR, acting=other)
            team_a.owner.refresh_from_db()
            assert team_a.owner.role == Role.COORDINATOR


class TestMembershipEnd:
    def test_last_owner_cannot_leave(self, team_a):
        with scope(campaign=team_a.campaign.pk):
            with pytest.raises(ValidationError):
                services.membership_end(membership=team_a.owner, acting=team_a.owner)
            assert Membership.objects.filter(pk=team_a.owner.pk).exists()

    def test_member_leaves(self, team_a):
        with scope(campaign=team_a.campaign.pk):
            services.membership_end(membership=team_a.volunteer, acting=team_a.volunteer)
            assert not Membership.objects.filter(pk=team_a.volunteer.pk).exists()
            assert AuditEvent.objects.filter(action="membership.left").exists()

    def test_coordinator_cannot_remove_others(self, team_a):
        with scope(campaign=team_a.campaign.pk), pytest.raises(PermissionDenied):
            services.membership_end(membership=team_a.volunteer, acting=team_a.coordinator)


class TestInvitations:
    def invite(self, team, email="new@example.test", role=Role.VOLUNTEER, acting=None):
        with scope(campaign=team.campaign.pk):
            return services.invitation_create(
                campaign=team.campaign, email=email, role=role, acting=acting or team.owner
            )

    def test_accept_once_creates_the_membership(self, team_a):
        _invitation, token = self.invite(team_a, role=Role.COORDINATOR)
        user = UserFactory(email="new@example.test")
        membership = services.invitation_accept(token=token, user=user)
        assert membership.role == Role.COORDINATOR and membership.campaign == team_a.campaign
        with pytest.raises(ValidationError, match="already been used"):
            services.invitation_accept(token=token, user=user)

    def test_only_the_hash_of_the_token_is_stored(self, team_a):
        invitation, token = self.invite(team_a)
        assert token not in invitation.token_hash

    def test_expired_invitation_is_refused(self, team_a):
        invitation, token = self.invite(team_a)
        with scopes_disabled():
            Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        with pytest.raises(ValidationError, match="expired"):
            services.invitation_accept(token=token, user=UserFactory(email="new@example.test"))
        with scopes_disabled():
            assert Membership.objects.filter(campaign=team_a.campaign).count() == 3

    def test_revoked_invitation_is_refused(self, team_a):
        invitation, token = self.invite(team_a)
        with scope(campaign=team_a.campaign.pk):
            services.invitation_revoke(invitation=invitation, acting=team_a.owner)
        with pytest.raises(ValidationError, match="withdrawn"):
            services.invitation_accept(token=token, user=UserFactory(email="new@example.test"))

    def test_someone_else_cannot_use_the_link(self, team_a):
        _invitation, token = self.invite(team_a)
        with pytest.raises(ValidationError, match=r"new@example\.test"):
            services.invitation_accept(token=token, user=UserFactory(email="intruder@example.test"))

    def test_unknown_token(self, db):
        with pytest.raises(ValidationError, match="not valid"):
            services.invitation_accept(token="nope", user=UserFactory())

    def test_inviting_an_existing_member_is_refused(self, team_a):
        with pytest.raises(ValidationError, match="already a member"):
            self.invite(team_a, email=team_a.volunteer.user.email.upper())

    def test_second_open_invitation_to_the_same_address_is_refused(self, team_a):
        self.invite(team_a)
        with pytest.raises(ValidationError, match="already open"):
            self.invite(team_a)

    def test_an_expired_invitation_makes_way_for_a_new_one(self, team_a):
        invitation, _ = self.invite(team_a)
        with scopes_disabled():
            Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        _new, token = self.invite(team_a)
        assert services.invitation_accept(token=token, user=UserFactory(email="new@example.test"))

    def test_nobody_invites_above_their_own_role(self, team_a):
        with pytest.raises(PermissionDenied):
            self.invite(team_a, role=Role.OWNER, acting=team_a.coordinator)
        with pytest.raises(PermissionDenied):
            self.invite(team_a, acting=team_a.volunteer)


def test_api_token_key_is_shown_once_and_stored_hashed(team_a):
    with scope(campaign=team_a.campaign.pk):
        token, key = services.api_token_create(membership=team_a.volunteer, name="phone")
        assert key.startswith("gsw_") and key not in token.key_hash and token.key_hint == key[:8]


def test_person_consent_is_stamped_with_time_and_wording(team_a):
    with scope(campaign=team_a.campaign.pk):
        person = services.person_save(
            campaign=team_a.campaign,
            acting_user=team_a.owner.user,
            consent_wording="Agreed on the phone",
            given_name="Mei",
            consent_sms=True,
        )
        assert person.consent_recorded_at is not None and person.consent_wording == "Agreed on the phone"
        stamped = person.consent_recorded_at
        services.person_save(
            campaign=team_a.campaign, acting_user=team_a.owner.user, person=person, given_name="Mei-ling"
        )
        person.refresh_from_db()
        assert person.consent_recorded_at == stamped


def test_person_with_a_bad_phone_is_refused(team_a):
    with scope(campaign=team_a.campaign.pk):
        with pytest.raises(ValidationError) as excinfo:
            services.person_save(campaign=team_a.campaign, acting_user=team_a.owner.user, given_name="X", phone="12")
        assert "phone" in excinfo.value.error_dict
