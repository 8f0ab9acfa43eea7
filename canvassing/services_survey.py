"""The campaign's survey questions (asked at the door, per language) and its script (talking points)."""

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from campaign.audit import log_action
from campaign.models import Campaign
from canvassing.models import Script, SurveyQuestion

LANGUAGES = [code for code, _name in settings.LANGUAGES]
MAX_PROMPT = 300
MAX_CHOICES = 12
MAX_SCRIPT = 10_000


def _clean_texts(texts: dict[str, Any] | None, *, field: str, limit: int) -> dict[str, str]:
    cleaned = {lang: str((texts or {}).get(lang) or "").strip() for lang in LANGUAGES}
    cleaned = {lang: text for lang, text in cleaned.items() if text}
    unknown = set(texts or {}) - set(LANGUAGES)
    if unknown:
        raise ValidationError({field: [_("Unknown language: %(codes)s") % {"codes": ", ".join(sorted(unknown))}]})
    if not cleaned:
        raise ValidationError({field: [_("Write it in at least one language.")]})
    if any(len(text) > limit for text in cleaned.values()):
        raise ValidationError({field: [_("Keep it under %(n)d characters.") % {"n": limit}]})
    return cleaned


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "choice"
    value, n = base, 2
    while value in taken:
        value, n = f"{base}-{n}", n + 1
    return value


def clean_choices(kind: str, choices: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """For a CHOICE question: [{"value", "label": {lang: text}}], values unique and stable. Others: []."""
    if kind != SurveyQuestion.Kind.CHOICE:
        return []
    cleaned: list[dict[str, Any]] = []
    taken: set[str] = set()
    for choice in choices or []:
        label = {lang: str((choice.get("label") or {}).get(lang) or "").strip() for lang in LANGUAGES}
        label = {lang: text for lang, text in label.items() if text}
        if not label:
            continue
        value = str(choice.get("value") or "").strip() or _slug(next(iter(label.values())), taken)
        if value in taken:
            raise ValidationError({"choices": [_("Two choices have the same value: %(value)s") % {"value": value}]})
        taken.add(value)
        cleaned.append({"value": value, "label": label})
    if len(cleaned) < 2:
        raise ValidationError({"choices": [_("Give at least two choices.")]})
    if len(cleaned) > MAX_CHOICES:
        raise ValidationError({"choices": [_("Give at most %(n)d choices.") % {"n": MAX_CHOICES}]})
    return cleaned


@transaction.atomic
def question_create(
    *, campaign: Campaign, kind: str, prompt: dict[str, str], acting_user: User, choices: list | None = None
) -> SurveyQuestion:
    if kind not in SurveyQuestion.Kind.values:
        raise ValidationError({"kind": [_("Choose one of the kinds offered.")]})
    prompt = _clean_texts(prompt, field="prompt", limit=MAX_PROMPT)
    position = (SurveyQuestion.objects.filter(campaign=campaign).aggregate(top=Max("position"))["top"] or 0) + 1
    question = SurveyQuestion.objects.create(
        campaign=campaign, kind=kind, prompt=prompt, choices=clean_choices(kind, choices), position=position
    )
    log_action(campaign=campaign, actor=acting_user, action="canvassing.question.created", target=question)
    return question


@transaction.atomic
def question_update(
    *,
    question: SurveyQuestion,
    acting_user: User,
    prompt: dict[str, str] | None = None,
    choices: list | None = None,
    active: bool | None = None,
) -> SurveyQuestion:
    """The kind never changes (answers already given would no longer fit); a choice keeps its value when
    its label is edited, so earlier answers still count."""
    fields = []
    if prompt is not None:
        question.prompt = _clean_texts(prompt, field="prompt", limit=MAX_PROMPT)
        fields.append("prompt")
    if choices is not None:
        question.choices = clean_choices(question.kind, choices)
        fields.append("choices")
    if active is not None:
        question.active = active
        fields.append("active")
    if fields:
        question.save(update_fields=fields)
        log_action(
            campaign=question.campaign,
            actor=acting_user,
            action="canvassing.question.updated",
            target=question,
            data={"fields": fields},
        )
    return question


@transaction.atomic
def question_move(*, question: SurveyQuestion, up: bool, acting_user: User) -> None:
    """Swap with the neighbour above or below; positions are renumbered 1..n so ties cannot stick."""
    questions = list(
        SurveyQuestion.objects.filter(campaign=question.campaign).select_for_update().order_by("position", "id")
    )
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(questions):
        return
    questions[index], questions[other] = questions[other], questions[index]
    for position, q in enumerate(questions, start=1):
        q.position = position
    SurveyQuestion.objects.bulk_update(questions, ["position"])
    log_action(
        campaign=question.campaign,
        actor=acting_user,
        action="canvassing.question.moved",
        target=question,
        data={"up": up},
    )


@transaction.atomic
def script_save(*, campaign: Campaign, language: str, body: str, acting_user: User) -> Script | None:
    """The talking points in one language; an empty body removes that language's script."""
    if language not in LANGUAGES:
        raise ValidationError({"language": [_("Choose one of the languages offered.")]})
    body = (body or "").strip()
    if len(body) > MAX_SCRIPT:
        raise ValidationError({"body": [_("Keep the script under %(n)d characters.") % {"n": MAX_SCRIPT}]})
    if not body:
        Script.objects.filter(campaign=campaign, language=language).delete()
        log_action(
            campaign=campaign, actor=acting_user, action="canvassing.script.removed", data={"language": language}
        )
        return None
    script, _created = Script.objects.update_or_create(campaign=campaign, language=language, defaults={"body": body})
    log_action(campaign=campaign, actor=acting_user, action="canvassing.script.saved", data={"language": language})
    return script
