"""A fingerprint of every table, to prove that a refused request changed nothing at all.

Each table's row count and a digest of all its rows (every column, sorted), so an update of
one cell in any row shows as well as an insert or a delete. Left out: the session table and
the columns that only say someone logged in or used a token (bookkeeping of the request
itself, not data the request may have changed).
"""

import hashlib

from django.db import connection

SKIPPED_TABLES = {"django_session"}
SKIPPED_COLUMNS = {("auth_user", "last_login"), ("accounts_apitoken", "last_used_at")}


def _tables() -> list[str]:
    return sorted(set(connection.introspection.django_table_names(only_existing=True)) - SKIPPED_TABLES)


def fingerprint() -> dict[str, tuple[int, str]]:
    """{table: (row count, digest of its rows)}"""
    if connection.vendor == "postgresql":
        return _postgresql()
    return _portable()


def _postgresql() -> dict[str, tuple[int, str]]:
    # One round trip: each row as JSON (minus the skipped columns), hashed in the database.
    parts = []
    for table in _tables():
        skipped = [column for name, column in SKIPPED_COLUMNS if name == table]
        row = f"to_jsonb(t) - ARRAY[{', '.join(repr(c) for c in skipped)}]::text[]" if skipped else "to_jsonb(t)"
        parts.append(
            f"SELECT '{table}', count(*), md5(coalesce(string_agg(({row})::text, ',' ORDER BY ({row})::text), '')) "
            f'FROM "{table}" t'
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def _portable() -> dict[str, tuple[int, str]]:
    result = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f'SELECT * FROM "{table}"')
            columns = [column[0] for column in cursor.description]
            kept = [i for i, column in enumerate(columns) if (table, column) not in SKIPPED_COLUMNS]
            rows = sorted(repr(tuple(row[i] for i in kept)) for row in cursor.fetchall())
            result[table] = (len(rows), hashlib.sha1("\n".join(rows).encode()).hexdigest())
    return result


def changed_tables(before: dict, after: dict) -> list[str]:
    return [
        f"{table} ({before.get(table, (0,))[0]} → {after.get(table, (0,))[0]} rows)"
        for table in sorted(set(before) | set(after))
        if before.get(table) != after.get(table)
    ]
