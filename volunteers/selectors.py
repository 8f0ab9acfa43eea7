"""Reads of the volunteer roster that span relations: the roster, a volunteer's history, duplicates."""

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations
from typing import Any
from uuid import UUID

from django.db.models import Count, DurationField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone

from campaign.models import Campaign, Person, Tag
from volunteers.models import Signup, Skill, Volunteer, VolunteerNote

AVAILABILITY_FIELDS = {
    "weekdays": "available_weekdays",
    "evenings": "available_evenings",
    "weekends": "available_weekends",
}
ACTIVITY_WINDOWS = {"7": 7, "30": 30, "90": 90}
SORTS = {
    "name": (F("person__family_name").asc(), F("person__given_name").asc(), F("id").asc()),
    "-signed_up": (F("created_at").desc(), F("id").desc()),
    "signed_up": (F("created_at").asc(), F("id").asc()),
    "-last_activity": (F("last_activity_at").desc(nulls_last=True), F("id").desc()),
    "last_activity": (F("last_activity_at").asc(nulls_first=True), F("id").asc()),
}


@dataclass(frozen=True)
class RosterFilter:
    """What a coordinator asked the roster for. Empty values mean "any"."""

    q: str = ""
    status: str = ""
    skill: UUID | None = None
    availability: str = ""
    neighbourhood: str = ""
    tag: UUID | None = None
    activity: str = ""  # "7", "30", "90": active within so many days; "stale": not in 90 days; "never"
    sort: str = "name"

    def audit_data(self) -> dict[str, Any]:
        """The filter as the audit log may keep it: choices and codes, never the search text
        (a coordinator may have typed someone's name or phone number)."""
        data: dict[str, Any] = {
            key: str(value)
            for key, value in (
                ("status", self.status),
                ("skill", self.skill or ""),
                ("availability", self.availability),
                ("neighbourhood", self.neighbourhood),
                ("tag", self.tag or ""),
                ("activity", self.activity),
            )
            if value
        }
        if self.q:
            data["search"] = True
        return data


def _search(queryset: QuerySet[Volunteer], text: str) -> QuerySet[Volunteer]:
    """Every word must match a name, the email or the phone. Chinese names are written family
    name first with no space, so the joined name is searched too."""
    queryset = queryset.annotate(
        _name_fg=Concat("person__family_name", "person__given_name"),
        _name_gf=Concat("person__given_name", Value(" "), "person__family_name"),
    )
    for word in text.split()[:8]:
        match = (
            Q(person__given_name__icontains=word)
            | Q(person__family_name__icontains=word)
            | Q(_name_fg__icontains=word)
            | Q(_name_gf__icontains=word)
            | Q(person__email__icontains=word)
        )
        digits = re.sub(r"\D", "", word)
        if len(digits) >= 3 and len(digits) >= len(word) - 4:  # a phone number, perhaps written with spaces
            match |= Q(person__phone__contains=digits)
        queryset = queryset.filter(match)
    return queryset


def roster(campaign: Campaign, filters: RosterFilter) -> QuerySet[Volunteer]:
    """The campaign's volunteers matching the filter, with person, skills and tags loaded in a
    fixed number of queries, however many there are."""
    queryset: QuerySet[Volunteer] = Volunteer.objects.filter(campaign=campaign).select_related("person")
    if filters.q.strip():
        queryset = _search(queryset, filters.q.strip())
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.skill:
        queryset = queryset.filter(skills__code=filters.skill)  # one row per volunteer and skill: no duplicates
    if filters.availability in AVAILABILITY_FIELDS:
        queryset = queryset.filter(**{AVAILABILITY_FIELDS[filters.availability]: True})
    if filters.neighbourhood:
        queryset = queryset.filter(person__neighbourhood__iexact=filters.neighbourhood)
    if filters.tag:
        queryset = queryset.filter(person__tags__code=filters.tag)
    now = timezone.now()
    if filters.activity in ACTIVITY_WINDOWS:
        queryset = queryset.filter(last_activity_at__gte=now - dt.timedelta(days=ACTIVITY_WINDOWS[filters.activity]))
    elif filters.activity == "stale":
        queryset = queryset.filter(last_activity_at__lt=now - dt.timedelta(days=90))
    elif filters.activity == "never":
        queryset = queryset.filter(last_activity_at__isnull=True)
    return queryset.order_by(*SORTS.get(filters.sort, SORTS["name"])).prefetch_related(
        Prefetch("skills", queryset=Skill.objects.filter(campaign=campaign).order_by("position", "name")),
        Prefetch("person__tags", queryset=Tag.objects.filter(campaign=campaign).order_by("name")),
    )


