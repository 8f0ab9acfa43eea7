"""Every progress number against the hand-built campaign of progress_helpers (see its docstring)."""

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from canvassing import selectors_progress as progress
from canvassing.models import Household, Turf
from tests.canvassing.progress_helpers import build, local, make_household, make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(team_a, team_b):
    build(team_b)  # another campaign's visits must never count
    made = build(team_a)
    with scope(campaign=team_a.campaign.pk):
        yield made


def test_summary_all_time(built):
    s = progress.progress_summary(campaign=built.team.campaign)
    # h1 h2 h3 h5 h7 h10 on D1, h2 h1 h6 on D2, h8 on D3; h4's visit was discarded
    assert s.figures.visits == 10
    # h3's only visit was "inaccessible": not a knock. h7 moved but its door was knocked.
    assert s.figures.doors_knocked == 7
    assert s.figures.contacts == 3  # h1, h2, h5 (h1 twice counts once)
    assert s.figures.contact_rate == pytest.approx(3 / 7)
    assert s.figures.contact_percent == 43
    # coverage: active households in turfs: T1 4, T2 2 (h7 moved), T3 1; knocked h1 h2 h5 h6 h8
    assert (s.coverage.households, s.coverage.knocked, s.coverage.left) == (7, 5, 2)
    assert s.households == 9  # h1-h6, h8, h9, h10 are active
    assert s.support == [0, 1, 0, 2, 0]  # h5 at 2; h1, h2 at 4
    # T2 (h5, h6 knocked) and T3 by knocking; T4 marked completed; T1 has h3, h4 left
    assert (s.turfs, s.turfs_completed) == (4, 3)
    assert s.needs_review == 2


def test_a_door_found_inaccessible_on_the_latest_try_is_left_to_do(built):
    campaign, h1 = built.team.campaign, built.households["h1"]
    today = timezone.localdate(timezone=campaign.tzinfo)
    visit = make_visit(campaign, h1, local(campaign, today, 8), built.team.volunteer, "inaccessible")
    Household.objects.filter(pk=h1.pk).update(last_outcome="inaccessible", last_visited_at=visit.visited_at)
    s = progress.progress_summary(campaign=campaign)
    assert (s.coverage.knocked, s.coverage.left) == (4, 3)
    assert s.figures.doors_knocked == 7  # the period's figures still count h1's earlier knocks


def test_summary_custom_day_uses_the_campaign_time_zone(built):
    campaign = built.team.campaign
    since, until = progress.period_bounds(campaign=campaign, period="custom", start=built.d2, end=built.d2)
    s = progress.progress_summary(campaign=campaign, since=since, until=until)
    # h8's visit at 00:30 on D3 in Hong Kong is 16:30 UTC on D2: it belongs to D3
    assert (s.figures.visits, s.figures.doors_knocked, s.figures.contacts) == (3, 3, 2)
    # support of households whose latest visit is on D2: h1 and h2 at 4 (h6 none)
    assert s.support == [0, 0, 0, 2, 0]
    assert (s.coverage.households, s.coverage.knocked) == (7, 5)  # coverage is about now


def test_period_bounds_today_and_week(team_a):
    campaign = team_a.campaign
    now = dt.datetime(2026, 3, 10, 17, 0, tzinfo=dt.UTC)  # 01:00 on 11 March in Hong Kong
    since, until = progress.period_bounds(campaign=campaign, period="today", now=now)
    assert since == dt.datetime(2026, 3, 11, tzinfo=campaign.tzinfo) and until is None
    since, _until = progress.period_bounds(campaign=campaign, period="7d", now=now)
    assert since == dt.datetime(2026, 3, 5, tzinfo=campaign.tzinfo)
    assert progress.period_bounds(campaign=campaign, period="all", now=now) == (None, None)
    assert progress.period_bounds(campaign=campaign, period="nonsense", now=now) == (None, None)


