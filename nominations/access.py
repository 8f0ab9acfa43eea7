"""Getting one drive, sheet, signature or household for a nominations page.

Another campaign's object: 404. Drives, signatures and reviews are for coordinators and owners (403
for a volunteer). A volunteer reaches only the sheets checked out to them now; any other sheet does
not exist for them (404), so sheet numbers and who holds them do not leak.
"""

from uuid import UUID

from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from campaign.access import CampaignRequest, require_role
from campaign.models import Role
from canvassing.models import Household
from nominations.models import Drive, Sheet, Signature
from nominations.selectors import can_sign_at_door


def is_coordinator(request: CampaignRequest) -> bool:
    return request.membership.has_role(Role.COORDINATOR)


def can_export(request: HttpRequest) -> bool:
    """Coordinator or owner, signed in with two-factor authentication set up."""
    membership = getattr(request, "membership", None)
    return membership is not None and membership.has_role(Role.COORDINATOR) and is_mfa_enabled(request.user)


def access_drive(request: CampaignRequest, code: UUID, *, coordinator: bool = True) -> Drive:
    drive = get_object_or_404(Drive, campaign=request.campaign, code=code)
    if coordinator:
        require_role(request, Role.COORDINATOR)
    return drive


def access_sheet(request: CampaignRequest, code: UUID, *, write: bool = False) -> Sheet:
    sheet = get_object_or_404(
        Sheet.objects.select_related("drive", "checked_out_to__user", "collector__user"),
        campaign=request.campaign,
        code=code,
    )
    if is_coordinator(request):
        return sheet
    if write:
        raise PermissionDenied
    if sheet.status != Sheet.Status.CHECKED_OUT or sheet.checked_out_to_id != request.membership.pk:
        raise Http404
    return sheet


def access_signature(request: CampaignRequest, code: UUID) -> Signature:
    signature = get_object_or_404(
        Signature.objects.select_related("drive", "sheet"), campaign=request.campaign, code=code
    )
    require_role(request, Role.COORDINATOR)
    return signature


def access_door_household(request: CampaignRequest, code: UUID) -> Household:
    """A household the member may collect a signature at: a coordinator any, a volunteer those of the
    turfs actively assigned to them (others: 404, as on the visit screen, so a household's code does not
    tell a volunteer that it exists)."""
    household = get_object_or_404(Household.objects.select_related("area"), campaign=request.campaign, code=code)
    if not can_sign_at_door(request.membership, household):
        raise Http404
    return household
