"""Enter the campaign's scope for every request under /c/<slug>/ and /api/v1/c/<slug>/."""

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from campaign.models import Campaign, Membership


class CampaignScopeMiddleware:
    """Resolves the campaign slug once, scopes every query to it, and picks the language.

    Membership is looked up for the signed-in session user; API views replace it with the
    membership an API token is bound to. Whether the member may see the page is decided by the
    view's decorator or permission class, never here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.campaign = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        try:
            slug = resolve(request.path_info).kwargs.get("campaign_slug")
        except Resolver404:
            slug = None
        if slug is None:
            self._activate_language(request, campaign=None)
            return self.get_response(request)

        with scopes_disabled():
            campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            self._activate_language(request, campaign=None)
            raise Http404("No such campaign.")
        request.campaign = campaign  # type: ignore[attr-defined]
        with scope(campaign=campaign.pk):
            if request.user.is_authenticated:
                request.membership = (  # type: ignore[attr-defined]
                    Membership.objects.filter(campaign=campaign, user=request.user).first()
                )
            self._activate_language(request, campaign=campaign)
            with timezone.override(campaign.tzinfo):
                return self.get_response(request)

    @staticmethod
    def _activate_language(request: HttpRequest, *, campaign: Campaign | None) -> None:
        """The user's own language (for a visitor without an account: the one they picked with the
        language switcher); else the campaign's; else what LocaleMiddleware chose."""
        if request.user.is_authenticated:
            user_language = getattr(request.user, "language", "")
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            user_language = chosen if chosen in dict(settings.LANGUAGES) else ""
        language = user_language or (campaign.language if campaign else "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
