"""Reads that span relations or campaigns."""

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


def campaign_members(campaign: Campaign) -> QuerySet[Membership]:
    return Membership.objects.filter(campaign=campaign).select_related("user").order_by("user__email")


def campaign_role_counts(campaign: Campaign) -> dict[str, int]:
    counts = dict(Membership.objects.filter(campaign=campaign).values_list("role").annotate(n=Count("id")).order_by())
    return {role: counts.get(role, 0) for role in Role.values}


def campaign_open_invitations(campaign: Campaign) -> QuerySet[Invitation]:
    return Invitation.objects.filter(campaign=campaign).select_related("invited_by").order_by("-created_at")
