"""Turf pages under /c/<slug>/canvassing/turfs/: the list, cutting an area, a turf's map and walk list,
its printable walk list, and the coordinator's edits.

Coordinators see and edit every turf. A volunteer opens the page and the printable list of a turf
assigned to them (an active assignment); any other turf does not exist for them (404).
"""

import html
import uuid
from typing import Any
from uuid import UUID

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from canvassing import selectors_turfs as selectors
from canvassing import services_turfs as services
from canvassing.forms_turfs import TurfCutForm, TurfMergeForm, TurfMoveForm, TurfSettingsForm
from canvassing.models import Area, Household, Turf
from canvassing.selectors_turfs import OUTCOME_STYLES, WalkRow

PAGE_SIZE = 50
FULL_LIST_LIMIT = 1_000  # a longer walk list is paginated
_PLACEHOLDER = uuid.UUID(int=0)
# Where the walk list's rows go in the turf page (render_around_walk_list). It begins with "<", which no escaped
# value can contain, so only the template itself can put it there.
WALK_LIST_SLOT = mark_safe("<!--walk-list-->")


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _access(request: CampaignRequest, code: UUID, *, write: bool = False) -> Turf:
    return selectors.turf_for_member(request.campaign, request.membership, code, write=write)


def _detail_url(request: CampaignRequest, turf: Turf) -> str:
    return reverse("canvassing:turf_detail", args=[request.campaign.slug, turf.code])


def visit_url_parts(slug: str) -> tuple[str, str] | None:
    """The visit form's address around a household code, if the visits part provides one
    (`canvassing:visit_new` with the campaign slug and the household code). Reversed once per page, not
    per row: each row's link is prefix + code + suffix."""
    try:
        url = reverse("canvassing:visit_new", args=[slug, _PLACEHOLDER])
    except NoReverseMatch:
        return None
    prefix, _sep, suffix = url.partition(str(_PLACEHOLDER))
    return prefix, suffix


def map_tiles(turf: Turf) -> dict[str, str]:
    """The campaign's own tile server, if it configured one; otherwise the map is a blank canvas.
    (selectors.turf_for_member reads the campaign's settings with the turf.)"""
    if not turf.map_tile_url:  # type: ignore[attr-defined]
        return {}
    return {"url": turf.map_tile_url, "attribution": turf.map_tile_attribution}  # type: ignore[attr-defined]


def walk_rows_html(
    rows: list[WalkRow], *, selectable: bool, visit: tuple[str, str] | None, start: int = 1
) -> SafeString:
    """The walk list's rows, numbered from `start`. Built here rather than by a template loop: a 1,000-door list
    would spend most of the page's time resolving template variables. Every value is escaped; what is the same
    on every row (labels, the visit link's ends) is escaped once, and a code (a UUID: hex digits and dashes)
    needs none. A located door's row carries its position for the map (data-lat, data-lon: millionths of a
    degree, as in map_points): the map's markers are the rows, not a second copy of them."""
    escape = html.escape
    # Around the address, per outcome: the colour dot before it; the outcome's label after it.
    around = {
        key: (
            f'<span class="walk-dot" style="background:{colour}"></span><span class="walk-address"><strong>',
            f'</span><span class="walk-outcome small">{escape(str(label))}</span>',
        )
        for key, (label, colour) in OUTCOME_STYLES.items()
    }
    select_label = escape(_("Select"))
    review = f' <span class="badge text-bg-warning">{escape(_("needs review"))}</span>'
    visit_start, visit_end = "", "</li>"
    if visit:
        visit_start = f'<a class="btn btn-outline-primary btn-sm walk-visit" href="{escape(visit[0])}'
        visit_end = f'{escape(visit[1])}">{escape(_("Log visit"))}</a></li>'
    parts = []
    append = parts.append
    for number, row in enumerate(rows, start=start):
        dot, label = around[row.outcome]
        code = row.code
        lat, lon = row.latitude, row.longitude
        at = "" if lat is None or lon is None else f' data-lat="{round(lat * 1e6)}" data-lon="{round(lon * 1e6)}"'
        select = (
            f'<input class="form-check-input walk-select" type="checkbox" name="households" value="{code}" '
            f'form="move-form" aria-label="{select_label} {number}">'
            if selectable
            else ""
        )
        door = f"<br><small>{escape(row.door_line)}</small>" if row.door_line else ""
        append(
            f'<li class="list-group-item walk-row" id="h-{code}" data-outcome="{row.outcome}"{at}>{select}'
            f'<span class="walk-no">{number}</span>{dot}{escape(row.street_line) if row.street_line else "—"}'
            f"</strong>{door}"
            f"{review if row.needs_review else ''}{label}{visit_start}{code if visit else ''}{visit_end}"
        )
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


