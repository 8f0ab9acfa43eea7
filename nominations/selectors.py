"""Reads across drives, sheets, signatures and households. Counts run in SQL, a fixed number of queries."""

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from campaign.models import Campaign, Membership, Role
from canvassing.models import Assignment, Household, normalise_text
from nominations.models import Drive, Recheck, Sheet, Signature
from nominations.validation import households_in_area

STATUS = Signature.Status


def signatures_in_households(*, campaign: Campaign, household_ids: list[int] | set[int]) -> int:
    """How many signatures of open drives these households carry: for the map re-version preview."""
    if not household_ids:
        return 0
    return Signature.objects.filter(
        campaign=campaign, drive__status=Drive.Status.OPEN, household_id__in=list(household_ids)
    ).count()


@dataclass
class Progress:
    drive: Drive
    today: dt.date
    collected: int
    likely_valid: int
    at_risk: int
    struck: int

    @property
    def target(self) -> int:
        return self.drive.target

    @property
    def remaining(self) -> int:
        return max(self.target - self.likely_valid, 0)

    @property
    def days_left(self) -> int:
        """Collecting days left, today included; 0 once the deadline has passed."""
        return max((self.drive.deadline - self.today).days + 1, 0)

    @property
    def per_day_needed(self) -> int | None:
        if self.remaining == 0:
            return 0
        if self.days_left == 0:
            return None  # too late
        return math.ceil(self.remaining / self.days_left)

    @property
    def expected_by_today(self) -> int:
        """The straight line from nothing on the opening day to the target on the deadline."""
        total_days = (self.drive.deadline - self.drive.opens_on).days + 1
        elapsed = min(max((self.today - self.drive.opens_on).days + 1, 0), total_days)
        return math.floor(self.target * elapsed / total_days)

    @property
    def behind(self) -> bool:
        return self.likely_valid < self.expected_by_today

    def share(self, count: int) -> int:
        return min(round(100 * count / self.target), 100) if self.target else 0

    @property
    def valid_share(self) -> int:
        return self.share(self.likely_valid)

    @property
    def risk_share(self) -> int:
        return min(self.share(self.at_risk), 100 - self.valid_share)

    @property
    def required_share(self) -> int:
        return self.share(self.drive.required)

    def as_dict(self) -> dict[str, Any]:
        return {
            "collected": self.collected,
            "likely_valid": self.likely_valid,
            "at_risk": self.at_risk,
            "struck": self.struck,
            "required": self.drive.required,
            "margin_percent": self.drive.margin_percent,
            "target": self.target,
            "remaining": self.remaining,
            "deadline": self.drive.deadline.isoformat(),
            "days_left": self.days_left,
            "per_day_needed": self.per_day_needed,
            "expected_by_today": self.expected_by_today,
            "behind": self.behind,
        }


def _counts(signatures: QuerySet[Signature]) -> dict[str, int]:
    return signatures.aggregate(
        collected=Count("pk"),
        likely_valid=Count("pk", filter=Q(status=STATUS.LIKELY_VALID)),
        at_risk=Count("pk", filter=Q(status=STATUS.AT_RISK)),
        struck=Count("pk", filter=Q(status=STATUS.STRUCK)),
    )


def drive_progress(drive: Drive, *, today: dt.date) -> Progress:
    return Progress(drive=drive, today=today, **_counts(Signature.objects.filter(drive=drive)))


def drives_with_counts(campaign: Campaign) -> QuerySet[Drive]:
    return Drive.objects.filter(campaign=campaign).annotate(
        collected=Count("signatures"),
        likely_valid=Count("signatures", filter=Q(signatures__status=STATUS.LIKELY_VALID)),
        at_risk=Count("signatures", filter=Q(signatures__status=STATUS.AT_RISK)),
        struck=Count("signatures", filter=Q(signatures__status=STATUS.STRUCK)),
    )


def progress_of_annotated(drive: Drive, *, today: dt.date) -> Progress:
    return Progress(
        drive=drive,
        today=today,
        collected=drive.collected,  # type: ignore[attr-defined]
        likely_valid=drive.likely_valid,  # type: ignore[attr-defined]
        at_risk=drive.at_risk,  # type: ignore[attr-defined]
        struck=drive.struck,  # type: ignore[attr-defined]
    )


