"""Run-time tenancy scope: in a client request, a query on a company-owned model that is not
restricted to the request's company raises ``ScopeError`` before it runs, in production too.

Why our own and not django-scopes: django-scopes adds the company filter in the model managers and
raises wherever no scope is active, so the admin, Celery, commands, migrations and every test
would have to be wrapped in ``scopes_disabled()``; and a queryset built inside a scope but run
after it escapes it. Here the check sits where every queryset path ends (the SQL compiler), is on
only while a client view runs, and compares the query with the request's own company and the rows
this request already loaded, so a scope an attacker could widen does not count.

A query on a model with a ``company`` foreign key to ``accounts.Company`` is accepted when its
WHERE clause, on every branch of an OR and outside any NOT, holds one of:

* ``company = <the request's company>`` (``exact`` or ``in``, any join: ``offer__company=c``);
* a foreign key or the primary key ``= / IN`` rows this request loaded through accepted queries
  or saved itself, or rows such a row points to (``offer.lines.all()``, a prefetch,
  ``instance.save()``, ``attachment.file``);
* an ``IN`` / ``EXISTS`` over a subquery that is itself accepted;
* one of the owner lookups: the user's own memberships and notifications (``OWNER_LOOKUPS``).

A read that is legitimately global (an invitation found by its token) is wrapped in
``portal.tenancy.unscoped("reason")``. Limits: subqueries in annotations are not inspected, and
models without a ``company`` column (document versions, reminders) are not checked.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.db.models.lookups import Exact, In, Lookup
from django.db.models.signals import post_save
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.query import Query
from django.db.models.sql.where import AND, WhereNode
from django.dispatch import Signal

from portal.tenancy import current_membership, unscoped_reason

logger = logging.getLogger("portal.security")

# Sent before ScopeError is raised, so a test fails even when a view swallows the exception.
scope_violation = Signal()

# (model label, field name): lookups on the user's own rows, compared with the request's user.
OWNER_LOOKUPS = {("accounts.Membership", "user"), ("portal.Notification", "user")}


class ScopeError(Exception):
    """A client request ran a query on company-owned rows not restricted to its company."""


@dataclass
class Scope:
    view: str
    company_id: int | None
    user_id: int | None
    known: set = field(default_factory=set)


_current: ContextVar[Scope | None] = ContextVar("tenancy_scope", default=None)


@contextmanager
def activate(*, view: str, company_id: int | None, user_id: int | None):
    """Check every query on company-owned rows against this company until the block ends."""
    token = _current.set(Scope(view=view, company_id=company_id, user_id=user_id))
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def suspended():
    """No scope inside (a Celery task run eagerly from a request is not a client read)."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> Scope | None:
    return _current.get()


@cache
def _company_model():
    return apps.get_model("accounts", "Company")


@cache
def is_company_owned(model) -> bool:
    try:
        company = model._meta.get_field("company")
    except Exception:
        return False
    return bool(company.many_to_one and company.related_model is _company_model())


@cache
def _remembered_links(model) -> tuple[tuple[str, str], ...]:
    """The (attname, label) of a model's links that a later query may follow: foreign keys to
    company-owned models and generic relations. Once per class."""
    links = []
    for model_field in model._meta.concrete_fields:
        if (
            model_field.is_relation
            and (model_field.many_to_one or model_field.one_to_one)
            and is_company_owned(model_field.related_model)
        ):
            links.append((model_field.attname, model_field.related_model._meta.concrete_model._meta.label))
    for private in model._meta.private_fields:  # GenericForeignKey: a document's linked object
        if hasattr(private, "ct_field") and hasattr(private, "fk_field"):
            links.append((private.fk_field, f"ct:{private.ct_field}_id"))
    return tuple(links)


def remember(instance: Model) -> None:
    """A row this request may touch again: itself and the company-owned rows it points to."""
    scope = _current.get()
    if scope is None or instance.pk is None:
        return
    known = scope.known
    model = type(instance)
    if is_company_owned(model):
        known.add((model._meta.concrete_model._meta.label, instance.pk))
    values = instance.__dict__  # never load a deferred field
    for attname, label in _remembered_links(model):
        value = values.get(attname)
        if value is None:
            continue
        if label.startswith("ct:"):
            type_id = values.get(label[3:])
            if type_id is not None:
                known.add((("ct", type_id), value))
        else:
            known.add((label, value))


def _values(rhs) -> list | None:
    values = list(rhs) if isinstance(rhs, (list, tuple, set, frozenset)) else [rhs]
    flat = []
    for value in values:
        if isinstance(value, tuple) and len(value) == 1:  # Django 5.2 writes a prefetch's IN as 1-tuples
            value = value[0]
        if isinstance(value, Model):
            value = value.pk
        if hasattr(value, "resolve_expression"):  # OuterRef, F(): not a value we can compare
            return None
        flat.append(value)
    return flat


