# ruff: noqa: S608  -- table and column names come from the models' _meta; every value is a parameter or COPY data
"""Writing a validated household file: all rows or none, updating what a re-import finds again.

A household in the file is found again by its external id when it has one, otherwise by its
normalised address key. Rows of the file with the same address are one household (the last row's
values win; residents from every row are kept). A resident is found again by the normalised name
in the same household; a new one becomes a `Person` of the campaign.

On PostgreSQL the staging files are streamed with `COPY` into temporary tables and merged with a
few set-based statements; elsewhere (SQLite) rows go through bulk_create/bulk_update in chunks.
Both run inside the caller's transaction: an error anywhere rolls every row back.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import Campaign, Person
from canvassing.importing import HOUSEHOLD_COLUMNS, RESIDENT_COLUMNS, read_copy_file, staging_paths
from canvassing.models import Household, ImportBatch, Resident

CHUNK = 2000
COPY_BLOCK = 1 << 20


@dataclass
class ApplyResult:
    created: int = 0
    updated: int = 0
    residents_created: int = 0
    residents_updated: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "residents_created": self.residents_created,
            "residents_updated": self.residents_updated,
        }


def apply_batch(batch: ImportBatch, *, progress: Callable[[int], None] | None = None) -> ApplyResult:
    if connection.vendor == "postgresql":
        return _apply_postgres(batch, progress)
    return _apply_generic(batch, progress)


def _conflict(lines: list[int]) -> ValidationError:
    return ValidationError(
        _(
            "Rows %(rows)s would make two households of the campaign the same (their external id belongs to one "
            "household and their address to another). Correct those rows and import again; nothing was changed."
        )
        % {"rows": ", ".join(str(line) for line in sorted(lines)[:20])}
    )


# PostgreSQL ----------------------------------------------------------------------------------------


def copy_file(cursor: Any, table: str, columns: tuple[str, ...], path: Any) -> None:
    with open(path, "rb") as handle, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        while block := handle.read(COPY_BLOCK):
            copy.write(block)


def insert_select(model: Any, supplied: dict[str, str], fixed: dict[str, Any]) -> tuple[str, str, list[Any]]:
    """(column list, select list, parameters) of an INSERT INTO `model` … SELECT: for every concrete column
    its SQL expression from `supplied`, else its value from `fixed`, else the field's default, so columns
    other parts of the app add later are filled too. The primary key is left out unless supplied."""
    names, expressions, params = [], [], []
    for model_field in model._meta.concrete_fields:
        column = model_field.column
        if column in supplied:
            expressions.append(supplied[column])
        elif model_field.primary_key:
            continue
        else:
            value = fixed[column] if column in fixed else model_field.get_default()
            expressions.append("%s")
            params.append(None if value is None else model_field.get_db_prep_save(value, connection))
        names.append(connection.ops.quote_name(column))
    return ", ".join(names), ", ".join(expressions), params


def id_sequence(cursor: Any, model: Any) -> str:
    """The sequence behind `model`'s id, quoted for a DEFAULT nextval(…)."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
    return "'" + cursor.fetchone()[0].replace("'", "''") + "'"


