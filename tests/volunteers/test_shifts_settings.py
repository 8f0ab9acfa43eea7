"""The campaign's volunteer settings page: reminders, cancel-by, thank-you, signup form, consent, skills."""

import pytest
from django_scopes import scopes_disabled

from campaign.models import AuditEvent
from tests.volunteers.test_shifts_helpers import make_shift, make_volunteer, page_messages, url
from volunteers.models import DEFAULT_SKILLS, Shift, Skill, VolunteerSettings, VolunteerSkill
from volunteers.services import program_for

pytestmark = pytest.mark.django_db


def settings_form(**overrides) -> dict:
    data = {
        "reminder_hours": "48, 3",
        "cancel_by_hours": "6",
        "thank_you": "",
        "signup_open": "on",
        "consent_text": "  I agree to hear from the campaign.  ",
    }
    data.update(overrides)
    return data


def program(campaign) -> VolunteerSettings:
    with scopes_disabled():
        return VolunteerSettings.objects.get(campaign=campaign)


class TestSettings:
    def test_shows_current_values_and_the_standard_skills(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        page = client.get(url("settings", team_a.campaign)).content.decode()
        assert 'value="24, 2"' in page
        for name in DEFAULT_SKILLS:
            assert name in page

    @pytest.mark.parametrize("member", ["owner", "coordinator"])
    def test_owner_or_coordinator_saves(self, client, team_a, member):
        client.force_login(getattr(team_a, member).user)
        response = client.post(url("settings", team_a.campaign), settings_form(), follow=True)
        assert "Volunteer settings saved." in page_messages(response)
        saved = program(team_a.campaign)
        assert saved.reminder_hours == [48, 3]
        assert saved.reminder_offsets() == [48, 3]
        assert (saved.cancel_by_hours, saved.thank_you, saved.signup_open) == (6, False, True)
        assert saved.consent_text == "I agree to hear from the campaign."
        with scopes_disabled():
            event = AuditEvent.objects.get(action="volunteers.settings.updated")
        assert set(event.data["fields"]) == {"reminder_hours", "cancel_by_hours", "thank_you", "consent_text"}

    def test_full_width_commas_and_duplicates(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        client.post(url("settings", team_a.campaign), settings_form(reminder_hours="2，24, 2"))
        assert program(team_a.campaign).reminder_hours == [24, 2]

    @pytest.mark.parametrize(
        ("bad", "field", "message"),
        [
            ({"reminder_hours": "0"}, "reminder_hours", "0 is out of range"),
            ({"reminder_hours": "24, 337"}, "reminder_hours", "337 is out of range"),
            ({"reminder_hours": "-1"}, "reminder_hours", "-1 is out of range"),
            ({"reminder_hours": "a day"}, "reminder_hours", "is not a whole number of hours"),
            ({"reminder_hours": ""}, "reminder_hours", "Give at least one reminder time"),
            ({"reminder_hours": " , "}, "reminder_hours", "Give at least one reminder time"),
            ({"reminder_hours": "1,2,3,4,5,6"}, "reminder_hours", "At most five reminders."),
            ({"cancel_by_hours": "-1"}, "cancel_by_hours", "Use 0 to 336 hours."),
            ({"cancel_by_hours": "400"}, "cancel_by_hours", "Use 0 to 336 hours."),
        ],
    )
    def test_bad_input_is_shown_next_to_the_field_and_saves_nothing(self, client, team_a, bad, field, message):
        client.force_login(team_a.coordinator.user)
        response = client.post(url("settings", team_a.campaign), settings_form(**bad))
        assert response.status_code == 200
        assert any(message in error for error in response.context["form"].errors[field])
        assert f'id="id_{field}_errors"' in response.content.decode()
        saved = program(team_a.campaign)
        assert (saved.reminder_hours, saved.cancel_by_hours, saved.consent_text) == ([24, 2], 12, "")


class TestSkills:
    def test_add_rename_remove(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        response = client.post(
            url("skill_add", team_a.campaign), {"new-name": "  Cantonese   interpreting "}, follow=True
        )
        assert "Skill “Cantonese interpreting” added." in page_messages(response)
        with scopes_disabled():
            skill = Skill.objects.get(campaign=team_a.campaign, name="Cantonese interpreting")
            assert skill.position == len(DEFAULT_SKILLS)  # at the end of the list

        prefix = f"skill-{skill.code}"
        client.post(url("skill_edit", team_a.campaign, code=skill.code), {f"{prefix}-name": "Interpreting"})
        with scopes_disabled():
            assert Skill.objects.get(pk=skill.pk).name == "Interpreting"

        client.post(url("skill_remove", team_a.campaign, code=skill.code))
        with scopes_disabled():
            assert not Skill.objects.filter(pk=skill.pk).exists()

    def test_duplicate_names_are_refused_next_to_the_field(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        client.get(url("settings", team_a.campaign))  # the standard skills
        response = client.post(url("skill_add", team_a.campaign), {"new-name": "driving"})
        assert response.status_code == 200
        assert "There is already a skill called “driving”." in response.content.decode()
        with scopes_disabled():
            driving = Skill.objects.get(campaign=team_a.campaign, name="Driving")
            design = Skill.objects.get(campaign=team_a.campaign, name="Design")
            assert Skill.objects.filter(campaign=team_a.campaign).count() == len(DEFAULT_SKILLS)
        prefix = f"skill-{design.code}"
        response = client.post(url("skill_edit", team_a.campaign, code=design.code), {f"{prefix}-name": "DRIVING"})
        assert response.status_code == 200 and f'id="id_{prefix}-name_errors"' in response.content.decode()
        with scopes_disabled():
            assert Skill.objects.get(pk=design.pk).name == "Design"
            assert Skill.objects.get(pk=driving.pk).name == "Driving"

    def test_empty_name_is_refused(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        response = client.post(url("skill_add", team_a.campaign), {"new-name": "   "})
        assert response.status_code == 200 and 'id="id_new-name_errors"' in response.content.decode()

    def test_removing_a_required_skill_clears_it_from_shifts_and_volunteers(self, client, team_a):
        with scopes_disabled():
            program_for(team_a.campaign)
            driving = Skill.objects.get(campaign=team_a.campaign, name="Driving")
            shift = make_shift(team_a.campaign, required_skill=driving)
            other = make_shift(team_a.campaign)
            volunteer = make_volunteer(team_a.campaign)
            VolunteerSkill.objects.create(campaign=team_a.campaign, volunteer=volunteer, skill=driving)
        client.force_login(team_a.coordinator.user)
        page = client.get(url("settings", team_a.campaign)).content.decode()
        assert "required by 1 shift" in page and "1 volunteer" in page

        response = client.post(url("skill_remove", team_a.campaign, code=driving.code), follow=True)
        assert "Skill “Driving” removed. One shift no longer requires a skill." in page_messages(response)
        with scopes_disabled():
            assert Shift.objects.get(pk=shift.pk).required_skill is None
            assert Shift.objects.filter(pk__in=[shift.pk, other.pk]).count() == 2  # the shifts stay
            assert not VolunteerSkill.objects.filter(volunteer=volunteer).exists()
            assert AuditEvent.objects.get(action="skill.removed").data["shifts_cleared"] == 1
