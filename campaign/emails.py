from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from campaign.models import Invitation


def send_invitation_email(*, invitation: Invitation, accept_url: str) -> None:
    """Sent in the campaign's language: the invitee has no account, so no language of their own yet."""
    campaign = invitation.campaign
    with translation.override(campaign.language):
        context = {
            "invitation": invitation,
            "campaign": campaign,
            "accept_url": accept_url,
            "role": invitation.get_role_display(),
        }
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        body = render_to_string("emails/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