def _apply_postgres(batch: ImportBatch, progress: Callable[[int], None] | None) -> ApplyResult:
    households_path, residents_path = staging_paths(batch)
    campaign_id = batch.campaign_id
    now = timezone.now()
    result = ApplyResult()
    hh = Household._meta.db_table
    res = Resident._meta.db_table
    person = Person._meta.db_table
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg 3: COPY needs the driver's cursor
        # ON COMMIT DROP does not fire inside an outer transaction (a savepoint); drop them by name too.
        cursor.execute(DROP_TEMP)
        # Room to group and sort a big file's staged rows in memory rather than in temporary files (until
        # the transaction ends).
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # Each staged row draws the id it will have if it is new while COPY loads it: the insert then needs no
        # join back by address to learn the ids, and the residents know their household's id at once. A row
        # that turns out to update a household leaves a gap in the sequence, as a rolled-back insert does.
        cursor.execute(
            "CREATE TEMP TABLE gs_hh (line int, external_id text, address_key text, district text, street text,"
            " house_number text, house_number_value int, parity smallint, building text, floor text, unit text,"
            " postcode text, latitude double precision, longitude double precision, notes text,"
            f" new_id bigint DEFAULT nextval({id_sequence(cursor, Household)}), household_id bigint) ON COMMIT DROP"
        )
        copy_file(cursor, "gs_hh", HOUSEHOLD_COLUMNS, households_path)
        # Rows of the file with the same address are one household: the last row's values win.
        cursor.execute(
            "DELETE FROM gs_hh t USING (SELECT address_key, max(line) AS line FROM gs_hh GROUP BY address_key"
            " HAVING count(*) > 1) last WHERE t.address_key = last.address_key AND t.line < last.line"
        )
        # Statistics for the columns the matching joins and filters on only: the planner needs no others, and
        # each text column more costs ANALYZE a sort of its sample.
        cursor.execute("ANALYZE gs_hh (external_id, address_key, household_id)")
        if progress:
            progress(1)
        cursor.execute(
            f"UPDATE gs_hh t SET household_id = h.id FROM {hh} h"
            " WHERE h.campaign_id = %s AND t.external_id <> '' AND h.external_id = t.external_id",
            [campaign_id],
        )
        cursor.execute(
            f"UPDATE gs_hh t SET household_id = h.id FROM {hh} h"
            " WHERE t.household_id IS NULL AND h.campaign_id = %s AND h.address_key = t.address_key",
            [campaign_id],
        )
        cursor.execute(
            f"SELECT t.line FROM gs_hh t JOIN {hh} h ON h.campaign_id = %s AND h.address_key = t.address_key"
            " AND h.id <> t.household_id LIMIT 20",
            [campaign_id],
        )
        clashes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT min(line), max(line) FROM gs_hh WHERE household_id IS NOT NULL GROUP BY household_id"
            " HAVING count(*) > 1 LIMIT 10"
        )
        clashes += [line for row in cursor.fetchall() for line in row]
        if clashes:
            raise _conflict(clashes)
        cursor.execute(
            f"UPDATE {hh} h SET external_id = CASE WHEN t.external_id <> '' THEN t.external_id ELSE h.external_id END,"
            " address_key = t.address_key, district = t.district, street = t.street, house_number = t.house_number,"
            " house_number_value = t.house_number_value, parity = t.parity, building = t.building, floor = t.floor,"
            " unit = t.unit, postcode = t.postcode, latitude = COALESCE(t.latitude, h.latitude),"
            " longitude = COALESCE(t.longitude, h.longitude),"
            " notes = CASE WHEN t.notes <> '' THEN t.notes ELSE h.notes END, updated_at = %s"
            " FROM gs_hh t WHERE h.id = t.household_id",
            [now],
        )
        result.updated = cursor.rowcount
        names, expressions, params = insert_select(
            Household,
            {"id": "t.new_id", "code": "gen_random_uuid()", **{c: f"t.{c}" for c in HOUSEHOLD_COLUMNS if c != "line"}},
            {
                "campaign_id": campaign_id,
                "source": Household.Source.IMPORT,
                "added_by_id": batch.created_by_id,
                "created_at": now,
                "updated_at": now,
            },
        )
        cursor.execute(
            f"INSERT INTO {hh} ({names}) SELECT {expressions} FROM gs_hh t WHERE t.household_id IS NULL", params
        )
        result.created = cursor.rowcount
        if progress:
            progress(2)

        cursor.execute(
            "CREATE TEMP TABLE gs_res_raw (line int, address_key text, given_name text, family_name text,"
            " name_key text, phone text, age_band text, notes text) ON COMMIT DROP"
        )
        copy_file(cursor, "gs_res_raw", RESIDENT_COLUMNS, residents_path)
        # The same name twice at one address is one resident (the last row's values win). Only residents of
        # households that were there before can be there already.
        cursor.execute(
            "CREATE TEMP TABLE gs_res ON COMMIT DROP AS SELECT DISTINCT ON (r.address_key, r.name_key) r.*,"
            " COALESCE(t.household_id, t.new_id) AS household_id, t.household_id IS NOT NULL AS household_existed,"
            f" NULL::bigint AS resident_id, nextval({id_sequence(cursor, Person)}) AS person_id"
            " FROM gs_res_raw r JOIN gs_hh t ON t.address_key = r.address_key"
            " ORDER BY r.address_key, r.name_key, r.line DESC"
        )
        cursor.execute(
            f"UPDATE gs_res x SET resident_id = r.id, person_id = r.person_id FROM {res} r"
            " WHERE x.household_existed AND r.household_id = x.household_id AND r.name_key = x.name_key"
        )
        cursor.execute(
            f"UPDATE {person} p SET phone = x.phone, updated_at = %s FROM gs_res x"
            " WHERE x.resident_id IS NOT NULL AND p.id = x.person_id AND x.phone <> ''",
            [now],
        )
        cursor.execute(
            f"UPDATE {res} r SET age_band = CASE WHEN x.age_band <> '' THEN x.age_band ELSE r.age_band END,"
            " notes = CASE WHEN x.notes <> '' THEN x.notes ELSE r.notes END FROM gs_res x WHERE r.id = x.resident_id"
        )
        result.residents_updated = cursor.rowcount
        names, expressions, params = insert_select(
            Person,
            {
                "id": "x.person_id",
                "code": "gen_random_uuid()",
                "given_name": "x.given_name",
                "family_name": "x.family_name",
                "phone": "x.phone",
            },
            {"campaign_id": campaign_id, "created_at": now, "updated_at": now},
        )
        cursor.execute(
            f"INSERT INTO {person} ({names}) SELECT {expressions} FROM gs_res x WHERE x.resident_id IS NULL", params
        )
        cursor.execute(
            f"INSERT INTO {res} (campaign_id, household_id, person_id, age_band, notes, name_key)"
            " SELECT %s, x.household_id, x.person_id, x.age_band, x.notes, x.name_key FROM gs_res x"
            " WHERE x.resident_id IS NULL",
            [campaign_id],
        )
        result.residents_created = cursor.rowcount
        cursor.execute(DROP_TEMP)
        if result.created > ANALYZE_AFTER:
            # Fresh statistics, so the first walk lists and visit syncs after a big import do not plan
            # as if the campaign had a handful of households (autovacuum would catch up only later).
            cursor.execute(f"ANALYZE {hh}, {res}")
    return result


