"""Reviewing flagged visits: accept keeps the visit and clears the flag from the queue; discard stops it
counting in progress and puts the household's latest visit right; both are audited; nothing else changes."""

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from campaign.models import AuditEvent
from canvassing import selectors_progress as progress
from canvassing.models import Household, Visit
from canvassing.services_review import visit_review
from tests.canvassing.progress_helpers import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(team_a, team_b):
    build(team_b)
    return build(team_a)


def snapshot():
    with scopes_disabled():
        return {
            "visits": {v.pk: model_to_dict(v) for v in Visit.objects.order_by("pk")},
            "households": {h.pk: model_to_dict(h, exclude=["updated_at"]) for h in Household.objects.order_by("pk")},
        }


def changed(before, after, kind):
    return {pk for pk in before[kind] if before[kind][pk] != after[kind][pk]}


def test_accept_clears_the_queue_and_changes_nothing_else(built):
    team, visit = built.team, built.visits["h2_d1"]
    before = snapshot()
    with scope(campaign=team.campaign.pk):
        summary_before = progress.progress_summary(campaign=team.campaign)
        visit_review(visit=visit, decision="accept", acting_user=team.coordinator.user)
        summary_after = progress.progress_summary(campaign=team.campaign)
        assert list(progress.review_queue(campaign=team.campaign)) == [built.visits["h6_d2"]]
    after = snapshot()
    assert changed(before, after, "visits") == {visit.pk}
    assert changed(before, after, "households") == set()
    visit.refresh_from_db()
    assert (visit.needs_review, visit.reviewed_by, visit.discarded_at) == (False, team.coordinator.user, None)
    assert visit.reviewed_at is not None and visit.flags == ["too_fast"]  # the flag stays on record
    assert summary_after.figures == summary_before.figures
    assert summary_after.needs_review == summary_before.needs_review - 1
    with scopes_disabled():
        event = AuditEvent.objects.get(campaign=team.campaign, action="canvassing.visit.accepted")
    assert event.object_code == str(visit.code) and event.actor == team.coordinator.user


def test_discard_stops_counting_and_puts_the_household_right(built):
    team, visit = built.team, built.visits["h1_d2"]
    household = built.households["h1"]
    before = snapshot()
    with scope(campaign=team.campaign.pk):
        visit_review(visit=visit, decision="discard", acting_user=team.owner.user)
        summary = progress.progress_summary(campaign=team.campaign)
        (t1,) = progress.progress_by_turf(campaign=team.campaign, turfs=[built.turfs["T1"]])
        vol = next(r for r in progress.progress_by_volunteer(campaign=team.campaign) if r.membership == team.volunteer)
    after = snapshot()
    assert changed(before, after, "visits") == {visit.pk}
    assert changed(before, after, "households") == {household.pk}
    visit.refresh_from_db()
    household.refresh_from_db()
    assert visit.discarded_at is not None and visit.reviewed_by == team.owner.user
    # h1's latest visit is again D1's: contacted, support 5
    assert (household.last_outcome, household.last_support) == ("contacted", 5)
    assert household.last_visited_at == built.visits["h1_d1"].visited_at
    assert summary.figures.visits == 9 and summary.figures.doors_knocked == 7  # h1 still knocked on D1
    assert summary.support == [0, 1, 0, 1, 1]
    assert t1.figures.visits == 4
    assert vol.figures.visits == 4 and vol.support_recorded == [0, 0, 0, 1, 1]
    with scopes_disabled():
        assert AuditEvent.objects.filter(campaign=team.campaign, action="canvassing.visit.discarded").count() == 1


def test_discarding_the_only_visit_leaves_the_door_unknocked(built):
    team, visit = built.team, built.visits["h8_d3"]
    with scope(campaign=team.campaign.pk):
        visit_review(visit=visit, decision="discard", acting_user=team.coordinator.user)
        summary = progress.progress_summary(campaign=team.campaign)
    household = built.households["h8"]
    household.refresh_from_db()
    assert (household.last_outcome, household.last_visited_at, household.last_support) == ("", None, None)
    assert (summary.coverage.left, summary.turfs_completed) == (3, 2)  # T3 is no longer completed


def test_refused_decisions_change_nothing(built):
    team = built.team
    before = snapshot()
    with scope(campaign=team.campaign.pk):
        for visit, decision in (("h2_d1", "maybe"), ("h1_d1", "accept"), ("h4_discarded", "discard")):
            # an unknown decision; a visit not waiting for review; a visit already discarded
            with pytest.raises(ValidationError):
                visit_review(visit=built.visits[visit], decision=decision, acting_user=team.coordinator.user)
    assert snapshot() == before
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action__startswith="canvassing.visit.").exists()


