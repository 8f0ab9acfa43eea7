"""Recording visits: one door from the form, a phone's offline batch, or a whole floor not at home.

Every path goes through `visits_record_batch`, so a single visit and a synced batch of fifty are checked
the same way: the canvasser may only log doors of turfs assigned to them (coordinators anywhere), the
outcome, support level and survey answers must fit, the phone's clock must be plausible. A visit's
`code` is made by the phone: the same code again is a no-op that returns the visit already stored, also
when two requests race (the unique constraint decides; the loser finds the winner's row).

Visits are not written to the audit log one by one: the visit row itself says who (canvasser), what,
when (visited_at, recorded_at), and nothing in it is ever changed by this module after it is written.
"""

import datetime as dt
import functools
import json
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField, Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaign.audit import log_action
from campaign.models import Membership, Role
from canvassing.models import Assignment, Household, SurveyQuestion, Turf, Visit
from inventory.services import stock_drop_for_visit

CLOCK_SKEW = dt.timedelta(minutes=5)  # a phone's clock may run this far ahead of the server's
MAX_AGE = dt.timedelta(days=30)  # an offline phone may sync a month late, not more
TOO_FAST = dt.timedelta(seconds=30)
# 200 m: a phone's GPS in a street of high-rises is often 50–100 m off; a canvasser 200 m away is
# not at that door.
FAR_AWAY_METRES = 200
MAX_LEAFLETS = 50
MAX_NOTE = 2000
MAX_TEXT_ANSWER = 1000
BATCH_LIMIT = 200  # items per sync request

# Outcomes that take a household out of future walk lists.
STATUS_FOR_OUTCOME = {
    Visit.Outcome.DO_NOT_CONTACT: Household.Status.DO_NOT_CONTACT,
    Visit.Outcome.MOVED: Household.Status.MOVED,
}
LEAFLET_OUTCOMES = {Visit.Outcome.LEAFLET_LEFT, Visit.Outcome.NO_ACCESS}
OUTCOMES = frozenset(Visit.Outcome.values)


@dataclass
class VisitInput:
    """One visit as a phone or the form sends it. `household` is the household's code."""

    code: uuid.UUID
    household: uuid.UUID
    outcome: str
    visited_at: dt.datetime
    support_level: int | None = None
    leaflets_left: int = 0
    leaflet_variant: uuid.UUID | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    latitude: float | None = None
    longitude: float | None = None
    turf: uuid.UUID | None = None  # the turf the phone was walking (its walk screen), when it says


