"""The public side: the campaign's page, signing up without an account, claiming an account,
one-tap links from reminders, and opting out of a channel."""

import datetime as dt
import json
import re
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail, signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from campaign.models import AuditEvent, Membership, Person, Role
from notifications.models import Channel, Message
from notifications.optout import opt_out_url_for
from notifications.rendering import render_message
from notifications.sending import send_due
from notifications.services import message_enqueue
from tests.factories import PersonFactory, UserFactory
from volunteers import services_public
from volunteers.links import signup_action_url
from volunteers.models import Shift, Signup, Skill, Volunteer, VolunteerNote
from volunteers.services import program_for, signup_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the rate limit lives in the cache, which outlives each test's database
    yield
    cache.clear()


def public(campaign, name, **kwargs):
    return reverse(f"public:{name}", kwargs={"campaign_slug": campaign.slug, **kwargs})


def form_data(**overrides):
    data = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "ada@example.test",
        "phone": "9123 4567",  # a Hong Kong campaign: the country code is optional
        "language": "en",
        "neighbourhood": "Kowloon City",
        "available_evenings": "on",
        "tshirt_size": "M",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def counts():
    with scopes_disabled():
        return {
            "people": Person.objects.count(),
            "volunteers": Volunteer.objects.count(),
            "messages": Message.objects.count(),
        }


def skill_codes(campaign, *names):
    with scope(campaign=campaign.pk):
        program_for(campaign)
        return [str(Skill.objects.get(campaign=campaign, name=name).code) for name in names]


def make_shift(campaign, *, starts_in=dt.timedelta(days=3), hours=3, **values):
    starts_at = timezone.now() + starts_in
    defaults = {
        "title": "Door knocking",
        "location": "Exit A, Kowloon Tong MTR",
        "capacity": 5,
        "published": True,
    }
    with scope(campaign=campaign.pk):
        return Shift.objects.create(
            campaign=campaign,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=hours),
            **{**defaults, **values},
        )


def make_volunteer(campaign, **person_values):
    with scope(campaign=campaign.pk):
        person = PersonFactory(campaign=campaign, consent_email=True, consent_sms=True, language="en", **person_values)
        return Volunteer.objects.create(campaign=campaign, person=person)


def signup_for(shift, volunteer):
    with scope(campaign=shift.campaign_id):
        return signup_create(shift=shift, volunteer=volunteer, acting_user=None)


# --- the campaign's public page ---------------------------------------------------------------------


