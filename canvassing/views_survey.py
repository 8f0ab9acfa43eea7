"""Coordinators write the campaign's survey questions (per language, reorder, switch off) and its script."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from canvassing import selectors_visits as selectors
from canvassing.access import access_survey_question
from canvassing.forms_visits import QuestionForm, ScriptForm
from canvassing.models import Script, SurveyQuestion
from canvassing.services_survey import question_create, question_move, question_update, script_save
from fundraising.views_donations import form_errors


def _back(request: CampaignRequest) -> HttpResponse:
    return redirect("canvassing:survey", campaign_slug=request.campaign.slug)


@campaign_role_required(Role.COORDINATOR)
def survey(request: CampaignRequest) -> HttpResponse:
    questions = list(SurveyQuestion.objects.filter(campaign=request.campaign).order_by("position", "id"))
    language = get_language() or request.campaign.language
    for question in questions:
        question.shown_prompt = selectors.pick_language(question.prompt, language, request.campaign.language)  # type: ignore[attr-defined]
    scripts = {s.language: s for s in Script.objects.filter(campaign=request.campaign)}
    return render(
        request,
        "canvassing/survey/index.html",
        {"questions": questions, "script_en": scripts.get("en"), "script_zh": scripts.get("zh-hans")},
    )


@campaign_role_required(Role.COORDINATOR)
def question_new(request: CampaignRequest) -> HttpResponse:
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question_create(
                campaign=request.campaign,
                kind=form.cleaned_data["kind"],
                prompt=form.prompt(),
                choices=form.choice_list(),
                acting_user=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc, aliases={"prompt": "prompt_en"})
        else:
            messages.success(request, _("Question added."))
            return _back(request)
    return render(request, "canvassing/survey/question_form.html", {"form": form, "question": None})


@campaign_role_required(Role.COORDINATOR)
def question_edit(request: CampaignRequest, code: UUID) -> HttpResponse:
    question = access_survey_question(request, code)
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            question_update(
                question=question,
                prompt=form.prompt(),
                choices=form.choice_list() if question.kind == SurveyQuestion.Kind.CHOICE else None,
                acting_user=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc, aliases={"prompt": "prompt_en"})
        else:
            messages.success(request, _("Question saved."))
            return _back(request)
    return render(request, "canvassing/survey/question_form.html", {"form": form, "question": question})


@require_POST
@campaign_role_required(Role.COORDINATOR)
def question_move_view(request: CampaignRequest, code: UUID) -> HttpResponse:
    question = access_survey_question(request, code)
    question_move(question=question, up=request.POST.get("direction") != "down", acting_user=request.user)
    return _back(request)


@require_POST
@campaign_role_required(Role.COORDINATOR)
def question_active(request: CampaignRequest, code: UUID) -> HttpResponse:
    question = access_survey_question(request, code)
    active = request.POST.get("active") == "1"
    question_update(question=question, active=active, acting_user=request.user)
    messages.success(request, _("Question switched on.") if active else _("Question switched off; answers given stay."))
    return _back(request)


@campaign_role_required(Role.COORDINATOR)
def script_edit(request: CampaignRequest) -> HttpResponse:
    scripts = {s.language: s.body for s in Script.objects.filter(campaign=request.campaign)}
    form = ScriptForm(
        request.POST or None, initial={"body_en": scripts.get("en", ""), "body_zh_hans": scripts.get("zh-hans", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # both languages or neither
                for language, field in (("en", "body_en"), ("zh-hans", "body_zh_hans")):
                    if form.cleaned_data[field].strip() != scripts.get(language, ""):
                        script_save(
                            campaign=request.campaign,
                            language=language,
                            body=form.cleaned_data[field],
                            acting_user=request.user,
                        )
        except ValidationError as exc:
            form_errors(form, exc, aliases={"body": "body_en"})
        else:
            messages.success(request, _("Script saved."))
            return _back(request)
    return render(request, "canvassing/survey/script_form.html", {"form": form})
