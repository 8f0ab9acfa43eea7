"""The doorstep, on a phone: "My turfs", a turf's walk screen, the visit form, "nobody home on this
floor", and the service worker that keeps the walk screen and the form working without a network.

The visit form works without JavaScript (a plain POST, with a code made by the server so a double tap is
harmless); with JavaScript it saves each visit to the phone's queue first and sends the queue to the
sync API (static/js/visit_queue.js), so a visit logged in a dead spot is sent when the network returns.
"""

import datetime as dt
import json
import uuid
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from canvassing import selectors_visits as selectors
from canvassing.access import access_household_for_visit, access_turf, is_coordinator, support_visible
from canvassing.forms_visits import DOOR_OUTCOMES, LEAFLET_OUTCOMES, VisitForm
from canvassing.models import Household, SurveyQuestion, Turf
from canvassing.services_visits import visit_record, visits_not_home_floor
from fundraising.views_donations import form_errors

# What the service worker keeps for offline use, beside the pages it has seen.
OFFLINE_ASSETS = [
    "vendor/bootstrap-5.3.9/bootstrap.min.css",
    "css/groundswell.css",
    "vendor/bootstrap-5.3.9/bootstrap.bundle.min.js",
    "vendor/htmx-2.0.11/htmx.min.js",
    "js/visit_queue.js",
    "js/visit_form.js",
]


def _walk_url(campaign_slug: str, turf: Turf | None, door: Any = None) -> str:
    if turf is None:
        return reverse("canvassing:my_turfs", kwargs={"campaign_slug": campaign_slug})
    url = reverse("canvassing:turf_walk", kwargs={"campaign_slug": campaign_slug, "code": turf.code})
    return f"{url}#door-{door}" if door else url


def _sign_at_door_url(campaign_slug: str, household: Household) -> str:
    """The nominations part's "sign at the door" page, when that part is installed."""
    try:
        return reverse("nominations:sign_at_door", args=[campaign_slug, household.code])
    except NoReverseMatch:
        return ""


def _language(request: CampaignRequest) -> str:
    return get_language() or request.campaign.language


def _offline_context(request: CampaignRequest) -> dict[str, Any]:
    slug = request.campaign.slug
    return {
        "sync_url": reverse("api:visit-sync", kwargs={"campaign_slug": slug}),
        "sw_url": reverse("canvassing:service_worker", kwargs={"campaign_slug": slug}),
        "sw_scope": reverse("canvassing:my_turfs", kwargs={"campaign_slug": slug}).rsplit("my/", 1)[0],
    }


@campaign_role_required(Role.VOLUNTEER)
def my_turfs(request: CampaignRequest) -> HttpResponse:
    assignments = selectors.my_assignments(request.membership)
    return render(
        request,
        "canvassing/visits/my_turfs.html",
        {"assignments": assignments, "coordinator": is_coordinator(request.membership), **_offline_context(request)},
    )


@campaign_role_required(Role.VOLUNTEER)
def turf_walk(request: CampaignRequest, code: UUID) -> HttpResponse:
    turf = access_turf(request, code)
    since = selectors.walk_started(turf=turf, membership=request.membership)
    doors = list(selectors.walk_households(turf, since=since))
    progress = selectors.turf_progress(turf, since=since)
    leaflet_run = turf.mode == Turf.Mode.LEAFLET
    editions = selectors.editions_by_household(turf)
    slug = request.campaign.slug
    rows = []
    for door in doors:
        received = editions.get(door.pk, [])
        rows.append(
            {
                "household": door,
                "done": selectors.is_done_on_walk(door, since),
                "editions": received,
                "has_this_edition": bool(turf.leaflet_variant_id)
                and any(e["id"] == turf.leaflet_variant_id for e in received),
                "visit_url": reverse("canvassing:visit_new", kwargs={"campaign_slug": slug, "code": door.code}),
                # A code per button, made now: a double tap on the same button is one visit.
                "leaflet_forms": [(o.value, o.label, uuid.uuid4()) for o in LEAFLET_OUTCOMES] if leaflet_run else [],
            }
        )
    # What the phone keeps, so the visit form can find its way back here and to the next door offline.
    walk_data = {
        "turf": str(turf.code),
        "walk_url": _walk_url(slug, turf),
        "doors": [
            {"code": str(r["household"].code), "address": r["household"].address, "visit_url": r["visit_url"]}
            for r in rows
        ],
    }
    assignment = next((a for a in selectors.my_assignments(request.membership) if a.turf_id == turf.pk), None)
    return render(
        request,
        "canvassing/visits/walk.html",
        {
            "turf": turf,
            "rows": rows,
            "progress": progress,
            "leaflet_run": leaflet_run,
            "floors": selectors.floors_of(turf),
            "assignment": assignment,
            "walk_data": walk_data,
            **_offline_context(request),
        },
    )