class TestPublicPage:
    def test_shows_the_candidate_and_only_published_upcoming_shifts_in_the_campaigns_time(self, client, team_a):
        campaign = team_a.campaign
        campaign.slogan = "Clean streets, open books"
        campaign.description = "We knock on every door."
        campaign.save()
        # 02:00 UTC is 10:00 in Hong Kong, the campaign's time zone.
        day = timezone.now().date() + dt.timedelta(days=5)
        start = dt.datetime.combine(day, dt.time(2, 0), tzinfo=dt.UTC)
        make_shift(campaign, title="Morning canvass", starts_in=start - timezone.now())
        make_shift(campaign, title="Secret planning", published=False)
        make_shift(campaign, title="Called off", cancelled_at=timezone.now())
        make_shift(campaign, title="Long gone", starts_in=-dt.timedelta(days=2))

        response = client.get(public(campaign, "page"))

        assert response.status_code == 200
        body = response.content.decode()
        assert campaign.candidate_name in body and campaign.office in body
        assert "Clean streets, open books" in body and "We knock on every door." in body
        assert "Morning canvass" in body
        assert "10 a.m." in body  # shown in Hong Kong time, not UTC
        for hidden in ("Secret planning", "Called off", "Long gone"):
            assert hidden not in body
        assert f'href="{public(campaign, "join")}"' in body
        assert "5 places left" in body

    def test_an_unknown_campaign_is_not_found(self, client, team_a):
        assert client.get("/p/no-such-campaign/").status_code == 404
        assert client.get("/p/no-such-campaign/join/").status_code == 404

    def test_loads_nothing_from_another_host(self, client, team_a):
        make_shift(team_a.campaign)
        for name in ("page", "join"):
            body = client.get(public(team_a.campaign, name)).content.decode()
            assert not re.search(r'(src|href)="(https?:)?//', body), name

    def test_a_visitor_picks_the_language_else_the_campaigns_language_is_used(self, client, team_a):
        team_a.campaign.language = "zh-hans"
        team_a.campaign.save()
        assert 'lang="zh-hans"' in client.get(public(team_a.campaign, "page")).content.decode()
        client.post(reverse("accounts:language"), {"language": "en", "next": "/"})
        assert 'lang="en"' in client.get(public(team_a.campaign, "page")).content.decode()

    def test_the_page_runs_the_same_queries_for_few_and_many_shifts(
        self, client, team_a, django_assert_max_num_queries, settings
    ):
        settings.VOLUNTEER_PUBLIC_PAGE_CACHE_SECONDS = 0  # count what rendering it from the database takes
        campaign = team_a.campaign
        volunteers = [make_volunteer(campaign) for _ in range(6)]
        make_shift(campaign)
        client.get(public(campaign, "page"))  # creates the volunteer settings once
        with django_assert_max_num_queries(6) as small:
            client.get(public(campaign, "page"))
        for n in range(40):
            shift = make_shift(campaign, title=f"Shift {n}", starts_in=dt.timedelta(days=2, hours=n))
            for volunteer in volunteers[: n % 6]:
                signup_for(shift, volunteer)
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client.get(public(campaign, "page"))
        body = response.content.decode()
        assert "Page 1 of 2" in body
        assert "Shift 5<" in body and "Shift 30<" not in body  # 25 a page, soonest first
        assert "Full: waiting list" in body and "4 places left" in body  # capacity 5; 5 and 1 signed up
        assert "Shift 30<" in client.get(public(campaign, "page") + "?page=2").content.decode()

    def test_places_left_count_only_confirmed_signups(self, client, team_a, settings):
        settings.VOLUNTEER_PUBLIC_PAGE_CACHE_SECONDS = 0
        shift = make_shift(team_a.campaign, capacity=2)
        first, second, third = (make_volunteer(team_a.campaign) for _ in range(3))
        signup_for(shift, first)
        assert "1 place left" in client.get(public(team_a.campaign, "page")).content.decode()
        signup_for(shift, second)
        signup_for(shift, third)  # waiting list
        assert "Full: waiting list" in client.get(public(team_a.campaign, "page")).content.decode()

    def test_the_content_is_cached_for_a_few_seconds_for_every_visitor(
        self, client, team_a, settings, django_assert_max_num_queries
    ):
        settings.VOLUNTEER_PUBLIC_PAGE_CACHE_SECONDS = 10
        make_shift(team_a.campaign, title="First shift")
        assert "First shift" in client.get(public(team_a.campaign, "page")).content.decode()
        make_shift(team_a.campaign, title="Second shift")
        with django_assert_max_num_queries(1):  # the campaign, from the middleware
            body = client.get(public(team_a.campaign, "page")).content.decode()
        assert "First shift" in body and "Second shift" not in body
        cache.clear()  # as when the interval is over
        assert "Second shift" in client.get(public(team_a.campaign, "page")).content.decode()


# --- the signup form --------------------------------------------------------------------------------


