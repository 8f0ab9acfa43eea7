"""Links in messages that work with one tap, without signing in: signed, and bound to one signup.

The token is short (campaign.tokens) because these links go into text messages. It does not
expire: every action is checked against the signup and shift as they are when it is used.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from campaign.tokens import make_token, read_token

SALT = "volunteers.signup-action"
ACTIONS = {"confirm": "c", "cancel": "x", "attended": "a", "missed": "m"}
_BY_LETTER = {letter: action for action, letter in ACTIONS.items()}


def signup_action_url(*, campaign_slug: str, signup_code: str, action: str) -> str:
    token = make_token(salt=SALT, code=signup_code, letter=ACTIONS[action])
    path = reverse("public:signup_action", kwargs={"campaign_slug": campaign_slug, "token": token})
    return settings.SITE_URL.rstrip("/") + path


def signup_action_read(token: str) -> tuple[str, str]:
    """(signup code, action); raises signing.BadSignature for anything forged or altered."""
    code, letter = read_token(salt=SALT, token=token)
    if letter not in _BY_LETTER:
        raise signing.BadSignature("unknown action")
    return str(code), _BY_LETTER[letter]