def _next_door(turf: Turf, household: Household, *, since: dt.datetime) -> Any:
    """The next door in walking order after this one that is not done yet (or None)."""
    doors = list(
        selectors.walk_households(turf, since=since)
        .annotate(done=ExpressionWrapper(selectors.done_on_walk(since), output_field=BooleanField()))
        .values_list("pk", "code", "done")
    )
    index = next((i for i, (pk, _code, _done) in enumerate(doors) if pk == household.pk), -1)
    for _pk, door_code, done in doors[index + 1 :] + doors[: max(index, 0)]:
        if not done:
            return door_code
    return None


@campaign_role_required(Role.VOLUNTEER)
def visit_new(request: CampaignRequest, code: UUID) -> HttpResponse:
    household = access_household_for_visit(request, code)
    turf = household.turf
    questions = list(SurveyQuestion.objects.filter(campaign=request.campaign, active=True).order_by("position", "id"))
    language = _language(request)
    form = VisitForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit, created = visit_record(
                household=household,
                canvasser=request.membership,
                outcome=data["outcome"],
                support_level=data["support_level"],
                leaflets_left=data["leaflets_left"] or 0,
                answers=form.answers(),
                note=data["note"],
                visited_at=timezone.now(),
                code=data["code"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("%(address)s: %(outcome)s")
                    % {"address": household.address, "outcome": visit.get_outcome_display()},
                )
            if turf is None:
                return redirect("canvassing:my_turfs", campaign_slug=request.campaign.slug)
            since = selectors.walk_started(turf=turf, membership=request.membership)
            return redirect(_walk_url(request.campaign.slug, turf, _next_door(turf, household, since=since)))
    survey = selectors.survey_for(request.campaign, language)
    answered = (
        {f"q_{q['code']}": request.POST.get(f"q_{q['code']}", "") for q in survey} if request.method == "POST" else {}
    )
    script = selectors.script_for(request.campaign, language)
    leaflet_run = turf is not None and turf.mode == Turf.Mode.LEAFLET
    return render(
        request,
        "canvassing/visits/visit_form.html",
        {
            "household": household,
            "turf": turf,
            "form": form,
            "outcomes": [(o.value, o.label) for o in (LEAFLET_OUTCOMES if leaflet_run else DOOR_OUTCOMES)],
            "survey": survey,
            "answered": answered,
            "script": script,
            "recent": selectors.household_recent_visits(household) if is_coordinator(request.membership) else [],
            "show_support": support_visible(request.membership),
            "walk_url": _walk_url(request.campaign.slug, turf),
            "sign_at_door_url": _sign_at_door_url(request.campaign.slug, household),
            "leaflet_run": leaflet_run,
            **_offline_context(request),
        },
    )


@require_POST
@campaign_role_required(Role.VOLUNTEER)
def floor_not_home(request: CampaignRequest, code: UUID) -> HttpResponse:
    turf = access_turf(request, code)
    building, _sep, floor = request.POST.get("place", "").rpartition("|")
    try:
        visits = visits_not_home_floor(
            turf=turf, building=building, floor=floor, canvasser=request.membership, acting_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if visits:
            messages.success(
                request,
                ngettext("%(count)d door marked not home.", "%(count)d doors marked not home.", len(visits))
                % {"count": len(visits)},
            )
        else:
            messages.info(request, _("Every door on that floor was already visited today."))
    return redirect(_walk_url(request.campaign.slug, turf))


@campaign_role_required(Role.VOLUNTEER)
def service_worker(request: CampaignRequest) -> HttpResponse:
    """static/js/sw.js, served under the canvassing pages' path so its scope covers them, with the
    asset URLs it should keep (hashed names in production) written in front of it."""
    path = finders.find("js/sw.js")
    if not path:
        raise Http404
    with open(path, encoding="utf-8") as handle:
        body = handle.read()
    scope = _offline_context(request)["sw_scope"]
    precache = json.dumps([static(asset) for asset in OFFLINE_ASSETS])
    prelude = f"const PRECACHE = {precache};\nconst SCOPE = {json.dumps(scope)};\n"
    response = HttpResponse(prelude + body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = scope
    response["Cache-Control"] = "no-cache"
    return response
