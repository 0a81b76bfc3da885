"""Search without diacritics on PostgreSQL (portal/search.py); nothing on SQLite.

``portal_fold(text)`` is ``lower(unaccent(text))`` declared IMMUTABLE, so it can be indexed (``unaccent``
itself is only STABLE: its dictionary could change; ours does not). Each searched column gets a pg_trgm GIN
index on ``portal_fold(column)``, which serves ``portal_fold(column) LIKE '%pompa%'``.

Speed: ``portal_fold`` calls ``portal_unaccent(dictionary, text)``, the unaccent extension's own C function
declared IMMUTABLE, so PostgreSQL inlines ``portal_fold`` and a row costs about what ``UPPER()`` cost the
old ``icontains`` (a filtered list reads a few thousand rows: 24 ms instead of 56 ms through an SQL wrapper
of ``unaccent()``). Declaring a C function needs a superuser; without one, ``portal_unaccent`` is an SQL
wrapper: the same results and indexes, only slower where a plan reads rows one by one.

Without GIN's pending list (``fastupdate = off``): rows written in bulk (an ERP import) are indexed at
once instead of being scanned one by one by every search until the next vacuum; these tables are read far
more than written. The UPPER(column) trigram indexes of files and support served the old ``icontains`` and
are dropped. All the index SQL is in this one migration: it depends on the latest migration of each app it
indexes, so section apps keep a single leaf. Written out here, not imported, so the migration never changes.
"""

from django.db import DatabaseError, migrations, transaction

COLUMNS = [
    ("quotes_product", "code"),
    ("quotes_product", "name"),
    ("quotes_quoterequest", "number"),
    ("quotes_quoterequestline", "description"),
    ("quotes_offer", "number"),
    ("quotes_offerline", "description"),
    ("projects_project", "code"),
    ("projects_project", "name"),
    ("projects_task", "title"),
    ("billing_invoice", "series"),
    ("contracts_contract", "number"),
    ("contracts_contract", "title"),
    ("support_ticket", "number"),
    ("support_ticket", "subject"),
    ("shipments_shipment", "number"),
    ("shipments_shipment", "awb"),
    ("files_document", "title"),
    ("files_document", "description"),
    ("files_storedfile", "original_name"),
]

OLD_UPPER_INDEXES = [
    ("files_document", "title"),
    ("files_document", "description"),
    ("files_storedfile", "original_name"),
    ("support_ticket", "subject"),
    ("support_ticket", "number"),
]

UNACCENT_C = """
CREATE OR REPLACE FUNCTION portal_unaccent(regdictionary, text) RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE STRICT AS '$libdir/unaccent', 'unaccent_dict'
"""
UNACCENT_SQL = """
CREATE OR REPLACE FUNCTION portal_unaccent(regdictionary, text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT public.unaccent($1, $2) $$
"""
FOLD_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(portal_unaccent('public.unaccent'::regdictionary, $1)) $$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute(UNACCENT_C)
    except DatabaseError:  # not a superuser: the slower SQL wrapper (see above)
        schema_editor.execute(UNACCENT_SQL)
    schema_editor.execute(FOLD_FUNCTION)
    for table, column in OLD_UPPER_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')
    for table, column in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_{column}_fold" ON "{table}" '
            f'USING gin (portal_fold("{column}") gin_trgm_ops) WITH (fastupdate = off)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_fold"')
    for table, column in OLD_UPPER_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )
    schema_editor.execute("DROP FUNCTION IF EXISTS portal_fold(text)")
    schema_editor.execute("DROP FUNCTION IF EXISTS portal_unaccent(regdictionary, text)")


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_outbound_email_rendered_text"),
        ("quotes", "0002_offer_pdf_from_erp"),
        ("projects", "0004_task_erp_key"),
        ("billing", "0006_efactura"),
        ("contracts", "0002_offer_links"),
        ("support", "0004_message_erp_key"),
        ("shipments", "0004_receipt_kind"),
        ("files", "0005_document_erp_key"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
