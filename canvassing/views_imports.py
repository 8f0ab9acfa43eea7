"""Household file import under /c/<slug>/canvassing/imports/: upload → map columns → check (background)
→ import (background). The batch page shows where it stands whenever the coordinator comes back."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.access import CampaignRequest, campaign_role_required
from campaign.jobs import job_state
from campaign.models import Role
from canvassing import importing
from canvassing import selectors_households as selectors
from canvassing import services_households as services
from canvassing.forms_households import ImportUploadForm, MappingForm
from canvassing.models import ImportBatch


@campaign_role_required(Role.COORDINATOR)
def import_list(request: CampaignRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.import_upload(
                campaign=request.campaign, acting_user=request.user, filename=upload.name, chunks=upload.chunks()
            )
            return redirect("canvassing:import_detail", campaign_slug=request.campaign.slug, code=batch.code)
        except ValidationError as exc:
            for error in exc.messages:
                form.add_error("file", error)
    batches = ImportBatch.objects.filter(campaign=request.campaign).select_related("created_by")[:20]
    return render(
        request,
        "canvassing/imports/list.html",
        {
            "form": form,
            "batches": batches,
            "columns": importing.COLUMN_ALIASES,
            "labels": importing.COLUMN_LABELS,
            "max_rows": f"{importing.MAX_ROWS:,}",
        },
    )


@campaign_role_required(Role.COORDINATOR)
def import_detail(request: CampaignRequest, code: UUID) -> HttpResponse:
    batch = selectors.access_import_batch(request, code)
    form = None
    if batch.can_map:
        form = MappingForm(
            request.POST or None,
            headers=batch.headers,
            mapping=batch.mapping,
            csv=batch.file_format == ImportBatch.Format.CSV,
            initial={"encoding": batch.encoding},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.import_validate_start(
                    batch=batch,
                    acting_user=request.user,
                    mapping=form.mapping(),
                    encoding=form.cleaned_data.get("encoding", ""),
                )
                return redirect("canvassing:import_detail", campaign_slug=request.campaign.slug, code=batch.code)
            except ValidationError as exc:
                for error in exc.messages:
                    form.add_error(None, error)
    elif request.method == "POST":
        messages.error(request, _("This import cannot be changed now."))
    batch.refresh_from_db()
    return render(
        request,
        "canvassing/imports/detail.html",
        {
            "batch": batch,
            "form": form,
            "job": batch.job,
            "state": job_state(batch.job) if batch.job else None,
            "mapping_rows": [
                (form[name], [row[index] for row in batch.sample if index < len(row) and row[index]])
                for index, name in enumerate(form.columns)
            ]
            if form
            else [],
        },
    )


@campaign_role_required(Role.COORDINATOR)
@require_POST
def import_apply(request: CampaignRequest, code: UUID) -> HttpResponse:
    batch = selectors.access_import_batch(request, code)
    try:
        services.import_apply_start(batch=batch, acting_user=request.user)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    return redirect("canvassing:import_detail", campaign_slug=request.campaign.slug, code=batch.code)


@campaign_role_required(Role.COORDINATOR)
@require_POST
def import_discard(request: CampaignRequest, code: UUID) -> HttpResponse:
    batch = selectors.access_import_batch(request, code)
    try:
        services.import_discard(batch=batch, acting_user=request.user)
        messages.info(request, _("The file was discarded."))
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    return redirect("canvassing:imports", campaign_slug=request.campaign.slug)
