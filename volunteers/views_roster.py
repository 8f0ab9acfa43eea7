"""The coordinators' roster under /c/<slug>/volunteers/: thin views over access helpers,
selectors and services_roster."""

from urllib.parse import urlencode
from uuid import UUID

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from volunteers import exporting, importing, selectors, services_roster
from volunteers.access import access_volunteer
from volunteers.forms_roster import (
    BulkActionForm,
    ImportUploadForm,
    MergeForm,
    NoteForm,
    RosterFilterForm,
    VolunteerForm,
)
from volunteers.models import Volunteer

PAGE_SIZE = 50
PREVIEW_PAGE_SIZE = 100


def _roster_url(request: CampaignRequest) -> str:
    return reverse("volunteers:roster", kwargs={"campaign_slug": request.campaign.slug})


def _filter_form(request: CampaignRequest) -> RosterFilterForm:
    return RosterFilterForm(request.GET or None, **selectors.roster_choices(request.campaign))


def _consent_wording(request: CampaignRequest, form: VolunteerForm) -> str:
    channels = ", ".join(
        str(form.fields[name].label) for name in ("consent_email", "consent_sms") if form.cleaned_data[name]
    )
    return _("Recorded by %(coordinator)s on the volunteer form: %(channels)s") % {
        "coordinator": request.user,
        "channels": channels or "-",
    }


