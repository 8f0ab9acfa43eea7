"""Nominations pages under /c/<slug>/nominations/: drives and their progress, sheets (batch, check out,
return, print), fast signature entry from a paper sheet, review, the at-risk list, the re-check after
a map re-version, the filing export, and signing on a phone at the door."""

import re
import uuid
from typing import Any
from uuid import UUID

import qrcode
import qrcode.image.svg
from defusedcsv import csv
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from canvassing.models import Household
from nominations import selectors, services
from nominations.access import (
    access_door_household,
    access_drive,
    access_sheet,
    access_signature,
    can_export,
    is_coordinator,
)
from nominations.forms import (
    CheckoutForm,
    DoorSignatureForm,
    DriveForm,
    ReturnForm,
    ReviewForm,
    SheetBatchForm,
    SignatureForm,
)
from nominations.models import Drive, Risk, Sheet, Signature

PAGE_SIZE = 50
LINES_PER_SHEET = 15  # the printed lines under the header


# The services' names for what the forms call otherwise.
FORM_FIELD_OF = {"address_text": "address", "household": "address"}


def _add_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            field = field if field in form.fields else FORM_FIELD_OF.get(field, field)
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _today(request: CampaignRequest) -> Any:
    return services.today_for(request.campaign)


def _url(name: str, request: CampaignRequest, **kwargs: Any) -> str:
    return reverse(f"nominations:{name}", kwargs={"campaign_slug": request.campaign.slug, **kwargs})


