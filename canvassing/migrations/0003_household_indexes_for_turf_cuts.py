"""Household indexes sized for turf cuts (see Household.Meta): the turf alone instead of the walking order,
and only for doors in a turf; status only for inactive doors; previous_turf (when set) for deleting turfs.

And no deduplication in the household table's unique indexes on PostgreSQL (the primary key, code and
address_key). A cut gives every row it moves a new version, so each unique index gets a second entry for
the same key while the old version is still in use; whenever a leaf page fills up, PostgreSQL first tries
to delete old versions (none can go before the cut commits) and then to merge equal keys into one entry,
which makes room for a few more inserts and the same futile attempt again. Without deduplication the page
just splits: a 200,000-door cut spends about a fifth less time writing its households (bench
canvassing_turfs). Deduplication saves nothing in a unique index otherwise: its keys are never equal.
"""

from django.db import migrations, models


def _unique_indexes(schema_editor) -> list[str]:
    """The household table's unique indexes that cover every row (the partial external_id one is left out)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index "
            "WHERE indrelid = 'canvassing_household'::regclass AND indisunique AND indpred IS NULL ORDER BY 1"
        )
        return [name for (name,) in cursor.fetchall()]


def unique_indexes_without_deduplication(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for name in _unique_indexes(schema_editor):
            schema_editor.execute(f"ALTER INDEX {name} SET (deduplicate_items = off)")


def unique_indexes_with_deduplication(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for name in _unique_indexes(schema_editor):
            schema_editor.execute(f"ALTER INDEX {name} RESET (deduplicate_items)")


class Migration(migrations.Migration):
    dependencies = [
        ("canvassing", "0002_household_previous_turf"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="household",
            name="household_walk_order",
        ),
        migrations.RemoveIndex(
            model_name="household",
            name="household_status",
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(condition=models.Q(("turf__isnull", False)), fields=["turf"], name="household_turf"),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(
                condition=models.Q(("status", "active"), _negated=True),
                fields=["campaign", "status"],
                name="household_inactive",
            ),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(
                condition=models.Q(("previous_turf__isnull", False)),
                fields=["previous_turf"],
                name="household_previous_turf",
            ),
        ),
        migrations.RunPython(unique_indexes_without_deduplication, unique_indexes_with_deduplication, elidable=False),
    ]
