"""Links in messages that work with one tap, without signing in: signed, and bound to one signup."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "volunteers.signup-action"
ACTIONS = ("confirm", "cancel", "attended", "missed")
MAX_AGE = 60 * 60 * 24 * 60  # a link from a reminder stays usable for two months


def signup_action_url(*, campaign_slug: str, signup_code: str, action: str) -> str:
    token = signing.dumps({"s": str(signup_code), "a": action}, salt=SALT, compress=True)
    path = reverse("public:signup_action", kwargs={"campaign_slug": campaign_slug, "token": token})
    return settings.SITE_URL.rstrip("/") + path


def signup_action_read(token: str) -> tuple[str, str]:
    """(signup code, action); raises signing.BadSignature for anything forged, altered or expired."""
    data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    if data.get("a") not in ACTIONS:
        raise signing.BadSignature("unknown action")
    return data["s"], data["a"]
