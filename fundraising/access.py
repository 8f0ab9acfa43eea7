"""Who sees the money. Coordinators and owners read and write; a volunteer reads only when the owner
granted it (FundraisingGrant); nobody else sees anything. Not a member: 404. A member without access: 403.
Exports also need two-factor authentication, and are audited (fundraising.services.export_record)."""

from functools import wraps
from typing import Any
from uuid import UUID

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from campaign.access import CampaignRequest, View
from campaign.models import Membership, Role
from fundraising.models import Donation, Expense, FundraisingGrant, Pledge


def has_grant(membership: Membership) -> bool:
    return FundraisingGrant.objects.filter(campaign_id=membership.campaign_id, membership=membership).exists()


def can_read(membership: Membership | None) -> bool:
    if membership is None:
        return False
    return membership.has_role(Role.COORDINATOR) or has_grant(membership)


def can_write(membership: Membership | None) -> bool:
    return membership is not None and membership.has_role(Role.COORDINATOR)


def can_export(request: HttpRequest) -> bool:
    """Coordinator or owner, signed in with two-factor authentication set up."""
    return can_write(getattr(request, "membership", None)) and is_mfa_enabled(request.user)


def require_fundraising(request: CampaignRequest, *, write: bool = False) -> None:
    if not (can_write(request.membership) if write else can_read(request.membership)):
        raise PermissionDenied


def fundraising_role_required(write: bool = False) -> Any:
    """Like campaign_role_required: anonymous → login, not a member → 404, no access → 403.
    read: coordinators, owners and granted volunteers; write: coordinators and owners."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, campaign_slug: str, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None:
                raise Http404
            if not (can_write(membership) if write else can_read(membership)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # The isolation matrix reads this to pick a role that is too low: a volunteer without a grant.
        wrapper.campaign_role = Role.COORDINATOR  # type: ignore[attr-defined]
        wrapper.fundraising_write = write  # type: ignore[attr-defined]
        return wrapper

    return decorator


def access_donation(request: CampaignRequest, code: UUID, *, write: bool = False) -> Donation:
    donation = get_object_or_404(
        Donation.objects.select_related("donor", "original", "pledge", "recorded_by"),
        campaign=request.campaign,
        code=code,
    )
    require_fundraising(request, write=write)
    return donation


def access_pledge(request: CampaignRequest, code: UUID, *, write: bool = False) -> Pledge:
    pledge = get_object_or_404(Pledge.objects.select_related("donor"), campaign=request.campaign, code=code)
    require_fundraising(request, write=write)
    return pledge


def access_expense(request: CampaignRequest, code: UUID, *, write: bool = False) -> Expense:
    expense = get_object_or_404(Expense, campaign=request.campaign, code=code)
    require_fundraising(request, write=write)
    return expense
