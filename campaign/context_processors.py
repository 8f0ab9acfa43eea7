from django.http import HttpRequest

from campaign.selectors import memberships_for_user


def navigation(request: HttpRequest) -> dict:
    """The campaign switcher and the current campaign, on every page."""
    user = getattr(request, "user", None)
    return {
        "current_campaign": getattr(request, "campaign", None),
        "current_membership": getattr(request, "membership", None),
        "my_memberships": (lambda: memberships_for_user(user)) if user is not None else list,
    }