def roster_choices(campaign: Campaign) -> dict[str, list]:
    """What the roster's filters offer: three queries, whatever the roster's size."""
    neighbourhoods = (
        Person.objects.filter(campaign=campaign, volunteer__isnull=False)
        .exclude(neighbourhood="")
        .values_list("neighbourhood", flat=True)
        .distinct()
        .order_by("neighbourhood")[:300]
    )
    return {
        "skills": list(Skill.objects.filter(campaign=campaign).order_by("position", "name")),
        "tags": list(Tag.objects.filter(campaign=campaign).order_by("name")),
        "neighbourhoods": list(neighbourhoods),
    }


def volunteer_signups(volunteer: Volunteer, *, limit: int = 200) -> list[Signup]:
    """A volunteer's shifts, latest first."""
    return list(
        Signup.objects.filter(campaign=volunteer.campaign, volunteer=volunteer)
        .select_related("shift")
        .order_by("-shift__starts_at", "-id")[:limit]
    )


def hours_counted(
    campaign: Campaign,
    *,
    volunteer: Volunteer | None = None,
    start_at: dt.datetime | None = None,
    end_at: dt.datetime | None = None,
) -> Decimal:
    """Volunteer hours, the one rule for every total: the sum of Signup.counted_hours in one SQL aggregate (a
    coordinator's correction where there is one, otherwise the shift's length when the volunteer attended),
    over confirmed places on shifts that were not cancelled. One volunteer's or everyone's, and only shifts
    that started in [start_at, end_at) when those are given."""
    counted = Signup.objects.filter(campaign=campaign, status=Signup.Status.CONFIRMED, shift__cancelled_at=None)
    if volunteer is not None:
        counted = counted.filter(volunteer=volunteer)
    if start_at is not None:
        counted = counted.filter(shift__starts_at__gte=start_at)
    if end_at is not None:
        counted = counted.filter(shift__starts_at__lt=end_at)
    totals = counted.aggregate(
        corrected=Sum("hours", filter=Q(hours__isnull=False)),
        attended=Sum(
            ExpressionWrapper(F("shift__ends_at") - F("shift__starts_at"), output_field=DurationField()),
            filter=Q(hours__isnull=True, attendance=Signup.Attendance.ATTENDED),
        ),
    )
    attended = totals["attended"] or dt.timedelta(0)
    attended_hours = Decimal(attended.total_seconds()) / Decimal(3600)
    return (Decimal(totals["corrected"] or 0) + attended_hours).quantize(Decimal("0.01"))


def volunteer_hours(volunteer: Volunteer) -> Decimal:
    """All of a volunteer's hours (see hours_counted)."""
    return hours_counted(volunteer.campaign, volunteer=volunteer)


def volunteer_notes(volunteer: Volunteer, *, limit: int = 100) -> list[VolunteerNote]:
    return list(
        VolunteerNote.objects.filter(campaign=volunteer.campaign, volunteer=volunteer).select_related("author")[:limit]
    )


# Possible duplicates ------------------------------------------------------------------------

NAME_SCAN_LIMIT = 20_000  # names are compared in Python for at most this many volunteers (newest first)
PAIR_LIMIT = 300  # pairs shown at once; merging some brings the rest up


@dataclass
class DuplicatePair:
    first: Volunteer
    second: Volunteer
    reasons: list[str] = field(default_factory=list)


def normalise_name(value: str) -> str:
    """Case, width, accents, spaces and punctuation do not make two names different."""
    value = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", value).casefold())
    return "".join(ch for ch in value if ch.isalnum())