def sibling_options(turf: Turf) -> SafeString:
    """<option>s of the area's turfs next to this one (selectors.near_sibling_turfs), for the move and merge
    forms: built once here rather than by two template loops."""
    options = selectors.near_sibling_turfs(turf)
    return mark_safe(  # noqa: S308 (escaped)
        "".join(f'<option value="{code}">{html.escape(name)}</option>' for code, name in options)
    )


def legend_html(rows: list[WalkRow]) -> SafeString:
    """The map's legend: each colour with its outcome and how many doors have it (built here, like the rows:
    the template loop cost more than everything else in the page's head)."""
    return mark_safe(  # noqa: S308 (escaped; colours are ours)
        "".join(
            f'<span class="me-2 text-nowrap"><span class="legend-dot" style="background: {item["colour"]}"></span> '
            f"{html.escape(str(item['label']))}: {item['count']}</span>"
            for item in selectors.outcome_counts(rows)
        )
    )


def map_points(rows: list[WalkRow], *, listed: range) -> list[list[Any]]:
    """[lat, lon, outcome, walk number, address] of each located door whose walk number is not in `listed` (the
    rows on this page of a long list carry their own positions), for turf_map.js. Latitude and longitude are in
    millionths of a degree (about 10 cm), as integers."""
    return [
        [round(r.latitude * 1e6), round(r.longitude * 1e6), r.outcome, n, r.street_line]
        for n, r in enumerate(rows, start=1)
        if n not in listed and r.latitude is not None and r.longitude is not None
    ]


class CompactJSONEncoder(DjangoJSONEncoder):
    """No spaces after commas and colons: a 1,000-door map's data is a sixth smaller."""

    item_separator = ","
    key_separator = ":"


def map_data_script(turf: Turf, others: list[list[Any]]) -> SafeString:
    """The map's colours, tiles and the located doors on other pages of a long list (map_points), as one
    <script type="application/json"> for turf_map.js (escaped as json_script does)."""
    data = {
        "colours": {key: colour for key, (_label, colour) in OUTCOME_STYLES.items()},
        "tiles": map_tiles(turf),
        "others": others,
    }
    return json_script(data, "turf-map-data", encoder=CompactJSONEncoder)


@campaign_role_required(Role.COORDINATOR)
def turf_list(request: CampaignRequest) -> HttpResponse:
    areas = list(selectors.current_areas(request.campaign))
    turfs = selectors.turfs_with_counts(request.campaign)
    chosen = None
    area_code = request.GET.get("area", "")
    if area_code:
        chosen = next((a for a in areas if str(a.code) == area_code), None)
        if chosen:
            turfs = turfs.filter(area=chosen)
        else:
            try:
                turfs = turfs.filter(area__code=UUID(area_code))
            except ValueError:  # not a code: no area has it (a 500 before)
                turfs = turfs.none()
    page = Paginator(turfs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "canvassing/turfs/list.html",
        {"areas": areas, "chosen": chosen, "page": page, "query": f"area={area_code}" if area_code else ""},
    )


