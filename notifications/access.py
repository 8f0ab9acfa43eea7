from uuid import UUID

from django.shortcuts import get_object_or_404

from campaign.access import CampaignRequest, require_role
from campaign.models import Role
from notifications.models import Message


def access_message(request: CampaignRequest, code: UUID) -> Message:
    """A message of the current campaign, or 404. Only coordinators see the outbox."""
    message = get_object_or_404(Message, campaign=request.campaign, code=code)
    require_role(request, Role.COORDINATOR)
    return message
