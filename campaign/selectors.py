"""Reads that span relations or campaigns."""

from typing import NamedTuple

from django.db.models import Count, QuerySet
from django_scopes import scopes_disabled

from accounts.models import User
from campaign.models import Campaign, Invitation, Membership, Role


def memberships_for_user(user: User) -> list[Membership]:
    """Every campaign this person belongs to. Spans campaigns on purpose: it is the switcher."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(Membership.objects.filter(user=user).select_related("campaign").order_by("campaign__name"))


class CampaignLink(NamedTuple):
    """A campaign in the navigation bar's switcher, with the member's role there."""

    campaign_id: int
    slug: str
    name: str
    role: str

    def get_role_display(self) -> str:
        return str(Role(self.role).label)


def campaign_links_for_user(user: User) -> list[CampaignLink]:
    """The switcher on every page: the campaigns this person belongs to, by name, as plain rows (no model
    instances: the bar is on every page). Spans campaigns on purpose."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        rows = (
            Membership.objects.filter(user=user)
            .order_by("campaign__name")
            .values_list("campaign_id", "campaign__slug", "campaign__name", "role")
        )
        return [CampaignLink(*row) for row in rows]


def campaign_members(campaign: Campaign) -> QuerySet[Membership]:
    return Membership.objects.filter(campaign=campaign).select_related("user").order_by("user__email")


def campaign_role_counts(campaign: Campaign) -> dict[str, int]:
    counts = dict(Membership.objects.filter(campaign=campaign).values_list("role").annotate(n=Count("id")).order_by())
    return {role: counts.get(role, 0) for role in Role.values}


def campaign_open_invitations(campaign: Campaign) -> QuerySet[Invitation]:
    return Invitation.objects.filter(campaign=campaign).select_related("invited_by").order_by("-created_at")
