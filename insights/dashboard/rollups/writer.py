"""Bulk row writing: PostgreSQL COPY, or executemany on SQLite.

Rows arrive as tuples of already-formatted values (timestamps as text in the backend's
own format, JSON as text, money as text), so that writing is the only cost left here.
Columns the generator does not fill (a field another area added later, say) get the
field's default; a new NOT NULL field without a default stops the run with its name.

The attribution rollup writes its cells with it; the synthetic data generator
(devtools/generator/) writes whole data sets with it. It lives here, beside the rollups,
because production code may not import devtools.
"""

import csv
import io
import json
import queue
import threading
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from operator import itemgetter

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import NOT_PROVIDED, JSONField, Model
from django.db.models.fields import AutoFieldMixin


class Table:
    """One model's rows for the current chunk, flushed with COPY or executemany."""

    def __init__(self, model: type[Model], attnames: list[str], optional: tuple[str, ...] = ()):
        """Rows carry `attnames` then `optional` values; optional ones the model lacks are dropped."""
        self.model = model
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(attnames) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no field(s) {sorted(unknown)}")
        every = [*attnames, *optional]
        kept = [index for index, name in enumerate(every) if name in fields]
        self.project = None if len(kept) == len(every) else itemgetter(*kept)
        attnames = [every[index] for index in kept]
        self.extra = {}
        for name, model_field in fields.items():
            if name in attnames:
                continue
            if isinstance(model_field, AutoFieldMixin):
                continue  # the database numbers the rows
            if model_field.has_default():
                self.extra[name] = _default_text(model_field)
            elif model_field.null:
                self.extra[name] = None
            elif model_field.db_default is not NOT_PROVIDED:
                continue  # the database fills it
            else:
                raise ValueError(f"{model.__name__}.{name} is required and has no default: teach the generator it")
        self.columns = [fields[name].column for name in [*attnames, *self.extra]]
        self.tail = tuple(self.extra.values())
        self.rows: list[tuple] = []
        self.written = 0
        self.seconds = 0.0

    def add(self, row: tuple) -> None:
        if self.project is not None:
            row = self.project(row)
        self.rows.append(row + self.tail if self.tail else row)

    def flush(self) -> None:
        self.write(self.take())

    def take(self) -> list[tuple]:
        """The rows added since the last take, for writing now or in another thread."""
        rows, self.rows = self.rows, []
        return rows

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            _copy(self.model._meta.db_table, self.columns, rows)
        else:
            _insert(self.model._meta.db_table, self.columns, rows)
        self.seconds += time.perf_counter() - started
        self.written += len(rows)


class Background:
    """Writes chunks in a thread of its own while the next chunk is being built.

    PostgreSQL parses and indexes a COPY in its own process, so building rows in Python
    and loading them overlap on two cores. Each chunk commits in its own transaction, in
    submission order. Only outside a transaction: the thread's connection could not see
    rows its caller has not committed (a test's, say), so there the writes stay inline.
    """

    def __init__(self):
        self.threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True) if self.threaded else None
        if self.thread:
            self.thread.start()

    def submit(self, tables: list[Table]) -> None:
        batch = [(table, table.take()) for table in tables]
        if not self.threaded:
            with transaction.atomic():
                for table, rows in batch:
                    table.write(rows)
            return
        while True:
            if self.error:
                raise self.error
            try:
                self.queue.put(batch, timeout=1)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        if self.thread:
            self.queue.put(None)
            self.thread.join()
        if self.error:
            raise self.error

    def _run(self) -> None:
        try:
            while (batch := self.queue.get()) is not None:
                with transaction.atomic():
                    for table, rows in batch:
                        table.write(rows)
        except BaseException as error:  # handed to the producer, which raises it
            self.error = error
            while self.queue.get() is not None:  # let a blocked producer finish
                pass
        finally:
            connection.close()


def _default_text(model_field):
    value = model_field.get_default()
    if isinstance(model_field, JSONField):
        return json.dumps(value)
    if isinstance(value, bool):
        return value if connection.vendor != "postgresql" else ("t" if value else "f")
    if isinstance(value, datetime):
        return timestamp_text(value)
    if isinstance(value, Decimal | date):
        return str(value)
    return value


def timestamp_text(value: datetime) -> str:
    """An aware datetime as this backend stores it (SQLite compares naive UTC text)."""
    utc = value.astimezone(UTC)
    return f"{utc:%Y-%m-%d %H:%M:%S}" + ("+00:00" if connection.vendor == "postgresql" else "")


def _copy(table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    buffer = io.StringIO()
    # QUOTE_STRINGS: "" is an empty string and a bare empty field is NULL, as COPY reads it.
    csv.writer(buffer, quoting=csv.QUOTE_STRINGS, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN WITH (FORMAT csv)", buffer
        )


def _insert(table: str, columns: list[str], rows: list[tuple]) -> None:
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})", rows)


def next_id(model: type[Model]) -> int:
    """The first free primary key: the generator assigns ids itself to link rows up."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def reset_sequences(models: list[type[Model]]) -> None:
    """Move the id sequences past the ids written explicitly (no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def analyze(models: list[type[Model]]) -> None:
    """Fresh planner statistics after millions of rows (PostgreSQL); SQLite gets ANALYZE too."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