class TestJoinForm:
    def test_the_form_asks_in_english(self, client, team_a):
        body = client.get(public(team_a.campaign, "join")).content.decode()
        for label in ("Given name", "Family name", "Email", "Mobile phone", "Preferred language", "Weekdays"):
            assert label in body
        assert "Canvassing" in body and "Translation" in body  # the campaign's skills
        assert "I agree that Campaign A may contact me" in body
        assert 'name="website"' in body  # the honeypot
        assert 'type="tel" name="phone"' in body  # phones show the number pad

    def test_the_form_asks_in_chinese_for_a_chinese_campaign(self, client, team_a):
        team_a.campaign.language = "zh-hans"
        team_a.campaign.save()
        body = client.get(public(team_a.campaign, "join")).content.decode()
        assert 'lang="zh-hans"' in body
        for label in ("名", "姓", "电子邮件", "社区"):
            assert f">{label}" in body
        assert '<option value="zh-hans" selected>' in body  # the preferred language starts as the page's

    def test_a_signup_creates_a_person_and_volunteer_with_consent_and_a_confirmation(self, client, team_a):
        campaign = team_a.campaign
        codes = skill_codes(campaign, "Canvassing", "Driving")

        response = client.post(public(campaign, "join"), form_data(skills=codes))

        assert response.status_code == 302 and response["Location"] == public(campaign, "thanks")
        assert "Thank you for signing up!" in client.get(response["Location"]).content.decode()
        with scope(campaign=campaign.pk):
            person = Person.objects.get()
            volunteer = Volunteer.objects.get()
            assert (person.given_name, person.family_name, person.email) == ("Ada", "Lovelace", "ada@example.test")
            assert person.phone.as_e164 == "+85291234567"
            assert person.neighbourhood == "Kowloon City" and person.language == "en"
            assert person.consent_email and person.consent_sms and person.consent_recorded_at
            assert person.consent_wording.startswith("I agree that Campaign A may contact me")
            assert volunteer.person == person and volunteer.source == "signup"
            assert volunteer.available_evenings and not volunteer.available_weekdays
            assert volunteer.tshirt_size == "M"
            assert sorted(s.name for s in volunteer.skills.all()) == ["Canvassing", "Driving"]
            messages = {m.channel: m for m in Message.objects.all()}
            assert set(messages) == {Channel.EMAIL, Channel.SMS}
            assert messages[Channel.SMS].to == "+85291234567"
            event = AuditEvent.objects.get(action="volunteer.signed_up")
        assert event.object_code == str(volunteer.code)
        audit_text = json.dumps(event.data)
        for personal in ("Ada", "Lovelace", "ada@", "9123", "Kowloon"):
            assert personal not in audit_text

    def test_the_confirmation_is_in_the_volunteers_language_with_a_claim_link(self, client, team_a):
        campaign = team_a.campaign
        client.post(public(campaign, "join"), form_data(language="zh-hans", phone=""))
        with scope(campaign=campaign.pk):
            message = Message.objects.get()
        assert message.language == "zh-hans" and message.template == "volunteers/welcome"
        claim_path = message.context["claim_url"].removeprefix(settings.SITE_URL.rstrip("/"))
        assert claim_path.startswith(f"/p/{campaign.slug}/claim/")

        assert send_due() == 1
        (email,) = mail.outbox
        assert email.to == ["ada@example.test"]
        assert message.context["claim_url"] in email.body
        assert "/opt-out/" in email.body  # every message says how to stop them
        # The link works: it opens the claim page for this person.
        assert "Ada" in client.get(claim_path).content.decode()

    def test_the_welcome_text_message_carries_the_claim_link(self, client, team_a):
        client.post(public(team_a.campaign, "join"), form_data(email=""))
        with scope(campaign=team_a.campaign.pk):
            message = Message.objects.get()
            rendered = render_message(message)
        assert message.channel == Channel.SMS
        assert message.context["claim_url"] in rendered.body

    @pytest.mark.parametrize(
        ("bad", "field", "error"),
        [
            ({"phone": "12345"}, "phone", "This is not a valid phone number"),
            ({"phone": "+852 9123 45678 9"}, "phone", "This is not a valid phone number"),
            ({"email": "ada@"}, "email", "This is not a valid email address"),
            ({"email": "", "phone": ""}, "email", "Give an email address or a mobile number, or both."),
            ({"consent": None}, "consent", "Please agree to be contacted, or we cannot sign you up."),
            ({"given_name": ""}, "given_name", "This field is required."),
            ({"skills": ["6f1f3c52-0d5e-4a8e-9d3c-1c2b3a4d5e6f"]}, "skills", "Select a valid choice"),
        ],
    )
    def test_bad_input_is_shown_next_to_the_field_and_nothing_is_stored(self, client, team_a, bad, field, error):
        before = counts()
        response = client.post(public(team_a.campaign, "join"), form_data(**bad))
        assert response.status_code == 200
        body = response.content.decode()
        match = re.search(rf'id="id_{field}_errors">(.*?)</div></div>', body, re.S)
        assert match and error in match.group(1), body
        assert counts() == before

    def test_another_campaigns_skill_is_refused(self, client, team_a, team_b):
        (other,) = skill_codes(team_b.campaign, "Driving")
        before = counts()
        response = client.post(public(team_a.campaign, "join"), form_data(skills=[other]))
        assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
        assert counts() == before

    def test_the_honeypot_pretends_success_and_stores_nothing(self, client, team_a):
        before = counts()
        response = client.post(public(team_a.campaign, "join"), form_data(website="https://spam.test"))
        assert response.status_code == 302 and response["Location"] == public(team_a.campaign, "thanks")
        assert counts() == before

    def test_too_many_signups_from_one_address_are_refused(self, client, team_a, settings):
        settings.VOLUNTEER_SIGNUP_RATE_LIMIT = 2
        for n in range(2):
            response = client.post(
                public(team_a.campaign, "join"), form_data(email=f"v{n}@example.test", phone=f"+852 9123 456{n}")
            )
            assert response.status_code == 302
        before = counts()
        response = client.post(public(team_a.campaign, "join"), form_data(email="v9@example.test", phone=""))
        assert response.status_code == 429
        assert "Too many signups from your connection" in response.content.decode()
        assert counts() == before
        # Another address is not held back.
        response = client.post(
            public(team_a.campaign, "join"), form_data(email="v9@example.test", phone=""), REMOTE_ADDR="10.1.2.3"
        )
        assert response.status_code == 302

    def test_a_closed_form_says_so_and_takes_nothing(self, client, team_a):
        with scope(campaign=team_a.campaign.pk):
            program = program_for(team_a.campaign)
            program.signup_open = False
            program.save()
        assert "Volunteer signup is closed" in client.get(public(team_a.campaign, "join")).content.decode()
        assert "Volunteer with us" not in client.get(public(team_a.campaign, "page")).content.decode()
        before = counts()
        response = client.post(public(team_a.campaign, "join"), form_data())
        assert "Volunteer signup is closed" in response.content.decode()
        assert counts() == before

    def test_the_campaigns_own_consent_wording_is_stored(self, client, team_a):
        with scope(campaign=team_a.campaign.pk):
            program = program_for(team_a.campaign)
            program.consent_text = "Yes, text me about the campaign."
            program.save()
        assert "Yes, text me about the campaign." in client.get(public(team_a.campaign, "join")).content.decode()
        client.post(public(team_a.campaign, "join"), form_data())
        with scope(campaign=team_a.campaign.pk):
            assert Person.objects.get().consent_wording == "Yes, text me about the campaign."