def within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance at most 1, without building the whole matrix."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]  # one substitution
    return a[i:] == b[i + 1 :]  # one insertion


def _similar_given_names(a: str, b: str) -> bool:
    # One edit in a one- or two-letter name (most Chinese given names) is a different name, not a typo.
    if max(len(a), len(b)) < 3:
        return a == b
    return within_one_edit(a, b)


def _name_pairs(campaign: Campaign) -> dict[tuple[int, int], str]:
    """Pairs of volunteers whose names are the same once normalised, or who share a family name
    and have given names one typo apart. Candidates come from deletion keys (each given name and
    each way of dropping one letter of it), so the work grows with the roster, not its square."""
    rows = list(
        Volunteer.objects.filter(campaign=campaign)
        .order_by("-created_at", "-id")
        .values_list("id", "person__given_name", "person__family_name")[:NAME_SCAN_LIMIT]
    )
    buckets: dict[tuple[str, str], set[int]] = defaultdict(set)
    names: dict[int, tuple[str, str]] = {}
    for pk, given, family in rows:
        given_n, family_n = normalise_name(given), normalise_name(family)
        if not given_n:
            continue
        names[pk] = (given_n, family_n)
        # Either order: "Ada" + "Lovelace" is the same name as "Ada Lovelace" typed into one field,
        # and 张 + 伟 the same as 张伟.
        buckets[("=", family_n + given_n)].add(pk)
        buckets[("=", given_n + family_n)].add(pk)
        if family_n:
            buckets[("~" + family_n, given_n)].add(pk)
            if len(given_n) >= 2:
                for i in range(len(given_n)):
                    buckets[("~" + family_n, given_n[:i] + given_n[i + 1 :])].add(pk)
    pairs: dict[tuple[int, int], str] = {}
    for (kind, _key), members in buckets.items():
        if len(members) < 2 or len(members) > 50:  # a bucket of fifty is a common name, not a typo
            continue
        for a, b in combinations(sorted(members), 2):
            if (a, b) in pairs:
                continue
            (given_a, family_a), (given_b, family_b) = names[a], names[b]
            if kind == "=" or (family_a == family_b and _similar_given_names(given_a, given_b)):
                pairs[(a, b)] = "name"
    return pairs


def _shared_value_pairs(campaign: Campaign, expression: Any, exclude: Q) -> list[tuple[int, int]]:
    """Pairs of volunteers that share a value, found by grouping in SQL."""
    base = Volunteer.objects.filter(campaign=campaign).exclude(exclude).annotate(_value=expression)
    shared = base.values("_value").annotate(n=Count("id")).filter(n__gt=1).values("_value")
    groups: dict[str, list[int]] = defaultdict(list)
    for pk, value in base.filter(_value__in=shared).order_by("id").values_list("id", "_value")[:5000]:
        groups[value].append(pk)
    return [pair for members in groups.values() for pair in combinations(members[:20], 2)]


def duplicate_pairs(campaign: Campaign) -> tuple[list[DuplicatePair], bool]:
    """Possible duplicates among the campaign's volunteers, and whether there are more than shown."""
    found: dict[tuple[int, int], list[str]] = defaultdict(list)
    for pair in _shared_value_pairs(campaign, Lower("person__email"), Q(person__email="")):
        found[pair].append("email")
    for pair in _shared_value_pairs(campaign, F("person__phone"), Q(person__phone="")):
        found[pair].append("phone")
    for pair, reason in _name_pairs(campaign).items():
        found[pair].append(reason)
    keys = sorted(found)[:PAIR_LIMIT]
    wanted = {pk for pair in keys for pk in pair}
    volunteers = {
        v.pk: v
        for v in Volunteer.objects.filter(campaign=campaign, pk__in=wanted)
        .select_related("person")
        .annotate(signup_count=Count("signups"))
    }
    pairs = [DuplicatePair(volunteers[a], volunteers[b], found[(a, b)]) for a, b in keys]
    return pairs, len(found) > PAIR_LIMIT