@campaign_role_required(Role.COORDINATOR)
def turf_cut(request: CampaignRequest) -> HttpResponse:
    areas = selectors.current_areas(request.campaign)
    initial = {"target_doors": 40}
    if request.GET.get("area"):
        initial["area"] = request.GET["area"]
    form = TurfCutForm(request.POST or None, areas=areas, initial=initial)
    if request.method == "POST" and form.is_valid():
        area: Area = form.cleaned_data["area"]
        target, count = form.cleaned_data.get("target_doors"), form.cleaned_data.get("turf_count")
        list_url = reverse("canvassing:turfs", args=[request.campaign.slug]) + f"?area={area.code}"
        if getattr(area, "doors", 0) > services.BACKGROUND_THRESHOLD:
            from canvassing.tasks_turfs import turfs_cut_start

            job = turfs_cut_start(
                area=area, target_doors=target, turf_count=count, acting_user=request.user, return_url=list_url
            )
            return redirect("campaign:job", request.campaign.slug, job.code)
        try:
            result = services.turfs_cut(area=area, target_doors=target, turf_count=count, acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, cut_message(result))
            return redirect(list_url)
    return render(request, "canvassing/turfs/cut.html", {"form": form, "areas": areas})


def cut_message(result: services.CutResult) -> str:
    return _(
        "%(area)s: %(households)s households cut into %(turfs)s turfs; %(kept)s locked, assigned or visited "
        "turfs kept as they were."
    ) % {"area": result.area, "households": result.households, "turfs": len(result.turfs), "kept": result.kept}


@campaign_role_required(Role.VOLUNTEER)
def turf_detail(request: CampaignRequest, code: UUID) -> HttpResponse:
    turf = _access(request, code)
    coordinator = request.membership.has_role(Role.COORDINATOR)
    rows = selectors.walk_rows(turf)
    page = None
    shown, first = rows, 1
    others: list[list[Any]] = []  # the map's doors that are not on this page of the list
    if len(rows) > FULL_LIST_LIMIT:
        page = Paginator(rows, FULL_LIST_LIMIT).get_page(request.GET.get("page"))
        shown, first = list(page.object_list), page.start_index()
        others = map_points(rows, listed=range(first, first + len(shown)))
    html_rows = walk_rows_html(shown, selectable=coordinator, visit=visit_url_parts(request.campaign.slug), start=first)
    if request.htmx and request.GET.get("fragment") == "walklist":
        return HttpResponse(html_rows)
    located = any(r.latitude is not None and r.longitude is not None for r in rows)
    context: dict[str, Any] = {
        "turf": turf,
        # The edit forms' addresses are this page's address + "print/", "lock/", … (urls_turfs.py): one
        # reverse() instead of seven.
        "turf_url": _detail_url(request, turf),
        "walk_list_slot": WALK_LIST_SLOT,
        "row_count": len(rows),
        "page": page,
        "visited": sum(1 for r in rows if r.last_outcome),
        "legend": legend_html(rows),
        "located": located,
        "map_script": map_data_script(turf, others) if located else "",
        "assignees": selectors.assignee_names(turf),
        "coordinator": coordinator,
    }
    if coordinator:
        context["sibling_options"] = sibling_options(turf)
    return render_around_walk_list(request, "canvassing/turfs/detail.html", context, html_rows)


def render_around_walk_list(
    request: CampaignRequest, template_name: str, context: dict[str, Any], rows: str
) -> HttpResponse:
    """The page with the walk list's rows in its slot. The rows are most of the page (a 500-door list is about
    300 KB): passed through the template, every enclosing block and the response would copy them again, at
    twice the width once the page holds any non-ASCII text (the language menu does). Joined into the response
    as a chunk of their own, they are copied once."""
    page = render_to_string(template_name, context, request)
    before, slot, after = page.partition(WALK_LIST_SLOT)
    if not slot:
        raise ValueError(f"{template_name} has no walk-list slot")
    return HttpResponse([before, rows, after])


def qr_svg(url: str) -> SafeString:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308 (generated by qrcode from an escaped URL)


@campaign_role_required(Role.VOLUNTEER)
def turf_print(request: CampaignRequest, code: UUID) -> HttpResponse:
    turf = _access(request, code)
    rows = selectors.walk_rows(turf)
    url = request.build_absolute_uri(_detail_url(request, turf))
    labels = {key: str(label) for key, (label, _colour) in OUTCOME_STYLES.items()}
    return render(
        request,
        "canvassing/turfs/print.html",
        {
            "turf": turf,
            "rows": [(row, labels[row.outcome] if row.last_outcome else "") for row in rows],
            "qr": qr_svg(url),
            "url": url,
            "assignees": selectors.turf_assignees(turf),
        },
    )


