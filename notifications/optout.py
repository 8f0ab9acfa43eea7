"""The opt-out link at the foot of every message: one tap stops that channel for that person.

The token is signed, not stored: it names the person (by code) and the channel, and cannot be
altered into another person's or another channel's link. It does not expire, because an old
message must still let its reader stop the next ones.
"""

from django.conf import settings
from django.core import signing

from campaign.tokens import make_token, read_token
from notifications.models import Channel, Message

SALT = "notifications.opt-out"


CHANNEL_LETTERS = {Channel.EMAIL: "e", Channel.SMS: "s"}
_BY_LETTER = {letter: channel for channel, letter in CHANNEL_LETTERS.items()}


def opt_out_token(*, person_code: str, channel: str) -> str:
    # Short (campaign.tokens): this link ends every text message.
    return make_token(salt=SALT, code=person_code, letter=CHANNEL_LETTERS[Channel(channel)])


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
    code, letter = read_token(salt=SALT, token=token)
    if letter not in _BY_LETTER:
        raise signing.BadSignature("not an opt-out token")
    return str(code), str(_BY_LETTER[letter])