def _back(request: CampaignRequest, default: str) -> str:
    """The form's `next` when it is a page of this site; anything else (another host, `//host`, `/\\host`)
    would make the site an open redirect, so the default page instead."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        return back
    return default


# --- drives --------------------------------------------------------------------------------------


@campaign_role_required(Role.VOLUNTEER)
def drives(request: CampaignRequest) -> HttpResponse:
    """Coordinators: every drive with its progress. Volunteers: the sheets checked out to them."""
    today = _today(request)
    my_sheets = (
        Sheet.objects.filter(
            campaign=request.campaign, checked_out_to=request.membership, status=Sheet.Status.CHECKED_OUT
        )
        .select_related("drive")
        .annotate(entered=Count("signatures"))
        .order_by("drive__deadline", "number")
    )
    context: dict[str, Any] = {"my_sheets": my_sheets, "is_coordinator": is_coordinator(request)}
    if is_coordinator(request):
        context["drives"] = [
            selectors.progress_of_annotated(d, today=today)
            for d in selectors.drives_with_counts(request.campaign).order_by("status", "deadline", "pk")
        ]
        context["last_recheck"] = selectors.last_recheck(request.campaign)
    return render(request, "nominations/drives.html", context)


@campaign_role_required(Role.COORDINATOR)
def drive_new(request: CampaignRequest) -> HttpResponse:
    form = DriveForm(request.POST or None, initial={"margin_percent": 50, "required": 100})
    if request.method == "POST" and form.is_valid():
        try:
            drive = services.drive_create(campaign=request.campaign, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Drive created. Now make its sheets."))
            return redirect(_url("sheets", request, code=drive.code))
    status = 400 if form.is_bound else 200
    return render(request, "nominations/drive_form.html", {"form": form}, status=status)


@campaign_role_required(Role.COORDINATOR)
def drive_edit(request: CampaignRequest, code: UUID) -> HttpResponse:
    drive = access_drive(request, code)
    form = DriveForm(request.POST or None, instance=drive)
    if request.method == "POST" and form.is_valid():
        try:
            services.drive_update(drive=drive, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Drive saved; its signatures were checked against the rules again."))
            return redirect(_url("drive_detail", request, code=drive.code))
    status = 400 if form.is_bound else 200
    return render(request, "nominations/drive_form.html", {"form": form, "drive": drive}, status=status)


@campaign_role_required(Role.COORDINATOR)
def drive_detail(request: CampaignRequest, code: UUID) -> HttpResponse:
    drive = access_drive(request, code)
    today = _today(request)
    progress = selectors.drive_progress(drive, today=today)
    sheets = Sheet.objects.filter(drive=drive).aggregate(
        total=Count("pk"),
        out=Count("pk", filter=Q(status=Sheet.Status.CHECKED_OUT)),
        returned=Count("pk", filter=Q(status=Sheet.Status.RETURNED)),
    )
    risks = (
        Signature.objects.filter(drive=drive, status=Signature.Status.AT_RISK)
        .values_list("risks", flat=True)
        .iterator(chunk_size=2000)
    )
    by_risk: dict[str, int] = {}
    for codes in risks:
        for risk in codes:
            by_risk[risk] = by_risk.get(risk, 0) + 1
    labels = dict(Risk.choices)
    return render(
        request,
        "nominations/drive_detail.html",
        {
            "drive": drive,
            "progress": progress,
            "chart": selectors.daily_chart(drive, today=today),
            "collectors": selectors.collector_rates(drive),
            "sheets": sheets,
            "by_risk": sorted(((labels.get(k, k), k, n) for k, n in by_risk.items()), key=lambda r: -r[2]),
            "can_export": can_export(request),
        },
    )


# --- sheets --------------------------------------------------------------------------------------


@campaign_role_required(Role.COORDINATOR)
def sheets(request: CampaignRequest, code: UUID) -> HttpResponse:
    drive = access_drive(request, code)
    form = SheetBatchForm(request.POST or None, initial={"first": services.next_sheet_number(drive)})
    if request.method == "POST" and form.is_valid():
        try:
            made = services.sheets_create(drive=drive, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                ngettext("%(n)d sheet made.", "%(n)d sheets made.", len(made)) % {"n": len(made)},
            )
            return redirect(_url("sheets", request, code=drive.code))
    rows = (
        Sheet.objects.filter(drive=drive)
        .select_related("checked_out_to__user", "collector__user")
        .annotate(entered=Count("signatures"))
        .order_by("number")
    )
    wanted = request.GET.get("status", "")
    if wanted in Sheet.Status.values:
        rows = rows.filter(status=wanted)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "nominations/sheets.html",
        {
            "drive": drive,
            "form": form,
            "page": page,
            "statuses": Sheet.Status.choices,
            "wanted": wanted,
            "checkout_form": CheckoutForm(campaign=request.campaign),
            "query": f"status={wanted}" if wanted else "",
        },
        status=400 if form.is_bound else 200,
    )


def _entry_context(request: CampaignRequest, sheet: Sheet, form: SignatureForm) -> dict[str, Any]:
    return {"sheet": sheet, "drive": sheet.drive, "form": form, "is_coordinator": is_coordinator(request)}


def _parse_signature(request: CampaignRequest, drive: Drive, form: SignatureForm) -> dict[str, Any]:
    data = form.cleaned_data
    household = None
    if data.get("household"):
        household = (
            Household.objects.filter(campaign=request.campaign, code=data["household"]).select_related("area").first()
        )
        if household is None:
            raise ValidationError({"address": _("Choose the household again from the list.")})
    return {
        "full_name": data["full_name"],
        "household": household,
        "address_text": "" if household else data.get("address") or "",
        "id_fragment": data.get("id_fragment") or "",
        "birth_year": data.get("birth_year"),
        "signed_on": data["signed_on"],
    }


@campaign_role_required(Role.VOLUNTEER)
def sheet_detail(request: CampaignRequest, code: UUID) -> HttpResponse:
    """The sheet's lines, and the entry form: type a line, Enter saves it and clears for the next.
    With htmx the new line is added and the form comes back empty but for the date."""
    sheet = access_sheet(request, code)
    drive = sheet.drive
    form = SignatureForm(
        request.POST or None, initial={"signed_on": sheet.collected_on or _today(request), "code": uuid.uuid4()}
    )
    added = None
    if request.method == "POST" and form.is_valid():
        try:
            values = _parse_signature(request, drive, form)
            added = services.signature_add(
                drive=drive,
                acting_user=request.user,
                sheet=sheet,
                line=form.cleaned_data.get("line"),
                collected_by=sheet.collector,
                code=form.cleaned_data.get("code"),
                **values,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            form = SignatureForm(initial={"signed_on": form.cleaned_data["signed_on"], "code": uuid.uuid4()})
            if not request.htmx:  # type: ignore[attr-defined]
                if added.replayed:
                    messages.info(request, _("Line %(line)d was already saved.") % {"line": added.line})
                else:
                    messages.success(request, _("Line %(line)d saved.") % {"line": added.line})
                return redirect(_url("sheet_detail", request, code=sheet.code))
    status = 400 if request.method == "POST" and added is None else 200
    if request.htmx:  # type: ignore[attr-defined]
        context = _entry_context(request, sheet, form)
        context["added"] = added
        return render(request, "nominations/_entry.html", context, status=200 if added else 422)
    signatures = (
        Signature.objects.filter(sheet=sheet)
        .select_related("drive", "household")
        .defer("signature_png")
        .order_by("line", "pk")
    )
    context = _entry_context(request, sheet, form)
    context.update(
        signatures=signatures,
        return_form=ReturnForm(initial={"location": sheet.location, "collected_on": sheet.collected_on}),
        checkout_form=CheckoutForm(campaign=request.campaign),
    )
    return render(request, "nominations/sheet_detail.html", context, status=status)


@campaign_role_required(Role.COORDINATOR)
@require_POST
def sheet_checkout(request: CampaignRequest, code: UUID) -> HttpResponse:
    sheet = access_sheet(request, code, write=True)
    form = CheckoutForm(request.POST, campaign=request.campaign)
    if not form.is_valid():
        messages.error(request, _("Choose who takes the sheet."))
        return redirect(_url("sheets", request, code=sheet.drive.code))
    try:
        services.sheet_checkout(sheet=sheet, membership=form.cleaned_data["membership"], acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Sheet %(number)d checked out.") % {"number": sheet.number})
    return redirect(_back(request, _url("sheets", request, code=sheet.drive.code)))


@campaign_role_required(Role.COORDINATOR)
@require_POST
def sheet_return(request: CampaignRequest, code: UUID) -> HttpResponse:
    sheet = access_sheet(request, code, write=True)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the date collected."))
        return redirect(_url("sheet_detail", request, code=sheet.code))
    try:
        services.sheet_return(sheet=sheet, acting_user=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Sheet %(number)d returned.") % {"number": sheet.number})
    return redirect(_url("sheet_detail", request, code=sheet.code))


def sheet_url(request: CampaignRequest, sheet: Sheet) -> str:
    return settings.SITE_URL.rstrip("/") + _url("sheet_detail", request, code=sheet.code)


def qr_svg(data: str, *, label: str) -> SafeString:
    """An inline SVG QR code that scales to its container (no image file, nothing from another host)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    svg = svg.replace("<svg", f'<svg class="qr-code" role="img" aria-label="{escape(label)}"', 1)
    return mark_safe(svg)  # noqa: S308 -- generated by qrcode from our own URL; the label is escaped