def _done(request: CampaignRequest, turf: Turf) -> HttpResponse:
    return redirect(_detail_url(request, turf))


@campaign_role_required(Role.COORDINATOR)
def turf_settings(request: CampaignRequest, code: UUID) -> HttpResponse:
    """Rename a turf, or make it a leaflet run with the edition it hands out (its own page: the turf page
    itself stays a walk list and a map)."""
    turf = _access(request, code, write=True)
    variants = services.leaflet_variants(request.campaign.pk)
    initial = {
        "name": turf.name,
        "mode": turf.mode,
        "leaflet_variant": turf.leaflet_variant.code if turf.leaflet_variant else None,
    }
    form = TurfSettingsForm(request.POST or None, variants=variants, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.turf_rename(turf=turf, name=form.cleaned_data["name"], acting_user=request.user)
                services.turf_mode_set(
                    turf=turf,
                    mode=form.cleaned_data["mode"],
                    leaflet_variant=form.cleaned_data.get("leaflet_variant"),
                    acting_user=request.user,
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Turf saved."))
            return _done(request, turf)
    return render(request, "canvassing/turfs/settings.html", {"turf": turf, "form": form})


@require_POST
@campaign_role_required(Role.COORDINATOR)
def turf_lock(request: CampaignRequest, code: UUID) -> HttpResponse:
    turf = _access(request, code, write=True)
    locked = request.POST.get("locked") == "1"
    services.turf_lock(turf=turf, locked=locked, acting_user=request.user)
    messages.success(request, _("Turf locked.") if locked else _("Turf unlocked."))
    return _done(request, turf)


@require_POST
@campaign_role_required(Role.COORDINATOR)
def turf_complete(request: CampaignRequest, code: UUID) -> HttpResponse:
    turf = _access(request, code, write=True)
    completed = request.POST.get("completed") == "1"
    services.turf_complete(turf=turf, completed=completed, acting_user=request.user)
    messages.success(request, _("Turf marked complete.") if completed else _("Turf opened again."))
    return _done(request, turf)


@require_POST
@campaign_role_required(Role.COORDINATOR)
def turf_split(request: CampaignRequest, code: UUID) -> HttpResponse:
    turf = _access(request, code, write=True)
    try:
        new = services.turf_split(turf=turf, acting_user=request.user, name=request.POST.get("name", ""))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return _done(request, turf)
    messages.success(request, _("Turf split: the second half of the walk list is now %(name)s.") % {"name": new.name})
    return _done(request, turf)


@require_POST
@campaign_role_required(Role.COORDINATOR)
def turf_merge(request: CampaignRequest, code: UUID) -> HttpResponse:
    turf = _access(request, code, write=True)
    form = TurfMergeForm(request.POST, siblings=selectors.sibling_turfs(turf))
    if not form.is_valid():
        messages.error(request, _("Choose a turf of the same area to merge with."))
        return _done(request, turf)
    into = form.cleaned_data["into"]
    try:
        services.turfs_merge(turf=turf, into=into, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return _done(request, turf)
    messages.success(request, _("%(old)s merged into %(new)s.") % {"old": turf.name, "new": into.name})
    return _done(request, into)


@require_POST
@campaign_role_required(Role.COORDINATOR)
def turf_move(request: CampaignRequest, code: UUID) -> HttpResponse:
    """Move the households ticked in this turf's walk list to another turf of the area."""
    turf = _access(request, code, write=True)
    form = TurfMoveForm(request.POST, siblings=selectors.sibling_turfs(turf))
    codes = []
    for raw in request.POST.getlist("households"):
        try:
            codes.append(UUID(raw))
        except ValueError:
            continue
    if not form.is_valid():
        messages.error(request, _("Choose a turf of the same area to move the households to."))
        return _done(request, turf)
    households = list(Household.objects.filter(campaign=request.campaign, turf=turf, code__in=codes))
    if not households:
        messages.error(request, _("Tick the households to move first."))
        return _done(request, turf)
    to_turf = form.cleaned_data["to_turf"]
    try:
        moved = services.turf_households_move(households=households, to_turf=to_turf, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("%(count)s households moved to %(name)s.") % {"count": moved, "name": to_turf.name})
    return _done(request, turf)
