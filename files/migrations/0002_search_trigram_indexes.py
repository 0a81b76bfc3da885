"""Trigram indexes for the "contains" searches (PostgreSQL's pg_trgm; nothing on SQLite).

Django's ``icontains`` on PostgreSQL is ``UPPER(column::text) LIKE UPPER('%term%')``, which no B-tree
serves; a GIN index on the same expression with ``gin_trgm_ops`` does. Not in ``Meta.indexes``
because SQLite has no GIN. Written out here, not imported, so the migration never changes.
"""

from django.db import migrations

COLUMNS = [("files_document", "title"), ("files_document", "description"), ("files_storedfile", "original_name")]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in COLUMNS:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" '
                              f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')


class Migration(migrations.Migration):
    dependencies = [("files", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