ANALYZE_AFTER = 1000
DROP_TEMP = "DROP TABLE IF EXISTS gs_hh, gs_res_raw, gs_res"


# SQLite and anything else ----------------------------------------------------------------------------


def _chunks(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _as_household_values(row: dict[str, Any]) -> dict[str, Any]:
    values = {name: row[name] or "" for name in ("external_id", "address_key", "notes")}
    for name in ("district", "street", "house_number", "building", "floor", "unit", "postcode"):
        values[name] = row[name] or ""
    for name in ("house_number_value", "parity"):
        values[name] = int(row[name]) if row[name] is not None else None
    for name in ("latitude", "longitude"):
        values[name] = float(row[name]) if row[name] is not None else None
    return values


# Every staged household column but its line number, and the time of the change.
UPDATE_FIELDS = [*(name for name in HOUSEHOLD_COLUMNS if name != "line"), "updated_at"]


def _apply_generic(batch: ImportBatch, progress: Callable[[int], None] | None) -> ApplyResult:
    households_path, residents_path = staging_paths(batch)
    campaign: Campaign = batch.campaign
    now = timezone.now()
    result = ApplyResult()
    touched: set[int] = set()
    created_ids: set[int] = set()
    done = 0
    for chunk in _chunks(read_copy_file(households_path, HOUSEHOLD_COLUMNS), CHUNK):
        rows: dict[str, dict[str, Any]] = {}
        for row in chunk:  # the last row of an address wins
            rows[row["address_key"]] = {**_as_household_values(row), "line": int(row["line"])}
        externals = [row["external_id"] for row in rows.values() if row["external_id"]]
        existing = Household.objects.filter(campaign=campaign).filter(
            Q(address_key__in=list(rows)) | Q(external_id__in=externals)
        )
        by_external = {h.external_id: h for h in existing if h.external_id}
        by_address = {h.address_key: h for h in existing}
        targets: dict[int, Household] = {}
        new: list[Household] = []
        clashes: list[int] = []
        for key, values in rows.items():
            household = by_external.get(values["external_id"]) if values["external_id"] else None
            household = household or by_address.get(key)
            if household is None:
                new.append(
                    Household(
                        campaign=campaign,
                        source=Household.Source.IMPORT,
                        added_by_id=batch.created_by_id,
                        created_at=now,
                        **{k: v for k, v in values.items() if k != "line"},
                    )
                )
                continue
            other = by_address.get(key)
            if (other is not None and other.pk != household.pk) or household.pk in targets:
                clashes.append(values["line"])
                continue
            for name in UPDATE_FIELDS[:-1]:
                value = values[name]
                if name == "external_id" and not value:
                    continue
                if name in ("latitude", "longitude", "notes") and value in (None, ""):
                    continue
                setattr(household, name, value)
            household.updated_at = now
            targets[household.pk] = household
        if clashes:
            raise _conflict(clashes)
        Household.objects.bulk_update(list(targets.values()), UPDATE_FIELDS)
        created = Household.objects.bulk_create(new)
        created_ids.update(h.pk for h in created if h.pk)
        touched.update(pk for pk in targets if pk not in created_ids)
        done += len(chunk)
        if progress:
            progress(done)
    result.updated = len(touched)
    result.created = len(created_ids)

    residents_seen: set[int] = set()
    for chunk in _chunks(read_copy_file(residents_path, RESIDENT_COLUMNS), CHUNK):
        keys = {row["address_key"] for row in chunk}
        households = dict(
            Household.objects.filter(campaign=campaign, address_key__in=keys).values_list("address_key", "pk")
        )
        wanted: dict[tuple[int, str], dict[str, Any]] = {}
        for row in chunk:
            wanted[(households[row["address_key"]], row["name_key"])] = row
        existing = {
            (r.household_id, r.name_key): r
            for r in Resident.objects.filter(
                campaign=campaign, household_id__in={k[0] for k in wanted}, name_key__in={k[1] for k in wanted}
            ).select_related("person")
        }
        people_to_update, residents_to_update, new_people, new_rows = [], [], [], []
        for (household_id, key), row in wanted.items():
            resident = existing.get((household_id, key))
            if resident is None:
                new_people.append(
                    Person(
                        campaign=campaign,
                        given_name=row["given_name"],
                        family_name=row["family_name"] or "",
                        phone=row["phone"] or "",
                    )
                )
                new_rows.append((household_id, row))
                continue
            if row["phone"]:
                resident.person.phone = row["phone"]
                people_to_update.append(resident.person)
            resident.age_band = row["age_band"] or resident.age_band
            resident.notes = row["notes"] or resident.notes
            residents_to_update.append(resident)
            residents_seen.add(resident.pk)
        Person.objects.bulk_update(people_to_update, ["phone"])
        Resident.objects.bulk_update(residents_to_update, ["age_band", "notes"])
        people = Person.objects.bulk_create(new_people)
        Resident.objects.bulk_create(
            [
                Resident(
                    campaign=campaign,
                    household_id=household_id,
                    person=person,
                    age_band=row["age_band"] or "",
                    notes=row["notes"] or "",
                    name_key=row["name_key"],
                )
                for person, (household_id, row) in zip(people, new_rows, strict=True)
            ]
        )
        result.residents_created += len(new_rows)
    result.residents_updated = len(residents_seen)
    return result
