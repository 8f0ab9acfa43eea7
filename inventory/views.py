"""Inventory pages under /c/<slug>/inventory/: items and variants, places, on-hand, the movement forms,
the stock count, the ledger with its CSV, T-shirt distribution, shortfalls, and a volunteer's own bag.

Everything is for coordinators and owners except "My bag". Exports also need two-factor authentication
and are recorded in the audit log before they are sent, like fundraising's.
"""

from typing import Any
from uuid import UUID

from allauth.mfa.utils import is_mfa_enabled
from defusedcsv import csv
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from inventory import selectors, services
from inventory.access import access_item, access_location, access_shortfall, access_variant
from inventory.forms import (
    FORM_KINDS,
    ItemForm,
    LedgerFilterForm,
    LocationForm,
    MovementForm,
    StockCountForm,
    TshirtGiveForm,
    VariantForm,
)
from inventory.models import Item, Location, Movement, Variant

PAGE_SIZE = 50
CSV_CHUNK = 2000


def form_errors(form: BaseForm, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """A service's refusal next to the field it names, or on top of the form for anything else."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            field = (aliases or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _page(request: CampaignRequest, qs: Any, size: int = PAGE_SIZE, count: int | None = None) -> Any:
    paginator = Paginator(qs, size)
    if count is not None:
        paginator.count = count  # counted by a cheaper query than the page's own  # type: ignore[misc]
    return paginator.get_page(request.GET.get("page"))


def _home(request: CampaignRequest) -> HttpResponse:
    return redirect("inventory:home", campaign_slug=request.campaign.slug)


# --- items and variants ---------------------------------------------------------------------------


@campaign_role_required(Role.COORDINATOR)
def home(request: CampaignRequest) -> HttpResponse:
    """Every variant with what is on hand in total and in bags; low ones stand out."""
    page = _page(request, selectors.variants(campaign=request.campaign))
    return render(
        request,
        "inventory/home.html",
        {
            "page": page,
            "open_shortfalls": selectors.shortfalls(campaign=request.campaign).count(),
            "kinds": FORM_KINDS,
        },
    )


@campaign_role_required(Role.COORDINATOR)
def item_new(request: CampaignRequest) -> HttpResponse:
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(campaign=request.campaign, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Item added."))
            return redirect("inventory:item_detail", campaign_slug=request.campaign.slug, code=item.code)
    return render(request, "inventory/form.html", {"form": form, "title": _("Add an item")})


@campaign_role_required(Role.COORDINATOR)
def item_detail(request: CampaignRequest, code: UUID) -> HttpResponse:
    item = access_item(request, code)
    variants = selectors.variants(campaign=request.campaign, include_deleted=True).filter(item=item)
    return render(request, "inventory/item_detail.html", {"item": item, "variants": variants})


@campaign_role_required(Role.COORDINATOR)
def item_edit(request: CampaignRequest, code: UUID) -> HttpResponse:
    item = access_item(request, code)
    form = ItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            item = Item.objects.get(pk=item.pk)  # the form changed the instance; the service checks the stored one
            services.item_update(item=item, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Item saved."))
            return redirect("inventory:item_detail", campaign_slug=request.campaign.slug, code=item.code)
    return render(request, "inventory/form.html", {"form": form, "title": _("Edit %(item)s") % {"item": item}})


@campaign_role_required(Role.COORDINATOR)
@require_POST
def item_delete(request: CampaignRequest, code: UUID) -> HttpResponse:
    item = access_item(request, code)
    try:
        services.item_delete(item=item, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Item deleted. Its ledger stays."))
    return _home(request)


@campaign_role_required(Role.COORDINATOR)
def variant_new(request: CampaignRequest, code: UUID) -> HttpResponse:
    item = access_item(request, code)
    form = VariantForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.variant_create(item=item, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Variant added."))
            return redirect("inventory:item_detail", campaign_slug=request.campaign.slug, code=item.code)
    return render(
        request, "inventory/form.html", {"form": form, "title": _("Add a variant of %(item)s") % {"item": item}}
    )


@campaign_role_required(Role.COORDINATOR)
def variant_edit(request: CampaignRequest, code: UUID) -> HttpResponse:
    variant = access_variant(request, code)
    form = VariantForm(request.POST or None, instance=variant, item=variant.item)
    if request.method == "POST" and form.is_valid():
        try:
            stored = Variant.objects.select_related("item").get(pk=variant.pk)
            services.variant_update(variant=stored, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Variant saved."))
            return redirect("inventory:item_detail", campaign_slug=request.campaign.slug, code=variant.item.code)
    return render(request, "inventory/form.html", {"form": form, "title": _("Edit %(variant)s") % {"variant": variant}})


@campaign_role_required(Role.COORDINATOR)
@require_POST
def variant_delete(request: CampaignRequest, code: UUID) -> HttpResponse:
    variant = access_variant(request, code)
    try:
        services.variant_delete(variant=variant, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Variant deleted. Its ledger stays."))
    return redirect("inventory:item_detail", campaign_slug=request.campaign.slug, code=variant.item.code)


# --- places ----------------------------------------------------------------------------------------


@campaign_role_required(Role.COORDINATOR)
def location_list(request: CampaignRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    page = _page(request, selectors.locations(campaign=request.campaign, kind=kind))
    return render(
        request,
        "inventory/locations.html",
        {"page": page, "kind": kind, "kinds": Location.Kind.choices, "query": f"kind={kind}" if kind else ""},
    )


@campaign_role_required(Role.COORDINATOR)
def location_new(request: CampaignRequest) -> HttpResponse:
    form = LocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            location = services.location_create(
                campaign=request.campaign, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Place added."))
            return redirect("inventory:location_detail", campaign_slug=request.campaign.slug, code=location.code)
    return render(request, "inventory/form.html", {"form": form, "title": _("Add a place")})


@campaign_role_required(Role.COORDINATOR)
def location_detail(request: CampaignRequest, code: UUID) -> HttpResponse:
    location = access_location(request, code)
    page = _page(request, selectors.stock_rows(campaign=request.campaign, location=location))
    return render(request, "inventory/location_detail.html", {"location": location, "page": page})


@campaign_role_required(Role.COORDINATOR)
def location_edit(request: CampaignRequest, code: UUID) -> HttpResponse:
    location = access_location(request, code)
    if location.is_bag:
        raise Http404
    form = LocationForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid():
        try:
            stored = Location.objects.get(pk=location.pk)
            services.location_update(location=stored, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Place saved."))
            return redirect("inventory:location_detail", campaign_slug=request.campaign.slug, code=location.code)
    return render(request, "inventory/form.html", {"form": form, "title": _("Edit %(place)s") % {"place": location}})


@campaign_role_required(Role.COORDINATOR)
@require_POST
def location_archive(request: CampaignRequest, code: UUID) -> HttpResponse:
    location = access_location(request, code)
    try:
        services.location_archive(location=location, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("inventory:location_detail", campaign_slug=request.campaign.slug, code=location.code)
    messages.success(request, _("Place archived."))
    return redirect("inventory:locations", campaign_slug=request.campaign.slug)


# --- on hand ---------------------------------------------------------------------------------------


@campaign_role_required(Role.COORDINATOR)
def on_hand(request: CampaignRequest) -> HttpResponse:
    """On hand by place (every non-zero row) or by variant (totals); both paginated, same queries at any size."""
    by = "variant" if request.GET.get("by") == "variant" else "location"
    kind = request.GET.get("kind", "")
    if by == "variant":
        page = _page(request, selectors.variants(campaign=request.campaign))
    else:
        page = _page(
            request,
            selectors.stock_rows(campaign=request.campaign, kind=kind),
            count=selectors.stock_rows_count(campaign=request.campaign, kind=kind),
        )
    query = "&".join(p for p in (f"by={by}", f"kind={kind}" if kind else "") if p)
    return render(
        request,
        "inventory/on_hand.html",
        {
            "page": page,
            "by": by,
            "kind": kind,
            "kinds": Location.Kind.choices,
            "query": query,
        },
    )


# --- movements -------------------------------------------------------------------------------------

KIND_TITLES = {
    Movement.Kind.RECEIVED: _("Receive stock"),
    Movement.Kind.ISSUED: _("Issue to a volunteer"),
    Movement.Kind.RETURNED: _("Return from a volunteer"),
    Movement.Kind.TRANSFERRED: _("Transfer between places"),
    Movement.Kind.GIVEN: _("Give away"),
    Movement.Kind.WRITTEN_OFF: _("Write off"),
    Movement.Kind.ADJUSTED: _("Adjust"),
}


@campaign_role_required(Role.COORDINATOR)
def movement_new(request: CampaignRequest, kind: str) -> HttpResponse:
    if kind not in FORM_KINDS:
        raise Http404
    form = MovementForm(request.POST or None, campaign=request.campaign, kind=kind)
    if request.method == "POST" and form.is_valid():
        values = form.movement_values()
        member = values.pop("member", None)
        try:
            # One transaction: a member's first bag, made for this issue, goes again when the issue is refused.
            with transaction.atomic():
                if member is not None:
                    values["to_location"] = services.bag_for(membership=member)
                services.movement_record(campaign=request.campaign, kind=kind, acting_user=request.user, **values)
        except ValidationError as exc:
            form_errors(form, exc, aliases={"to_location": "member"} if member is not None else None)
        else:
            messages.success(request, _("Recorded in the ledger."))
            return redirect("inventory:ledger", campaign_slug=request.campaign.slug)
    return render(request, "inventory/form.html", {"form": form, "title": KIND_TITLES[Movement.Kind(kind)]})


@campaign_role_required(Role.COORDINATOR)
def stock_count(request: CampaignRequest) -> HttpResponse:
    form = StockCountForm(request.POST or None, campaign=request.campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            movement = services.stock_count_record(
                location=data["location"],
                variant=data["variant"],
                counted=data["counted"],
                reason=data["reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if movement is None:
                messages.success(request, _("The count matches the ledger: nothing to adjust."))
            else:
                messages.success(
                    request,
                    _("Adjusted by %(sign)s%(n)s.")
                    % {"sign": "+" if movement.to_location_id else "−", "n": movement.quantity},
                )
            return redirect(
                "inventory:location_detail", campaign_slug=request.campaign.slug, code=data["location"].code
            )
    return render(
        request,
        "inventory/form.html",
        {
            "form": form,
            "title": _("Stock count"),
            "intro": _("Enter what is physically there; the difference becomes an adjustment with your reason."),
        },
    )


# --- the ledger ------------------------------------------------------------------------------------


@campaign_role_required(Role.COORDINATOR)
def ledger(request: CampaignRequest) -> HttpResponse:
    form = LedgerFilterForm(request.GET or None, campaign=request.campaign)
    page = _page(request, selectors.ledger(campaign=request.campaign, **form.filters()))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inventory/ledger.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _export_refused(request: CampaignRequest, back: str) -> HttpResponse | None:
    if is_mfa_enabled(request.user):
        return None
    return render(
        request,
        "export_needs_mfa.html",
        {
            "why": _(
                "An inventory export lists who holds what and who received it, so it needs an account "
                "protected by two-factor authentication."
            ),
            "back_url": reverse(back, kwargs={"campaign_slug": request.campaign.slug}),
            "back_label": _("Back"),
        },
        status=403,
    )


def _csv_response(request: CampaignRequest, name: str) -> HttpResponse:
    stamp = timezone.localtime(timezone.now(), request.campaign.tzinfo).strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{request.campaign.slug}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


LEDGER_COLUMNS = [
    "code",
    "created_at",
    "kind",
    "item",
    "variant",
    "variant_code",
    "from",
    "to",
    "quantity",
    "unit_cost",
    "supplier",
    "expense_code",
    "visit_code",
    "recipient",
    "reason",
    "by",
]


@campaign_role_required(Role.COORDINATOR)
def ledger_csv(request: CampaignRequest) -> HttpResponse:
    refused = _export_refused(request, "inventory:ledger")
    if refused is not None:
        return refused
    form = LedgerFilterForm(request.GET or None, campaign=request.campaign)
    filters = form.filters()
    movements = selectors.ledger(campaign=request.campaign, **filters)
    services.export_record(
        campaign=request.campaign,
        acting_user=request.user,
        report="ledger",
        rows=movements.count(),
        filters={k: str(getattr(v, "code", v) or "") for k, v in filters.items()},
    )
    tz = request.campaign.tzinfo
    response = _csv_response(request, "inventory-ledger")
    writer = csv.writer(response)
    writer.writerow(LEDGER_COLUMNS)
    for m in movements.iterator(chunk_size=CSV_CHUNK):
        writer.writerow(
            [
                m.code,
                timezone.localtime(m.created_at, tz).isoformat(timespec="seconds"),
                m.kind,
                m.variant.item.name,
                m.variant.label,
                m.variant.code,
                m.from_location.name if m.from_location else "",
                m.to_location.name if m.to_location else "",
                m.quantity,
                m.unit_cost if m.unit_cost is not None else "",
                m.supplier,
                m.expense.code if m.expense else "",
                m.visit_code or "",
                m.recipient.full_name if m.recipient else "",
                m.reason,
                m.actor.get_full_name() if m.actor else "",
            ]
        )
    return response


@campaign_role_required(Role.COORDINATOR)
def on_hand_csv(request: CampaignRequest) -> HttpResponse:
    refused = _export_refused(request, "inventory:on_hand")
    if refused is not None:
        return refused
    rows = selectors.stock_rows(campaign=request.campaign)
    services.export_record(
        campaign=request.campaign, acting_user=request.user, report="on_hand", rows=rows.count(), filters={}
    )
    response = _csv_response(request, "inventory-on-hand")
    writer = csv.writer(response)
    writer.writerow(
        ["location", "location_kind", "location_code", "item", "variant", "variant_code", "unit", "quantity"]
    )
    for row in rows.iterator(chunk_size=CSV_CHUNK):
        writer.writerow(
            [
                row.location.name,
                row.location.kind,
                row.location.code,
                row.variant.item.name,
                row.variant.label,
                row.variant.code,
                row.variant.item.unit,
                row.quantity,
            ]
        )
    return response


# --- T-shirts, shortfalls, my bag ------------------------------------------------------------------


@campaign_role_required(Role.COORDINATOR)
def tshirts(request: CampaignRequest) -> HttpResponse:
    form = TshirtGiveForm(request.POST or None, campaign=request.campaign)
    if request.method == "POST" and form.is_valid():
        from volunteers.models import Volunteer

        volunteer = get_object_or_404(
            Volunteer.objects.select_related("person"), campaign=request.campaign, code=form.cleaned_data["volunteer"]
        )
        try:
            services.movement_record(
                campaign=request.campaign,
                kind=Movement.Kind.GIVEN,
                variant=form.cleaned_data["variant"],
                from_location=form.cleaned_data["from_location"],
                quantity=1,
                recipient=volunteer.person,
                reason=_("T-shirt for a volunteer"),
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s received a T-shirt.") % {"name": volunteer.person.full_name})
        return redirect(request.get_full_path())
    waiting = request.GET.get("waiting") == "1"
    page = _page(request, selectors.tshirt_volunteers(campaign=request.campaign, waiting_only=waiting))
    return render(
        request,
        "inventory/tshirts.html",
        {
            "sizes": selectors.tshirt_sizes(campaign=request.campaign),
            "page": page,
            "form": form,
            "waiting": waiting,
            "query": "waiting=1" if waiting else "",
        },
    )


@campaign_role_required(Role.COORDINATOR)
def shortfall_list(request: CampaignRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    page = _page(request, selectors.shortfalls(campaign=request.campaign, open_only=not show_all))
    return render(
        request,
        "inventory/shortfalls.html",
        {"page": page, "show_all": show_all, "query": "all=1" if show_all else ""},
    )


@campaign_role_required(Role.COORDINATOR)
@require_POST
def shortfall_resolve(request: CampaignRequest, code: UUID) -> HttpResponse:
    shortfall = access_shortfall(request, code)
    services.shortfall_resolve(shortfall=shortfall, acting_user=request.user)
    messages.success(request, _("Marked as sorted out."))
    return redirect("inventory:shortfalls", campaign_slug=request.campaign.slug)


@campaign_role_required(Role.VOLUNTEER)
def my_bag(request: CampaignRequest) -> HttpResponse:
    rows = list(selectors.bag_contents(membership=request.membership))
    return render(request, "inventory/my_bag.html", {"rows": rows})
