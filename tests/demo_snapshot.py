"""The demo content, loaded once per test session and copied into each test that asks for it.

Loading it renders Markdown, draws covers and renditions with Pillow and stems every word for
the search index: seconds. What it leaves behind is a few hundred rows and a few files, which
a test gets back in milliseconds. The copy is taken from the database itself, table by table,
so it holds whatever the loaders write (search entries outside the ORM included) without this
module knowing what that is.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction


@dataclass
class Snapshot:
    tables: dict  # table name → its rows, as this database reads them back
    media: Path


def take(load, media):
    """Run `load` in a transaction that is rolled back, and keep the tables it changed."""
    from django.test import TestCase

    with transaction.atomic():
        before = read_tables()
        # What runs after the commit (search entries, renditions) runs here, as after a real one.
        with TestCase.captureOnCommitCallbacks(execute=True):
            load()
        after = read_tables()
        transaction.set_rollback(True)
    return Snapshot({name: rows for name, rows in after.items() if rows != before.get(name)}, media)


def restore(snapshot, media_root):
    """The snapshot's tables as they were after the load; committed unless inside a test's
    own transaction."""
    with transaction.atomic():
        for table, rows in snapshot.tables.items():
            write_table(table, rows)
        reset_sequences(snapshot.tables)
    shutil.copytree(snapshot.media, media_root, dirs_exist_ok=True)


def quote(name):
    return connection.ops.quote_name(name)


def tables():
    names = connection.introspection.table_names(include_views=False)
    if connection.vendor != "sqlite":
        return names
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
        )
        virtual = [name for (name,) in cursor.fetchall()]
    # A full-text table keeps its index in shadow tables that rebuild themselves from it.
    shadows = {f"{name}_{part}" for name in virtual for part in SQLITE_FTS_SHADOWS}
    return [name for name in names if name not in shadows]


SQLITE_FTS_SHADOWS = ("data", "idx", "content", "docsize", "config")


def read_tables():
    return {name: read_table(name) for name in tables()}


def read_table(table):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY's text form carries every type (tsvector, jsonb, arrays) there and back.
            with cursor.cursor.copy(f"COPY {quote(table)} TO STDOUT") as copy:
                return b"".join(bytes(block) for block in copy)
        # rowid too: a full-text table's rows are joined to articles by it.
        cursor.execute(f"SELECT rowid AS rowid_, * FROM {quote(table)}")  # noqa: S608
        columns = [column[0] for column in cursor.description]
        return columns, cursor.fetchall()


def write_table(table, rows):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                copy.write(rows)
            return
        columns, values = rows
        names = ", ".join(["rowid", *(quote(column) for column in columns[1:])])
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", values)  # noqa: S608


def reset_sequences(table_names):
    """Ids were written as they were: the next row a test makes must come after them."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.db_table in table_names
    ]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
