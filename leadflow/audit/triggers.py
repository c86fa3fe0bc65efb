"""The history's triggers: pghistory's row triggers, written so that a schema change of the
tracked tables never breaks a write; installed after each `migrate` (docs/AUDIT.md).

pghistory's own trigger copies `NEW."column"` for each tracked column and fires on a
condition naming each one. PostgreSQL then refuses to drop such a column, and a table
migrated to another shape (a deploy, a migration test going back and forth) fails every
write with "record new has no field". These triggers name no column of the tracked table:
the row goes through JSON (`jsonb_populate_record` of the history table's own type), so a
column the history lacks is left out and one the table lacks is empty; the update condition
compares the whole rows as JSON, less the columns the history does not keep.

They sit on other apps' tables, which must not know the audit log (nor may we write into
auth's migrations), so they are in no app's migrations (settings.PGTRIGGER_MIGRATIONS is
off): after every `migrate` the audit app installs all of them from the code.
"""

import logging

import pghistory
import pgtrigger
from django.db import connections, models
from pghistory import config
from pghistory.trigger import Event
from pgtrigger import installation

from . import tracking

logger = logging.getLogger(__name__)


class RowCopy(Event):
    """pghistory's Event trigger with a function that names no column of the tracked table."""

    def get_func(self, model):
        assert self.level == pgtrigger.Row, "the history is written row by row"
        event = self.event_model
        table = event._meta.db_table
        stamp = {
            "pgh_created_at": config.created_at_function(),
            "pgh_label": f"'{self.label}'",
            "pgh_obj_id": f'{self.row}."{model._meta.pk.column}"',
            "pgh_context": "NULLIF(CURRENT_SETTING('pghistory.context_metadata', TRUE), '')::JSONB",
            "pgh_context_id": "NULLIF(CURRENT_SETTING('pghistory.context_id', TRUE), '')::UUID",
        }
        columns = [field.column for field in event._meta.concrete_fields if not isinstance(field, models.AutoField)]
        names = ", ".join(f'"{column}"' for column in columns)
        values = ", ".join(stamp.get(column, f'_row."{column}"') for column in columns)
        return pgtrigger.Func(
            f'INSERT INTO "{table}" ({names}) SELECT {values}'
            f' FROM jsonb_populate_record(NULL::"{table}", to_jsonb({self.row}.*)) AS _row; RETURN NULL;'
        )


class _Copied(pghistory.RowEvent):
    def add_event_trigger(self, event_model) -> None:
        pgtrigger.register(
            RowCopy(
                event_model=event_model,
                label=self.label,
                name=self.trigger_name,
                row=self.row,
                operation=self.operation,
                condition=self.condition,
                level=self.level,
            )
        )(event_model.pgh_tracked_model)


class Inserted(_Copied):
    label, row, operation = "insert", "NEW", pgtrigger.Insert


class Updated(_Copied):
    label, row, operation = "update", "NEW", pgtrigger.Update


class Deleted(_Copied):
    label, row, operation = "delete", "OLD", pgtrigger.Delete


def changed(model: type[models.Model], kept: list[str]) -> pgtrigger.Condition:
    """The row changed in a column the history keeps (whole rows as JSON, less the others)."""
    others = [field.column for field in model._meta.concrete_fields if field.name not in kept]
    less = "ARRAY[" + ", ".join(f"'{column}'" for column in others) + "]::text[]"
    return pgtrigger.Condition(f"((to_jsonb(OLD.*) - {less}) IS DISTINCT FROM (to_jsonb(NEW.*) - {less}))")


def changed_column(column: str) -> pgtrigger.Condition:
    return pgtrigger.Condition(f"((to_jsonb(OLD.*) -> '{column}') IS DISTINCT FROM (to_jsonb(NEW.*) -> '{column}'))")


def install_after_migrate(using: str, plan=None, **kwargs) -> None:
    # `flush` (between transactional tests) sends post_migrate without a plan: it changes no
    # table, so there is nothing to install.
    if plan is None or connections[using].vendor != "postgresql":
        return
    quiet = logging.getLogger("pgtrigger")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # one line per trigger on every migrate otherwise
    try:
        installation.install(database=using)
    finally:
        quiet.setLevel(level)
    logger.info("audit: history triggers installed on %s tables", len(tracking.audited_models()))
