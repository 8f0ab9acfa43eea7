"""A hand-built canvassing campaign whose every progress number is known, built with the ORM directly.

The campaign is in Asia/Hong_Kong (UTC+8). D1, D2, D3 are the three days before today there.

    area A1 "N1 North": turf T1 (h1 h2 h3 h4), turf T2 (h5 h6, h7 moved away)
    area A2 "S1 South": turf T3 (h8), turf T4 (no households, marked completed), h9 (in no turf)
    no area: h10

    visit                         canvasser  outcome        support  other
    D1 10:00  h1  T1              vol        contacted      5
    D1 10:05  h2  T1              vol        not_home                needs review, too_fast
    D1 10:10  h3  T1              vol        inaccessible            (not a knock)
    D1 11:00  h5  T2              coord      contacted      2
    D1 11:10  h7  T2              coord      moved
    D1 12:00  h10 (no turf)       coord      not_home
    D2 09:00  h2  T1              vol        contacted      4
    D2 09:30  h1  T1              vol        contacted      4
    D2 23:30  h6  T2              coord      refused                 needs review, far_away
    D3 00:30  h8  T3              coord      not_home                (16:30 UTC on D2: a D3 visit in Hong Kong)
    D2 10:00  h4  T1              vol        contacted      5        discarded: counts nowhere

Assignments: vol active on T1, withdrawn on T4; coord done on T2; vol2 active on T3.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import Membership, Role
from canvassing.models import Area, Assignment, Household, MapVersion, Turf, Visit
from tests.conftest import Team
from tests.factories import MembershipFactory


@dataclass
class Built:
    team: Team
    d1: dt.date
    d2: dt.date
    d3: dt.date
    areas: dict[str, Area] = field(default_factory=dict)
    turfs: dict[str, Turf] = field(default_factory=dict)
    households: dict[str, Household] = field(default_factory=dict)
    visits: dict[str, Visit] = field(default_factory=dict)
    vol2: Membership | None = None


def local(campaign: Any, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=campaign.tzinfo)


def make_household(campaign: Any, name: str, **fields: Any) -> Household:
    return Household.objects.create(
        campaign=campaign, address_key=f"{campaign.slug}:{name}", street="Test Street", house_number=name, **fields
    )


def make_visit(campaign: Any, household: Household, at: dt.datetime, canvasser: Membership, outcome: str, **kw: Any):
    return Visit.objects.create(
        campaign=campaign,
        household=household,
        turf=kw.pop("turf", household.turf),
        canvasser=canvasser,
        outcome=outcome,
        visited_at=at,
        **kw,
    )


def build(team: Team) -> Built:
    campaign = team.campaign
    today = timezone.localdate(timezone=campaign.tzinfo)
    built = Built(
        team=team, d1=today - dt.timedelta(days=3), d2=today - dt.timedelta(days=2), d3=today - dt.timedelta(days=1)
    )
    vol, coord = team.volunteer, team.coordinator
    with scopes_disabled():
        version = MapVersion.objects.create(
            campaign=campaign, number=1, name="2026", source=MapVersion.Source.GEOJSON, status=MapVersion.Status.CURRENT
        )
        a1 = Area.objects.create(campaign=campaign, version=version, key="N1", name="North")
        a2 = Area.objects.create(campaign=campaign, version=version, key="S1", name="South")
        built.areas = {"A1": a1, "A2": a2}
        t1 = Turf.objects.create(campaign=campaign, area=a1, name="T1 Harbour")
        t2 = Turf.objects.create(campaign=campaign, area=a1, name="T2 Hill")
        t3 = Turf.objects.create(campaign=campaign, area=a2, name="T3 Market")
        t4 = Turf.objects.create(campaign=campaign, area=a2, name="T4 Pier", completed_at=timezone.now())
        built.turfs = {"T1": t1, "T2": t2, "T3": t3, "T4": t4}
        h = {}
        for name in ("h1", "h2", "h3", "h4"):
            h[name] = make_household(campaign, name, area=a1, turf=t1)
        h["h5"] = make_household(campaign, "h5", area=a1, turf=t2)
        h["h6"] = make_household(campaign, "h6", area=a1, turf=t2)
        h["h7"] = make_household(campaign, "h7", area=a1, turf=t2, status=Household.Status.MOVED)
        h["h8"] = make_household(campaign, "h8", area=a2, turf=t3)
        h["h9"] = make_household(campaign, "h9", area=a2)
        h["h10"] = make_household(campaign, "h10")
        built.households = h
        d1, d2, d3 = built.d1, built.d2, built.d3
        c = campaign
        v = built.visits
        v["h1_d1"] = make_visit(c, h["h1"], local(c, d1, 10), vol, "contacted", support_level=5)
        v["h2_d1"] = make_visit(c, h["h2"], local(c, d1, 10, 5), vol, "not_home", flags=["too_fast"], needs_review=True)
        v["h3_d1"] = make_visit(c, h["h3"], local(c, d1, 10, 10), vol, "inaccessible")
        v["h5_d1"] = make_visit(c, h["h5"], local(c, d1, 11), coord, "contacted", support_level=2)
        v["h7_d1"] = make_visit(c, h["h7"], local(c, d1, 11, 10), coord, "moved")
        v["h10_d1"] = make_visit(c, h["h10"], local(c, d1, 12), coord, "not_home")
        v["h2_d2"] = make_visit(c, h["h2"], local(c, d2, 9), vol, "contacted", support_level=4)
        v["h1_d2"] = make_visit(c, h["h1"], local(c, d2, 9, 30), vol, "contacted", support_level=4)
        v["h6_d2"] = make_visit(
            c, h["h6"], local(c, d2, 23, 30), coord, "refused", flags=["far_away"], needs_review=True
        )
        v["h8_d3"] = make_visit(c, h["h8"], local(c, d3, 0, 30), coord, "not_home")
        v["h4_discarded"] = make_visit(
            c, h["h4"], local(c, d2, 10), vol, "contacted", support_level=5, discarded_at=timezone.now()
        )
        # The latest visit of each household, as the visit service keeps it.
        for name, key in (
            ("h1", "h1_d2"),
            ("h2", "h2_d2"),
            ("h3", "h3_d1"),
            ("h5", "h5_d1"),
            ("h6", "h6_d2"),
            ("h7", "h7_d1"),
            ("h8", "h8_d3"),
            ("h10", "h10_d1"),
        ):
            visit = v[key]
            Household.objects.filter(pk=h[name].pk).update(
                last_outcome=visit.outcome, last_support=visit.support_level, last_visited_at=visit.visited_at
            )
        built.vol2 = MembershipFactory(campaign=campaign, role=Role.VOLUNTEER)
        Assignment.objects.create(campaign=c, turf=t1, membership=vol)
        Assignment.objects.create(campaign=c, turf=t4, membership=vol, status=Assignment.Status.WITHDRAWN)
        Assignment.objects.create(campaign=c, turf=t2, membership=coord, status=Assignment.Status.DONE)
        Assignment.objects.create(campaign=c, turf=t3, membership=built.vol2)
    return built


def add_visits(team: Team, count: int, *, turf: Turf | None = None, start: int = 0) -> None:
    """`count` more households, each visited once (half contacted), for query counts at another size."""
    campaign = team.campaign
    today = timezone.localdate(timezone=campaign.tzinfo)
    with scopes_disabled():
        households = Household.objects.bulk_create(
            [
                Household(
                    campaign=campaign,
                    address_key=f"{campaign.slug}:extra{start + n}",
                    turf=turf,
                    area=turf.area if turf else None,
                )
                for n in range(count)
            ]
        )
        Visit.objects.bulk_create(
            [
                Visit(
                    campaign=campaign,
                    household=household,
                    turf=turf,
                    canvasser=team.volunteer if n % 2 else team.coordinator,
                    outcome="contacted" if n % 2 else "not_home",
                    support_level=(n % 5) + 1 if n % 2 else None,
                    visited_at=local(campaign, today - dt.timedelta(days=n % 5), 12),
                    needs_review=n % 7 == 0,
                    flags=["too_fast"] if n % 7 == 0 else [],
                )
                for n, household in enumerate(households)
            ]
        )
