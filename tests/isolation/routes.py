"""Every URL pattern under /c/<slug>/ and /api/v1/, with what it needs to be requested.

A new URL pattern must be added here: test_every_route_is_covered fails until it is.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import scopes_disabled

from campaign.models import ApiToken, Invitation, Person, Role, hash_secret
from tests.conftest import Team


@dataclass(frozen=True)
class Route:
    """`objects` maps a URL keyword to a function giving that object's code for a team."""

    role: Role = Role.VOLUNTEER  # the least role that may GET it (or POST, for POST-only pages)
    methods: tuple[str, ...] = ("GET",)
    objects: dict[str, Callable[[Team], Any]] = field(default_factory=dict)
    campaign_wide: bool = True  # False: not under a campaign slug (checked for leaks instead)


def _membership(team: Team) -> Any:
    return team.volunteer.code


def _invitation(team: Team) -> Any:
    with scopes_disabled():
        invitation = Invitation.objects.filter(campaign=team.campaign).first()
        if invitation is None:
            from django.utils import timezone

            invitation = Invitation.objects.create(
                campaign=team.campaign,
                email=f"invitee@{team.campaign.slug}.test",
                role=Role.VOLUNTEER,
                token_hash=hash_secret(team.campaign.slug),
                expires_at=timezone.now() + Invitation.LIFETIME,
            )
        return invitation.code


def _person(team: Team) -> Any:
    with scopes_disabled():
        person = Person.objects.filter(campaign=team.campaign).first() or Person.objects.create(
            campaign=team.campaign, given_name="Ada", family_name="Lovelace", email="ada@example.test"
        )
        return person.code


def _token(team: Team) -> Any:
    """A token of the owner: routes that take a token code belong to the token's holder."""
    with scopes_disabled():
        token = ApiToken.objects.filter(membership=team.owner).first() or ApiToken.objects.create(
            campaign=team.campaign,
            membership=team.owner,
            name="t",
            key_hash=hash_secret(str(team.owner.code)),
            key_hint="gsw_xxxx",
        )
        return token.code


def _failed_message(team: Team) -> Any:
    """A message of the team's campaign that failed for good: the one thing the outbox can retry."""
    from django.utils import timezone

    from notifications.models import Message

    with scopes_disabled():
        now = timezone.now()
        message, _created = Message.objects.get_or_create(
            dedupe_key=f"isolation:failed:{team.campaign.slug}",
            defaults={
                "campaign": team.campaign,
                "channel": "email",
                "to": f"someone@{team.campaign.slug}.test",
                "template": "volunteers/shift_reminder",
                "send_at": now,
                "failed_at": now,
                "attempts": 5,
                "last_error": "SMTPRecipientsRefused",
            },
        )
        return message.code


def _api_volunteer(team: Team) -> Any:
    """The volunteer profile of the team's volunteer member (the API's volunteers/ and signups/ routes)."""
    from volunteers.models import Volunteer

    with scopes_disabled():
        user = team.volunteer.user
        person = Person.objects.filter(campaign=team.campaign, user=user).first() or Person.objects.create(
            campaign=team.campaign, user=user, given_name="Vera", email=user.email
        )
        volunteer, _created = Volunteer.objects.get_or_create(campaign=team.campaign, person=person)
        return volunteer.code


def _api_shift(team: Team) -> Any:
    import datetime as dt

    from django.utils import timezone

    from volunteers.models import Shift

    with scopes_disabled():
        shift = Shift.objects.filter(campaign=team.campaign, title="API shift").first()
        if shift is None:
            starts = timezone.now() + dt.timedelta(days=3)
            shift = Shift.objects.create(
                campaign=team.campaign,
                title="API shift",
                location="Market",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=3),
                capacity=5,
            )
        return shift.code


def _api_signup(team: Team) -> Any:
    """A confirmed signup of the team's volunteer member, so their own role reaches it."""
    from volunteers.models import Shift, Signup, Volunteer

    with scopes_disabled():
        shift = Shift.objects.get(code=_api_shift(team))
        volunteer = Volunteer.objects.get(code=_api_volunteer(team))
        signup, _created = Signup.objects.get_or_create(
            campaign=team.campaign, shift=shift, volunteer=volunteer, defaults={"status": "confirmed"}
        )
        return signup.code


