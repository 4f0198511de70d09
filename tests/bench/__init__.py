"""The benchmark harness: `python -m tests.bench [--scale small|medium|large] [--only NAME ...]`.

A benchmark is not a test. Each scenario prints our figure beside a raw-SQL baseline measured in
the same run, and their ratio. To add one, put a function in a module named
``tests/bench/scenarios_<topic>.py``; modules are discovered after ``django.setup()``, so they may
import models at the top::

    from tests.bench import Context, Row, latency_rows, scenario

    @scenario("my_thing")
    def my_thing(ctx: Context) -> list[Row]:
        def ours() -> object: ...  # through our code: a service, a view via django.test.Client
        def raw() -> object:  # the same data through ctx.raw, a plain psycopg connection
            return ctx.raw.execute("SELECT ...").fetchall()
        return latency_rows(ours, raw, ctx.scale.requests, baseline="raw: one SELECT ...")

A scenario returns Rows (metric, ours, raw, baseline label, optional target; `columns` when the
two sides are not ours and raw SQL, e.g. two search engines); helpers: `rate` for throughput,
`latency_rows` for p50/p95 of alternating calls.

Scenarios run in the order their modules (alphabetical) register them, on one data set
generated per run; a scenario that changes data must leave it valid for the ones after it.
"""

import importlib
import pkgutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg


@dataclass(frozen=True)
class Scale:
    institutions: int
    units_per_institution: int
    users: int
    memberships: int
    audit_entries: int
    append_calls: int  # audit_record calls timed by audit_append (and raw inserts)
    requests: int  # timed repetitions of each latency scenario


SCALES = {
    "small": Scale(20, 5, 500, 500, 5_000, append_calls=500, requests=100),
    "medium": Scale(200, 5, 20_000, 20_000, 200_000, append_calls=2_000, requests=300),
    "large": Scale(1_000, 5, 100_000, 100_000, 1_000_000, append_calls=5_000, requests=1_000),
}


@dataclass(frozen=True)
class Dataset:
    """What data generation made, for scenarios to pick their subjects from."""

    institution_ids: list[int]  # ordered by code
    member_id: int  # an active official (role `officer`) of the first institution
    member_institution_id: int
    token_key: str  # the member's API token
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    scale: Scale
    data: Dataset
    raw: psycopg.Connection[Any]  # autocommit; its own connection, for the baselines


RAW_COLUMNS = ("ours", "raw SQL", "ours/raw")


@dataclass(frozen=True)
class Row:
    """One figure: ours beside the raw-SQL baseline, in `unit` (e.g. "entries/s", "p95 ms").
    A row comparing two other things names them in `columns` (left, right, their ratio); the
    table then starts a section with that header. NaN: no such figure on that side."""

    metric: str
    ours: float
    raw: float
    baseline: str  # what the raw figure measured
    target: str = ""
    columns: tuple[str, str, str] = RAW_COLUMNS

    @property
    def ratio(self) -> float:
        return self.ours / self.raw if self.raw else float("inf")


Runner = Callable[[Context], list[Row]]
SCENARIOS: dict[str, Runner] = {}


def scenario(name: str) -> Callable[[Runner], Runner]:
    """Register a scenario under `name` (what `--only` selects)."""

    def register(runner: Runner) -> Runner:
        if name in SCENARIOS:
            raise ValueError(f"scenario {name!r} is registered twice")
        SCENARIOS[name] = runner
        return runner

    return register


def discover() -> dict[str, Runner]:
    """Import every tests/bench/scenarios_*.py module; they register themselves."""
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("scenarios_"):
            importlib.import_module(f"{__name__}.{module.name}")
    return SCENARIOS


# --- Timing ------------------------------------------------------------------------------------


def elapsed(action: Callable[[], object]) -> float:
    """Seconds one call of `action` takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def rate(count: int, action: Callable[[], object]) -> float:
    """Items per second of one timed call of `action` that handles `count` items."""
    return count / elapsed(action)


def latencies(
    ours: Callable[[], object], raw: Callable[[], object], repeat: int, warmup: int | None = None
) -> tuple[list[float], list[float]]:
    """Milliseconds of `repeat` calls of each, after `warmup` untimed ones (default 10%, at
    least 5). The calls alternate, so a burst of load elsewhere on the machine hits both."""
    for _ in range(max(5, repeat // 10) if warmup is None else warmup):
        ours()
        raw()
    ours_ms, raw_ms = [], []
    for _ in range(repeat):
        ours_ms.append(elapsed(ours) * 1000)
        raw_ms.append(elapsed(raw) * 1000)
    return ours_ms, raw_ms


def p50_p95(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), statistics.quantiles(samples, n=100)[94]


def latency_rows(
    ours: Callable[[], object], raw: Callable[[], object], repeat: int, baseline: str
) -> list[Row]:
    """p50 and p95 rows for `ours` against `raw`, measured alternately."""
    ours_ms, raw_ms = latencies(ours, raw, repeat)
    (ours50, ours95), (raw50, raw95) = p50_p95(ours_ms), p50_p95(raw_ms)
    return [Row("p50 ms", ours50, raw50, baseline), Row("p95 ms", ours95, raw95, baseline)]