@dataclass
class VisitResult:
    code: uuid.UUID
    visit: Visit | None = None
    created: bool = False
    errors: dict[str, list[str]] | None = None
    forbidden: bool = False  # the household is not the canvasser's to log


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine); plenty for telling 20 m from 2 km."""
    radius = 6_371_000
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def question_prompt(question: SurveyQuestion, language: str, fallback: str) -> str:
    prompt = question.prompt or {}
    return prompt.get(language) or prompt.get(fallback) or next((v for v in prompt.values() if v), "")


def clean_answer(question: SurveyQuestion, value: Any) -> Any:
    """The answer in its stored form, or ValidationError. None means "not answered"."""
    if value is None or value == "":
        return None
    kind = question.kind
    if kind == SurveyQuestion.Kind.YES_NO:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("yes", "true", "1", "y"):
            return True
        if text in ("no", "false", "0", "n"):
            return False
        raise ValidationError(_("Answer yes or no."))
    if kind == SurveyQuestion.Kind.SCALE:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if isinstance(value, bool) or str(number) != str(value).strip() or not 1 <= number <= 5:
            raise ValidationError(_("Answer with a number from 1 to 5."))
        return number
    if kind == SurveyQuestion.Kind.CHOICE:
        allowed = [str(choice.get("value")) for choice in question.choices or []]
        if str(value) not in allowed:
            raise ValidationError(_("Pick one of the choices offered."))
        return str(value)
    text = str(value).strip()
    if len(text) > MAX_TEXT_ANSWER:
        raise ValidationError(_("Keep the answer under %(n)d characters.") % {"n": MAX_TEXT_ANSWER})
    return text or None


class _Batch:
    """What checking a batch needs, read once for the whole batch."""

    def __init__(self, *, canvasser: Membership, items: list[VisitInput], lock: bool) -> None:
        self.canvasser = canvasser
        self.campaign = canvasser.campaign
        self.now = timezone.now()
        codes = {item.household for item in items}
        # The canvasser's active assignment of each door's turf comes with the door (one query, not two).
        assignment = Assignment.objects.filter(
            campaign_id=self.campaign.pk,
            membership_id=canvasser.pk,
            status=Assignment.Status.ACTIVE,
            turf_id=OuterRef("turf_id"),
        ).order_by("-created_at")
        households = Household.objects.filter(campaign=self.campaign, code__in=codes).annotate(
            assignment_pk=Subquery(assignment.values("pk")[:1])
        )
        if any(item.leaflets_left or item.outcome == Visit.Outcome.LEAFLET_LEFT for item in items):
            households = households.select_related("turf__leaflet_variant")  # the run's edition
        if lock:
            # Lock the doors in a fixed order: two batches touching the same doors queue instead of
            # deadlocking, and a retried batch waits for the first one and then finds its visits.
            households = households.select_for_update(of=("self",)).order_by("pk")
        self.households = {h.code: h for h in households}
        self.coordinator = canvasser.has_role(Role.COORDINATOR)
        self.questions: dict[str, SurveyQuestion] = {}
        if any(item.answers for item in items):
            self.questions = {
                str(q.code): q for q in SurveyQuestion.objects.filter(campaign=self.campaign, active=True)
            }
        self.variants: dict[uuid.UUID, Any] = {}
        wanted = {item.leaflet_variant for item in items if item.leaflet_variant}
        if wanted:
            from inventory.models import Variant

            self.variants = {v.code: v for v in Variant.objects.filter(campaign=self.campaign, code__in=wanted)}
        self.earliest_allowed = max(self.now - MAX_AGE, self.campaign.created_at - CLOCK_SKEW)
        self.past_assignments = self._past_assignments(items)

    def _past_assignments(self, items: list[VisitInput]) -> dict[int, list[Assignment]]:
        """By turf: the canvasser's assignments closed (done, withdrawn) within MAX_AGE, for doors logged on a
        phone before the turf was taken back or re-cut and synced after. One query, only when a door of the
        batch is not in a turf they hold now."""
        if self.coordinator:
            return {}
        orphans = [
            item
            for item in items
            if (h := self.households.get(item.household)) is not None and h.assignment_pk is None  # type: ignore[attr-defined]
        ]
        if not orphans:
            return {}
        found: dict[int, list[Assignment]] = {}
        for assignment in Assignment.objects.filter(
            campaign_id=self.campaign.pk,
            membership_id=self.canvasser.pk,
            closed_at__gte=self.now - MAX_AGE,
        ).select_related("turf"):
            found.setdefault(assignment.turf_id, []).append(assignment)
        return found

    def assignment_then(self, item: VisitInput, household: Household) -> tuple[int | None, int | None] | None:
        """(turf, assignment) through which the canvasser may log this door at the visit's time, or None.

        Now: an active assignment of the door's turf. Or, for a visit made earlier and synced late: an
        assignment of the door's turf closed after the visit (+ the phone's clock skew); or, when the door
        has since left the turf the phone says it was walking (a re-cut, move, merge, split or new map), an
        assignment the canvasser had of that turf at the visit's time, if the door left it after the visit.
        Only the door's own record says which turf it left (Household.previous_turf): naming a turf one
        holds opens no other door."""
        if self.coordinator:
            return household.turf_id, household.assignment_pk  # type: ignore[attr-defined]
        if household.assignment_pk is not None:  # type: ignore[attr-defined]
            return household.turf_id, household.assignment_pk  # type: ignore[attr-defined]
        if item.visited_at is None:
            return None
        for assignment in self.past_assignments.get(household.turf_id, []) if household.turf_id else []:
            if _held_at(assignment, item.visited_at):
                return assignment.turf_id, assignment.pk
        left = household.previous_turf_id
        if (
            item.turf is None
            or left is None
            or household.turf_changed_at is None
            or household.turf_changed_at < item.visited_at - CLOCK_SKEW  # it left that turf before the visit
        ):
            return None
        for assignment in self.past_assignments.get(left, []):
            if assignment.turf.code == item.turf and _held_at(assignment, item.visited_at):
                return assignment.turf_id, assignment.pk
        held = self._held_now_by_code(item.turf)
        if held is not None and held.turf_id == left and _held_at(held, item.visited_at):
            return held.turf_id, held.pk
        return None

    def _held_now_by_code(self, code: uuid.UUID) -> Assignment | None:
        """The canvasser's active assignment of a turf, by the turf's code (the phone's walk): doors re-cut out
        of it while the phone was offline. Read once per batch."""
        if not hasattr(self, "_held_now"):
            self._held_now = {
                a.turf.code: a
                for a in Assignment.objects.filter(
                    campaign_id=self.campaign.pk, membership_id=self.canvasser.pk, status=Assignment.Status.ACTIVE
                ).select_related("turf")
            }
        return self._held_now.get(code)


def _held_at(assignment: Assignment, moment: dt.datetime) -> bool:
    """Whether the assignment was open at `moment`, give or take the phone's clock skew."""
    if moment < assignment.created_at - CLOCK_SKEW:
        return False
    return assignment.closed_at is None or moment <= assignment.closed_at + CLOCK_SKEW


def _check(batch: _Batch, item: VisitInput) -> tuple[Household | None, dict[str, list[str]], bool]:
    """The household, the errors by field, and whether the canvasser may not log this door at all."""
    household = batch.households.get(item.household)
    if household is None:
        return None, {"household": [_("No such household.")]}, True
    if batch.assignment_then(item, household) is None:
        return household, {"household": [_("This household is not in a turf assigned to you.")]}, True
    errors: dict[str, list[str]] = {}
    if item.outcome not in OUTCOMES:
        errors["outcome"] = [_("Choose one of the outcomes offered.")]
    if item.support_level is not None:
        if item.outcome != Visit.Outcome.CONTACTED:
            errors["support_level"] = [_("Support can only be recorded when someone was contacted.")]
        elif isinstance(item.support_level, bool) or item.support_level not in range(1, 6):
            errors["support_level"] = [_("Support is a number from 1 to 5.")]
    if not isinstance(item.leaflets_left, int) or not 0 <= item.leaflets_left <= MAX_LEAFLETS:
        errors["leaflets_left"] = [_("Leaflets left must be between 0 and %(n)d.") % {"n": MAX_LEAFLETS}]
    if item.leaflet_variant and item.leaflet_variant not in batch.variants:
        errors["leaflet_variant"] = [_("No such leaflet edition in this campaign.")]
    if item.answers:
        if item.outcome != Visit.Outcome.CONTACTED:
            errors["answers"] = [_("Survey answers can only be recorded when someone was contacted.")]
        else:
            for key, value in item.answers.items():
                question = batch.questions.get(str(key))
                if question is None:
                    errors.setdefault("answers", []).append(_("Unknown or inactive question: %(code)s") % {"code": key})
                    continue
                try:
                    clean_answer(question, value)
                except ValidationError as exc:
                    errors.setdefault("answers", []).extend(exc.messages)
    if len(item.note or "") > MAX_NOTE:
        errors["note"] = [_("Keep the note under %(n)d characters.") % {"n": MAX_NOTE}]
    visited_at = item.visited_at
    if visited_at is None or timezone.is_naive(visited_at):
        errors["visited_at"] = [_("Give the time of the visit with its time zone.")]
    elif visited_at > batch.now + CLOCK_SKEW:
        errors["visited_at"] = [_("The time of the visit is in the future: check the phone's clock.")]
    elif visited_at < batch.earliest_allowed:
        errors["visited_at"] = [
            _("The time of the visit is too long ago (more than %(days)d days, or before the campaign began).")
            % {"days": MAX_AGE.days}
        ]
    for name, value, limit in (("latitude", item.latitude, 90), ("longitude", item.longitude, 180)):
        if value is not None and (not isinstance(value, int | float) or not -limit <= value <= limit):
            errors[name] = [_("Not a valid coordinate.")]
    if (item.latitude is None) != (item.longitude is None):
        errors["latitude"] = [_("Give both latitude and longitude, or neither.")]
    return household, errors, False


def _flags(item: VisitInput, household: Household, previous_at: dt.datetime | None) -> list[str]:
    flags = []
    if previous_at is not None and dt.timedelta(0) <= item.visited_at - previous_at < TOO_FAST:
        flags.append(Visit.Flag.TOO_FAST.value)
    if (
        item.latitude is not None
        and item.longitude is not None
        and household.latitude is not None
        and household.longitude is not None
        and distance_metres(item.latitude, item.longitude, household.latitude, household.longitude) > FAR_AWAY_METRES
    ):
        flags.append(Visit.Flag.FAR_AWAY.value)
    return flags


def _build(batch: _Batch, item: VisitInput, household: Household, flags: list[str]) -> Visit:
    variant = batch.variants.get(item.leaflet_variant) if item.leaflet_variant else None
    leaflets = item.leaflets_left
    if item.outcome == Visit.Outcome.LEAFLET_LEFT:
        # One tap at the door in a leaflet run: this run's edition, one copy unless the phone said more.
        variant = variant or (household.turf.leaflet_variant if household.turf else None)
        leaflets = leaflets or 1
    if leaflets and variant is None and household.turf and household.turf.leaflet_variant_id:
        variant = household.turf.leaflet_variant
    answers = {}
    if item.answers:
        for key, value in item.answers.items():
            cleaned = clean_answer(batch.questions[str(key)], value)
            if cleaned is not None:
                answers[str(key)] = cleaned
    turf_id, assignment_id = batch.assignment_then(item, household) or (household.turf_id, None)
    visit = Visit(
        code=item.code,
        campaign=batch.campaign,
        household=household,
        turf_id=turf_id,
        assignment_id=assignment_id,
        canvasser=batch.canvasser,
        outcome=item.outcome,
        support_level=item.support_level if item.outcome == Visit.Outcome.CONTACTED else None,
        leaflets_left=leaflets,
        leaflet_variant=variant,
        answers=answers,
        note=(item.note or "").strip(),
        visited_at=item.visited_at,
        recorded_at=batch.now,
        latitude=item.latitude,
        longitude=item.longitude,
        flags=flags,
        needs_review=bool(flags),
    )
    if turf_id == household.turf_id and Household.turf.is_cached(household):
        visit.turf = household.turf
    return visit


def _previous_visit_times(canvasser: Membership, items: list[VisitInput]) -> list[dt.datetime]:
    """The canvasser's visit times near this batch's, for the too-fast flag, in one query."""
    times = [item.visited_at for item in items if item.visited_at is not None]
    if not times:
        return []
    visits = Visit.objects.filter(
        campaign_id=canvasser.campaign_id,
        canvasser=canvasser,
        visited_at__gte=min(times) - TOO_FAST,
        visited_at__lte=max(times),
    )
    if connection.vendor != "postgresql":
        return sorted(visits.values_list("visited_at", flat=True))
    # The same query as fixed SQL: building it through the ORM took longer than PostgreSQL took to answer it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT visited_at FROM {Visit._meta.db_table} WHERE campaign_id = %s AND canvasser_id = %s "  # noqa: S608
            "AND visited_at >= %s AND visited_at <= %s ORDER BY visited_at",
            [canvasser.campaign_id, canvasser.pk, min(times) - TOO_FAST, max(times)],
        )
        return [row[0] for row in cursor.fetchall()]


