"""Getting one canvassing object for the current member: 404 when it is not theirs to see, 403 when they
may see it but not do this to it.

Coordinators and owners see every turf and household of their campaign. A volunteer sees a turf only
while they hold an active assignment for it, and a household only when it lies in such a turf: anything
else does not exist for them (404, not 403: a household that is not theirs should not leak that it is
there). Other parts of canvassing add their own access_* helpers below, in the same shape.
"""

from uuid import UUID

from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from campaign.access import CampaignRequest, require_role
from campaign.models import Membership, Role
from canvassing.models import Assignment, Household, SurveyQuestion, Turf


def is_coordinator(membership: Membership | None) -> bool:
    return membership is not None and membership.has_role(Role.COORDINATOR)


def support_visible(membership: Membership | None) -> bool:
    """Support levels of others' visits need a coordinator whose account has two-factor authentication
    (DESIGN: support levels need coordinator and MFA)."""
    return membership is not None and membership.has_role(Role.COORDINATOR) and is_mfa_enabled(membership.user)


def assigned_turf_ids(membership: Membership) -> QuerySet:
    """The turfs a member holds an active assignment for, as a subquery-ready values list."""
    return Assignment.objects.filter(
        campaign_id=membership.campaign_id, membership=membership, status=Assignment.Status.ACTIVE
    ).values("turf_id")


def visible_households(membership: Membership) -> QuerySet[Household]:
    """The households this member may read and log visits for."""
    households = Household.objects.filter(campaign_id=membership.campaign_id)
    if is_coordinator(membership):
        return households
    return households.filter(turf_id__in=assigned_turf_ids(membership))


def visible_turfs(membership: Membership) -> QuerySet[Turf]:
    turfs = Turf.objects.filter(campaign_id=membership.campaign_id)
    if is_coordinator(membership):
        return turfs
    return turfs.filter(pk__in=assigned_turf_ids(membership))


def access_household_for_visit(request: CampaignRequest, code: UUID) -> Household:
    """A household the member may log a visit for: any for coordinators, their assigned turfs' for volunteers."""
    return get_object_or_404(visible_households(request.membership).select_related("turf"), code=code)


def access_turf(request: CampaignRequest, code: UUID, *, write: bool = False) -> Turf:
    """A turf of the campaign; a volunteer only reaches the turfs assigned to them, and never changes one."""
    turf = get_object_or_404(visible_turfs(request.membership).select_related("leaflet_variant__item"), code=code)
    if write:
        require_role(request, Role.COORDINATOR)
    return turf


def access_assignment(request: CampaignRequest, code: UUID, *, write: bool = False) -> Assignment:
    """An assignment: coordinators see all; a volunteer only their own (others' are 404).

    `write` (withdraw, reassign) needs a coordinator; marking one's own assignment done does not."""
    assignments = Assignment.objects.filter(campaign=request.campaign).select_related("turf", "membership__user")
    if not is_coordinator(request.membership):
        assignments = assignments.filter(membership=request.membership)
    assignment = get_object_or_404(assignments, code=code)
    if write and not is_coordinator(request.membership):
        raise PermissionDenied
    return assignment


def access_survey_question(request: CampaignRequest, code: UUID) -> SurveyQuestion:
    """Questions are read by every member (on the visit form) and changed only by coordinators."""
    question = get_object_or_404(SurveyQuestion, campaign=request.campaign, code=code)
    require_role(request, Role.COORDINATOR)
    return question
