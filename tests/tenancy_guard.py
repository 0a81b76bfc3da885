"""Tenancy guard: during a request to a client view, every SQL read (and update/delete) of a
company-owned model must be scoped to a company, or the test fails.

How it works (tests only; nothing of this runs in production):

- "Company-owned" = a model with a ``company`` foreign key to ``accounts.Company``.
- The test client's handler (``ClientHandler.get_response``) is wrapped: when the URL resolves to a
  client view (the namespaces in ``CLIENT_NAMESPACES``, minus ``EXEMPT_VIEWS`` which work without a
  company), the guard is on for the whole request, middleware included.
- ``SQLCompiler.execute_sql`` is wrapped: a query on a company-owned model is accepted when its
  WHERE clause has a lookup on
    * a foreign key to ``Company`` (``for_company(c)`` = ``filter(company=c)``, ``offer__company=c``), or
    * a foreign key to another company-owned model (a related manager or a prefetch:
      ``offer.lines.all()`` reads the lines of an offer that was itself read scoped), or
    * a subquery that is itself scoped, or
    * ``Membership.user`` (``OWNER_LOOKUPS``: a user's own memberships decide their company), or
    * the primary key, when every value is a row this request already loaded through an accepted
      query or saved itself, or a row such a row points to by a foreign key or generic relation
      (``instance.save()``, a service re-reading ``pk=offer.pk`` for update, ``attachment.file``).
  Anything else (``Offer.objects.get(public_id=...)``, ``Invoice.objects.all()``) is recorded and
  raises ``UnscopedRead``; the fixture also fails the test at teardown in case a view swallowed it.
- A read that is legitimately global (the user's own memberships, an invitation looked up by its
  token) is wrapped in ``portal.tenancy.unscoped("reason")`` in the app code.

Limits: it is a syntactic check. ``filter(company=c) | Q(pk=x)`` or a filter on a foreign key whose
value came from user input without scoping would pass; reviews still matter.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.db.models import Model
from django.db.models.lookups import Lookup
from django.db.models.signals import post_save
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.query import Query
from django.db.models.sql.where import WhereNode
from django.test.client import ClientHandler
from django.urls import Resolver404, resolve

from portal.tenancy import unscoped_reason

CLIENT_NAMESPACES = {"portal", "accounts", "quotes", "projects", "billing", "contracts", "support",
                     "shipments", "files"}
EXEMPT_VIEWS = {"accounts:pending", "accounts:profile", "accounts:set_language", "accounts:switch_company",
                "accounts:invitation"}

_active: ContextVar[str | None] = ContextVar("tenancy_guard_view", default=None)


class UnscopedRead(AssertionError):
    pass


def _company_model():
    from accounts.models import Company

    return Company


def is_company_owned(model) -> bool:
    if model is None:
        return False
    try:
        field = model._meta.get_field("company")
    except Exception:
        return False
    return bool(field.many_to_one and field.related_model is _company_model())


def _is_forward_fk(field) -> bool:
    return bool(getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False)) and bool(
        getattr(field, "concrete", False))


# The user's own memberships are read to find their company (middleware, switcher, logs).
OWNER_LOOKUPS = {("accounts.Membership", "user")}


def _is_scoping_target(target) -> bool:
    if target is not None and (getattr(target.model, "_meta", None) and
                               (target.model._meta.label, target.name) in OWNER_LOOKUPS):
        return True
    related = getattr(target, "related_model", None) if _is_forward_fk(target) else None
    if related is None:
        return False
    return related is _company_model() or is_company_owned(related)


_seen: ContextVar[set | None] = ContextVar("tenancy_guard_seen", default=None)


def _known_rows(target, values) -> bool:
    seen = _seen.get()
    if seen is None or not getattr(target, "primary_key", False):
        return False
    if not isinstance(values, (list, tuple, set, frozenset)):
        values = [values]
    from django.contrib.contenttypes.models import ContentType

    model = target.model._meta.concrete_model
    label, by_type = model._meta.label, ("ct", ContentType.objects.get_for_model(model).pk)
    return bool(values) and all((label, value) in seen or (by_type, value) in seen for value in values)


def _lookup_target(lookup):
    """The field a lookup compares and its values; Django 5.2 writes ``pk IN (...)`` of a prefetch as
    a one-column tuple lookup."""
    lhs = lookup.lhs
    target = getattr(lhs, "target", None)
    if target is not None:
        return target, lookup.rhs
    targets = getattr(lhs, "targets", None)
    if targets is None and hasattr(lhs, "get_source_expressions"):
        targets = [getattr(source, "target", None) for source in lhs.get_source_expressions()]
    if targets and len(targets) == 1:
        values = lookup.rhs
        if isinstance(values, (list, tuple)) and all(isinstance(v, tuple) and len(v) == 1 for v in values):
            values = [v[0] for v in values]
        return targets[0], values
    return None, lookup.rhs


def _expression_scoped(expression) -> bool:
    if isinstance(expression, WhereNode):
        return any(_expression_scoped(child) for child in expression.children)
    if isinstance(expression, Query):
        return query_scoped(expression)
    if isinstance(expression, Lookup):
        target, values = _lookup_target(expression)
        if _is_scoping_target(target) or _known_rows(target, values):
            return True
        return _expression_scoped(expression.rhs)
    inner = getattr(expression, "query", None)  # Subquery, Exists
    if isinstance(inner, Query):
        return query_scoped(inner)
    return False


def query_scoped(query: Query) -> bool:
    inner = getattr(query, "inner_query", None)  # count() / aggregate() over a sliced or distinct query
    if inner is not None and query_scoped(inner):
        return True
    return _expression_scoped(query.where)


class TenancyGuard:
    def __init__(self):
        self.violations: list[str] = []

    def check(self, compiler) -> None:
        view = _active.get()
        if view is None or unscoped_reason() is not None:
            return
        query = compiler.query
        if not is_company_owned(query.model) or query_scoped(query):
            return
        try:
            sql = str(query)
        except Exception:  # an empty query and the like
            sql = repr(query)
        message = f"Unscoped read of {query.model._meta.label} in {view}: {sql[:500]}"
        self.violations.append(message)
        raise UnscopedRead(message)


def client_view_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace not in CLIENT_NAMESPACES or match.view_name in EXEMPT_VIEWS:
        return None
    return match.view_name


def _remember(instance) -> None:
    """An accepted row, and the rows its foreign keys point to (``attachment.file``)."""
    seen = _seen.get()
    if seen is None or instance.pk is None:
        return
    seen.add((instance._meta.concrete_model._meta.label, instance.pk))
    for field in instance._meta.concrete_fields:
        if _is_forward_fk(field):
            value = instance.__dict__.get(field.attname)  # never load a deferred field
            if value is not None:
                seen.add((field.related_model._meta.concrete_model._meta.label, value))
    for field in instance._meta.private_fields:  # GenericForeignKey: a document's linked object
        if hasattr(field, "ct_field") and hasattr(field, "fk_field"):
            type_id = instance.__dict__.get(f"{field.ct_field}_id")
            object_id = instance.__dict__.get(field.fk_field)
            if type_id is not None and object_id is not None:
                seen.add((("ct", type_id), object_id))


def install(monkeypatch) -> TenancyGuard:
    guard = TenancyGuard()
    original_execute = SQLCompiler.execute_sql
    original_get_response = ClientHandler.get_response
    original_from_db = Model.from_db.__func__

    def execute_sql(self, *args, **kwargs):
        guard.check(self)
        return original_execute(self, *args, **kwargs)

    def from_db(cls, db, field_names, values):
        instance = original_from_db(cls, db, field_names, values)
        _remember(instance)
        return instance

    def remember_saved(sender, instance, **kwargs):
        _remember(instance)

    def get_response(self, request):
        token = _active.set(client_view_name(request.path_info))
        seen_token = _seen.set(set())
        try:
            return original_get_response(self, request)
        finally:
            _active.reset(token)
            _seen.reset(seen_token)

    monkeypatch.setattr(SQLCompiler, "execute_sql", execute_sql)
    monkeypatch.setattr(Model, "from_db", classmethod(from_db))
    monkeypatch.setattr(ClientHandler, "get_response", get_response)
    post_save.connect(remember_saved, weak=False, dispatch_uid="tenancy_guard")
    monkeypatch.setattr(guard, "disconnect", lambda: post_save.disconnect(dispatch_uid="tenancy_guard"),
                        raising=False)
    return guard


class active_for:
    """Turn the guard on outside a request (for tests of the guard itself)."""

    def __init__(self, view_name: str):
        self.view_name = view_name

    def __enter__(self):
        self.tokens = _active.set(self.view_name), _seen.set(set())

    def __exit__(self, *exc):
        _active.reset(self.tokens[0])
        _seen.reset(self.tokens[1])