def _previous_before(times: list[dt.datetime], when: dt.datetime) -> dt.datetime | None:
    earlier = [t for t in times if t < when]
    return earlier[-1] if earlier else None


def _apply_to_households(visits: list[Visit]) -> None:
    """Keep Household.last_* on the newest visit, and take do-not-contact and moved doors out of walk lists."""
    newest: dict[int, Visit] = {}
    for visit in visits:
        current = newest.get(visit.household_id)
        if current is None or visit.visited_at >= current.visited_at:
            newest[visit.household_id] = visit
    changed: list[Household] = []
    fields: set[str] = set()
    for visit in newest.values():
        household = visit.household
        touched = False
        if household.last_visited_at is None or visit.visited_at >= household.last_visited_at:
            household.last_outcome = visit.outcome
            household.last_support = visit.support_level
            household.last_visited_at = visit.visited_at
            fields.update(["last_outcome", "last_support", "last_visited_at"])
            touched = True
            status = STATUS_FOR_OUTCOME.get(visit.outcome)
            if status and household.status == Household.Status.ACTIVE:
                household.status = status
                fields.add("status")
        if touched:
            changed.append(household)
    # A "do not contact" stands whenever it was said, even if a newer visit was synced first.
    for visit in visits:
        household = visit.household
        if visit.outcome == Visit.Outcome.DO_NOT_CONTACT and household.status != Household.Status.DO_NOT_CONTACT:
            household.status = Household.Status.DO_NOT_CONTACT
            fields.add("status")
            if household not in changed:
                changed.append(household)
    if changed:
        now = timezone.now()
        for household in changed:
            household.updated_at = now
        if connection.vendor == "postgresql":
            _update_households_pg(changed)
        else:
            Household.objects.bulk_update(changed, sorted(fields | {"updated_at"}))


