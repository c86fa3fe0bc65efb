"""Two portable pieces of SQL the rollups need: INSERT … SELECT from a queryset, and whole days."""

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Func, IntegerField, Model, QuerySet


def insert_from(model: type[Model], columns: dict[str, str], queryset: QuerySet) -> int:
    """INSERT INTO model's table (columns…) SELECT the queryset's aliases; returns rows written.

    `columns` maps each target column to an alias the queryset selects (an annotation or
    values() name). Selecting from the queryset as a subquery pins the order by alias, so
    it does not depend on where Django puts fields and annotations in its SELECT list.
    """
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # filtered on an empty list: nothing to insert
        return 0
    quote = connection.ops.quote_name
    target = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    source = ", ".join(f"sub.{quote(alias)}" for alias in columns.values())
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({target}) SELECT {source} FROM ({sql}) sub", params)
        return cursor.rowcount


class WholeDays(Func):
    """Whole days from `start` to `end`: (end − start in whole seconds) // 86400.

    Both timestamps are first cut to whole seconds, the same on PostgreSQL and SQLite (and
    in insights.dashboard.stats.whole_days), so that every backend counts the same days.
    """

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        start, start_params = compiler.compile(self.source_expressions[0])
        end, end_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "postgresql":
            sql = f"((FLOOR(EXTRACT(EPOCH FROM {end})) - FLOOR(EXTRACT(EPOCH FROM {start})))::bigint / 86400)"
        else:
            sql = f"((CAST(strftime('%%s', {end}) AS INTEGER) - CAST(strftime('%%s', {start}) AS INTEGER)) / 86400)"
        return sql, (*end_params, *start_params)