def test_by_turf(built):
    rows = {row.turf.name: row for row in progress.progress_by_turf(campaign=built.team.campaign)}
    assert list(rows) == ["T1 Harbour", "T2 Hill", "T3 Market", "T4 Pier"]
    t1, t2, t3, t4 = rows.values()
    assert (t1.figures.visits, t1.figures.doors_knocked, t1.figures.contacts) == (5, 2, 2)
    assert t1.figures.contact_rate == 1.0
    assert (t1.coverage.households, t1.coverage.knocked, t1.coverage.left) == (4, 2, 2)
    assert t1.support == [0, 0, 0, 2, 0]
    assert not t1.completed
    assert (t2.figures.visits, t2.figures.doors_knocked, t2.figures.contacts) == (3, 3, 1)
    assert (t2.coverage.households, t2.coverage.left) == (2, 0)
    assert t2.support == [0, 1, 0, 0, 0]
    assert t2.completed
    assert (t3.figures.visits, t3.figures.doors_knocked, t3.figures.contacts) == (1, 1, 0)
    assert t3.figures.contact_rate == 0
    assert t3.completed
    assert (t4.figures.visits, t4.coverage.households) == (0, 0)
    assert t4.figures.contact_rate is None
    assert t4.completed  # marked


def test_by_turf_of_one_area_and_a_page(built):
    campaign = built.team.campaign
    rows = progress.progress_by_turf(campaign=campaign, area=built.areas["A2"])
    assert [row.turf.name for row in rows] == ["T3 Market", "T4 Pier"]
    with scopes_disabled():
        page = list(Turf.objects.filter(pk=built.turfs["T2"].pk))
    (row,) = progress.progress_by_turf(campaign=campaign, turfs=page)
    assert row.figures.visits == 3


def test_by_area(built):
    rows = progress.progress_by_area(campaign=built.team.campaign)
    assert [str(row.area) if row.area else None for row in rows] == ["N1 North", "S1 South", None]
    north, south, outside = rows
    # households h1-h7 are in North: visits h1 x2, h2 x2, h3, h5, h7, h6
    assert (north.figures.visits, north.figures.doors_knocked, north.figures.contacts) == (8, 5, 3)
    assert (north.coverage.households, north.coverage.knocked) == (6, 4)
    assert north.support == [0, 1, 0, 2, 0]
    assert (north.turfs, north.turfs_completed) == (2, 1)
    assert (south.figures.visits, south.figures.doors_knocked, south.figures.contacts) == (1, 1, 0)
    assert (south.coverage.households, south.coverage.knocked) == (1, 1)  # h9 is in no turf
    assert (south.turfs, south.turfs_completed) == (2, 2)
    assert (outside.figures.visits, outside.figures.doors_knocked) == (1, 1)  # h10
    assert outside.coverage.households == 0


def test_by_volunteer(built):
    team = built.team
    rows = progress.progress_by_volunteer(campaign=team.campaign)
    assert [row.membership for row in rows] == [team.coordinator, team.volunteer, built.vol2]
    coord, vol, vol2 = rows
    assert (coord.figures.visits, coord.figures.doors_knocked, coord.figures.contacts) == (5, 5, 1)
    assert coord.support_recorded == [0, 1, 0, 0, 0]
    assert (coord.turfs_assigned, coord.turfs_completed) == (0, 1)  # T2 done
    # h1 D1, h2 D1, h3 (inaccessible), h2 D2, h1 D2; the discarded h4 visit does not count
    assert (vol.figures.visits, vol.figures.doors_knocked, vol.figures.contacts) == (5, 2, 2)
    assert vol.support_recorded == [0, 0, 0, 2, 1]
    assert (vol.turfs_assigned, vol.turfs_completed) == (1, 0)  # the withdrawn T4 does not count
    assert (vol2.figures.visits, vol2.turfs_assigned) == (0, 1)


def test_by_volunteer_in_one_turf(built):
    rows = progress.progress_by_volunteer(campaign=built.team.campaign, turf=built.turfs["T1"])
    assert [row.membership for row in rows] == [built.team.volunteer]
    assert rows[0].figures.visits == 5


