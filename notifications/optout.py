"""The opt-out link at the foot of every message: one tap stops that channel for that person.

The token is signed, not stored: it names the person (by code) and the channel, and cannot be
altered into another person's or another channel's link. It does not expire, because an old
message must still let its reader stop the next ones.
"""

from django.conf import settings
from django.core import signing

from notifications.models import Channel, Message

SALT = "notifications.opt-out"


def opt_out_token(*, person_code: str, channel: str) -> str:
    return signing.dumps({"p": str(person_code), "c": str(channel)}, salt=SALT)


def opt_out_url_for(*, campaign_slug: str, person_code: str, channel: str) -> str:
    token = opt_out_token(person_code=person_code, channel=channel)
    # The public page is another helper's; its path is fixed here so the two need not import each other.
    return f"{settings.SITE_URL.rstrip('/')}/p/{campaign_slug}/opt-out/{token}/"


def opt_out_url(message: Message) -> str:
    """The link for this message's recipient and channel; empty for a message to no known person."""
    person = message.person if message.person_id is not None else None
    if person is None:
        return ""
    return opt_out_url_for(campaign_slug=message.campaign.slug, person_code=str(person.code), channel=message.channel)


def opt_out_read(token: str) -> tuple[str, str]:
    """(person code, channel); raises signing.BadSignature for anything forged or altered."""
    data = signing.loads(token, salt=SALT)
    if not isinstance(data, dict) or data.get("c") not in Channel.values or not isinstance(data.get("p"), str):
        raise signing.BadSignature("not an opt-out token")
    return data["p"], data["c"]
