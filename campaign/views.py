"""Pages under /c/<slug>/: thin views over access_* helpers and services."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign import selectors, services
from campaign.access import (
    CampaignRequest,
    access_api_token,
    access_invitation,
    access_job,
    access_membership,
    access_person,
    campaign_role_required,
)
from campaign.emails import send_invitation_email
from campaign.forms import ApiTokenForm, CampaignSettingsForm, InvitationForm, PersonForm, RoleForm
from campaign.jobs import job_state
from campaign.models import ApiToken, AuditEvent, Person, Role


def _form_errors(form, exc: ValidationError) -> None:  # type: ignore[no-untyped-def]
    """Put a service's refusal next to the field it is about, or on top of the form."""
    form.add_error(None, exc)


@campaign_role_required(Role.VOLUNTEER)
def campaign_home(request: CampaignRequest) -> HttpResponse:
    campaign = request.campaign
    role_counts = selectors.campaign_role_counts(campaign) if request.membership.has_role(Role.COORDINATOR) else None
    return render(request, "campaign/home.html", {"role_counts": role_counts})


@campaign_role_required(Role.OWNER)
def campaign_settings(request: CampaignRequest) -> HttpResponse:
    campaign = request.campaign
    form = CampaignSettingsForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        services.campaign_update(
            campaign=campaign,
            acting_user=request.user,
            **{field: form.cleaned_data[field] for field in form.Meta.fields},
        )
        messages.success(request, _("Campaign settings saved."))
        return redirect("campaign:settings", campaign_slug=campaign.slug)
    campaign.refresh_from_db()  # the form wrote rejected values onto the instance
    return render(request, "campaign/settings.html", {"form": form})


@campaign_role_required(Role.COORDINATOR)
def member_list(request: CampaignRequest) -> HttpResponse:
    page = Paginator(selectors.campaign_members(request.campaign), 50).get_page(request.GET.get("page"))
    return render(request, "campaign/members.html", {"page": page, "role_form": RoleForm()})


@campaign_role_required(Role.OWNER)
@require_POST
def member_role(request: CampaignRequest, code: UUID) -> HttpResponse:
    membership = access_membership(request, code, write=True)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
    else:
        try:
            services.membership_change_role(
                membership=membership, role=Role(form.cleaned_data["role"]), acting=request.membership
            )
            messages.success(
                request,
                _("%(user)s is now %(role)s.")
                % {"user": membership.user, "role": Role(form.cleaned_data["role"]).label},
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("campaign:members", campaign_slug=request.campaign.slug)


@campaign_role_required(Role.OWNER)
@require_POST
def member_remove(request: CampaignRequest, code: UUID) -> HttpResponse:
    membership = access_membership(request, code, write=True)
    try:
        services.membership_end(membership=membership, acting=request.membership)
        messages.success(request, _("%(user)s is no longer a member.") % {"user": membership.user})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if membership.pk == request.membership.pk:
        return redirect("home")
    return redirect("campaign:members", campaign_slug=request.campaign.slug)


@campaign_role_required(Role.VOLUNTEER)
def campaign_leave(request: CampaignRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.membership_end(membership=request.membership, acting=request.membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("campaign:leave", campaign_slug=request.campaign.slug)
        messages.success(request, _("You have left %(campaign)s.") % {"campaign": request.campaign})
        return redirect("home")
    return render(request, "campaign/leave.html")


@campaign_role_required(Role.COORDINATOR)
def invitation_list(request: CampaignRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, acting_rank=request.membership.rank)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, token = services.invitation_create(
                campaign=request.campaign,
                email=form.cleaned_data["email"],
                role=Role(form.cleaned_data["role"]),
                acting=request.membership,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            accept_url = request.build_absolute_uri(reverse("invitation_accept", kwargs={"token": token}))
            transaction.on_commit(lambda: send_invitation_email(invitation=invitation, accept_url=accept_url))
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("campaign:invitations", campaign_slug=request.campaign.slug)
    invitations = selectors.campaign_open_invitations(request.campaign)[:200]
    return render(request, "campaign/invitations.html", {"form": form, "invitations": invitations})


@campaign_role_required(Role.COORDINATOR)
@require_POST
def invitation_revoke(request: CampaignRequest, code: UUID) -> HttpResponse:
    invitation = access_invitation(request, code)
    try:
        services.invitation_revoke(invitation=invitation, acting=request.membership)
        messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("campaign:invitations", campaign_slug=request.campaign.slug)


@campaign_role_required(Role.COORDINATOR)
def person_list(request: CampaignRequest) -> HttpResponse:
    people = Person.objects.filter(campaign=request.campaign)
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(
            Q(given_name__icontains=query)
            | Q(family_name__icontains=query)
            | Q(email__icontains=query)
            | Q(phone__icontains=query)
            | Q(neighbourhood__icontains=query)
        )
    page = Paginator(people.order_by("family_name", "given_name", "id"), 50).get_page(request.GET.get("page"))
    return render(request, "campaign/people.html", {"page": page, "query": query})


@campaign_role_required(Role.COORDINATOR)
def person_edit(request: CampaignRequest, code: UUID | None = None) -> HttpResponse:
    person = access_person(request, code) if code else None
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_save(
                campaign=request.campaign,
                acting_user=request.user,
                person=person,
                consent_wording=_("Recorded by %(coordinator)s on the contact form: %(channels)s")
                % {
                    "coordinator": request.user,
                    "channels": ", ".join(
                        str(form.fields[f].label) for f in ("consent_email", "consent_sms") if form.cleaned_data[f]
                    )
                    or "-",
                },
                **{field: form.cleaned_data[field] for field in form.Meta.fields},
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": person})
            return redirect("campaign:people", campaign_slug=request.campaign.slug)
    return render(request, "campaign/person_form.html", {"form": form, "person": person})


@campaign_role_required(Role.OWNER)
def audit_log(request: CampaignRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(campaign=request.campaign).select_related("actor")
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(request, "campaign/audit.html", {"page": page})


@campaign_role_required(Role.VOLUNTEER)
def token_list(request: CampaignRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.api_token_create(membership=request.membership, name=form.cleaned_data["name"])
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(campaign=request.campaign, membership=request.membership)
    return render(request, "campaign/tokens.html", {"form": form, "tokens": tokens, "new_key": new_key})


@campaign_role_required(Role.VOLUNTEER)
@require_POST
def token_revoke(request: CampaignRequest, code: UUID) -> HttpResponse:
    token = access_api_token(request, code)
    services.api_token_revoke(token=token, acting=request.membership)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("campaign:tokens", campaign_slug=request.campaign.slug)


@campaign_role_required(Role.VOLUNTEER)
def job_detail(request: CampaignRequest, code: UUID) -> HttpResponse:
    """A background job's progress; htmx polls the partial while it runs."""
    job = access_job(request, code)
    context = {"job": job, "state": job_state(job)}
    if request.htmx:
        return render(request, "campaign/job_progress.html", context)
    return render(request, "campaign/job.html", context)