@campaign_role_required(Role.COORDINATOR)
def sheet_print(request: CampaignRequest, code: UUID) -> HttpResponse:
    """The header to print on the sheet: drive, number and a QR code to the sheet's entry page."""
    sheet = access_sheet(request, code, write=True)
    url = sheet_url(request, sheet)
    return render(
        request,
        "nominations/sheet_print.html",
        {
            "sheet": sheet,
            "drive": sheet.drive,
            "url": url,
            "qr": qr_svg(url, label=_("QR code of this sheet")),
            "lines": range(1, LINES_PER_SHEET + 1),
        },
    )


@campaign_role_required(Role.VOLUNTEER)
def household_search(request: CampaignRequest, code: UUID) -> HttpResponse:
    """htmx: households of the drive's area whose address has the words typed. A volunteer may search
    only while they hold a sheet of this drive, and sees addresses only, never who lives there."""
    drive = access_drive(request, code, coordinator=False)
    if not is_coordinator(request):
        holds = Sheet.objects.filter(
            drive=drive, checked_out_to=request.membership, status=Sheet.Status.CHECKED_OUT
        ).exists()
        if not holds:
            raise PermissionDenied
    query = (request.GET.get("address") or request.GET.get("q") or "")[:100]
    return render(
        request,
        "nominations/_household_results.html",
        {"households": selectors.household_search(drive, query), "query": query},
    )


# --- signatures ----------------------------------------------------------------------------------


@campaign_role_required(Role.COORDINATOR)
def signatures(request: CampaignRequest, code: UUID) -> HttpResponse:
    """The drive's signatures for review; ?status=at_risk is the at-risk list, ?risk=… one reason."""
    drive = access_drive(request, code)
    rows = Signature.objects.filter(drive=drive).select_related("drive", "sheet", "household", "reviewed_by")
    rows = rows.defer("signature_png").annotate(
        has_drawing=ExpressionWrapper(Q(signature_png__isnull=False), output_field=BooleanField())
    )
    rows = rows.order_by("sheet__number", "line", "pk")
    wanted = request.GET.get("status", "")
    if wanted in Signature.Status.values:
        rows = rows.filter(status=wanted)
    risk = request.GET.get("risk", "")
    if risk in Risk.values:
        rows = rows.filter(status=Signature.Status.AT_RISK, risks__contains=[risk])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in (("status", wanted), ("risk", risk)) if v)
    return render(
        request,
        "nominations/signatures.html",
        {
            "drive": drive,
            "page": page,
            "statuses": Signature.Status.choices,
            "risks": Risk.choices,
            "wanted": wanted,
            "risk": risk,
            "query": query,
            "review_form": ReviewForm(),
        },
    )


