"""Checking in on arrival: the QR code opens the page with the code filled in; wrong codes, no place
and the wrong time each get a clear message and change nothing."""

import datetime as dt

import pytest
from django_scopes import scopes_disabled

from campaign.models import AuditEvent
from tests.volunteers.test_shifts_helpers import add_signup, fresh, make_shift, make_volunteer, member_volunteer, url
from volunteers.models import Shift, Volunteer

pytestmark = pytest.mark.django_db


def starting_soon(campaign, **values) -> Shift:
    return make_shift(campaign, starts_in=dt.timedelta(minutes=30), **values)


class TestCheckIn:
    def test_the_qr_link_fills_in_the_code(self, client, team_a):
        shift = starting_soon(team_a.campaign)
        client.force_login(team_a.volunteer.user)
        page = client.get(url("shift_checkin", team_a.campaign, code=shift.code) + f"?code={shift.checkin_code}")
        assert f'value="{shift.checkin_code}"' in page.content.decode()
        assert shift.title in page.content.decode()

    def test_confirmed_volunteer_checks_in_and_is_marked_attended(self, client, team_a):
        shift = starting_soon(team_a.campaign)
        signup = add_signup(shift, member_volunteer(team_a.volunteer))
        client.force_login(team_a.volunteer.user)
        # Typed in lower case with a space, as people do on a phone.
        typed = f"{shift.checkin_code[:3].lower()} {shift.checkin_code[3:].lower()}"
        response = client.post(url("shift_checkin", team_a.campaign, code=shift.code), {"code": typed}, follow=True)
        page = response.content.decode()
        assert "checked in. Thank you for coming!" in page
        assert 'data-testid="checked-in"' in page
        after = fresh(signup)
        assert after.checked_in_at is not None and after.attendance == "attended"
        with scopes_disabled():
            assert Volunteer.objects.get(pk=signup.volunteer_id).status == "active"
            assert AuditEvent.objects.filter(action="signup.checked_in").count() == 1

    def test_checking_in_twice_keeps_the_first_time(self, client, team_a):
        shift = starting_soon(team_a.campaign)
        signup = add_signup(shift, member_volunteer(team_a.volunteer))
        client.force_login(team_a.volunteer.user)
        checkin = url("shift_checkin", team_a.campaign, code=shift.code)
        client.post(checkin, {"code": shift.checkin_code})
        first = fresh(signup).checked_in_at
        client.post(checkin, {"code": shift.checkin_code})
        assert fresh(signup).checked_in_at == first

    def test_a_code_from_another_shift_says_so(self, client, team_a):
        shift = starting_soon(team_a.campaign)
        other = starting_soon(team_a.campaign, title="Evening phone bank")
        with scopes_disabled():
            Shift.objects.filter(pk=other.pk).update(checkin_code="ZZZ222")
        signup = add_signup(shift, member_volunteer(team_a.volunteer))
        client.force_login(team_a.volunteer.user)
        response = client.post(url("shift_checkin", team_a.campaign, code=shift.code), {"code": "zzz222"})
        assert response.status_code == 200
        [error] = response.context["form"].errors["code"]
        assert error.startswith("That is the code of another shift: “Evening phone bank”")
        assert 'id="id_code_errors"' in response.content.decode()
        assert fresh(signup).checked_in_at is None and fresh(signup).attendance == ""

    def test_a_code_of_another_campaign_is_just_wrong(self, client, team_a, team_b):
        shift = starting_soon(team_a.campaign)
        foreign = starting_soon(team_b.campaign, title="Secret B shift")
        signup = add_signup(shift, member_volunteer(team_a.volunteer))
        client.force_login(team_a.volunteer.user)
        response = client.post(url("shift_checkin", team_a.campaign, code=shift.code), {"code": foreign.checkin_code})
        assert response.context["form"].errors["code"] == ["That code is not this shift's code."]
        assert "Secret B shift" not in response.content.decode()
        assert fresh(signup).checked_in_at is None

    @pytest.mark.parametrize("typed", ["", "ABC", "ABCDEFGHIJ"])
    def test_malformed_codes(self, client, team_a, typed):
        shift = starting_soon(team_a.campaign)
        signup = add_signup(shift, member_volunteer(team_a.volunteer))
        client.force_login(team_a.volunteer.user)
        response = client.post(url("shift_checkin", team_a.campaign, code=shift.code), {"code": typed})
        assert response.status_code == 200 and response.context["form"].errors["code"]
        assert fresh(signup).checked_in_at is None

    @pytest.mark.parametrize("status", ["waitlisted", "cancelled", None])
    def test_without_a_confirmed_place(self, client, team_a, status):
        shift = starting_soon(team_a.campaign)
        if status:
            add_signup(shift, member_volunteer(team_a.volunteer), status=status)
        client.force_login(team_a.volunteer.user)
        response = client.post(url("shift_checkin", team_a.campaign, code=shift.code), {"code": shift.checkin_code})
        assert response.status_code == 200
        assert "You have no confirmed place on this shift." in response.content.decode()
        with scopes_disabled():
            assert not shift.signups.filter(checked_in_at__isnull=False).exists()
            if status is None:
                assert not Volunteer.objects.exists()  # trying to check in makes no profile

    def test_without_a_profile_a_wrong_code_is_still_a_wrong_code(self, client, team_a):
        shift = starting_soon(team_a.campaign)
        client.force_login(team_a.volunteer.user)
        response = client.post(url("shift_checkin", team_a.campaign, code=shift.code), {"code": "QQQ999"})
        assert response.context["form"].errors["code"] == ["That code is not this shift's code."]

    @pytest.mark.parametrize(
        "starts_in",
        [dt.timedelta(hours=5), dt.timedelta(days=2), dt.timedelta(hours=-4)],
        ids=["early", "days", "over"],
    )
    def test_outside_the_window(self, client, team_a, starts_in):
        shift = make_shift(team_a.campaign, starts_in=starts_in, hours=2)
        signup = add_signup(shift, member_volunteer(team_a.volunteer))
        client.force_login(team_a.volunteer.user)
        response = client.post(url("shift_checkin", team_a.campaign, code=shift.code), {"code": shift.checkin_code})
        assert "Check-in opens two hours before the shift and closes when it ends." in response.content.decode()
        assert fresh(signup).checked_in_at is None

    def test_my_shifts_offers_check_in_when_it_is_open(self, client, team_a):
        me = member_volunteer(team_a.volunteer)
        soon = starting_soon(team_a.campaign)
        later = make_shift(team_a.campaign, starts_in=dt.timedelta(days=2))
        add_signup(soon, me)
        add_signup(later, me)
        client.force_login(team_a.volunteer.user)
        page = client.get(url("my_shifts", team_a.campaign)).content.decode()
        assert url("shift_checkin", team_a.campaign, code=soon.code) in page
        assert url("shift_checkin", team_a.campaign, code=later.code) not in page

    def test_someone_else_cannot_check_in_for_me(self, client, team_a):
        """The check-in is for the signed-in member's own place: another volunteer's confirmed place is not theirs."""
        shift = starting_soon(team_a.campaign)
        theirs = add_signup(shift, make_volunteer(team_a.campaign))
        member_volunteer(team_a.volunteer)
        client.force_login(team_a.volunteer.user)
        client.post(url("shift_checkin", team_a.campaign, code=shift.code), {"code": shift.checkin_code})
        assert fresh(theirs).checked_in_at is None
