"""Forms for the doorstep (the visit form, posted by a phone without JavaScript), assignments, survey
questions and the script. The JavaScript form posts the same fields to the sync API instead."""

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, Membership
from canvassing.models import SurveyQuestion, Visit
from canvassing.services_visits import MAX_LEAFLETS, MAX_NOTE
from volunteers.models import Shift

DOOR_OUTCOMES = [
    Visit.Outcome.CONTACTED,
    Visit.Outcome.NOT_HOME,
    Visit.Outcome.COME_BACK,
    Visit.Outcome.REFUSED,
    Visit.Outcome.MOVED,
    Visit.Outcome.INACCESSIBLE,
    Visit.Outcome.DO_NOT_CONTACT,
]
LEAFLET_OUTCOMES = [Visit.Outcome.LEAFLET_LEFT, Visit.Outcome.NO_ACCESS]


class VisitForm(forms.Form):
    """The answers arrive as `q_<question code>` fields; the view hands them to the service as a dict."""

    code = forms.UUIDField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Visit.Outcome.choices)
    support_level = forms.TypedChoiceField(
        label=_("Support"),
        choices=[("", "—")] + [(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    leaflets_left = forms.IntegerField(label=_("Leaflets left"), min_value=0, max_value=MAX_LEAFLETS, initial=0)
    note = forms.CharField(
        label=_("Note"), max_length=MAX_NOTE, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, questions: list[SurveyQuestion] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions or []
        self.fields["code"].initial = uuid.uuid4()

    def answers(self) -> dict[str, Any]:
        """Raw answers by question code; the service checks them against each question's kind."""
        found = {}
        for question in self.questions:
            value = self.data.get(f"q_{question.code}", "")
            if value not in ("", None):
                found[str(question.code)] = value
        return found


class AssignmentForm(forms.Form):
    memberships: "forms.ModelMultipleChoiceField[Membership]" = forms.ModelMultipleChoiceField(
        label=_("Canvassers"), queryset=Membership.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    due_on = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    shift: "forms.ModelChoiceField[Shift]" = forms.ModelChoiceField(
        label=_("Canvassing shift"),
        queryset=Shift.objects.none(),
        required=False,
        help_text=_("Optional: the shift this walk belongs to."),
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = self.fields["memberships"]
        members.queryset = (  # type: ignore[attr-defined]
            Membership.objects.filter(campaign=campaign).select_related("user").order_by("user__display_name", "pk")
        )
        members.label_from_instance = lambda m: f"{m.user} ({m.get_role_display()})"  # type: ignore[attr-defined]
        self.fields["shift"].queryset = Shift.objects.filter(  # type: ignore[attr-defined]
            campaign=campaign, kind__in=[Shift.Kind.CANVASSING, Shift.Kind.LEAFLETING]
        ).order_by("starts_at")


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=SurveyQuestion.Kind.choices)
    prompt_en = forms.CharField(label=_("Question (English)"), max_length=300, required=False)
    prompt_zh_hans = forms.CharField(label=_("Question (Simplified Chinese)"), max_length=300, required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For “one of several choices”: one per line, English | Chinese (either may be left out)."),
    )

    def __init__(self, *args: Any, question: SurveyQuestion | None = None, **kwargs: Any) -> None:
        self.question = question
        if question is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": question.kind,
                    "prompt_en": question.prompt.get("en", ""),
                    "prompt_zh_hans": question.prompt.get("zh-hans", ""),
                    "choices": "\n".join(
                        " | ".join([c["label"].get("en", ""), c["label"].get("zh-hans", "")]).strip(" |")
                        if c["label"].get("en")
                        else " | " + c["label"].get("zh-hans", "")
                        for c in question.choices
                    ),
                },
            )
        super().__init__(*args, **kwargs)
        if question is not None:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("The kind cannot change once answers may have been given.")

    def prompt(self) -> dict[str, str]:
        return {"en": self.cleaned_data.get("prompt_en", ""), "zh-hans": self.cleaned_data.get("prompt_zh_hans", "")}

    def choice_list(self) -> list[dict[str, Any]]:
        """Lines → choices. An edited choice keeps its stored value when either label still matches,
        else the value at the same position, so earlier answers keep their meaning."""
        existing = list(self.question.choices) if self.question is not None else []
        lines = [line for line in (self.cleaned_data.get("choices") or "").splitlines() if line.strip()]
        used: set[str] = set()
        choices = []
        for index, line in enumerate(lines):
            en, _sep, zh = line.partition("|")
            label = {"en": en.strip(), "zh-hans": zh.strip()}
            match = next(
                (
                    c["value"]
                    for c in existing
                    if c["value"] not in used
                    and any(label[lang] and c["label"].get(lang) == label[lang] for lang in label)
                ),
                None,
            )
            if match is None and index < len(existing) and existing[index]["value"] not in used:
                match = existing[index]["value"]
            if match:
                used.add(match)
            choices.append({"value": match or "", "label": label})
        return choices


class ScriptForm(forms.Form):
    body_en = forms.CharField(
        label=_("Talking points (English)"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    body_zh_hans = forms.CharField(
        label=_("Talking points (Simplified Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
