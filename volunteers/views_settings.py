"""The campaign's volunteer settings (/c/<slug>/volunteers/settings/): reminders, the cancel-by time,
thank-yous, the public signup form, and the campaign's list of skills. Owners and coordinators."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import User
from campaign.access import CampaignRequest, campaign_role_required, require_role
from campaign.audit import log_action
from campaign.models import Campaign, Role
from volunteers.forms_shifts import SkillForm, VolunteerSettingsForm
from volunteers.models import Shift, Skill, VolunteerSettings
from volunteers.services import program_for
from volunteers.views_shifts import form_errors

# ---- writes (services: keyword-only, one transaction, audited) ----


@transaction.atomic
def volunteer_settings_update(*, program: VolunteerSettings, acting_user: User, **values: Any) -> VolunteerSettings:
    program = VolunteerSettings.objects.select_for_update().get(pk=program.pk)
    changed = [field for field, value in values.items() if getattr(program, field) != value]
    if not changed:
        return program
    for field in changed:
        setattr(program, field, values[field])
    program.full_clean(exclude=["campaign"])
    program.save(update_fields=changed)
    # The fields' names only: consent wording is the campaign's own text, but keep the log small.
    log_action(
        campaign=program.campaign,
        actor=acting_user,
        action="volunteers.settings.updated",
        target=program,
        data={"fields": changed},
    )
    return program


def _name_taken(campaign: Campaign, name: str, *, exclude: Skill | None = None) -> bool:
    others = Skill.objects.filter(campaign=campaign, name__iexact=name)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


@transaction.atomic
def skill_create(*, campaign: Campaign, name: str, acting_user: User) -> Skill:
    if _name_taken(campaign, name):
        raise ValidationError({"name": _("There is already a skill called “%(name)s”.") % {"name": name}})
    position = (
        Skill.objects.filter(campaign=campaign).order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    skill = Skill.objects.create(campaign=campaign, name=name, position=position)
    log_action(campaign=campaign, actor=acting_user, action="skill.created", target=skill, data={"name": name})
    return skill


@transaction.atomic
def skill_rename(*, skill: Skill, name: str, acting_user: User) -> Skill:
    skill = Skill.objects.select_for_update().get(pk=skill.pk)
    if skill.name == name:
        return skill
    if _name_taken(skill.campaign, name, exclude=skill):
        raise ValidationError({"name": _("There is already a skill called “%(name)s”.") % {"name": name}})
    before, skill.name = skill.name, name
    skill.save(update_fields=["name"])
    log_action(
        campaign=skill.campaign,
        actor=acting_user,
        action="skill.renamed",
        target=skill,
        data={"from": before, "to": name},
    )
    return skill


@transaction.atomic
def skill_remove(*, skill: Skill, acting_user: User) -> int:
    """Removes the skill from every volunteer and clears it where a shift required it; returns how many
    shifts no longer require a skill."""
    cleared = Shift.objects.filter(campaign=skill.campaign, required_skill=skill).update(required_skill=None)
    log_action(
        campaign=skill.campaign,
        actor=acting_user,
        action="skill.removed",
        target=skill,
        data={"name": skill.name, "shifts_cleared": cleared},
    )
    skill.delete()
    return cleared


# ---- pages ----


def access_skill(request: CampaignRequest, code: UUID) -> Skill:
    skill = get_object_or_404(Skill, campaign=request.campaign, code=code)
    require_role(request, Role.COORDINATOR)
    return skill


def _render(
    request: CampaignRequest,
    *,
    program: VolunteerSettings,
    form: VolunteerSettingsForm | None = None,
    add_form: SkillForm | None = None,
    rename: tuple[UUID, SkillForm] | None = None,
) -> HttpResponse:
    campaign = request.campaign
    skills = list(Skill.objects.filter(campaign=campaign).annotate(volunteer_count=Count("volunteers")))
    shift_counts = dict(
        Shift.objects.filter(campaign=campaign, required_skill__isnull=False)
        .values_list("required_skill")
        .annotate(n=Count("id"))
        .order_by()
    )
    for skill in skills:
        skill.shift_count = shift_counts.get(skill.pk, 0)  # type: ignore[attr-defined]
        if rename and rename[0] == skill.code:
            skill.rename_form = rename[1]  # type: ignore[attr-defined]
        else:
            skill.rename_form = SkillForm(initial={"name": skill.name}, prefix=f"skill-{skill.code}")  # type: ignore[attr-defined]
    return render(
        request,
        "volunteers/settings.html",
        {
            "form": form or VolunteerSettingsForm.for_program(program),
            "add_form": add_form or SkillForm(prefix="new"),
            "skills": skills,
        },
    )


@campaign_role_required(Role.COORDINATOR)
def volunteer_settings(request: CampaignRequest) -> HttpResponse:
    program = program_for(request.campaign)
    form = VolunteerSettingsForm.for_program(program, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            volunteer_settings_update(
                program=program,
                acting_user=request.user,
                **{field: form.cleaned_data[field] for field in VolunteerSettingsForm.FIELDS},
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Volunteer settings saved."))
            return redirect("volunteers:settings", campaign_slug=request.campaign.slug)
    return _render(request, program=program, form=form)


@campaign_role_required(Role.COORDINATOR)
@require_POST
def skill_add(request: CampaignRequest) -> HttpResponse:
    program = program_for(request.campaign)
    form = SkillForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            skill = skill_create(campaign=request.campaign, name=form.cleaned_data["name"], acting_user=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Skill “%(name)s” added.") % {"name": skill.name})
            return redirect("volunteers:settings", campaign_slug=request.campaign.slug)
    return _render(request, program=program, add_form=form)


@campaign_role_required(Role.COORDINATOR)
@require_POST
def skill_edit(request: CampaignRequest, code: UUID) -> HttpResponse:
    skill = access_skill(request, code)
    form = SkillForm(request.POST, prefix=f"skill-{skill.code}")
    if form.is_valid():
        try:
            skill_rename(skill=skill, name=form.cleaned_data["name"], acting_user=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Skill renamed to “%(name)s”.") % {"name": form.cleaned_data["name"]})
            return redirect("volunteers:settings", campaign_slug=request.campaign.slug)
    return _render(request, program=program_for(request.campaign), rename=(skill.code, form))


@campaign_role_required(Role.COORDINATOR)
@require_POST
def skill_delete(request: CampaignRequest, code: UUID) -> HttpResponse:
    skill = access_skill(request, code)
    cleared = skill_remove(skill=skill, acting_user=request.user)
    text = _("Skill “%(name)s” removed.") % {"name": skill.name}
    if cleared:
        text += " " + ngettext(
            "One shift no longer requires a skill.", "%(count)d shifts no longer require a skill.", cleared
        ) % {"count": cleared}
    messages.success(request, text)
    return redirect("volunteers:settings", campaign_slug=request.campaign.slug)
