"""The company's change stamps, kept by the database: the keys of the dashboard's caches.

``Company.data_stamp`` changes in the very transaction that inserts, changes or deletes a row the
dashboard's cards read; ``Company.documents_stamp`` in the one that changes which documents a member sees.
Triggers rather than code in the services: a bulk insert, a queryset ``update()``, an admin edit and a
data migration all change the stamp without remembering to, so a cached card can never outlive its data.

The stamp counts up by one per row changed. (The id of the writing transaction would write the company's
row once per transaction, but a test runs in one transaction and must see each change.) The
triggers are (re)installed after every ``migrate`` (``post_migrate``, see apps.py): SQLite drops a
table's triggers when a migration rebuilds the table.
"""

from __future__ import annotations

from django.apps import apps

# The models whose rows the dashboard's cards read, by the stamp a change of theirs moves. Each has a
# ``company`` column.
STAMPED = {
    "data_stamp": (
        "quotes.QuoteRequest",
        "quotes.Offer",
        "billing.Invoice",
        "billing.Payment",
        "billing.PaymentNotice",
        "projects.Project",
        "projects.Task",
        "support.Ticket",
        "shipments.Shipment",
        "contracts.Contract",
        "accounts.Membership",
    ),
    "documents_stamp": ("files.Document", "accounts.Membership"),
}
# Rules for every company at once: a change moves every company's documents stamp.
DOCUMENT_RULES = ("files.CategoryAccess",)
# What cards show of a person (the names of those who may decide): a change moves the stamps of every
# company the person belongs to.
PERSON_COLUMNS = ("first_name", "last_name", "email", "is_active")

PREFIX = "portal_stamp"

POSTGRES_FUNCTIONS = """
CREATE OR REPLACE FUNCTION portal_stamp_company() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    companies bigint[];
BEGIN
    IF TG_OP <> 'DELETE' THEN
        companies := ARRAY[NEW.company_id];
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.company_id IS DISTINCT FROM NEW.company_id) THEN
        companies := companies || OLD.company_id;
    END IF;
    -- Static statements: planned once per session.
    IF TG_ARGV[0] = 'data_stamp' THEN
        UPDATE accounts_company SET data_stamp = data_stamp + 1 WHERE id = ANY(companies);
    ELSE
        UPDATE accounts_company SET documents_stamp = documents_stamp + 1 WHERE id = ANY(companies);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION portal_stamp_every_company() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('UPDATE accounts_company SET %1$I = %1$I + 1', TG_ARGV[0]);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION portal_stamp_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts_company SET data_stamp = data_stamp + 1
    WHERE id IN (SELECT company_id FROM accounts_membership WHERE user_id = NEW.id);
    RETURN NULL;
END $$;
"""


def _table(label: str) -> str:
    return apps.get_model(label)._meta.db_table


def _postgres(stamp: str, table: str) -> list[str]:
    name = f"{PREFIX}_{stamp}_{table}"
    return [
        f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"',
        f'DROP TRIGGER IF EXISTS "{name}_update" ON "{table}"',
        f'CREATE TRIGGER "{name}" AFTER INSERT OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION portal_stamp_company('{stamp}')",
        # A save that changes nothing (a task re-run) keeps the cache.
        f'CREATE TRIGGER "{name}_update" AFTER UPDATE ON "{table}" FOR EACH ROW '
        f"WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION portal_stamp_company('{stamp}')",
    ]


def _sqlite(stamp: str, table: str) -> list[str]:
    name = f"{PREFIX}_{stamp}_{table}"
    update = f'UPDATE accounts_company SET "{stamp}" = "{stamp}" + 1 WHERE id'  # noqa: S608 — our own names
    return [
        f'CREATE TRIGGER IF NOT EXISTS "{name}_insert" AFTER INSERT ON "{table}" BEGIN {update} = NEW.company_id; END',
        f'CREATE TRIGGER IF NOT EXISTS "{name}_update" AFTER UPDATE ON "{table}" '
        f"BEGIN {update} IN (OLD.company_id, NEW.company_id); END",
        f'CREATE TRIGGER IF NOT EXISTS "{name}_delete" AFTER DELETE ON "{table}" BEGIN {update} = OLD.company_id; END',
    ]


def _every_company(vendor: str, stamp: str, table: str) -> list[str]:
    name = f"{PREFIX}_{stamp}_{table}"
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"',
            f'CREATE TRIGGER "{name}" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION portal_stamp_every_company('{stamp}')",
        ]
    update = f'UPDATE accounts_company SET "{stamp}" = "{stamp}" + 1'  # noqa: S608 — our own names
    return [
        f'CREATE TRIGGER IF NOT EXISTS "{name}_{event.lower()}" AFTER {event} ON "{table}" BEGIN {update}; END'
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def _person(vendor: str) -> list[str]:
    table, name = _table("accounts.User"), f"{PREFIX}_person"
    changed = " OR ".join(f'OLD."{column}" IS NOT NEW."{column}"' for column in PERSON_COLUMNS)
    if vendor == "postgresql":
        changed = changed.replace(" IS NOT ", " IS DISTINCT FROM ")
        return [
            f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"',
            f'CREATE TRIGGER "{name}" AFTER UPDATE ON "{table}" FOR EACH ROW WHEN ({changed}) '
            "EXECUTE FUNCTION portal_stamp_person()",
        ]
    return [
        f'CREATE TRIGGER IF NOT EXISTS "{name}" AFTER UPDATE ON "{table}" WHEN {changed} BEGIN '  # noqa: S608
        'UPDATE accounts_company SET "data_stamp" = "data_stamp" + 1 '
        "WHERE id IN (SELECT company_id FROM accounts_membership WHERE user_id = NEW.id); END"
    ]


def trigger_statements(vendor: str) -> list[str]:
    statements = [POSTGRES_FUNCTIONS] if vendor == "postgresql" else []
    per_row = _postgres if vendor == "postgresql" else _sqlite
    for stamp, labels in STAMPED.items():
        for label in labels:
            statements += per_row(stamp, _table(label))
    for label in DOCUMENT_RULES:
        statements += _every_company(vendor, "documents_stamp", _table(label))
    return statements + _person(vendor)


def install_triggers(using: str = "default") -> None:
    from django.db import connections

    connection = connections[using]
    if connection.vendor not in {"postgresql", "sqlite"}:
        return
    with connection.cursor() as cursor:
        for statement in trigger_statements(connection.vendor):
            cursor.execute(statement)
