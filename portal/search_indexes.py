"""Trigram indexes for the portal's "contains" searches (PostgreSQL's pg_trgm; nothing on SQLite).

Django's ``icontains`` on PostgreSQL is ``UPPER(column::text) LIKE UPPER('%term%')``, which no B-tree
can serve: over a large client's 10,000 tickets or documents every search scanned the whole company.
A GIN index on the same ``UPPER(column::text)`` expression with ``gin_trgm_ops`` answers it from the
index. They are not in the models' ``Meta.indexes`` because SQLite (development, tests) has no GIN.
Creating the extension needs a role allowed to (the superuser, or the database owner on PostgreSQL 13+,
where pg_trgm is a trusted extension).
"""

from django.db import migrations


def trigram_indexes(*columns: tuple[str, str]) -> list:
    """Migration operations creating (and on reverse dropping) one trigram index per (table, column)."""

    def name(table: str, column: str) -> str:
        return f"{table}_{column}_trgm"[:63]

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name(table, column)}" ON "{table}" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name(table, column)}"')

    return [migrations.RunPython(create, drop, elidable=False)]