@campaign_role_required(Role.COORDINATOR)
@require_POST
def signature_review(request: CampaignRequest, code: UUID) -> HttpResponse:
    signature = access_signature(request, code)
    form = ReviewForm(request.POST)
    back = _back(request, _url("signatures", request, code=signature.drive.code))
    if form.is_valid():
        try:
            services.signature_review(signature=signature, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Review saved."))
    else:
        messages.error(request, _("Choose valid or struck, and say why."))
    return redirect(f"{back}#sig-{signature.code}")


@campaign_role_required(Role.COORDINATOR)
def signature_image(request: CampaignRequest, code: UUID) -> HttpResponse:
    """The drawn signature, only through this access-checked view, never cached by a shared cache."""
    signature = access_signature(request, code)
    data = Signature.objects.filter(pk=signature.pk).values_list("signature_png", flat=True).first()
    if not data:
        raise Http404
    response = HttpResponse(bytes(data), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- re-check after a map re-version -------------------------------------------------------------


@campaign_role_required(Role.COORDINATOR)
def fell_out(request: CampaignRequest) -> HttpResponse:
    """The signatures that fell out of their drive's area at the last re-check."""
    recheck = selectors.last_recheck(request.campaign)
    rows = selectors.fell_out(request.campaign, recheck) if recheck else Signature.objects.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "nominations/fell_out.html", {"recheck": recheck, "page": page})


@campaign_role_required(Role.COORDINATOR)
@require_POST
def recheck(request: CampaignRequest) -> HttpResponse:
    changed = services.signatures_recheck(campaign=request.campaign, acting_user=request.user)
    messages.success(
        request,
        ngettext(
            "Checked again: %(n)d signature changed status.",
            "Checked again: %(n)d signatures changed status.",
            len(changed),
        )
        % {"n": len(changed)},
    )
    return redirect(_url("fell_out", request))


# --- export --------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "sheet",
    "line",
    "name",
    "address",
    "id_digits",
    "year_of_birth",
    "date_signed",
    "status",
    "risks",
    "review_reason",
    "source",
    "collected_by",
]


@campaign_role_required(Role.COORDINATOR)
def export_csv(request: CampaignRequest, code: UUID) -> HttpResponse:
    """The signature list in sheet order, for filing. Coordinators with two-factor authentication;
    recorded in the audit log before it is sent; ID digits only masked."""
    drive = access_drive(request, code)
    if not can_export(request):
        return render(
            request,
            "export_needs_mfa.html",
            {
                "why": _(
                    "The signature list holds signers' names and addresses, so it needs an account protected by "
                    "two-factor authentication."
                ),
                "back_url": _url("drive_detail", request, code=drive.code),
                "back_label": _("Back to the drive"),
            },
            status=403,
        )
    rows: list[list[Any]] = [EXPORT_COLUMNS]
    for s in selectors.filing_rows(drive):
        collector = s.collected_by.user if s.collected_by else None
        rows.append(
            [
                s.sheet.number if s.sheet else "",
                s.line or "",
                s.full_name,
                s.address,
                s.id_masked,
                s.birth_year or "",
                s.signed_on.isoformat(),
                s.status,
                " ".join(s.risks),
                s.review_reason,
                s.source,
                (collector.display_name or collector.email) if collector else "",
            ]
        )
    services.export_record(campaign=request.campaign, acting_user=request.user, drive=drive, rows=len(rows) - 1)
    stamp = timezone.localtime(timezone.now(), request.campaign.tzinfo).strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="signatures-{drive.area_key}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    csv.writer(response).writerows(rows)
    return response


# --- at the door ---------------------------------------------------------------------------------


@campaign_role_required(Role.VOLUNTEER)
def sign_at_door(request: CampaignRequest, household: UUID) -> HttpResponse:
    """From the visit screen: the signer types their name and signs with a finger on the phone."""
    home = access_door_household(request, household)
    open_drives = selectors.open_drives_for_household(home)
    form = DoorSignatureForm(request.POST or None, drives=open_drives, initial={"code": uuid.uuid4()})
    if request.method == "POST" and open_drives and form.is_valid():
        data = form.cleaned_data
        try:
            png = services.decode_signature_png(data["signature_png"])
            signature = services.signature_add(
                drive=data["drive"],
                acting_user=request.user,
                full_name=data["full_name"],
                household=home,
                id_fragment=data.get("id_fragment") or "",
                birth_year=data.get("birth_year"),
                signed_on=_today(request),
                collected_by=request.membership,
                signature_png=png,
                source=Signature.Source.DOOR,
                code=data.get("code"),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Thank you! The signature is saved."))
            if signature.status == Signature.Status.AT_RISK:
                messages.warning(
                    request, _("It may be questioned: %(why)s") % {"why": "; ".join(signature.risk_labels())}
                )
            return redirect(_url("sign_at_door", request, household=home.code))
    status = 400 if form.is_bound else 200
    return render(
        request,
        "nominations/sign_at_door.html",
        {"household": home, "drives": open_drives, "form": form},
        status=status,
    )