def _update_households_pg(households: list[Household]) -> None:
    """One UPDATE … FROM unnest(arrays) for the batch's doors: bulk_update's CASE per field costs more than the
    visits' insert, and six arrays keep the statement short (psycopg parses and caches it once, where a
    VALUES list of 300 placeholders is parsed again on every call). The rows are locked by this
    transaction, so writing every kept field is safe."""
    table = Household._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS h SET last_outcome = v.outcome, last_support = v.support, "  # noqa: S608 - fixed names
            "last_visited_at = v.visited_at, status = v.status, updated_at = v.updated_at "
            "FROM unnest(%s::bigint[], %s::varchar[], %s::smallint[], %s::timestamptz[], %s::varchar[], "
            "%s::timestamptz[]) AS v(id, outcome, support, visited_at, status, updated_at) WHERE h.id = v.id",
            [
                [h.pk for h in households],
                [h.last_outcome for h in households],
                [h.last_support for h in households],
                [h.last_visited_at for h in households],
                [h.status for h in households],
                [h.updated_at for h in households],
            ],
        )


def _draw_stock(visits: list[Visit], acting_user: User) -> None:
    """Leaflets left at a door come out of the canvasser's bag (the inventory draws each visit once)."""
    for visit in visits:
        if visit.leaflets_left > 0:
            stock_drop_for_visit(visit=visit, acting_user=acting_user)


