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