def _shift(team: Team) -> Any:
    """An upcoming shift of the team's campaign (shift pages)."""
    import datetime as dt

    from django.utils import timezone

    from volunteers.models import Shift

    with scopes_disabled():
        shift = Shift.objects.filter(campaign=team.campaign, title="Isolation shift").first()
        if shift is None:
            starts = timezone.now() + dt.timedelta(days=5)
            shift = Shift.objects.create(
                campaign=team.campaign,
                title="Isolation shift",
                location="Station exit A",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
                capacity=3,
            )
        return shift.code


def _signup(team: Team) -> Any:
    """A confirmed signup of the team's volunteer member on that shift: their own, so /my/ reaches it."""
    from volunteers.models import Shift, Signup, Volunteer

    with scopes_disabled():
        shift = Shift.objects.get(code=_shift(team))
        user = team.volunteer.user
        person = Person.objects.filter(campaign=team.campaign, user=user).first() or Person.objects.create(
            campaign=team.campaign, user=user, given_name="Vic", email=user.email
        )
        volunteer, _created = Volunteer.objects.get_or_create(campaign=team.campaign, person=person)
        signup, _created = Signup.objects.get_or_create(
            campaign=team.campaign, shift=shift, volunteer=volunteer, defaults={"status": "confirmed"}
        )
        return signup.code


def _skill(team: Team) -> Any:
    from volunteers.models import Skill

    with scopes_disabled():
        skill, _created = Skill.objects.get_or_create(campaign=team.campaign, name="Isolation skill")
        return skill.code


def _roster_volunteer(team: Team) -> Any:
    """A volunteer on the team's roster (the roster pages under volunteers/<code>/)."""
    from volunteers.models import Volunteer

    with scopes_disabled():
        person = Person.objects.filter(campaign=team.campaign, given_name="Rosa", family_name="Roster").first()
        if person is None:
            person = Person.objects.create(
                campaign=team.campaign, given_name="Rosa", family_name="Roster", email=f"rosa@{team.campaign.slug}.test"
            )
        volunteer, _created = Volunteer.objects.get_or_create(campaign=team.campaign, person=person)
        return volunteer.code


def _import_batch(team: Team) -> Any:
    """An uploaded, not yet applied import of the team's owner."""
    from volunteers.importing import ParsedFile, batch_save

    parsed = ParsedFile(
        filename="isolation.csv",
        columns=["given_name", "email"],
        ignored=[],
        rows=[{"line": 2, "cells": {"given_name": "Iso", "email": f"iso@{team.campaign.slug}.test"}, "extra": False}],
    )
    return batch_save(campaign=team.campaign, user=team.owner.user, parsed=parsed)


def _fundraising_donor(team: Team) -> Any:
    with scopes_disabled():
        person, _created = Person.objects.get_or_create(
            campaign=team.campaign, email=f"donor@{team.campaign.slug}.test", defaults={"given_name": "Dana"}
        )
        return person


def _donation(team: Team) -> Any:
    """An accepted donation of the team's campaign (fundraising pages under fundraising/donations/)."""
    import datetime as dt
    from decimal import Decimal

    from fundraising.models import Donation

    with scopes_disabled():
        donation = Donation.objects.filter(campaign=team.campaign, kind="donation").first()
        if donation is None:
            donation = Donation.objects.create(
                campaign=team.campaign,
                donor=_fundraising_donor(team),
                amount=Decimal("50.00"),
                currency=team.campaign.currency,
                received_on=dt.date(2026, 1, 5),
                method="cash",
                receipt_number=1,
            )
        return donation.code


def _pledge(team: Team) -> Any:
    import datetime as dt
    from decimal import Decimal

    from fundraising.models import Pledge

    with scopes_disabled():
        pledge = Pledge.objects.filter(campaign=team.campaign).first() or Pledge.objects.create(
            campaign=team.campaign, donor=_fundraising_donor(team), amount=Decimal("100.00"), due_on=dt.date(2030, 1, 1)
        )
        return pledge.code


def _expense(team: Team) -> Any:
    import datetime as dt
    from decimal import Decimal

    from fundraising.models import Expense

    with scopes_disabled():
        expense = Expense.objects.filter(campaign=team.campaign).first() or Expense.objects.create(
            campaign=team.campaign,
            spent_on=dt.date(2026, 1, 5),
            payee="Print shop",
            category="printing",
            amount=Decimal("80.00"),
            currency=team.campaign.currency,
        )
        return expense.code