def _lookup_target(lookup: Lookup):
    lhs = lookup.lhs
    target = getattr(lhs, "target", None)
    if target is None:
        targets = getattr(lhs, "targets", None)
        if targets is None and hasattr(lhs, "get_source_expressions"):
            targets = [getattr(source, "target", None) for source in lhs.get_source_expressions()]
        if targets and len(targets) == 1:
            target = targets[0]
    return target


def _known(scope: Scope, target, values: list) -> bool:
    if not values:
        return False
    if target.primary_key:
        model = target.model._meta.concrete_model
    elif target.is_relation and (target.many_to_one or target.one_to_one):
        model = target.related_model._meta.concrete_model
    else:
        return False
    label = model._meta.label
    by_type = ("ct", ContentType.objects.get_for_model(model).pk)
    return all((label, value) in scope.known or (by_type, value) in scope.known for value in values)


def _lookup_scoped(scope: Scope, lookup: Lookup) -> bool:
    rhs_query = getattr(lookup.rhs, "query", lookup.rhs)
    if isinstance(rhs_query, Query) and isinstance(lookup, In | Exact):  # company__in=<subquery>
        return query_scoped(scope, rhs_query)
    if not isinstance(lookup, In | Exact):
        return False
    target = _lookup_target(lookup)
    if target is None:
        return False
    values = _values(lookup.rhs)
    if values is None:
        return False
    if (target.model._meta.label, target.name) in OWNER_LOOKUPS:
        return scope.user_id is not None and values == [scope.user_id] * len(values) and bool(values)
    if target.is_relation and target.related_model is _company_model():
        return scope.company_id is not None and bool(values) and all(v == scope.company_id for v in values)
    return _known(scope, target, values)


def _where_scoped(scope: Scope, node) -> bool:
    if isinstance(node, WhereNode):
        if node.negated:
            return False
        children = node.children
        if not children:
            return False
        if node.connector != AND:  # OR, XOR: every branch must be scoped
            return all(_where_scoped(scope, child) for child in children)
        return any(_where_scoped(scope, child) for child in children)
    if isinstance(node, Lookup):
        return _lookup_scoped(scope, node)
    inner = getattr(node, "query", None)  # Exists(...)
    if isinstance(inner, Query) and not getattr(node, "negated", False):
        return query_scoped(scope, inner)
    return False


def query_scoped(scope: Scope, query: Query) -> bool:
    if not is_company_owned(query.model):
        return True
    inner = getattr(query, "inner_query", None)  # count() / aggregate() over a sliced or distinct query
    if inner is not None and query_scoped(scope, inner):
        return True
    return _where_scoped(scope, query.where)


def check(query: Query) -> None:
    """Raise ScopeError if a client request runs this query without restricting it to its company."""
    scope = _current.get()
    if scope is None or not is_company_owned(query.model) or unscoped_reason() is not None:
        return
    if query_scoped(scope, query):
        return
    try:
        sql = str(query)
    except Exception:  # an empty query and the like
        sql = repr(query)
    message = f"Unscoped query on {query.model._meta.label} in {scope.view}: {sql[:500]}"
    logger.error("event=tenancy_scope_violation view=%s model=%s", scope.view, query.model._meta.label)
    scope_violation.send(sender=ScopeError, message=message)
    raise ScopeError(message)


_installed = False


def install() -> None:
    """Hook the check into the SQL compiler and remember loaded rows (once, from PortalConfig.ready).

    The compiler is the one place every queryset path ends (lists, get, count, update, delete,
    related managers, prefetches); Django offers no public hook that sees the Query there.
    """
    global _installed
    if _installed:
        return

    original_execute = SQLCompiler.execute_sql
    original_from_db = Model.from_db.__func__

    def execute_sql(self, *args, **kwargs):
        if _current.get() is not None:
            check(self.query)
        return original_execute(self, *args, **kwargs)

    def from_db(cls, db, field_names, values):
        instance = original_from_db(cls, db, field_names, values)
        if _current.get() is not None:
            remember(instance)
        return instance

    def remember_saved(sender, instance, **kwargs):
        if _current.get() is not None:
            remember(instance)

    SQLCompiler.execute_sql = execute_sql
    Model.from_db = classmethod(from_db)
    post_save.connect(remember_saved, weak=False, dispatch_uid="portal.scope.remember_saved")
    _installed = True


class ScopeMiddleware:
    """Turns the scope on for the views of the client namespaces (``TENANCY_CLIENT_NAMESPACES``),
    with the request's company and user, from the view's start to the response's end."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.namespaces = frozenset(settings.TENANCY_CLIENT_NAMESPACES)

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            token = request.__dict__.pop("_tenancy_scope_token", None)
            if token is not None:
                _current.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.namespace not in self.namespaces:
            return None
        membership = current_membership(request)
        scope = Scope(
            view=match.view_name,
            company_id=membership.company_id if membership else None,
            user_id=request.user.pk if request.user.is_authenticated else None,
        )
        request._tenancy_scope_token = _current.set(scope)
        return None