def collector_rates(drive: Drive) -> list[dict[str, Any]]:
    """Per collector: how many they brought in and what share is likely valid (one query)."""
    rows = (
        Signature.objects.filter(drive=drive)
        .values("collected_by", "collected_by__user__display_name", "collected_by__user__email")
        .annotate(
            collected=Count("pk"),
            likely_valid=Count("pk", filter=Q(status=STATUS.LIKELY_VALID)),
            at_risk=Count("pk", filter=Q(status=STATUS.AT_RISK)),
            struck=Count("pk", filter=Q(status=STATUS.STRUCK)),
        )
        .order_by("-collected", "collected_by")
    )
    result = []
    for row in rows:
        name = row["collected_by__user__display_name"] or row["collected_by__user__email"] or ""
        result.append(
            {
                "name": name,
                "collected": row["collected"],
                "likely_valid": row["likely_valid"],
                "at_risk": row["at_risk"],
                "struck": row["struck"],
                "rate": round(100 * row["likely_valid"] / row["collected"]) if row["collected"] else 0,
            }
        )
    return result


def daily_chart(drive: Drive, *, today: dt.date, width: int = 600, height: int = 160) -> dict[str, Any]:
    """Cumulative likely-valid signatures per day signed, beside the straight line to the target, as
    SVG coordinates. One query (counts grouped by day)."""
    per_day = dict(
        Signature.objects.filter(drive=drive, status=STATUS.LIKELY_VALID)
        .values("signed_on")
        .annotate(n=Count("pk"))
        .values_list("signed_on", "n")
    )
    days = (drive.deadline - drive.opens_on).days + 1
    top = max(drive.target, sum(per_day.values()), 1)
    step = width / days
    bars, running = [], 0
    last = min(today, drive.deadline)
    for i in range(days):
        day = drive.opens_on + dt.timedelta(days=i)
        if day > last:
            break
        running += per_day.get(day, 0)
        h = height * running / top
        bars.append(
            {
                "x": round(i * step, 2),
                "y": round(height - h, 2),
                "width": round(max(step - 1, 0.5), 2),
                "height": round(h, 2),
                "day": day,
                "count": running,
            }
        )
    required_y = round(height - height * drive.required / top, 2)
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "pace_line": {"x1": 0, "y1": height, "x2": width, "y2": round(height - height * drive.target / top, 2)},
        "required_y": required_y,
    }


def visible_sheets(campaign: Campaign, membership: Membership) -> QuerySet[Sheet]:
    """Coordinators see every sheet; a volunteer only the sheets checked out to them now."""
    sheets = Sheet.objects.filter(campaign=campaign).select_related("drive", "checked_out_to__user", "collector__user")
    if membership.has_role(Role.COORDINATOR):
        return sheets
    return sheets.filter(checked_out_to=membership, status=Sheet.Status.CHECKED_OUT)


def household_search(drive: Drive, query: str, *, limit: int = 10) -> list[Household]:
    """Households of the drive's area (current map) whose address has every word typed; with the in-area
    rule off, where the signer lives does not matter, so every household of the campaign."""
    words = [w for w in query.split() if w][:5]
    if not words or sum(len(w) for w in words) < 2:
        return []
    households = Household.objects.filter(campaign_id=drive.campaign_id)
    if drive.check_area:
        households = households.filter(households_in_area(drive))
    for word in words:
        households = households.filter(
            Q(street__icontains=word)
            | Q(house_number__iexact=word)
            | Q(building__icontains=word)
            | Q(unit__iexact=word)
            | Q(floor__iexact=word)
            | Q(postcode__iexact=word)
            | Q(district__icontains=word)
        )
    return list(households.order_by("street", "house_number_value", "building", "floor", "unit", "pk")[:limit])


