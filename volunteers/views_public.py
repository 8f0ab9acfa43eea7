"""Public pages under /p/<slug>/: the campaign's page, the signup form, and the links in messages.

No account is needed. The middleware has already found the campaign (an unknown slug is a 404),
entered its scope, and picked the language and time zone. A link's token is the only key to the
object it names, and that object must belong to the campaign in the URL: anything else is a 404.
"""

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaign.access import CampaignRequest
from campaign.models import Person
from notifications.models import Channel
from notifications.optout import opt_out_read
from volunteers import services_public
from volunteers.forms_public import PublicSignupForm
from volunteers.links import signup_action_read
from volunteers.models import Shift, Signup
from volunteers.services import program_for, signup_cancel

GET_POST = require_http_methods(["GET", "POST"])


def _client_ip(request: HttpRequest) -> str:
    """allauth's reading of the client address, so ALLAUTH_TRUSTED_PROXY_COUNT applies here too."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return "unknown"


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "volunteers/public/link_invalid.html", status=404)


@dataclass(frozen=True)
class ShiftRow:
    title: str
    kind: str
    location: str
    when: str
    starts_iso: str
    places_left: int
    places_text: str


def _shift_rows(shifts: Iterable[dict[str, Any]]) -> list[ShiftRow]:
    """Shifts as the public page shows them, formatted here once: per-row template filters were most
    of the page's time. Shifts share days and start times, so each is formatted once."""
    # A translator orders weekday and date for their language (Chinese: "Y年n月j日 l").
    day_format = pgettext("date with weekday, PHP date() format", "l, F j, Y")
    time_format = str(get_format("TIME_FORMAT"))
    kinds = dict(Shift.Kind.choices)

    @functools.cache
    def day(value: dt.date) -> str:
        return dateformat.format(value, day_format)

    @functools.cache
    def clock(value: dt.time) -> str:
        return dateformat.time_format(value, time_format)

    rows = []
    for shift in shifts:
        start, end = timezone.localtime(shift["starts_at"]), timezone.localtime(shift["ends_at"])
        if start.date() == end.date():
            when = f"{day(start.date())}, {clock(start.time())}–{clock(end.time())}"
        else:
            when = f"{day(start.date())}, {clock(start.time())} – {day(end.date())}, {clock(end.time())}"
        left = max(shift["places_left"], 0)
        rows.append(
            ShiftRow(
                title=shift["title"],
                kind=str(kinds.get(shift["kind"], shift["kind"])),
                location=shift["location"],
                when=when,
                starts_iso=start.isoformat(),
                places_left=left,
                places_text=(
                    ngettext("%(count)d place left", "%(count)d places left", left) % {"count": left}
                    if left
                    else _("Full: waiting list")
                ),
            )
        )
    return rows


def _page_number(raw: str | None) -> int:
    try:
        return min(max(int(raw or 1), 1), 10_000)
    except ValueError:
        return 1


@require_http_methods(["GET"])
def page(request: CampaignRequest, campaign_slug: str) -> HttpResponse:
    """The campaign's page. Its content is the same for every visitor, so it is kept in the cache for
    VOLUNTEER_PUBLIC_PAGE_CACHE_SECONDS (default 10; 0 turns it off): a page shared widely is rendered
    once per interval, not once per visitor, and places left (or an edit) show up at most that late."""
    campaign = request.campaign
    number = _page_number(request.GET.get("page"))
    seconds = settings.VOLUNTEER_PUBLIC_PAGE_CACHE_SECONDS
    key = f"volunteers:public-page:{campaign.pk}:{campaign.time_zone}:{get_language()}:{number}"
    content_html = cache.get(key) if seconds else None
    if content_html is None:
        shifts = services_public.published_shifts_page(campaign, number)
        content_html = render_to_string(
            "volunteers/public/_content.html",
            {"campaign": campaign, "program": program_for(campaign), "shifts": shifts, "rows": _shift_rows(shifts)},
        )
        if seconds:
            cache.set(key, content_html, timeout=seconds)
    return render(request, "volunteers/public/page.html", {"campaign": campaign, "content_html": content_html})


