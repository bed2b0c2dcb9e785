"""Precomposed SQL reads hydrated into model instances, for the few hot paths where the ORM's
query compiler costs more than the query itself.

On the payment path each ORM read with joins costs ~0.6 ms of CPU, of which the statement is
~0.1 ms: the rest is building and compiling the query. A `Rows` reader takes SQL written once
(the columns from `columns`, so they follow the models) and turns each result row into model
instances exactly as the ORM would: the same database converters per column, then
``Model.from_db`` (or, for a model without ``__init__`` signal receivers, the same instance
made without ``__init__``, which was most of the cost). Writes and everything off the hot path
keep using the ORM.

    WALLET_AND_PSP = Rows(Wallet, Participant)
    sql = (f"SELECT {columns(Wallet, 'w')}, {columns(Participant, 'p')} FROM ... "
           "JOIN ... WHERE w.id = %s")
    for wallet, psp in WALLET_AND_PSP.fetch(sql, [prep(Wallet, "id", 7)]):
        ...

Parameters go through `prep` (a field's own database preparation: UUIDs as hex on SQLite,
aware datetimes as the backend stores them), never into the SQL text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, signals
from django.db.models.base import ModelState

_Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one model's slice of a row becomes an instance."""

    #: Columns in the slice.
    width: int
    #: The columns that need converting: (position, converters, column expression).
    steps: list[tuple[int, list[_Converter], Any]]
    #: The fields' attribute names, in column order.
    names: list[str]
    #: Where the primary key sits in the slice.
    pk_at: int
    #: Whether instances may be made without ``__init__`` (see `_instance`).
    direct: bool


#: Per model and connection alias.
_plans: dict[tuple[type[Model], str], _Plan] = {}


def quote_name(name: str, using: str = "default") -> str:
    """A table or column name quoted for the connection ``using``."""
    return connections[using].ops.quote_name(name)


def table(model: type[Model], using: str = "default") -> str:
    """The model's table name, quoted."""
    return quote_name(model._meta.db_table, using)


def columns(model: type[Model], alias: str, using: str = "default") -> str:
    """Every concrete column of ``model`` as ``alias."column"``, in field order: the slice of
    a row that `Rows` turns into one instance."""
    q = connections[using].ops.quote_name
    return ", ".join(f"{alias}.{q(f.column)}" for f in model._meta.concrete_fields)


def prep(model: type[Model], field: str, value: object, using: str = "default") -> Any:
    """``value`` prepared for a query parameter compared with ``model.field``."""
    return model._meta.get_field(field).get_db_prep_value(  # type: ignore[union-attr]
        value, connections[using], prepared=False
    )


def placeholders(count: int) -> str:
    """``%s, %s, ...`` for an ``IN`` list of ``count`` parameters; ``NULL`` for none (``x IN
    (NULL)`` holds for no row, as the ORM's empty ``__in`` finds nothing)."""
    return ", ".join(["%s"] * count) if count else "NULL"


def _plan(model: type[Model], using: str) -> _Plan:
    key = (model, using)
    plan = _plans.get(key)
    if plan is None:
        connection = connections[using]
        fields = model._meta.concrete_fields
        steps: list[tuple[int, list[_Converter], Any]] = []
        for i, field in enumerate(fields):
            col = field.get_col(model._meta.db_table)
            convs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)  # type: ignore[attr-defined]
            if convs:
                steps.append((i, convs, col))
        direct = (
            getattr(model.from_db, "__func__", None) is _MODEL_FROM_DB
            and model.__init__ is Model.__init__
            and not signals.pre_init.has_listeners(model)
            and not signals.post_init.has_listeners(model)
        )
        plan = _Plan(
            len(fields),
            steps,
            [f.attname for f in fields],
            list(fields).index(model._meta.pk),
            direct,
        )
        _plans[key] = plan
    return plan


_MODEL_FROM_DB = Model.from_db.__func__  # type: ignore[attr-defined]


def _instance(model: type[Model], plan: _Plan, values: list[Any], using: str) -> Model:
    """``model.from_db(using, names, values)``, without ``Model.__init__`` where that gives
    the same instance.

    With every concrete field's value at hand, ``from_db`` calls ``__init__``, which sends the
    ``pre_init`` and ``post_init`` signals and sets each attribute in turn: that was the
    largest part of hydrating a row. When the model overrides neither ``from_db`` nor
    ``__init__`` and nothing receives those signals for it (checked once, on the model's first
    read: receivers are connected at start-up), the instance is its attribute values plus a
    loaded ``_state``, which is what ``__init__`` and ``from_db`` leave. Otherwise it goes
    through ``from_db``."""
    if not plan.direct:
        return model.from_db(using, plan.names, values)
    obj = model.__new__(model)
    obj.__dict__.update(zip(plan.names, values, strict=True))
    state = ModelState()
    state.adding = False
    state.db = using
    obj._state = state
    return obj