def test_review_page_lists_filters_and_decides(client, built):
    team = built.team
    client.force_login(team.coordinator.user)
    url = reverse("canvassing:review", kwargs={"campaign_slug": team.campaign.slug})
    body = client.get(url).content.decode()
    assert body.count('data-testid="review-row"') == 2
    assert "Logged less than 30 seconds after the previous visit" in body
    assert client.get(url, {"flag": "far_away"}).content.decode().count('data-testid="review-row"') == 1
    assert (
        client.get(url, {"volunteer": str(team.volunteer.code)}).content.decode().count('data-testid="review-row"') == 1
    )
    assert client.get(url, {"day": built.d3.isoformat()}).content.decode().count('data-testid="review-row"') == 0
    visit = built.visits["h6_d2"]
    decide = reverse("canvassing:review_decide", kwargs={"campaign_slug": team.campaign.slug, "code": visit.code})
    response = client.post(decide, {"decision": "discard", "next": url + "?flag=far_away"})
    assert response.status_code == 302 and response["Location"] == url + "?flag=far_away"
    visit.refresh_from_db()
    assert visit.discarded_at is not None
    response = client.post(decide, {"decision": "discard", "next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain[-1][0] == url  # no open redirect
    assert "already discarded" in response.content.decode()


def test_review_page_lists_implausible_turfs(client, team_a):
    import datetime as dt

    from django.utils import timezone

    from canvassing.models import Turf
    from tests.canvassing.progress_helpers import local, make_household, make_visit

    campaign = team_a.campaign
    day = timezone.localdate(timezone=campaign.tzinfo) - dt.timedelta(days=1)
    with scopes_disabled():
        version = campaign.map_versions.create(number=1, name="v", source="geojson", status="current")
        area = version.areas.create(campaign=campaign, key="A", name="A")
        turf = Turf.objects.create(campaign=campaign, area=area, name="Too good to be true")
        for n in range(progress.IMPLAUSIBLE_MIN_VISITS):
            household = make_household(campaign, f"x{n}", area=area, turf=turf)
            make_visit(campaign, household, local(campaign, day, 9, n), team_a.volunteer, "contacted")
    client.force_login(team_a.coordinator.user)
    body = client.get(reverse("canvassing:review", kwargs={"campaign_slug": campaign.slug})).content.decode()
    assert 'data-testid="implausible-row"' in body and "Too good to be true" in body and "100%" in body
    assert reverse("canvassing:progress_turf", kwargs={"campaign_slug": campaign.slug, "code": turf.code}) in body


def review_api_url(team, visit):
    return reverse("api:canvassing-visit-review", kwargs={"campaign_slug": team.campaign.slug, "code": visit.code})


def test_api_review_accepts_and_discards(client, built):
    team = built.team
    client.force_login(team.coordinator.user)
    accepted = built.visits["h2_d1"]
    response = client.post(review_api_url(team, accepted), {"decision": "accept"}, content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert (data["code"], data["needs_review"], data["discarded_at"]) == (str(accepted.code), False, None)
    assert data["flags"] == ["too_fast"] and data["reviewed_at"] and data["reviewed_by"]
    discarded = built.visits["h1_d2"]
    response = client.post(review_api_url(team, discarded), {"decision": "discard"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["discarded_at"]
    household = built.households["h1"]
    household.refresh_from_db()
    assert (household.last_outcome, household.last_support) == ("contacted", 5)  # D1's visit is the latest again
    summary = client.get(reverse("api:canvassing-progress", kwargs={"campaign_slug": team.campaign.slug})).json()
    assert summary["figures"]["visits"] == 9 and summary["needs_review"] == 1
    with scopes_disabled():
        actions = set(AuditEvent.objects.filter(campaign=team.campaign).values_list("action", flat=True))
    assert {"canvassing.visit.accepted", "canvassing.visit.discarded"} <= actions


def test_api_review_refuses_bad_decisions_and_volunteers(client, built):
    team = built.team
    before = snapshot()
    client.force_login(team.coordinator.user)
    for key, payload in (
        ("h2_d1", {"decision": "maybe"}),  # not a decision
        ("h2_d1", {}),  # no decision
        ("h1_d1", {"decision": "accept"}),  # not waiting for review
        ("h4_discarded", {"decision": "discard"}),  # already discarded
    ):
        response = client.post(review_api_url(team, built.visits[key]), payload, content_type="application/json")
        assert response.status_code == 400, key
        assert "decision" in response.json()
    client.force_login(team.volunteer.user)
    response = client.post(
        review_api_url(team, built.visits["h2_d1"]), {"decision": "discard"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert snapshot() == before
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action__startswith="canvassing.visit.").exists()