class TestRepeatSignup:
    def test_the_same_form_posted_twice_makes_one_person_and_one_welcome(self, client, team_a):
        url = public(team_a.campaign, "join")
        first = client.post(url, form_data())
        second = client.post(url, form_data())
        assert first["Location"] == public(team_a.campaign, "thanks")
        assert second["Location"] == public(team_a.campaign, "thanks") + "?again=1"
        assert counts() == {"people": 1, "volunteers": 1, "messages": 2}  # one email and one SMS, once
        assert "We already had you — your details are updated." in client.get(second["Location"]).content.decode()

    def test_a_repeat_by_email_in_other_case_updates_and_merges(self, client, team_a):
        campaign = team_a.campaign
        canvassing, driving = skill_codes(campaign, "Canvassing", "Driving")
        client.post(public(campaign, "join"), form_data(phone="", skills=[canvassing], available_evenings="on"))
        response = client.post(
            public(campaign, "join"),
            form_data(
                email="ADA@Example.TEST",
                phone="+852 6123 4567",
                given_name="Augusta Ada",
                available_evenings=None,
                available_weekends="on",
                skills=[driving],
                tshirt_size="L",
                language="zh-hans",
            ),
        )
        assert response["Location"].endswith("?again=1")
        with scope(campaign=campaign.pk):
            person = Person.objects.get()
            volunteer = Volunteer.objects.get()
            assert person.given_name == "Augusta Ada" and person.language == "zh-hans"
            assert person.phone.as_e164 == "+85261234567" and person.consent_sms  # filled in where empty
            # Availability and skills are added to, never taken away by a second signup.
            assert volunteer.available_evenings and volunteer.available_weekends
            assert sorted(s.name for s in volunteer.skills.all()) == ["Canvassing", "Driving"]
            assert volunteer.tshirt_size == "L"
            # History: the old name is kept for the coordinators.
            assert "Ada" in VolunteerNote.objects.get(volunteer=volunteer).body
            assert AuditEvent.objects.filter(action="volunteer.signed_up_again").count() == 1

    def test_a_repeat_by_phone_written_differently_updates_the_same_person(self, client, team_a):
        campaign = team_a.campaign
        client.post(public(campaign, "join"), form_data(email="", phone="+852 9123 4567"))
        response = client.post(public(campaign, "join"), form_data(email="new@example.test", phone="91234567"))
        assert response["Location"].endswith("?again=1")
        with scope(campaign=campaign.pk):
            person = Person.objects.get()
            assert person.email == "new@example.test" and person.consent_email
            assert Volunteer.objects.count() == 1

    def test_a_repeat_never_replaces_an_address_on_record_and_tells_only_the_known_one(self, client, team_a):
        """Anyone can type anyone's email here: a new phone for a known email must not get the claim link."""
        campaign = team_a.campaign
        client.post(public(campaign, "join"), form_data(phone="+852 9123 4567"))
        with scopes_disabled():
            Message.objects.all().update(created_at=timezone.now() - dt.timedelta(hours=1))
        client.post(public(campaign, "join"), form_data(phone="+852 5123 4567"))
        with scope(campaign=campaign.pk):
            person = Person.objects.get()
            assert person.phone.as_e164 == "+85291234567"
            assert "+85251234567" in VolunteerNote.objects.get().body
            newest = Message.objects.order_by("-id").first()
            assert newest.channel == Channel.EMAIL and newest.context["again"] is True
            assert not Message.objects.filter(to="+85251234567").exists()

    def test_an_existing_contact_becomes_a_volunteer_without_a_second_person(self, client, team_a):
        with scope(campaign=team_a.campaign.pk):
            PersonFactory(campaign=team_a.campaign, email="ada@example.test", phone="")
        response = client.post(public(team_a.campaign, "join"), form_data())
        assert response["Location"].endswith("?again=1")
        assert counts()["people"] == 1 and counts()["volunteers"] == 1


