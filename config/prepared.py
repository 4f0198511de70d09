"""ORM queries compiled once per database kind, then run again with other values.

Django builds and compiles a query's SQL every time it is evaluated. For a query of unions and
sub-queries that costs milliseconds of CPU, more than the database needs to answer it, and some
such queries run on every request or workflow transition. SQLAlchemy caches compiled statements
for this reason; Django has no such cache, hence `Prepared`.

`Prepared(build)` keeps the query defined once, in the ORM: `build(**values)` returns the
queryset. It must give SQL of the same shape whatever the values (no branching on them, no
lists made of them); the values are whole numbers, text, dates or datetimes, never None. It must
be a look-up by keys (see `planned_once`): on PostgreSQL the server plans it once per
connection too, on its first run.

On first use it compiles `build` twice, with two sets of stand-in values, and finds which
parameter each value became. Afterwards it runs that SQL with the real values in those places.
Where the database's adapter rewrites values on their way into parameters, the stand-ins do not
come back as given: SQLite, for instance, passes dates as text. There the queryset is simply
evaluated each time, as before.

`planned_once()` is the server's half of the same saving: inside it PostgreSQL plans a repeated
statement once per connection instead of on every run.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)

# Where each compiled parameter comes from: a value's name, or a constant of the query.
Slot = tuple[str, Any]  # ("value", name) | ("constant", parameter)

_BASE_INT = -7_318_004_000_000  # no row has such an id, and no query holds such a constant


def _stand_in(value: Any, index: int, round_: int) -> Any:
    """A value of the same type as `value`, distinct for every (name index, round)."""
    offset = 1 + index + 100 * round_
    if isinstance(value, bool):
        raise TypeError("a prepared query's values cannot be booleans (two values only)")
    if isinstance(value, int):
        return _BASE_INT - offset
    if isinstance(value, str):
        return f"\x00stand-in {offset}"
    if isinstance(value, datetime):
        return datetime(1901, 1, 1, tzinfo=UTC) + timedelta(minutes=offset)
    if isinstance(value, date):
        return date(1901, 1, 1) + timedelta(days=offset)
    raise TypeError(f"a prepared query cannot stand in for {type(value).__name__} values")


@dataclass(frozen=True)
class _Compiled(Generic[M]):
    model: type[M]
    sql: str
    slots: list[Slot]
    compiler: SQLCompiler  # of the first stand-in query: its columns
    converters: dict[int, Any]  # the ORM's converters of those columns, by position


class Prepared(Generic[M]):
    """A query `build(**values)` defined once in the ORM, run as SQL compiled once. The
    project has one database, so the query runs on the default one."""

    def __init__(self, build: Callable[..., QuerySet[M, Any]]) -> None:
        self._build = build
        # Per database kind; None where values cannot be substituted.
        self._compiled: dict[str, _Compiled[M] | None] = {}
        self._types: dict[str, type] = {}  # of the values it was compiled for

    def _compile(self, values: dict[str, Any]) -> _Compiled[M] | None:
        connection = connections[DEFAULT_DB_ALIAS]
        names = list(values)
        rounds = [
            {name: _stand_in(values[name], index, round_) for index, name in enumerate(names)}
            for round_ in (1, 2)
        ]
        compilers = [
            self._build(**stand_ins).query.get_compiler(connection=connection)
            for stand_ins in rounds
        ]
        (sql, first), (sql_again, second) = (compiler.as_sql() for compiler in compilers)
        if sql != sql_again or len(first) != len(second):
            return None  # the SQL itself depends on the values: nothing to prepare
        slots: list[Slot] = []
        for one, other in zip(first, second, strict=True):
            if one == other:
                slots.append(("constant", one))
                continue
            name = next(
                (
                    name
                    for name in names
                    if type(one) is type(rounds[0][name])
                    and (one, other) == (rounds[0][name], rounds[1][name])
                ),
                None,
            )
            if name is None:
                return None  # the adapter rewrote a value: evaluate the queryset each time
            slots.append(("value", name))
        compiler = compilers[0]
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        return _Compiled(compiler.query.model, sql, slots, compiler, converters)

    def _statement(self, values: dict[str, Any]) -> tuple[_Compiled[M], list[Any]] | None:
        vendor = connections[DEFAULT_DB_ALIAS].vendor
        if vendor not in self._compiled:
            self._types = {name: type(value) for name, value in values.items()}
            self._compiled[vendor] = self._compile(values)
        compiled = self._compiled[vendor]
        if compiled is None:
            return None
        params = []
        for kind, what in compiled.slots:
            if kind == "constant":
                params.append(what)
            elif type(values[what]) is not self._types[what]:
                # `= NULL` is not `IS NULL`: the SQL was compiled for values of these types.
                raise TypeError(f"{what!r} must be a {self._types[what].__name__}")
            else:
                params.append(values[what])
        return compiled, params

    def _fetch(self, compiled: _Compiled[M], params: list[Any]) -> list[tuple[Any, ...]]:
        """The rows, each value converted as the ORM converts its column."""
        # Planning the visibility UNION took five times as long as running it.
        with planned_once(after=0), connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if not compiled.converters:
            return rows
        return [tuple(row) for row in compiled.compiler.apply_converters(rows, compiled.converters)]

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """The rows of a `values_list()` query, for these values."""
        statement = self._statement(values)
        if statement is None:
            return list(self._build(**values))
        return self._fetch(*statement)

    def objects(self, **values: Any) -> list[M]:
        """The model instances of a query of whole rows (no `select_related`, no
        annotations), for these values."""
        statement = self._statement(values)
        if statement is None:
            return list(self._build(**values))
        compiled, params = statement
        names = [column.target.attname for column, _, _ in compiled.compiler.select]
        return [
            compiled.model.from_db(DEFAULT_DB_ALIAS, names, row)
            for row in self._fetch(compiled, params)
        ]


# psycopg prepares a statement on its sixth run on a connection (its own default threshold).
PREPARE_THRESHOLD = 5


@contextmanager
def planned_once(after: int = PREPARE_THRESHOLD) -> Iterator[None]:
    """Inside the block, psycopg prepares a statement once it has run `after` times on this
    connection, so PostgreSQL stops planning it again; the task lock's four-table join
    costs more to plan than to run. Only for paths of key look-ups and inserts: after a few runs
    PostgreSQL may keep a generic plan, made without the values, which suits a primary key but
    not a full-text search or a filtered list, where how many rows a value matches decides the
    plan. Outside such blocks nothing is prepared. Needs server-side binding (settings); a
    no-op without it, and on SQLite."""
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
        yield
        return
    connection.ensure_connection()
    psycopg_connection = connection.connection
    saved = psycopg_connection.prepare_threshold
    psycopg_connection.prepare_threshold = after
    try:
        yield
    finally:
        psycopg_connection.prepare_threshold = saved