ROUTES: dict[str, Route] = {
    # pages
    "campaign:home": Route(),
    "campaign:settings": Route(role=Role.OWNER, methods=("GET", "POST")),
    "campaign:members": Route(role=Role.COORDINATOR),
    "campaign:member_role": Route(role=Role.OWNER, methods=("POST",), objects={"code": _membership}),
    "campaign:member_remove": Route(role=Role.OWNER, methods=("POST",), objects={"code": _membership}),
    "campaign:leave": Route(methods=("GET",)),
    "campaign:invitations": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "campaign:invitation_revoke": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _invitation}),
    "campaign:people": Route(role=Role.COORDINATOR),
    "campaign:person_new": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "campaign:person_edit": Route(role=Role.COORDINATOR, methods=("GET", "POST"), objects={"code": _person}),
    "campaign:audit": Route(role=Role.OWNER),
    "campaign:tokens": Route(methods=("GET", "POST")),
    "campaign:token_revoke": Route(methods=("POST",), objects={"code": _token}),  # others' tokens: 404
    "notifications:outbox": Route(role=Role.COORDINATOR),
    "notifications:message_retry": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _failed_message}),
    # shifts, my shifts, check-in, volunteer settings (volunteers/views_shifts.py, views_my.py, views_settings.py)
    "volunteers:shifts": Route(),
    "volunteers:shift_new": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "volunteers:shift_detail": Route(objects={"code": _shift}),
    "volunteers:shift_edit": Route(role=Role.COORDINATOR, methods=("GET", "POST"), objects={"code": _shift}),
    "volunteers:shift_cancel": Route(role=Role.COORDINATOR, methods=("GET", "POST"), objects={"code": _shift}),
    "volunteers:shift_poster": Route(role=Role.COORDINATOR, objects={"code": _shift}),
    "volunteers:shift_checkin": Route(methods=("GET", "POST"), objects={"code": _shift}),
    "volunteers:shift_signup": Route(methods=("POST",), objects={"code": _shift}),
    "volunteers:signup_attendance": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _signup}),
    "volunteers:signup_hours": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _signup}),
    "volunteers:signup_remove": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _signup}),
    "volunteers:my_shifts": Route(),
    "volunteers:my_signup_cancel": Route(methods=("POST",), objects={"code": _signup}),
    "volunteers:my_feed_reset": Route(methods=("POST",)),
    "volunteers:settings": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "volunteers:skill_add": Route(role=Role.COORDINATOR, methods=("POST",)),
    "volunteers:skill_edit": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _skill}),
    "volunteers:skill_remove": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _skill}),
    # the coordinators' roster (volunteers/views_roster.py)
    "volunteers:roster": Route(role=Role.COORDINATOR),
    "volunteers:volunteer_new": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "volunteers:roster_bulk": Route(role=Role.COORDINATOR, methods=("POST",)),
    "volunteers:duplicates": Route(role=Role.COORDINATOR),
    "volunteers:merge": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "volunteers:import": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "volunteers:import_preview": Route(
        role=Role.COORDINATOR, methods=("GET", "POST"), objects={"batch": _import_batch}
    ),
    "volunteers:export_csv": Route(role=Role.COORDINATOR),
    "volunteers:export_xlsx": Route(role=Role.COORDINATOR),
    "volunteers:volunteer_detail": Route(role=Role.COORDINATOR, objects={"code": _roster_volunteer}),
    "volunteers:volunteer_edit": Route(
        role=Role.COORDINATOR, methods=("GET", "POST"), objects={"code": _roster_volunteer}
    ),
    "volunteers:note_add": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _roster_volunteer}),
    # fundraising pages (fundraising/views.py, views_donations.py): COORDINATOR here means "coordinator,
    # or a volunteer the owner granted" for reading; a volunteer without a grant gets 403
    "fundraising:summary": Route(role=Role.COORDINATOR),
    "fundraising:donations": Route(role=Role.COORDINATOR),
    "fundraising:donation_new": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "fundraising:donation_detail": Route(role=Role.COORDINATOR, objects={"code": _donation}),
    "fundraising:donation_refund": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _donation}),
    "fundraising:donation_correct": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _donation}),
    "fundraising:donation_review": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _donation}),
    "fundraising:donation_receipt": Route(role=Role.COORDINATOR, objects={"code": _donation}),
    "fundraising:receipt_reissue": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _donation}),
    "fundraising:pledges": Route(role=Role.COORDINATOR),
    "fundraising:pledge_new": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "fundraising:pledge_cancel": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _pledge}),
    "fundraising:expenses": Route(role=Role.COORDINATOR),
    "fundraising:expense_new": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "fundraising:expense_detail": Route(role=Role.COORDINATOR, objects={"code": _expense}),
    "fundraising:expense_receipt": Route(role=Role.COORDINATOR, objects={"code": _expense}),
    "fundraising:settings": Route(role=Role.OWNER, methods=("GET", "POST")),
    # fundraising reports (fundraising/views_reports.py): coordinators and owners only; the CSVs also need MFA
    "fundraising_reports:reports": Route(role=Role.COORDINATOR),
    "fundraising_reports:income_csv": Route(role=Role.COORDINATOR),
    "fundraising_reports:disclosure_csv": Route(role=Role.COORDINATOR),
    # API
    "api:campaign-detail": Route(),
    "api:member-list": Route(role=Role.COORDINATOR),
    "api:member-detail": Route(
        role=Role.COORDINATOR, methods=("GET", "PATCH", "DELETE"), objects={"code": _membership}
    ),
    "api:invitation-list": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "api:invitation-detail": Route(role=Role.COORDINATOR, methods=("GET", "DELETE"), objects={"code": _invitation}),
    "api:person-list": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "api:person-detail": Route(role=Role.COORDINATOR, methods=("GET", "PATCH"), objects={"code": _person}),
    # volunteers API: where GET and POST need different roles, `role` is the lower one (the 404
    # checks cover every method; tests/volunteers/test_api*.py checks the higher one)
    "api:skill-list": Route(),
    "api:volunteer-list": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "api:volunteer-me": Route(),
    "api:volunteer-me-signups": Route(),
    "api:volunteer-detail": Route(role=Role.COORDINATOR, methods=("GET", "PATCH"), objects={"code": _api_volunteer}),
    "api:shift-list": Route(methods=("GET", "POST")),
    "api:shift-detail": Route(methods=("GET", "PATCH", "DELETE"), objects={"code": _api_shift}),
    "api:shift-signups": Route(methods=("GET", "POST"), objects={"code": _api_shift}),
    "api:shift-check-in": Route(methods=("POST",), objects={"code": _api_shift}),
    "api:signup-detail": Route(methods=("GET", "DELETE"), objects={"code": _api_signup}),
    "api:signup-attendance": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _api_signup}),
    "api:signup-hours": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _api_signup}),
    # fundraising API (fundraising/api.py): owners and coordinators only, a granted volunteer too gets 403
    "api:donation-list": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "api:donation-detail": Route(role=Role.COORDINATOR, objects={"code": _donation}),
    "api:donation-refund": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _donation}),
    "api:donation-correct": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _donation}),
    "api:donation-review": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _donation}),
    "api:pledge-list": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "api:pledge-detail": Route(role=Role.COORDINATOR, methods=("GET", "DELETE"), objects={"code": _pledge}),
    "api:expense-list": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "api:expense-detail": Route(role=Role.COORDINATOR, objects={"code": _expense}),
    "api:fundraising-progress": Route(role=Role.COORDINATOR),
    # API routes outside any campaign: they must only ever show the caller's own campaigns.
    "api:me": Route(campaign_wide=False),
    "api:my-memberships": Route(campaign_wide=False),
    "api:schema": Route(campaign_wide=False),
    "api:docs": Route(campaign_wide=False),
}


def discovered_patterns() -> dict[str, str]:
    """name → route for every named pattern under c/<slug>/ or api/v1/."""
    found: dict[str, str] = {}

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, ns)
            elif isinstance(pattern, URLPattern) and (route.startswith(("c/<slug:campaign_slug>/", "api/v1/"))):
                found[f"{namespace}{pattern.name}"] = route

    walk(get_resolver().url_patterns, "", "")
    return found


def _merge_app_routes() -> None:
    """Each app (or part of one) lists its routes in tests/isolation/routes_<part>.py as `ROUTES`,
    with its own object makers beside them, so this file does not grow with every app."""
    import importlib
    import pkgutil
    from pathlib import Path

    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name.startswith("routes_"):
            extra = importlib.import_module(f"tests.isolation.{module.name}").ROUTES
            clash = set(extra) & set(ROUTES)
            assert not clash, f"{module.name} lists routes already listed: {sorted(clash)}"
            ROUTES.update(extra)


_merge_app_routes()