# --- claiming an account ----------------------------------------------------------------------------


def signed_up_person(client, campaign, **overrides):
    client.post(public(campaign, "join"), form_data(**overrides))
    with scope(campaign=campaign.pk):
        return Person.objects.get(email=overrides.get("email", "ada@example.test"))


class TestClaim:
    def test_without_an_account_the_page_offers_sign_up_and_sign_in_coming_back_here(self, client, team_a):
        person = signed_up_person(client, team_a.campaign)
        url = public(team_a.campaign, "claim", token=services_public.claim_token(person))
        body = client.get(url).content.decode()
        assert f"{reverse('account_signup')}?next={url.replace(':', '%3A')}" in body
        assert f"{reverse('account_login')}?next={url.replace(':', '%3A')}" in body
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        with scope(campaign=team_a.campaign.pk):
            assert Person.objects.get(pk=person.pk).user is None

    def test_claiming_links_the_account_and_makes_a_volunteer_member(self, client, team_a):
        person = signed_up_person(client, team_a.campaign)
        user = UserFactory()
        client.force_login(user)
        url = public(team_a.campaign, "claim", token=services_public.claim_token(person))
        assert "Link my account" in client.get(url).content.decode()

        response = client.post(url)

        assert response.status_code == 302 and response["Location"] == f"/c/{team_a.campaign.slug}/"
        with scope(campaign=team_a.campaign.pk):
            assert Person.objects.get(pk=person.pk).user == user
            assert Membership.objects.get(user=user).role == Role.VOLUNTEER
            assert AuditEvent.objects.filter(action="volunteer.claimed", actor=user).exists()
        assert client.get(f"/c/{team_a.campaign.slug}/").status_code == 200

    def test_the_link_opened_again_says_it_is_done(self, client, team_a):
        person = signed_up_person(client, team_a.campaign)
        user = UserFactory()
        client.force_login(user)
        url = public(team_a.campaign, "claim", token=services_public.claim_token(person))
        client.post(url)
        body = client.get(url).content.decode()
        assert "Your account is already linked" in body and "Link my account" not in body
        client.post(url)  # a second tap changes nothing
        with scope(campaign=team_a.campaign.pk):
            assert Membership.objects.filter(user=user).count() == 1
            assert AuditEvent.objects.filter(action="volunteer.claimed").count() == 1

    def test_an_account_with_another_volunteer_profile_here_is_refused(self, client, team_a):
        person = signed_up_person(client, team_a.campaign)
        other = make_volunteer(team_a.campaign)
        with scope(campaign=team_a.campaign.pk):
            Person.objects.filter(pk=other.person_id).update(user=team_a.volunteer.user)
        client.force_login(team_a.volunteer.user)
        response = client.post(public(team_a.campaign, "claim", token=services_public.claim_token(person)))
        assert response.status_code == 400 and "another volunteer profile" in response.content.decode()
        with scope(campaign=team_a.campaign.pk):
            assert Person.objects.get(pk=person.pk).user is None

    def test_a_member_who_claims_keeps_their_role(self, client, team_a):
        person = signed_up_person(client, team_a.campaign)
        client.force_login(team_a.coordinator.user)
        client.post(public(team_a.campaign, "claim", token=services_public.claim_token(person)))
        with scope(campaign=team_a.campaign.pk):
            assert Membership.objects.get(pk=team_a.coordinator.pk).role == Role.COORDINATOR
            assert Membership.objects.filter(user=team_a.coordinator.user).count() == 1
            assert Person.objects.get(pk=person.pk).user == team_a.coordinator.user

    def test_a_profile_linked_to_someone_else_cannot_be_claimed(self, client, team_a):
        person = signed_up_person(client, team_a.campaign)
        owner = UserFactory()
        with scope(campaign=team_a.campaign.pk):
            Person.objects.filter(pk=person.pk).update(user=owner)
        intruder = UserFactory()
        client.force_login(intruder)
        response = client.post(public(team_a.campaign, "claim", token=services_public.claim_token(person)))
        assert response.status_code == 400
        assert "already linked to another account" in response.content.decode()
        with scope(campaign=team_a.campaign.pk):
            assert Person.objects.get(pk=person.pk).user == owner
            assert not Membership.objects.filter(user=intruder).exists()

    def test_a_forged_or_expired_claim_link_is_not_found(self, client, team_a):
        person = signed_up_person(client, team_a.campaign)
        token = services_public.claim_token(person)
        forged = public(team_a.campaign, "claim", token=token[:-2] + "xx")
        response = client.get(forged)
        assert response.status_code == 404 and "This link does not work" in response.content.decode()
        later = timezone.now().timestamp() + 31 * 24 * 3600
        with mock.patch("django.core.signing.time.time", return_value=later):
            response = client.get(public(team_a.campaign, "claim", token=token))
        assert response.status_code == 404