# Words that only say what the next word is ("Flat A", "5/F", "3號"): left out when addresses are compared.
ADDRESS_FILLER = frozenset(
    {"flat", "f", "floor", "fl", "rm", "room", "unit", "no", "blk", "block", "號", "号", "室", "樓", "楼", "座"}
)
_ADDRESS_RUNS = re.compile(r"\d+|[a-z]+|[^\da-z]+")
MAX_ADDRESS_CANDIDATES = 50


def address_words(text: str) -> list[str]:
    """The words of an address as the canvassing address key normalises them (width, case, punctuation),
    with numbers, Latin letters and other script split apart ("3號" → "3", "號"; "B室" → "b", "室") and
    filler words left out."""
    words = []
    for token in normalise_text(text).split():
        words += [part for part in _ADDRESS_RUNS.findall(token) if part not in ADDRESS_FILLER]
    return words


def _household_words(household: Household) -> tuple[set[str], set[str]]:
    """(the words that must be typed: door and street; the words that may be left out: district, postcode)."""
    door = " ".join((household.building, household.floor, household.unit, household.house_number, household.street))
    return set(address_words(door)), set(address_words(f"{household.district} {household.postcode}"))


def household_for_address(*, campaign: Campaign, text: str) -> Household | None:
    """The one household of the campaign (any area, or none) whose address is the address typed: every
    word of its door and street typed, nothing else but its district or postcode; order, case, width,
    punctuation and "Flat"/"/F" do not matter. None when no household or more than one fits."""
    typed = address_words(text)
    if not typed:
        return None
    candidates = Household.objects.filter(campaign=campaign)
    for word in sorted(set(typed), key=len, reverse=True)[:6]:
        if word.isdigit():
            # A number is a house number, floor or unit, or part of a building or street name ("Block 2").
            match = Q(house_number__istartswith=word) | Q(floor__iexact=word) | Q(unit__icontains=word)
        else:
            match = Q(unit__iexact=word) | Q(house_number__icontains=word)
        match |= Q(street__icontains=word) | Q(building__icontains=word)
        match |= Q(district__icontains=word) | Q(postcode__iexact=word)
        candidates = candidates.filter(match)
    wanted = set(typed)
    found = []
    for household in candidates.select_related("area").order_by("pk")[:MAX_ADDRESS_CANDIDATES]:
        required, optional = _household_words(household)
        if required and required <= wanted <= required | optional:
            found.append(household)
            if len(found) > 1:
                return None
    return found[0] if found else None


def can_sign_at_door(membership: Membership, household: Household) -> bool:
    """A coordinator anywhere; a volunteer at a household of a turf actively assigned to them."""
    if membership.has_role(Role.COORDINATOR):
        return True
    if household.turf_id is None:
        return False
    return Assignment.objects.filter(
        campaign_id=membership.campaign_id,
        membership=membership,
        turf_id=household.turf_id,
        status=Assignment.Status.ACTIVE,
    ).exists()


def open_drives_for_household(household: Household) -> list[Drive]:
    """The open drives a signer at this household can sign: those of its area in the current map
    version, and those whose in-area rule is off (anyone may sign them)."""
    anywhere = Q(check_area=False)
    if household.area_id is not None and household.area is not None:
        anywhere |= Q(area_key=household.area.key)
    return list(
        Drive.objects.filter(anywhere, campaign_id=household.campaign_id, status=Drive.Status.OPEN).order_by(
            "deadline", "pk"
        )
    )


def last_recheck(campaign: Campaign) -> Recheck | None:
    return Recheck.objects.filter(campaign=campaign).first()


def fell_out(campaign: Campaign, recheck: Recheck) -> QuerySet[Signature]:
    return (
        Signature.objects.filter(campaign=campaign, fell_out_in=recheck)
        .select_related("drive", "sheet", "household__area")
        .order_by("drive_id", "sheet__number", "line", "pk")
    )


def filing_rows(drive: Drive) -> QuerySet[Signature]:
    """Every signature of the drive in sheet order (door signatures last), for the filing export."""
    return (
        Signature.objects.filter(drive=drive)
        .select_related("drive", "sheet", "household", "collected_by__user")
        .defer("signature_png")
        .order_by("sheet__number", "line", "created_at", "pk")
    )