def test_by_day(built):
    campaign = built.team.campaign
    rows = progress.progress_by_day(campaign=campaign)
    today = timezone.localdate(timezone=campaign.tzinfo)
    assert [row.day for row in rows] == [built.d1, built.d2, built.d3, today]  # filled up to today
    d1, d2, d3, last = rows
    assert (d1.figures.visits, d1.figures.doors_knocked, d1.figures.contacts) == (6, 5, 2)
    assert d1.support_recorded == [0, 1, 0, 0, 1]
    assert (d2.figures.visits, d2.figures.doors_knocked, d2.figures.contacts) == (3, 3, 2)
    assert d2.support_recorded == [0, 0, 0, 2, 0]
    assert (d3.figures.visits, d3.figures.doors_knocked, d3.figures.contacts) == (1, 1, 0)
    assert last.figures.visits == 0


def test_by_day_of_one_canvasser_in_a_period(built):
    campaign = built.team.campaign
    since, until = progress.period_bounds(campaign=campaign, period="custom", start=built.d2, end=built.d3)
    rows = progress.progress_by_day(campaign=campaign, since=since, until=until, canvasser=built.team.coordinator)
    assert [(row.day, row.figures.visits) for row in rows] == [(built.d2, 1), (built.d3, 1)]


def test_member_figures(built):
    figures, support = progress.progress_for_member(campaign=built.team.campaign, membership=built.team.volunteer)
    assert (figures.visits, figures.doors_knocked, figures.contacts) == (5, 2, 2)
    assert support == [0, 0, 0, 2, 1]


def test_implausible_contact_rates(team_a, in_scope_a):
    campaign = team_a.campaign
    day = timezone.localdate(timezone=campaign.tzinfo) - dt.timedelta(days=1)
    with scopes_disabled():
        version = campaign.map_versions.create(number=1, name="v", source="geojson", status="current")
        area = version.areas.create(campaign=campaign, key="A", name="A")
        cases = {
            "all contacted": (20, 20),
            "none contacted": (25, 0),
            "too few visits": (19, 19),
            "plausible": (20, 10),
        }
        for name, (visits, contacted) in cases.items():
            turf = Turf.objects.create(campaign=campaign, area=area, name=name)
            for n in range(visits):
                household = make_household(campaign, f"{name}{n}", area=area, turf=turf)
                outcome = "contacted" if n < contacted else "not_home"
                make_visit(campaign, household, local(campaign, day, 9, n), team_a.volunteer, outcome)
    flagged = progress.implausible_turfs(campaign=campaign)
    assert [(row.turf_name, row.figures.contact_percent) for row in flagged] == [
        ("all contacted", 100),
        ("none contacted", 0),
    ]
    # 1 contact in 50 doors is exactly 2%: not below the bound
    with scopes_disabled():
        turf = Turf.objects.create(campaign=campaign, area=area, name="edge")
        for n in range(50):
            household = make_household(campaign, f"edge{n}", area=area, turf=turf)
            make_visit(
                campaign,
                household,
                local(campaign, day, 10, n),
                team_a.volunteer,
                "contacted" if n == 0 else "not_home",
            )
    assert "edge" not in [row.turf_name for row in progress.implausible_turfs(campaign=campaign)]


def test_review_queue_filters(built):
    campaign = built.team.campaign
    everything = list(progress.review_queue(campaign=campaign))
    assert everything == [built.visits["h2_d1"], built.visits["h6_d2"]]
    assert list(progress.review_queue(campaign=campaign, flag="far_away")) == [built.visits["h6_d2"]]
    assert list(progress.review_queue(campaign=campaign, turf=built.turfs["T1"])) == [built.visits["h2_d1"]]
    assert list(progress.review_queue(campaign=campaign, canvasser=built.team.coordinator)) == [built.visits["h6_d2"]]
    assert list(progress.review_queue(campaign=campaign, day=built.d2)) == [built.visits["h6_d2"]]
    assert list(progress.review_queue(campaign=campaign, day=built.d3)) == []