# --- one-tap links ----------------------------------------------------------------------------------


def action_path(signup, action):
    url = signup_action_url(campaign_slug=signup.campaign.slug, signup_code=str(signup.code), action=action)
    return url.removeprefix(settings.SITE_URL.rstrip("/"))


class TestSignupActions:
    def test_confirm_shows_one_button_then_says_see_you_there(self, client, team_a):
        signup = signup_for(make_shift(team_a.campaign), make_volunteer(team_a.campaign))
        page = client.get(action_path(signup, "confirm")).content.decode()
        assert "Door knocking" in page and "Yes, I will be there" in page
        response = client.post(action_path(signup, "confirm"))
        assert response.status_code == 200 and "see you there" in response.content.decode()
        with scope(campaign=team_a.campaign.pk):
            assert AuditEvent.objects.filter(action="signup.reconfirmed", object_code=str(signup.code)).exists()

    def test_cancel_before_the_cancel_by_time_frees_the_place(self, client, team_a):
        signup = signup_for(make_shift(team_a.campaign), make_volunteer(team_a.campaign))
        assert "Cancel my place" in client.get(action_path(signup, "cancel")).content.decode()
        response = client.post(action_path(signup, "cancel"))
        assert response.status_code == 200 and "Your place is cancelled" in response.content.decode()
        with scope(campaign=team_a.campaign.pk):
            assert Signup.objects.get(pk=signup.pk).status == Signup.Status.CANCELLED

    def test_cancel_after_the_cancel_by_time_is_refused_clearly(self, client, team_a):
        shift = make_shift(team_a.campaign, starts_in=dt.timedelta(hours=3))  # cancel-by is 12 hours
        signup = signup_for(shift, make_volunteer(team_a.campaign))
        response = client.post(action_path(signup, "cancel"))
        assert response.status_code == 400
        assert "Cancelling is possible until 12 hours before the start" in response.content.decode()
        with scope(campaign=team_a.campaign.pk):
            assert Signup.objects.get(pk=signup.pk).status == Signup.Status.CONFIRMED

    def test_attended_is_recorded_when_nothing_is_yet(self, client, team_a):
        shift = make_shift(team_a.campaign)
        signup = signup_for(shift, make_volunteer(team_a.campaign))
        with scope(campaign=team_a.campaign.pk):
            Shift.objects.filter(pk=shift.pk).update(
                starts_at=timezone.now() - dt.timedelta(hours=4), ends_at=timezone.now() - dt.timedelta(hours=1)
            )
        response = client.post(action_path(signup, "attended"))
        assert response.status_code == 200 and "Thank you for telling us" in response.content.decode()
        with scope(campaign=team_a.campaign.pk):
            assert Signup.objects.get(pk=signup.pk).attendance == Signup.Attendance.ATTENDED
            assert Volunteer.objects.get(pk=signup.volunteer_id).status == Volunteer.Status.ACTIVE

    def test_the_coordinators_marking_wins_over_the_self_report(self, client, team_a):
        shift = make_shift(team_a.campaign)
        signup = signup_for(shift, make_volunteer(team_a.campaign))
        with scope(campaign=team_a.campaign.pk):
            Shift.objects.filter(pk=shift.pk).update(
                starts_at=timezone.now() - dt.timedelta(hours=4), ends_at=timezone.now() - dt.timedelta(hours=1)
            )
            Signup.objects.filter(pk=signup.pk).update(attendance=Signup.Attendance.NO_SHOW)
        response = client.post(action_path(signup, "attended"))
        assert "already recorded" in response.content.decode()
        with scope(campaign=team_a.campaign.pk):
            assert Signup.objects.get(pk=signup.pk).attendance == Signup.Attendance.NO_SHOW

    def test_missed_before_the_shift_started_is_refused(self, client, team_a):
        signup = signup_for(make_shift(team_a.campaign), make_volunteer(team_a.campaign))
        response = client.post(action_path(signup, "missed"))
        assert response.status_code == 400 and "has not started yet" in response.content.decode()
        with scope(campaign=team_a.campaign.pk):
            assert Signup.objects.get(pk=signup.pk).attendance == ""

    def test_a_forged_link_is_not_found_with_a_clear_page(self, client, team_a):
        signup = signup_for(make_shift(team_a.campaign), make_volunteer(team_a.campaign))
        path = action_path(signup, "cancel")
        for bad in (path.replace("/s/", "/s/x"), path[:-3] + "AA/"):
            response = client.post(bad)
            assert response.status_code == 404 and "This link does not work" in response.content.decode()
        with scope(campaign=team_a.campaign.pk):
            assert Signup.objects.get(pk=signup.pk).status == Signup.Status.CONFIRMED
        # A token of another kind (an opt-out token) is no signup link either.
        other = signing.dumps({"s": str(signup.code), "a": "cancel"}, salt="notifications.opt-out", compress=True)
        assert client.post(public(team_a.campaign, "signup_action", token=other)).status_code == 404