@campaign_role_required(Role.COORDINATOR)
def roster(request: CampaignRequest) -> HttpResponse:
    form = _filter_form(request)
    filters = form.to_filter()
    page = Paginator(selectors.roster(request.campaign, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteers/roster/list.html",
        {
            "form": form,
            "page": page,
            "filtered": form.is_filtered(),
            "query": query.urlencode(),
            "bulk_form": BulkActionForm(),
            "status_choices": Volunteer.Status.choices,
            "mfa_enabled": is_mfa_enabled(request.user),
        },
    )


@campaign_role_required(Role.COORDINATOR)
@require_POST
def roster_bulk(request: CampaignRequest) -> HttpResponse:
    form = BulkActionForm(request.POST)
    back = request.POST.get("next", "")
    if not (back.startswith(_roster_url(request)) and url_has_allowed_host_and_scheme(back, allowed_hosts=None)):
        back = _roster_url(request)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    volunteers = list(Volunteer.objects.filter(campaign=request.campaign, code__in=form.cleaned_data["volunteers"]))
    if not volunteers:
        messages.error(request, _("Choose at least one volunteer."))
        return redirect(back)
    try:
        if form.cleaned_data["action"] == "tag":
            tag = services_roster.volunteers_tag(
                campaign=request.campaign,
                volunteers=volunteers,
                tag_name=form.cleaned_data["tag"],
                acting_user=request.user,
            )
            messages.success(
                request,
                ngettext(
                    "Tagged %(count)s volunteer “%(tag)s”.", "Tagged %(count)s volunteers “%(tag)s”.", len(volunteers)
                )
                % {"count": len(volunteers), "tag": tag.name},
            )
        else:
            status = form.cleaned_data["status"]
            services_roster.volunteers_set_status(
                campaign=request.campaign, volunteers=volunteers, status=status, acting_user=request.user
            )
            messages.success(
                request,
                ngettext(
                    "%(count)s volunteer is now “%(status)s”.",
                    "%(count)s volunteers are now “%(status)s”.",
                    len(volunteers),
                )
                % {"count": len(volunteers), "status": Volunteer.Status(status).label},
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(back)


@campaign_role_required(Role.COORDINATOR)
def volunteer_edit(request: CampaignRequest, code: UUID | None = None) -> HttpResponse:
    volunteer = access_volunteer(request, code) if code else None
    form = VolunteerForm(request.POST or None, campaign=request.campaign, volunteer=volunteer)
    if request.method == "POST" and form.is_valid():
        try:
            if volunteer is None:
                volunteer = services_roster.volunteer_create(
                    campaign=request.campaign,
                    acting_user=request.user,
                    person_values=form.person_values(),
                    volunteer_values=form.volunteer_values(),
                    skills=form.cleaned_data["skills"],
                    consent_wording=_consent_wording(request, form),
                )
                messages.success(request, _("Added %(name)s to the roster.") % {"name": volunteer.person})
            else:
                volunteer = services_roster.volunteer_update(
                    volunteer=volunteer,
                    acting_user=request.user,
                    person_values=form.person_values(),
                    volunteer_values=form.volunteer_values(),
                    skills=form.cleaned_data["skills"],
                    consent_wording=_consent_wording(request, form),
                )
                messages.success(request, _("Saved %(name)s.") % {"name": volunteer.person})
        except ValidationError as exc:
            form.add_error(None, exc)
            if volunteer is not None:
                volunteer.person.refresh_from_db()  # the page shows what is saved, not what was refused
        else:
            return redirect("volunteers:volunteer_detail", campaign_slug=request.campaign.slug, code=volunteer.code)
    return render(request, "volunteers/roster/form.html", {"form": form, "volunteer": volunteer})


@campaign_role_required(Role.COORDINATOR)
def volunteer_detail(request: CampaignRequest, code: UUID) -> HttpResponse:
    volunteer = access_volunteer(request, code)
    return _detail(request, volunteer, NoteForm())


def _detail(request: CampaignRequest, volunteer: Volunteer, note_form: NoteForm, status: int = 200) -> HttpResponse:
    signups = selectors.volunteer_signups(volunteer)
    return render(
        request,
        "volunteers/roster/detail.html",
        {
            "volunteer": volunteer,
            "person": volunteer.person,
            "skills": list(volunteer.skills.order_by("position", "name")),
            "tags": list(volunteer.person.tags.order_by("name")),
            "signups": signups,
            "hours": selectors.volunteer_hours(volunteer),
            "notes": selectors.volunteer_notes(volunteer),
            "note_form": note_form,
            "now": timezone.now(),
        },
        status=status,
    )


@campaign_role_required(Role.COORDINATOR)
@require_POST
def volunteer_note_add(request: CampaignRequest, code: UUID) -> HttpResponse:
    volunteer = access_volunteer(request, code)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services_roster.volunteer_note_add(
                volunteer=volunteer, body=form.cleaned_data["body"], acting_user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Note added."))
            return redirect("volunteers:volunteer_detail", campaign_slug=request.campaign.slug, code=volunteer.code)
    return _detail(request, volunteer, form, status=400)


@campaign_role_required(Role.COORDINATOR)
def duplicates(request: CampaignRequest) -> HttpResponse:
    pairs, more = selectors.duplicate_pairs(request.campaign)
    return render(request, "volunteers/roster/duplicates.html", {"pairs": pairs, "more": more})


def _volunteer_or_404(request: CampaignRequest, code: object) -> Volunteer:
    try:
        return access_volunteer(request, UUID(str(code)))
    except ValueError as exc:
        raise Http404 from exc


@campaign_role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def merge(request: CampaignRequest) -> HttpResponse:
    """GET ?a=<code>&b=<code> compares the two; POST keep=<code>&drop=<code> merges them."""
    if request.method == "POST":
        form = MergeForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect("volunteers:duplicates", campaign_slug=request.campaign.slug)
        keep = _volunteer_or_404(request, form.cleaned_data["keep"])
        drop = _volunteer_or_404(request, form.cleaned_data["drop"])
        try:
            services_roster.volunteer_merge(keep=keep, drop=drop, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            query = urlencode({"a": keep.code, "b": drop.code})
            return redirect(reverse("volunteers:merge", kwargs={"campaign_slug": request.campaign.slug}) + "?" + query)
        messages.success(
            request,
            _("Merged %(drop)s into %(keep)s. Every shift, note, skill, tag and message is now on this page.")
            % {"drop": drop.person, "keep": keep.person},
        )
        return redirect("volunteers:volunteer_detail", campaign_slug=request.campaign.slug, code=keep.code)
    if not request.GET.get("a") or not request.GET.get("b"):
        return redirect("volunteers:duplicates", campaign_slug=request.campaign.slug)
    first = _volunteer_or_404(request, request.GET["a"])
    second = _volunteer_or_404(request, request.GET["b"])
    if first.pk == second.pk:
        return redirect("volunteers:duplicates", campaign_slug=request.campaign.slug)
    sides = [
        {
            "volunteer": v,
            "other": other,
            "signups": v.signups.count(),
            "notes": v.notes.count(),
            "skills": list(v.skills.all()),
            "tags": list(v.person.tags.all()),
        }
        for v, other in ((first, second), (second, first))
    ]
    return render(request, "volunteers/roster/merge.html", {"sides": sides})


@campaign_role_required(Role.COORDINATOR)
def import_upload(request: CampaignRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            parsed = importing.parse_upload(form.cleaned_data["file"])
        except importing.ImportFileError as exc:
            form.add_error("file", exc)
        else:
            batch = importing.batch_save(campaign=request.campaign, user=request.user, parsed=parsed)
            return redirect("volunteers:import_preview", campaign_slug=request.campaign.slug, batch=batch)
    return render(
        request,
        "volunteers/roster/import.html",
        {"form": form, "columns": importing.COLUMN_ALIASES, "max_rows": importing.MAX_ROWS},
        status=400 if form.errors else 200,
    )


@campaign_role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def import_preview(request: CampaignRequest, batch: UUID) -> HttpResponse:
    """GET shows what applying would do, row by row; POST applies (all or nothing) or discards."""
    parsed = importing.batch_load(campaign=request.campaign, user=request.user, code=batch)
    if parsed is None:
        raise Http404
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "discard":
            importing.batch_delete(campaign=request.campaign, code=batch)
            messages.info(request, _("The upload was discarded; nothing was imported."))
            return redirect("volunteers:import", campaign_slug=request.campaign.slug)
        try:
            plan = services_roster.volunteers_import(
                campaign=request.campaign, acting_user=request.user, parsed=parsed, batch=batch
            )
        except services_roster.ImportRejected as exc:
            plan, status = exc.plan, 400
            messages.error(request, exc.messages[0])
        else:
            importing.batch_delete(campaign=request.campaign, code=batch)
            messages.success(
                request,
                ngettext(
                    "Imported %(rows)s row: %(new)s new volunteers, %(updated)s updated.",
                    "Imported %(rows)s rows: %(new)s new volunteers, %(updated)s updated.",
                    len(plan.rows),
                )
                % {
                    "rows": len(plan.rows),
                    "new": plan.count("new") + plan.count("link"),
                    "updated": plan.count("update"),
                },
            )
            return redirect("volunteers:roster", campaign_slug=request.campaign.slug)
    else:
        plan = importing.plan_import(request.campaign, parsed.rows, parsed.columns)
    errors_only = request.GET.get("show") == "errors"
    shown = plan.invalid if errors_only else plan.rows
    page = Paginator(shown, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/roster/import_preview.html",
        {
            "parsed": parsed,
            "plan": plan,
            "page": page,
            "batch": batch,
            "errors_only": errors_only,
            "labels": importing.COLUMN_LABELS,
            "counts": {
                "new": plan.count("new"),
                "link": plan.count("link"),
                "update": plan.count("update"),
                "invalid": len(plan.invalid),
            },
        },
        status=status,
    )


def _export(request: CampaignRequest, fmt: str) -> HttpResponseBase:
    if not is_mfa_enabled(request.user):
        return render(
            request,
            "export_needs_mfa.html",
            {
                "why": _(
                    "An export holds the contact details of many people, so it needs an account protected by "
                    "two-factor authentication."
                ),
                "back_url": reverse("volunteers:roster", kwargs={"campaign_slug": request.campaign.slug}),
                "back_label": _("Back to volunteers"),
            },
            status=403,
        )
    filters = _filter_form(request).to_filter()
    volunteers = selectors.roster(request.campaign, filters)
    count = volunteers.count()
    services_roster.volunteers_export_record(
        campaign=request.campaign, acting_user=request.user, fmt=fmt, filters=filters, rows=count
    )
    stamp = timezone.localtime(timezone.now(), request.campaign.tzinfo).strftime("%Y%m%d-%H%M")
    filename = f"volunteers-{request.campaign.slug}-{stamp}.{fmt}"
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            exporting.csv_stream(request.campaign, volunteers), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            exporting.xlsx_bytes(request.campaign, volunteers, title=_("Volunteers")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@campaign_role_required(Role.COORDINATOR)
def export_csv(request: CampaignRequest) -> HttpResponseBase:
    return _export(request, "csv")


@campaign_role_required(Role.COORDINATOR)
def export_xlsx(request: CampaignRequest) -> HttpResponseBase:
    return _export(request, "xlsx")