def _insert(visits: list[Visit]) -> list[Visit]:
    """Insert the new visits and return those inserted; a code stored meanwhile (a racing retry) is skipped:
    the first one stands, and the caller answers with it."""
    if not visits:
        return []
    if connection.vendor == "postgresql":
        return _insert_pg(visits)
    try:
        with transaction.atomic():
            return Visit.objects.bulk_create(visits)
    except IntegrityError:
        pass
    inserted = []
    for visit in visits:
        try:
            with transaction.atomic():
                visit.save(force_insert=True)
            inserted.append(visit)
        except IntegrityError:
            continue  # the racing request stored this code first; the caller reports that one
    return inserted


@functools.cache
def _visit_columns() -> list[tuple[str, str, str, bool]]:
    """(column, attribute, array type, is JSON) of every column a new visit writes: all but the id (PostgreSQL
    only; worked out once per process)."""
    columns = []
    for f in Visit._meta.concrete_fields:
        if not f.primary_key:
            is_json = isinstance(f, JSONField)
            db_type = f.rel_db_type(connection) if f.is_relation else f.db_type(connection)
            columns.append((f.column, f.attname, f"{db_type}[]", is_json))
    return columns


def _insert_pg(visits: list[Visit]) -> list[Visit]:
    """One INSERT … SELECT FROM unnest(one array per column) ON CONFLICT (code) DO NOTHING RETURNING.

    No savepoint and no compiler per value (the ORM's bulk_create spent more time preparing 50 rows than
    PostgreSQL spent storing them); one array per column keeps the statement the same short text for any
    batch, so psycopg parses it once instead of splitting 900 placeholders on every call. A code that a
    racing request stored first is simply not returned (PostgreSQL waits for that request to commit)."""
    columns = _visit_columns()
    arrays: list[list[Any]] = []
    for _column, attname, _type, is_json in columns:
        values = [getattr(visit, attname) for visit in visits]
        arrays.append([None if v is None else json.dumps(v) for v in values] if is_json else values)
    names = ", ".join(column for column, _a, _t, _j in columns)
    # JSON goes as text and is cast row by row: a text[] → jsonb[] cast would parse the same.
    selects = ", ".join(f"{column}::jsonb" if is_json else column for column, _a, _t, is_json in columns)
    unnest = ", ".join("%s::text[]" if is_json else f"%s::{array_type}" for _c, _a, array_type, is_json in columns)
    table = Visit._meta.db_table
    sql = (
        f"INSERT INTO {table} ({names}) SELECT {selects} FROM unnest({unnest}) AS v({names}) "  # noqa: S608
        "ON CONFLICT (code) DO NOTHING RETURNING id, code"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        ids = {code: pk for pk, code in cursor.fetchall()}
    inserted = []
    for visit in visits:
        pk = ids.get(visit.code)
        if pk is not None:
            visit.pk = pk
            visit._state.adding, visit._state.db = False, "default"
            inserted.append(visit)
    return inserted


@transaction.atomic
def visits_record_batch(
    *,
    canvasser: Membership,
    items: list[VisitInput],
    acting_user: User,
    lock: bool = True,
    check_pace: bool = True,
) -> list[VisitResult]:
    """Record many visits at once (a phone's offline queue). Each item succeeds or fails on its own;
    a code already stored is a no-op returning the stored visit. One transaction, a fixed number of
    queries for the batch (plus the inventory's per visit with leaflets).

    `check_pace=False` skips the too-fast flag, for doors recorded together on purpose (a floor
    nobody answered)."""
    if len(items) > BATCH_LIMIT:
        raise ValidationError(_("Send at most %(n)d visits at a time.") % {"n": BATCH_LIMIT})
    if not items:
        return []
    unique = _unique(items)  # the same visit twice in one batch: the first one counts
    results = {item.code: VisitResult(code=item.code) for item in unique}
    batch = _Batch(canvasser=canvasser, items=unique, lock=lock)
    previous_times = _previous_visit_times(canvasser, unique) if check_pace else []
    to_insert: list[Visit] = []
    for item in unique:
        result = results[item.code]
        household, errors, forbidden = _check(batch, item)
        if errors:
            result.errors, result.forbidden = errors, forbidden
            continue
        assert household is not None
        previous = _previous_before(previous_times, item.visited_at) if check_pace else None
        flags = _flags(item, household, previous)
        if check_pace:
            previous_times = sorted([*previous_times, item.visited_at])
        to_insert.append(_build(batch, item, household, flags))
    inserted = _insert(to_insert)
    for visit in inserted:
        results[visit.code].visit, results[visit.code].created = visit, True
    # Not stored now: refused, or the code was there already (a retry, perhaps racing the first request).
    # Only then is the stored visit looked up: a retry of the same visit answers with it, even if it would
    # be refused today (the turf taken back since); a code used for anything else is refused.
    unsettled = [item for item in unique if not results[item.code].created]
    if unsettled:
        stored = {
            v.code: v
            for v in Visit.objects.filter(
                campaign=batch.campaign, code__in=[item.code for item in unsettled]
            ).select_related("household")
        }
        for item in unsettled:
            result = results[item.code]
            if item.code in stored:
                _same_or_error(result, stored[item.code], item, canvasser)
            elif result.errors is None:  # lost a race to a code of another campaign
                result.errors = {"code": [_("This visit code is already used; make a new one.")]}
    _apply_to_households(inserted)
    _draw_stock(inserted, acting_user)
    return [results[item.code] for item in unique]


def _unique(items: Iterable[VisitInput]) -> list[VisitInput]:
    seen: set[uuid.UUID] = set()
    unique = []
    for item in items:
        if item.code not in seen:
            seen.add(item.code)
            unique.append(item)
    return unique


def _same_or_error(result: VisitResult, stored: Visit, item: VisitInput, canvasser: Membership) -> None:
    """A retry names the same door and canvasser; a code reused for anything else is refused, and
    the stored visit is not shown (it may be another canvasser's door)."""
    result.forbidden = False
    if stored.household.code == item.household and stored.canvasser_id == canvasser.pk:
        result.visit, result.created, result.errors = stored, False, None
    else:
        result.errors = {"code": [_("This visit code is already used; make a new one.")]}


def visit_record(
    *,
    household: Household,
    canvasser: Membership,
    outcome: str,
    visited_at: dt.datetime,
    code: uuid.UUID,
    acting_user: User,
    support_level: int | None = None,
    leaflets_left: int = 0,
    leaflet_variant: Any = None,
    answers: dict[str, Any] | None = None,
    note: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> tuple[Visit, bool]:
    """Record one visit; the same `code` again returns the stored visit and changes nothing.

    Raises PermissionDenied when the household is not in a turf assigned to the canvasser (coordinators
    may log anywhere), ValidationError (by field) for bad input."""
    item = VisitInput(
        code=code,
        household=household.code,
        outcome=outcome,
        visited_at=visited_at,
        support_level=support_level,
        leaflets_left=leaflets_left,
        leaflet_variant=getattr(leaflet_variant, "code", leaflet_variant),
        answers=answers or {},
        note=note,
        latitude=latitude,
        longitude=longitude,
    )
    (result,) = visits_record_batch(canvasser=canvasser, items=[item], acting_user=acting_user)
    if result.forbidden:
        raise PermissionDenied(result.errors["household"][0] if result.errors else "")
    if result.errors:
        raise ValidationError(result.errors)
    assert result.visit is not None
    return result.visit, result.created


def floor_doors_not_visited_today(*, turf: Turf, building: str, floor: str) -> list[Household]:
    tz = turf.campaign.tzinfo
    today = timezone.localdate(timezone=tz)
    start = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    households = Household.objects.filter(
        campaign=turf.campaign, turf=turf, building=building, floor=floor, status=Household.Status.ACTIVE
    )
    return [h for h in households if h.last_visited_at is None or h.last_visited_at < start]


@transaction.atomic
def visits_not_home_floor(
    *, turf: Turf, building: str, floor: str, canvasser: Membership, acting_user: User
) -> list[Visit]:
    """ "Nobody home" for every active door of one floor of a building in the turf not yet visited today:
    one visit per door, each with its own code. Returns the visits recorded."""
    if not building and not floor:
        raise ValidationError({"floor": [_("Choose a building and floor.")]})
    doors = floor_doors_not_visited_today(turf=turf, building=building, floor=floor)
    now = timezone.now()
    items = [
        VisitInput(code=uuid.uuid4(), household=door.code, outcome=Visit.Outcome.NOT_HOME, visited_at=now)
        for door in doors
    ]
    results = visits_record_batch(canvasser=canvasser, items=items, acting_user=acting_user, check_pace=False)
    refused = [r for r in results if r.forbidden]
    if refused:
        raise PermissionDenied
    visits = [r.visit for r in results if r.visit is not None and r.created]
    if visits:
        log_action(
            campaign=turf.campaign,
            actor=acting_user,
            action="canvassing.visit.floor_not_home",
            target=turf,
            data={"building": building, "floor": floor, "doors": len(visits)},
        )
    return visits


def latest_visit_at(household: Household) -> dt.datetime | None:
    return Visit.objects.filter(household=household).aggregate(latest=Max("visited_at"))["latest"]
