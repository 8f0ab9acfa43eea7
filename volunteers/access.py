"""Getting one volunteer-app object of the current campaign: 404 when absent, 403 when the role is too low."""

from uuid import UUID

from django.shortcuts import get_object_or_404

from campaign.access import CampaignRequest, require_role
from campaign.models import Role
from volunteers.models import Shift, Signup, Volunteer


def access_volunteer(request: CampaignRequest, code: UUID) -> Volunteer:
    volunteer = get_object_or_404(Volunteer.objects.select_related("person"), campaign=request.campaign, code=code)
    require_role(request, Role.COORDINATOR)
    return volunteer


def access_shift(request: CampaignRequest, code: UUID, *, write: bool = False) -> Shift:
    """Any member may see a shift of their campaign; changing it needs a coordinator."""
    shift = get_object_or_404(Shift, campaign=request.campaign, code=code)
    if write:
        require_role(request, Role.COORDINATOR)
    return shift


def access_signup(request: CampaignRequest, code: UUID, *, own: bool = False) -> Signup:
    """A coordinator reaches every signup; with own=True a volunteer reaches only their own
    (anyone else's is a 404, so nothing tells them it exists)."""
    signup = get_object_or_404(
        Signup.objects.select_related("shift", "volunteer__person"), campaign=request.campaign, code=code
    )
    if own and not request.membership.has_role(Role.COORDINATOR):
        mine = my_volunteer(request)
        if mine is None or signup.volunteer_id != mine.pk:
            raise_not_found()
    elif not own:
        require_role(request, Role.COORDINATOR)
    return signup


def my_volunteer(request: CampaignRequest) -> Volunteer | None:
    """The signed-in member's own volunteer profile in this campaign, if they have one."""
    return (
        Volunteer.objects.select_related("person").filter(campaign=request.campaign, person__user=request.user).first()
    )


def raise_not_found() -> None:
    from django.http import Http404

    raise Http404
