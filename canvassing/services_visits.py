"""Recording visits: one door from the form, a phone's offline batch, or a whole floor not at home.

Every path goes through `visits_record_batch`, so a single visit and a synced batch of fifty are checked
the same way: the canvasser may only log doors of turfs assigned to them (coordinators anywhere), the
outcome, support level and survey answers must fit, the phone's clock must be plausible. A visit's
`code` is made by the phone: the same code again is a no-op that returns the visit already stored, also
when two requests race (the unique constraint decides; the loser finds the winner's row).

Visits are not written to the audit log one by one: the visit row itself says who (canvasser), what,
when (visited_at, recorded_at), and nothing in it is ever changed by this module after it is written.
"""

import bisect
import datetime as dt
import functools
import json
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import ForeignKey, Max, Model
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
# PostgreSQL stores no NUL in text: refused as a field error, not a failed batch the phone would resend forever.
NO_NULL_CHARACTERS = ProhibitNullCharactersValidator()

# Outcomes that take a household out of future walk lists.
STATUS_FOR_OUTCOME: dict[str, str] = {
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
    NO_NULL_CHARACTERS(text)
    return text or None


# What checking and recording a visit reads of a door (the address and the rest stay deferred), and of a question.
HOUSEHOLD_FIELDS = frozenset(
    {
        "id",
        "code",
        "campaign_id",
        "turf_id",
        "previous_turf_id",
        "turf_changed_at",
        "latitude",
        "longitude",
        "status",
        "last_outcome",
        "last_support",
        "last_visited_at",
    }
)
QUESTION_FIELDS = frozenset({"id", "code", "kind", "choices"})


@functools.cache
def _columns(model: type[Model], names: frozenset[str]) -> tuple[str, ...]:
    """These fields' columns in the model's own order, the order Model.from_db takes their values in."""
    return tuple(str(f.column) for f in model._meta.concrete_fields if f.attname in names)


def _households_query(*, canvasser: Membership, codes: set[uuid.UUID], lock: bool) -> tuple[str, list[Any]]:
    """The campaign's doors with these codes, each with `assignment_pk`: the canvasser's newest active assignment
    of the door's turf, or None. Fixed SQL: the ORM took longer to compile it (a correlated subquery, a lock)
    than the database took to answer, and loading all thirty columns of a door cost as much again."""
    columns = ", ".join(f"h.{column}" for column in _columns(Household, HOUSEHOLD_FIELDS))
    sql = (
        f"SELECT {columns}, (SELECT a.id FROM {Assignment._meta.db_table} a "  # noqa: S608 - fixed names
        "WHERE a.campaign_id = h.campaign_id AND a.membership_id = %s AND a.status = %s AND a.turf_id = h.turf_id "
        f"ORDER BY a.created_at DESC LIMIT 1) AS assignment_pk FROM {Household._meta.db_table} h "
        f"WHERE h.campaign_id = %s AND h.code IN ({', '.join(['%s'] * len(codes))}) ORDER BY h.id"
    )
    if lock and connection.features.has_select_for_update_of:
        # Lock the doors in a fixed order: two batches touching the same doors queue instead of deadlocking, and
        # a retried batch waits for the first one and then finds its visits. (SQLite writes one at a time.)
        sql += " FOR UPDATE OF h"
    code_field = Household._meta.get_field("code")
    params = [canvasser.pk, Assignment.Status.ACTIVE, canvasser.campaign_id]
    return sql, params + [code_field.get_db_prep_value(code, connection) for code in codes]


def _read(
    *, canvasser: Membership, items: list[VisitInput], lock: bool, check_pace: bool
) -> tuple[list[Household], list[SurveyQuestion], list[dt.datetime]]:
    """The batch's doors (see _households_query), the campaign's active survey questions when an item answers
    any, and the canvasser's visit times near the batch's for the too-fast flag (sorted)."""
    households_sql, households_params = _households_query(
        canvasser=canvasser, codes={item.household for item in items}, lock=lock
    )
    answers = any(item.answers for item in items)
    times = [item.visited_at for item in items if item.visited_at is not None] if check_pace else []
    if connection.vendor != "postgresql":
        households = list(Household.objects.raw(households_sql, households_params))
        questions = (
            list(SurveyQuestion.objects.filter(campaign_id=canvasser.campaign_id, active=True)) if answers else []
        )
        earlier = Visit.objects.filter(campaign_id=canvasser.campaign_id, canvasser=canvasser)
        if times:
            earlier = earlier.filter(visited_at__gte=min(times) - TOO_FAST, visited_at__lte=max(times))
        return households, questions, sorted(earlier.values_list("visited_at", flat=True)) if times else []
    # PostgreSQL: the three reads as fixed SQL in one round trip, one statement after the other in this
    # transaction. Each round trip costs a wake-up of the database and then of this process; on a busy server
    # that took longer than these reads themselves. What the rows hold is already what the ORM would load.
    statements = [(households_sql, households_params)]
    if answers:
        statements.append(
            (
                f"SELECT {', '.join(_columns(SurveyQuestion, QUESTION_FIELDS))} FROM {SurveyQuestion._meta.db_table} "  # noqa: S608
                "WHERE campaign_id = %s AND active",
                [canvasser.campaign_id],
            )
        )
    if times:
        statements.append(
            (
                f"SELECT visited_at FROM {Visit._meta.db_table} WHERE campaign_id = %s AND canvasser_id = %s "  # noqa: S608
                "AND visited_at >= %s AND visited_at <= %s ORDER BY visited_at",
                [canvasser.campaign_id, canvasser.pk, min(times) - TOO_FAST, max(times)],
            )
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "; ".join(sql for sql, _params in statements), [p for _sql, params in statements for p in params]
        )
        results = [cursor.fetchall()]
        while cursor.nextset():
            results.append(cursor.fetchall())
    households = []
    for *values, assignment_pk in results.pop(0):
        household = Household.from_db(connection.alias, HOUSEHOLD_FIELDS, values)
        household.assignment_pk = assignment_pk  # type: ignore[attr-defined]
        households.append(household)
    questions = []
    if answers:
        fields = [SurveyQuestion._meta.get_field(column) for column in _columns(SurveyQuestion, QUESTION_FIELDS)]
        for row in results.pop(0):
            # JSON arrives as text (Django's PostgreSQL backend leaves its parsing to the field).
            values = [
                f.from_db_value(v, None, connection) if hasattr(f, "from_db_value") else v
                for f, v in zip(fields, row, strict=True)
            ]
            questions.append(SurveyQuestion.from_db(connection.alias, QUESTION_FIELDS, values))
    return households, questions, [row[0] for row in results.pop(0)] if times else []


class _Batch:
    """What checking a batch needs, read once for the whole batch."""

    def __init__(self, *, canvasser: Membership, items: list[VisitInput], lock: bool, check_pace: bool) -> None:
        self.canvasser = canvasser
        self.campaign = canvasser.campaign
        self.now = timezone.now()
        households, questions, self.previous_times = _read(
            canvasser=canvasser, items=items, lock=lock, check_pace=check_pace
        )
        if any(item.leaflets_left or item.outcome == Visit.Outcome.LEAFLET_LEFT for item in items):
            turfs = Turf.objects.select_related("leaflet_variant").in_bulk({h.turf_id for h in households})
            for household in households:
                if household.turf_id:
                    household.turf = turfs[household.turf_id]  # the run's edition
        self.households = {h.code: h for h in households}
        self.coordinator = canvasser.has_role(Role.COORDINATOR)
        self.questions = {str(q.code): q for q in questions}
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
    elif "\x00" in (item.note or ""):
        errors["note"] = [str(NO_NULL_CHARACTERS.message)]
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
    values = {
        "code": item.code,
        "campaign_id": batch.campaign.pk,
        "household_id": household.pk,
        "turf_id": turf_id,
        "assignment_id": assignment_id,
        "canvasser_id": batch.canvasser.pk,
        "outcome": item.outcome,
        "support_level": item.support_level if item.outcome == Visit.Outcome.CONTACTED else None,
        "leaflets_left": leaflets,
        "leaflet_variant_id": variant.pk if variant else None,
        "answers": answers,
        "note": (item.note or "").strip(),
        "visited_at": item.visited_at,
        "recorded_at": batch.now,
        "latitude": item.latitude,
        "longitude": item.longitude,
        "flags": flags,
        "needs_review": bool(flags),
    }
    turf = household.turf if turf_id == household.turf_id and Household.turf.is_cached(household) else None
    related = {"campaign": batch.campaign, "household": household, "canvasser": batch.canvasser}
    return _new_visit(values, {**related, "turf": turf, "leaflet_variant": variant})


@functools.cache
def _visit_fields() -> tuple[tuple[str, Any], ...]:
    """(attribute, field) of each of a visit's columns, in the model's order (worked out once per process)."""
    return tuple((f.attname, f) for f in Visit._meta.concrete_fields)


def _new_visit(values: dict[str, Any], related: dict[str, Model | None]) -> Visit:
    """Visit(**values), with the related objects at hand cached on it. Positional arguments in the fields' order:
    keyword arguments and related objects took more than twice as long, fifty visits a batch."""
    visit = Visit(*(values[name] if name in values else f.get_default() for name, f in _visit_fields()))
    for name, obj in related.items():
        if obj is not None:
            cast(ForeignKey, Visit._meta.get_field(name)).set_cached_value(visit, obj)
    return visit


def _previous_before(times: list[dt.datetime], when: dt.datetime) -> dt.datetime | None:
    """The latest of the sorted `times` before `when`."""
    index = bisect.bisect_left(times, when)
    return times[index - 1] if index else None


DOOR_FIELDS = ("last_outcome", "last_support", "last_visited_at", "status", "updated_at")


def _door_changes(visits: list[Visit]) -> dict[Household, dict[str, Any]]:
    """What these visits change on their doors (nothing is changed yet): Household.last_* follow the newest visit,
    and do-not-contact and moved doors leave the walk lists."""
    newest: dict[int, Visit] = {}
    for visit in visits:
        current = newest.get(visit.household_id)
        if current is None or visit.visited_at >= current.visited_at:
            newest[visit.household_id] = visit
    changes: dict[Household, dict[str, Any]] = {}
    for visit in newest.values():
        household = visit.household
        if household.last_visited_at is None or visit.visited_at >= household.last_visited_at:
            change = {
                "last_outcome": visit.outcome,
                "last_support": visit.support_level,
                "last_visited_at": visit.visited_at,
            }
            status = STATUS_FOR_OUTCOME.get(visit.outcome)
            if status and household.status == Household.Status.ACTIVE:
                change["status"] = status
            changes[household] = change
    # A "do not contact" stands whenever it was said, even if a newer visit was synced first.
    for visit in visits:
        if visit.outcome == Visit.Outcome.DO_NOT_CONTACT and visit.household.status != Household.Status.DO_NOT_CONTACT:
            changes.setdefault(visit.household, {})["status"] = Household.Status.DO_NOT_CONTACT
    now = timezone.now()
    for change in changes.values():
        change["updated_at"] = now
    return changes


def _door_rows(changes: dict[Household, dict[str, Any]]) -> list[dict[str, Any]]:
    """The changed doors as rows of DOOR_FIELDS (with their id) for _update_households_pg and _insert_pg."""
    return [
        {
            "id": household.pk,
            **{name: change[name] if name in change else getattr(household, name) for name in DOOR_FIELDS},
        }
        for household, change in changes.items()
    ]


def _set_door_changes(changes: dict[Household, dict[str, Any]]) -> None:
    for household, change in changes.items():
        for name, value in change.items():
            setattr(household, name, value)


def _apply_to_households(visits: list[Visit]) -> None:
    """Write what these visits change on their doors (see _door_changes)."""
    changes = _door_changes(visits)
    if not changes:
        return
    if connection.vendor == "postgresql":
        _update_households_pg(_door_rows(changes))
        _set_door_changes(changes)
    else:
        _set_door_changes(changes)
        Household.objects.bulk_update(list(changes), sorted({name for change in changes.values() for name in change}))


def _door_update_sql(where: str = "") -> str:
    """UPDATE … FROM json_populate_recordset: bulk_update's CASE per field costs more than the visits' insert, and
    one JSON parameter keeps the statement the same short text (see _insert_pg). The rows are locked by this
    transaction, so writing every kept field is safe."""
    table = Household._meta.db_table
    return (
        f"UPDATE {table} AS h SET {', '.join(f'{name} = v.{name}' for name in DOOR_FIELDS)} "  # noqa: S608 - fixed names
        f"FROM json_populate_recordset(NULL::{table}, %s::json) AS v WHERE h.id = v.id{where}"
    )


def _update_households_pg(rows: list[dict[str, Any]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_door_update_sql(), [_json_rows(rows)])


def _draw_stock(visits: list[Visit], acting_user: User) -> None:
    """Leaflets left at a door come out of the canvasser's bag (the inventory draws each visit once)."""
    for visit in visits:
        if visit.leaflets_left > 0:
            stock_drop_for_visit(visit=visit, acting_user=acting_user)


def _store(visits: list[Visit]) -> list[Visit]:
    """Insert the new visits and write what they change on their doors; return the visits inserted. A code stored
    meanwhile (a retry, perhaps racing the first request) is skipped: the first one stands, the caller answers
    with it, and the doors change only by the visits inserted."""
    if not visits:
        return []
    if connection.vendor == "postgresql":
        changes = _door_changes(visits)
        inserted = _insert_pg(visits, door_rows=_door_rows(changes))
        if len(inserted) == len(visits):  # the doors were written in the same statement
            _set_door_changes(changes)
            return inserted
    else:
        inserted = _insert(visits)
    _apply_to_households(inserted)
    return inserted


def _insert(visits: list[Visit]) -> list[Visit]:
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
def _visit_columns() -> tuple[tuple[str, str], ...]:
    """(column, attribute) of every column a new visit writes: all but the id (worked out once per process)."""
    return tuple((str(f.column), f.attname) for f in Visit._meta.concrete_fields if not f.primary_key)


def _json_value(value: Any) -> str:
    """UUIDs and times, as text PostgreSQL reads back exactly (DjangoJSONEncoder would drop the microseconds)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _json_rows(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, default=_json_value, allow_nan=False, separators=(",", ":"))


def _insert_pg(visits: list[Visit], *, door_rows: list[dict[str, Any]]) -> list[Visit]:
    """One INSERT … SELECT FROM json_populate_recordset(the rows as one JSON array) ON CONFLICT (code) DO NOTHING
    RETURNING, with the doors' UPDATE in the same statement when every visit was inserted (one round trip, not
    two; on a busy server a round trip took longer than either write).

    No savepoint and no compiler per value (the ORM's bulk_create spent more time preparing 50 rows than
    PostgreSQL spent storing them). The rows go as one JSON parameter, typed by the table itself: the
    statement is the same short text for any batch, and encoding JSON costs a third of quoting one array
    per column. A code that a racing request stored first is simply not returned (PostgreSQL waits for that
    request to commit), and then the doors are left to the caller."""
    columns = _visit_columns()
    rows = [{column: getattr(visit, attname) for column, attname in columns} for visit in visits]
    names = ", ".join(column for column, _attname in columns)
    table = Visit._meta.db_table
    sql = (
        f"INSERT INTO {table} ({names}) SELECT {names} FROM json_populate_recordset(NULL::{table}, %s::json) "  # noqa: S608
        "ON CONFLICT (code) DO NOTHING RETURNING id, code"
    )
    params: list[Any] = [_json_rows(rows)]
    if door_rows:
        sql = (
            f"WITH inserted AS ({sql}), doors AS ({_door_update_sql(' AND (SELECT count(*) FROM inserted) = %s')}) "  # noqa: S608
            "SELECT id, code FROM inserted"
        )
        params += [_json_rows(door_rows), len(visits)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
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
    batch = _Batch(canvasser=canvasser, items=unique, lock=lock, check_pace=check_pace)
    previous_times = batch.previous_times
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
            bisect.insort(previous_times, item.visited_at)
        to_insert.append(_build(batch, item, household, flags))
    inserted = _store(to_insert)
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