# --- opting out -------------------------------------------------------------------------------------


class TestOptOut:
    def test_stopping_text_messages_withdraws_the_unsent_ones_and_keeps_email(self, client, team_a):
        campaign = team_a.campaign
        volunteer = make_volunteer(campaign)
        person = volunteer.person
        signup_for(make_shift(campaign), volunteer)  # reminders on both channels
        with scope(campaign=campaign.pk):
            sent = message_enqueue(
                campaign=campaign, channel=Channel.SMS, template="x", dedupe_key="old", person=person
            )
            Message.objects.filter(pk=sent.pk).update(sent_at=timezone.now())
            pending_sms = Message.objects.filter(channel=Channel.SMS, sent_at=None).count()
            pending_email = Message.objects.filter(channel=Channel.EMAIL, cancelled_at=None).count()
        assert pending_sms and pending_email
        path = opt_out_url_for(campaign_slug=campaign.slug, person_code=str(person.code), channel="sms")
        path = path.removeprefix(settings.SITE_URL.rstrip("/"))

        page = client.get(path).content.decode()
        assert f"Stop text messages from {campaign.name}?" in page
        response = client.post(path)

        assert response.status_code == 200 and "You will get no more text messages" in response.content.decode()
        with scope(campaign=campaign.pk):
            person.refresh_from_db()
            assert not person.consent_sms and person.consent_email
            assert not Message.objects.filter(channel=Channel.SMS, sent_at=None, cancelled_at=None).exists()
            assert Message.objects.filter(channel=Channel.EMAIL, cancelled_at=None).count() == pending_email
            assert Message.objects.get(pk=sent.pk).cancelled_at is None  # what went out stays on record
            assert (
                message_enqueue(campaign=campaign, channel=Channel.SMS, template="x", dedupe_key="new", person=person)
                is None
            )
            assert AuditEvent.objects.filter(action="person.opted_out", data__channel="sms").count() == 1
        # Tapping the link again changes nothing more.
        client.post(path)
        with scope(campaign=campaign.pk):
            assert AuditEvent.objects.filter(action="person.opted_out").count() == 1

    def test_stopping_emails(self, client, team_a):
        person = make_volunteer(team_a.campaign).person
        path = opt_out_url_for(campaign_slug=team_a.campaign.slug, person_code=str(person.code), channel="email")
        path = path.removeprefix(settings.SITE_URL.rstrip("/"))
        assert "Stop emails from" in client.get(path).content.decode()
        client.post(path)
        with scope(campaign=team_a.campaign.pk):
            person.refresh_from_db()
            assert not person.consent_email and person.consent_sms

    def test_a_stranger_signing_up_with_the_address_does_not_undo_the_opt_out(self, client, team_a):
        """Anyone can type anyone's address into the public form: it must not switch email back on."""
        campaign = team_a.campaign
        client.post(public(campaign, "join"), form_data(phone=""))
        with scope(campaign=campaign.pk):
            person = Person.objects.get()
        path = opt_out_url_for(campaign_slug=campaign.slug, person_code=str(person.code), channel="email")
        client.post(path.removeprefix(settings.SITE_URL.rstrip("/")))
        with scope(campaign=campaign.pk):
            before = Message.objects.filter(cancelled_at=None, sent_at=None).count()
        client.post(public(campaign, "join"), form_data(phone="", given_name="Mallory"))
        with scope(campaign=campaign.pk):
            person.refresh_from_db()
            assert not person.consent_email
            assert Message.objects.filter(cancelled_at=None, sent_at=None).count() == before  # no welcome mail

    def test_a_forged_opt_out_link_is_not_found(self, client, team_a):
        response = client.post(public(team_a.campaign, "opt_out", token="abc:def"))
        assert response.status_code == 404 and "This link does not work" in response.content.decode()