class Rows:
    """Turns rows of ``columns(m1, …), columns(m2, …), …`` into ``(m1, m2, …)`` instances.

    A model whose primary key is NULL in a row (the far side of a LEFT JOIN that found
    nothing) comes back as None.
    """

    def __init__(self, *models: type[Model]) -> None:
        self.models = models

    def fetch(
        self, sql: str, params: Sequence[Any] = (), *, using: str = "default"
    ) -> list[tuple[Any, ...]]:
        """Run ``sql`` and hydrate every row."""
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return []
        plans = [(m, _plan(m, using)) for m in self.models]
        out = []
        for row in rows:
            start = 0
            objects: list[Model | None] = []
            for model, plan in plans:
                end = start + plan.width
                if row[start + plan.pk_at] is None:
                    objects.append(None)
                else:
                    values = list(row[start:end])
                    for i, convs, col in plan.steps:
                        for conv in convs:
                            values[i] = conv(values[i], col, connection)
                    objects.append(_instance(model, plan, values, using))
                start = end
            out.append(tuple(objects))
        return out


#: Field classes whose ``pre_save`` is the attribute itself and whose ``get_db_prep_save``
#: returns a value of these exact types unchanged on every backend here: such values skip
#: the field's preparation (two method calls per value, a tenth of an insert's CPU). Exact
#: classes only: a subclass may prepare differently.
_PLAIN: dict[type[Any], frozenset[type[Any]]] = {
    models.CharField: frozenset({str, type(None)}),
    models.TextField: frozenset({str, type(None)}),
    models.IntegerField: frozenset({int, type(None)}),
    models.BigIntegerField: frozenset({int, type(None)}),
    models.SmallIntegerField: frozenset({int, type(None)}),
    models.PositiveIntegerField: frozenset({int, type(None)}),
    models.PositiveBigIntegerField: frozenset({int, type(None)}),
    models.PositiveSmallIntegerField: frozenset({int, type(None)}),
    models.BooleanField: frozenset({bool, type(None)}),
}
_INT_KEYS = (models.AutoField, models.BigAutoField, models.SmallAutoField)


def _plain(field: Any) -> frozenset[type[Any]]:
    """The value types `insert` may pass through for ``field`` as they are (empty: none)."""
    kind = type(field)
    if kind is models.ForeignKey and type(field.target_field) in _INT_KEYS:
        return frozenset({int, type(None)})  # the integer key of the row it points at
    return _PLAIN.get(kind, frozenset())


#: Rows per INSERT statement (far under SQLite's bound-parameter limit for any model here).
INSERT_CHUNK = 100


class _InsertPlan(NamedTuple):
    fields: list[Any]
    head: str
    row_marks: str
    plain: list[frozenset[type[Any]]]


_INSERT_PLANS: dict[tuple[type[Model], bool, str], _InsertPlan] = {}


def _insert_plan(model: type[Model], pk_left_out: bool, connection: Any) -> _InsertPlan:
    """The columns, statement head and value shortcuts of an insert into ``model``'s table
    (without its primary key when ``pk_left_out``), worked out once per model: they depend
    only on the model's metadata, and walking it cost more than a hot insert's statement."""
    key = (model, pk_left_out, connection.alias)
    plan = _INSERT_PLANS.get(key)
    if plan is None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not (f.primary_key and pk_left_out)]
        q = connection.ops.quote_name
        names = ", ".join(q(f.column) for f in fields)
        plan = _InsertPlan(
            fields,
            f"INSERT INTO {q(meta.db_table)} ({names}) VALUES ",  # noqa: S608 (model names)
            "(" + ", ".join(["%s"] * len(fields)) + ")",
            [_plain(f) for f in fields],
        )
        _INSERT_PLANS[key] = plan
    return plan


def insert(objects: Sequence[Model], *, using: str = "default") -> None:
    """INSERT new instances of one model, each value prepared as ``save()`` prepares it
    (``pre_save``, then ``get_db_prep_save``), in statements of `INSERT_CHUNK` rows.

    An auto-increment primary key left empty is left to the database and not read back:
    use this where nothing needs the new id (audit entries, handled-event marks). The
    instances are marked saved. Signals do not fire, as with ``bulk_create``.
    """
    prepare_insert(objects, using=using)()


def prepare_insert(objects: Sequence[Model], *, using: str = "default") -> Callable[[], None]:
    """`insert` in two steps: the statements and their values are built now, and the returned
    function runs them and marks the instances saved. For a caller that must hold a lock
    while it writes (the payments hub's SQLite writer lock): the preparation, most of an
    insert's CPU, is done before it takes the lock. The function may run in another thread
    (on that thread's connection to ``using``)."""
    if not objects:
        return lambda: None
    model = type(objects[0])
    connection = connections[using]
    meta = model._meta
    pk_left_out = getattr(objects[0], meta.pk.attname) is None
    fields, head, row_marks, plain = _insert_plan(model, pk_left_out, connection)
    statements: list[tuple[str, list[Any]]] = []
    for start in range(0, len(objects), INSERT_CHUNK):
        chunk = objects[start : start + INSERT_CHUNK]
        params: list[Any] = []
        for obj in chunk:
            for f, kinds in zip(fields, plain, strict=True):
                if kinds:
                    value = getattr(obj, f.attname)  # what pre_save returns for these
                    if type(value) in kinds:
                        params.append(value)
                        continue
                params.append(f.get_db_prep_save(f.pre_save(obj, True), connection))
        statements.append((head + ", ".join([row_marks] * len(chunk)), params))

    def run() -> None:
        # The running thread's own connection: a group commit leader runs other threads'
        # prepared inserts, and a connection belongs to the thread that opened it.
        with connections[using].cursor() as cursor:
            for sql, values in statements:
                cursor.execute(sql, values)
        for obj in objects:
            obj._state.adding = False
            obj._state.db = using

    return run
