"""Pages outside any one campaign: the start page, creating a campaign, accepting an invitation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from campaign import selectors, services
from campaign.forms import CampaignForm


def home(request: HttpRequest) -> HttpResponse:
    """Signed in: the campaigns this person belongs to. Otherwise: what Groundswell is."""
    if not request.user.is_authenticated:
        demo_accounts = None
        if settings.DEMO_MODE:
            from campaign.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

            demo_accounts = {"accounts": DEMO_ACCOUNTS, "password": DEMO_PASSWORD}
        return render(request, "campaign/welcome.html", {"demo": demo_accounts})
    memberships = selectors.memberships_for_user(request.user)  # type: ignore[arg-type]
    return render(request, "campaign/my_campaigns.html", {"memberships": memberships})


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(owner=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Campaign created. Invite your team next."))
            return redirect("campaign:home", campaign_slug=campaign.slug)
    return render(request, "campaign/create.html", {"form": form})


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    error = None
    if invitation is None:
        error = _("This invitation link is not valid.")
    elif request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(token=token, user=request.user)  # type: ignore[arg-type]
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Welcome to %(campaign)s.") % {"campaign": membership.campaign})
            return redirect("campaign:home", campaign_slug=membership.campaign.slug)
    elif invitation.accepted_at:
        error = _("This invitation has already been used.")
    elif invitation.revoked_at:
        error = _("This invitation was withdrawn.")
    elif invitation.is_expired():
        error = _("This invitation has expired. Ask for a new one.")
    status = 404 if invitation is None else (400 if error else 200)
    return render(request, "campaign/invitation_accept.html", {"invitation": invitation, "error": error}, status=status)