@GET_POST
def join(request: CampaignRequest, campaign_slug: str) -> HttpResponse:
    campaign = request.campaign
    program = program_for(campaign)
    if not program.signup_open:
        return render(request, "volunteers/public/closed.html", {"campaign": campaign})
    wording = services_public.consent_wording(campaign, program)
    form = PublicSignupForm(request.POST or None, campaign=campaign, consent_wording=wording)
    status = 200
    if request.method == "POST":
        if form.is_robot():
            # Tell a robot it worked, so it does not try harder; store nothing.
            return redirect("public:thanks", campaign_slug=campaign.slug)
        if form.is_valid():
            try:
                _volunteer, created = services_public.volunteer_signup_public(
                    campaign=campaign, **form.service_values(), wording=wording, ip=_client_ip(request)
                )
            except services_public.SignupClosed:
                return render(request, "volunteers/public/closed.html", {"campaign": campaign})
            except services_public.SignupRateLimited as exc:
                form.add_error(None, exc)
                status = 429
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                url = reverse("public:thanks", kwargs={"campaign_slug": campaign.slug})
                return redirect(url if created else f"{url}?again=1")
    return render(
        request,
        "volunteers/public/join.html",
        {"campaign": campaign, "form": form},
        status=status,
    )


@require_http_methods(["GET"])
def thanks(request: CampaignRequest, campaign_slug: str) -> HttpResponse:
    return render(
        request,
        "volunteers/public/thanks.html",
        {"campaign": request.campaign, "again": request.GET.get("again") == "1"},
    )


def _claim_person(request: CampaignRequest, token: str) -> Person | None:
    try:
        code = services_public.claim_read(token)
    except signing.BadSignature:
        return None
    return Person.objects.filter(campaign=request.campaign, code=code).select_related("user").first()


@GET_POST
def claim(request: CampaignRequest, campaign_slug: str, token: str) -> HttpResponse:
    person = _claim_person(request, token)
    if person is None:
        return _invalid_link(request)
    error = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            services_public.volunteer_claim(person=person, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Welcome! Your account is linked. Pick a shift when you are ready."))
            return redirect("campaign:home", campaign_slug=request.campaign.slug)
    elif request.user.is_authenticated and person.user_id not in (None, request.user.pk):
        error = _("This volunteer profile is already linked to another account. Sign in with that account.")
    return render(
        request,
        "volunteers/public/claim.html",
        {
            "campaign": request.campaign,
            "person": person,
            "error": error,
            "done": request.user.is_authenticated
            and person.user_id == request.user.pk
            and request.membership is not None,
        },
        status=400 if error else 200,
    )


def _action_button(action: str) -> str:
    return {
        "confirm": _("Yes, I will be there"),
        "cancel": _("Cancel my place"),
        "attended": _("I was there"),
        "missed": _("I could not come"),
    }[action]


@GET_POST
def signup_action(request: CampaignRequest, campaign_slug: str, token: str) -> HttpResponse:
    try:
        code, action = signup_action_read(token)
    except signing.BadSignature:
        return _invalid_link(request)
    signup = (
        Signup.objects.filter(campaign=request.campaign, code=code).select_related("shift", "volunteer__person").first()
    )
    if signup is None:
        return _invalid_link(request)
    context: dict[str, Any] = {
        "campaign": request.campaign,
        "signup": signup,
        "shift": signup.shift,
        "action": action,
        "button": _action_button(action),
        "done": False,
        "error": None,
    }
    if request.method == "POST":
        try:
            if action == "confirm":
                services_public.signup_reconfirm(signup=signup)
                context["result"] = _("Thank you — see you there!")
            elif action == "cancel":
                signup_cancel(signup=signup, acting_user=None)
                context["result"] = _("Your place is cancelled. Thank you for telling us.")
            else:
                _signup, recorded = services_public.signup_self_report(signup=signup, attended=action == "attended")
                context["result"] = (
                    _("Thank you for telling us.")
                    if recorded
                    else _("Your attendance was already recorded by the campaign. Thank you!")
                )
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
        else:
            context["done"] = True
        signup.refresh_from_db()
    return render(request, "volunteers/public/action.html", context, status=400 if context["error"] else 200)


def _opt_out_person(request: CampaignRequest, token: str) -> tuple[Person | None, str]:
    try:
        code, channel = opt_out_read(token)
    except signing.BadSignature:
        return None, ""
    return Person.objects.filter(campaign=request.campaign, code=code).first(), channel


@GET_POST
def opt_out(request: CampaignRequest, campaign_slug: str, token: str) -> HttpResponse:
    person, channel = _opt_out_person(request, token)
    if person is None:
        return _invalid_link(request)
    done = False
    if request.method == "POST":
        services_public.person_opt_out(person=person, channel=channel)
        done = True
    stopped = not (person.consent_email if channel == Channel.EMAIL else person.consent_sms)
    return render(
        request,
        "volunteers/public/opt_out.html",
        {
            "campaign": request.campaign,
            "channel": channel,
            "is_email": channel == Channel.EMAIL,
            "done": done or stopped,
        },
    )
