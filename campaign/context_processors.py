from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """The current campaign and the member's place in it, on every page (the navigation bar reads the
    campaigns for its switcher itself: campaign/templatetags/navigation.py)."""
    return {
        "current_campaign": getattr(request, "campaign", None),
        "current_membership": getattr(request, "membership", None),
    }
