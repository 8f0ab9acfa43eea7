"""Survey questions and the script: coordinators write them per language; the API reads them for every
member and lets only coordinators change them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from campaign.services import api_token_create
from canvassing.models import Script, SurveyQuestion
from canvassing.services_survey import question_create, question_move, question_update, script_save


def test_choice_question_keeps_values_when_labels_are_edited(in_scope_a):
    team = in_scope_a
    question = question_create(
        campaign=team.campaign,
        kind="choice",
        prompt={"en": "Top issue", "zh-hans": "最关心的问题"},
        choices=[{"label": {"en": "Housing"}}, {"label": {"en": "Transport", "zh-hans": "交通"}}],
        acting_user=team.coordinator.user,
    )
    assert [c["value"] for c in question.choices] == ["housing", "transport"]
    question_update(
        question=question,
        choices=[{"value": "housing", "label": {"en": "Housing costs", "zh-hans": "住房"}}, question.choices[1]],
        acting_user=team.coordinator.user,
    )
    question.refresh_from_db()
    assert question.choices[0] == {"value": "housing", "label": {"en": "Housing costs", "zh-hans": "住房"}}


@pytest.mark.parametrize(
    "kind, prompt, choices",
    [("scale", {}, None), ("poll", {"en": "?"}, None), ("choice", {"en": "Pick"}, [{"label": {"en": "Only one"}}])],
)
def test_bad_questions_are_refused(in_scope_a, kind, prompt, choices):
    with pytest.raises(ValidationError):
        question_create(
            campaign=in_scope_a.campaign,
            kind=kind,
            prompt=prompt,
            choices=choices,
            acting_user=in_scope_a.coordinator.user,
        )
    assert not SurveyQuestion.objects.exists()


def test_reorder(in_scope_a):
    team = in_scope_a
    _a, _b, c = (
        question_create(campaign=team.campaign, kind="text", prompt={"en": t}, acting_user=team.coordinator.user)
        for t in "abc"
    )
    question_move(question=c, up=True, acting_user=team.coordinator.user)
    assert [q.prompt["en"] for q in SurveyQuestion.objects.order_by("position")] == ["a", "c", "b"]


def test_script_per_language_and_empty_removes(in_scope_a):
    team = in_scope_a
    script_save(campaign=team.campaign, language="zh-hans", body="你好", acting_user=team.coordinator.user)
    script_save(campaign=team.campaign, language="en", body="Hello", acting_user=team.coordinator.user)
    script_save(campaign=team.campaign, language="en", body="  ", acting_user=team.coordinator.user)
    assert list(Script.objects.values_list("language", flat=True)) == ["zh-hans"]


def test_pages_add_edit_and_switch_off(client, team_a):
    slug = team_a.campaign.slug
    client.force_login(team_a.coordinator.user)
    response = client.post(
        reverse("canvassing:question_new", kwargs={"campaign_slug": slug}),
        {
            "kind": "choice",
            "prompt_en": "Top issue",
            "prompt_zh_hans": "最关心的问题",
            "choices": "Housing | 住房\nTransport | 交通",
        },
        follow=True,
    )
    assert "Top issue" in response.content.decode()
    with scopes_disabled():
        question = SurveyQuestion.objects.get()
    assert question.choices[1] == {"value": "transport", "label": {"en": "Transport", "zh-hans": "交通"}}
    client.post(
        reverse("canvassing:question_edit", kwargs={"campaign_slug": slug, "code": question.code}),
        {"prompt_en": "Top issue?", "prompt_zh_hans": "", "choices": "Housing costs | 住房\nTransport | 交通"},
    )
    client.post(
        reverse("canvassing:question_active", kwargs={"campaign_slug": slug, "code": question.code}), {"active": "0"}
    )
    question.refresh_from_db()
    assert question.prompt == {"en": "Top issue?"} and not question.active
    assert [c["value"] for c in question.choices] == ["housing", "transport"]
    client.post(
        reverse("canvassing:script_edit", kwargs={"campaign_slug": slug}), {"body_en": "Hi!", "body_zh_hans": "你好"}
    )
    with scopes_disabled():
        assert dict(Script.objects.values_list("language", "body")) == {"en": "Hi!", "zh-hans": "你好"}


def test_api_members_read_coordinators_write(client, team_a):
    with scope(campaign=team_a.campaign.pk):
        active = question_create(
            campaign=team_a.campaign, kind="yes_no", prompt={"en": "Vote?"}, acting_user=team_a.coordinator.user
        )
        hidden = question_create(
            campaign=team_a.campaign, kind="text", prompt={"en": "Old"}, acting_user=team_a.coordinator.user
        )
        question_update(question=hidden, active=False, acting_user=team_a.coordinator.user)
        _t, vkey = api_token_create(membership=team_a.volunteer, name="v")
        _t, ckey = api_token_create(membership=team_a.coordinator, name="c")
    url = reverse("api:survey-question-list", kwargs={"campaign_slug": team_a.campaign.slug})
    listed = client.get(url, HTTP_AUTHORIZATION=f"Bearer {vkey}").json()
    assert [q["code"] for q in listed] == [str(active.code)]
    body = {"kind": "scale", "prompt": {"en": "Transport?"}}
    assert (
        client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {vkey}").status_code == 403
    )
    assert (
        client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {ckey}").status_code == 201
    )
    detail = reverse("api:survey-question-detail", kwargs={"campaign_slug": team_a.campaign.slug, "code": hidden.code})
    assert client.get(detail, HTTP_AUTHORIZATION=f"Bearer {vkey}").status_code == 404
    patched = client.patch(
        detail, {"active": True}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {ckey}"
    )
    assert patched.status_code == 200 and patched.json()["active"] is True