class TestSignupService:
    """The service on its own, as another caller (an import, the API) would use it."""

    def signup(self, campaign, **values):
        defaults = {"given_name": "Ada", "consent": True, "wording": "I agree", "ip": "10.0.0.1"}
        with scope(campaign=campaign.pk):
            return services_public.volunteer_signup_public(campaign=campaign, **{**defaults, **values})

    def test_phone_numbers_written_differently_are_the_same_person(self, team_a):
        first, created = self.signup(team_a.campaign, phone="9123 4567")
        again, created_again = self.signup(team_a.campaign, phone="+852 9123-4567")
        assert created and not created_again and first.pk == again.pk
        with scope(campaign=team_a.campaign.pk):
            assert Person.objects.get().phone.as_e164 == "+85291234567"

    @pytest.mark.parametrize(
        "values",
        [{"phone": "123"}, {"email": "", "phone": ""}, {"consent": False}, {"given_name": "  "}],
    )
    def test_bad_values_are_refused_and_nothing_is_stored(self, team_a, values):
        before = counts()
        with pytest.raises(ValidationError):
            self.signup(team_a.campaign, **{"email": "ada@example.test", **values})
        assert counts() == before

    def test_a_repeat_audits_field_names_never_values(self, team_a):
        self.signup(team_a.campaign, email="ada@example.test", neighbourhood="Mong Kok")
        self.signup(team_a.campaign, email="ada@example.test", given_name="Adelaide", neighbourhood="Tai Po")
        with scope(campaign=team_a.campaign.pk):
            event = AuditEvent.objects.get(action="volunteer.signed_up_again")
            assert event.data["changed"] == ["given_name", "neighbourhood"]
            text = json.dumps(event.data)
            assert "Adelaide" not in text and "Tai Po" not in text and "Mong Kok" not in text
            note = VolunteerNote.objects.get().body
            assert "Ada" in note and "Mong Kok" in note  # the previous values, for the coordinators
