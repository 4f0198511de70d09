"""`python -m tests.bench [--scale small|medium|large] [--only NAME ...]`, see __init__.py."""

import argparse
import itertools
import math
import os
import platform
import resource
import sys
import time
import traceback
import warnings
from typing import Any

import psycopg

from . import SCALES, Context, Row, discover

DEFAULT_DATABASE_URL = "postgres://coordination:coordination@127.0.0.1:5432/coordination_bench"


def _connect_kwargs(db: dict[str, Any], dbname: str) -> dict[str, Any]:
    kwargs = {
        "dbname": dbname,
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": db.get("PORT"),
    }
    return {key: value for key, value in kwargs.items() if value}


def _ensure_database(db: dict[str, Any]) -> None:
    with psycopg.connect(**_connect_kwargs(db, "postgres"), autocommit=True) as maintenance:
        exists = maintenance.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (db["NAME"],)
        ).fetchone()
        if not exists:
            print(f"creating database {db['NAME']}")
            maintenance.execute(f'CREATE DATABASE "{db["NAME"]}"')


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:,.0f}" if value >= 1000 else f"{value:.3g}"


def _print_rows(results: list[tuple[str, Row]]) -> None:
    """One table of rows with the same columns."""
    left, right, ratio = results[0][1].columns
    header = ("scenario", "metric", left, right, ratio, "target")
    lines = [
        (
            name,
            row.metric,
            _fmt(row.ours),
            _fmt(row.raw),
            "-" if math.isnan(row.ratio) else f"{row.ratio:.2f}x",
            row.target or "-",
        )
        for name, row in results
    ]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    for i, line in enumerate([header, *lines]):
        print(
            "  ".join(
                cell.ljust(w) if c < 2 else cell.rjust(w)
                for c, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if i == 0:
            print("  ".join("-" * w for w in widths))


def _print_table(results: list[tuple[str, Row]]) -> None:
    """The rows in order; each run of rows with other columns than the one before is a table
    of its own, with its header."""
    sections = [list(rows) for _, rows in itertools.groupby(results, lambda r: r[1].columns)]
    for number, section in enumerate(sections):
        if number:
            print()
        _print_rows(section)
    print("\nbaselines:")
    for name, row in results:
        print(f"  {name} {row.metric}: {row.baseline}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--scale", choices=SCALES, default="medium")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these scenarios")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    # WhiteNoise's note that collectstatic has not run: irrelevant to the API figures.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql" or "bench" not in db["NAME"]:
        parser.error(
            f"refusing to fill {db['ENGINE']} database {db['NAME']!r}: the bench "
            "truncates tables, so DATABASE_URL must name a PostgreSQL *bench* database"
        )
    scenarios = discover()
    selected = args.only or list(scenarios)
    if unknown := [name for name in selected if name not in scenarios]:
        parser.error(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(scenarios)}")

    _ensure_database(db)
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        from config.celery import app

        app.control.purge()  # the drains earlier runs sent: no worker took them
        # The bench's own cache database: the public throttles' counts of the client
        # addresses an earlier run within the hour used (10.0.0.0, 10.0.0.1, …) start afresh.
        cache.clear()
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    from .data import generate

    scale = SCALES[args.scale]
    data = generate(scale)
    with psycopg.connect(**_connect_kwargs(db, db["NAME"]), autocommit=True) as raw:
        server = raw.execute("SHOW server_version").fetchone()
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(
            f"bench scale={args.scale} database={db['NAME']} PostgreSQL {server and server[0]}, "
            f"Python {platform.python_version()}, Django {django.get_version()}; "
            f"{os.cpu_count()} CPUs, load average {load}; cache "
            f"{settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, broker "
            f"{settings.CELERY_BROKER_URL.split('://', 1)[0]}"
        )
        print(
            "data: "
            + ", ".join(f"{count:,} {what}" for what, count in data.counts.items())
            + f" (migrate + generate {time.perf_counter() - started:.1f}s)\n"
        )
        context = Context(scale=scale, data=data, raw=raw)
        results: list[tuple[str, Row]] = []
        failed = []
        for name in selected:
            began = time.perf_counter()
            try:
                results += [(name, row) for row in scenarios[name](context)]
            except Exception:
                failed.append(name)
                traceback.print_exc()
            print(f"  {name}: {time.perf_counter() - began:.1f}s", flush=True)
    print()
    _print_table(results)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\npeak RSS {peak:,.0f} MiB; total {time.perf_counter() - started:.1f}s; load {load}")
    if failed:
        print(f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
