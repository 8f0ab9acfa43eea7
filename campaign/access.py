"""Getting one object of the current campaign: 404 when it is not there, 403 when the role is too low."""

from functools import wraps
from typing import Any, Protocol
from uuid import UUID

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from accounts.models import User
from campaign.models import ApiToken, Campaign, Invitation, Job, Membership, Person, Role


class CampaignRequest(HttpRequest):
    user: User
    campaign: Campaign
    membership: Membership


class View(Protocol):
    def __call__(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse: ...


def campaign_role_required(role: Role) -> Any:
    """The view needs a member of the URL's campaign with at least this role.

    Not signed in: to the login page. Not a member: 404, so a campaign's existence does not
    leak. A member whose role is too low: 403.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, campaign_slug: str, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None:
                raise Http404
            if not membership.has_role(role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.campaign_role = role  # type: ignore[attr-defined]
        return wrapper

    return decorator


def require_role(request: CampaignRequest, role: Role) -> None:
    if not request.membership.has_role(role):
        raise PermissionDenied


def access_membership(request: CampaignRequest, code: UUID, *, write: bool = False) -> Membership:
    """A member of the current campaign. Changing someone else's membership needs an owner."""
    membership = get_object_or_404(Membership.objects.select_related("user"), campaign=request.campaign, code=code)
    if write and not request.membership.has_role(Role.OWNER):
        raise PermissionDenied
    return membership


def access_invitation(request: CampaignRequest, code: UUID) -> Invitation:
    invitation = get_object_or_404(Invitation, campaign=request.campaign, code=code)
    require_role(request, Role.COORDINATOR)
    return invitation


def access_person(request: CampaignRequest, code: UUID) -> Person:
    person = get_object_or_404(Person, campaign=request.campaign, code=code)
    require_role(request, Role.COORDINATOR)
    return person


def access_api_token(request: CampaignRequest, code: UUID) -> ApiToken:
    """Only the token's own holder sees or revokes it; to anyone else it does not exist."""
    return get_object_or_404(ApiToken, campaign=request.campaign, membership=request.membership, code=code)


def access_job(request: CampaignRequest, code: UUID) -> Job:
    """A background job: its starter and the campaign's coordinators see it; to anyone else it does not exist."""
    job = get_object_or_404(Job.objects.select_related("created_by"), campaign=request.campaign, code=code)
    if job.created_by_id != request.user.pk and not request.membership.has_role(Role.COORDINATOR):
        raise Http404
    return job
