"""What the scenarios of the public's requests share (`scenarios_access_requests.py`,
`scenarios_complaints.py`): a history of many requests written once in SQL for a module's
scenarios and deleted by its last one, a new client address for every request (each passes the
per-address throttle), and the two measurements every such module makes — submit one through
the public API beside one raw INSERT, follow one by its tracking code beside one raw SELECT —
with the statements one submission sends."""

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config.public import tracking_code_digest
from roles.models import Institution

from . import SCALES, Context, Row, latency_rows
from .data import settle

# Rows of history by scale; an environment variable (`History.env`) overrides it.
COUNTS = {"small": 100_000, "medium": 300_000, "large": 1_000_000}
TARGET = "p95 ≤ 50 ms"


@dataclass
class History:
    """The requests a module's scenarios run against: `write(ctx, count)` inserts them (in SQL,
    fast) and says for which institution; `made` writes them once, `clean(ctx, institution)`
    deletes them when the module's last scenario is done (`cleared`)."""

    what: str  # printed while writing, e.g. "access requests"
    env: str  # e.g. "BENCH_ACCESS_REQUESTS"
    write: Callable[[Context, int], Institution]
    clean: Callable[[Context, Institution], object]
    institution: Institution | None = None
    count: int = 0

    def made(self, ctx: Context) -> Institution:
        if self.institution is None:
            override = os.environ.get(self.env)
            scale = next((name for name, s in SCALES.items() if s == ctx.scale), "small")
            self.count = int(override) if override else COUNTS[scale]
            print(f"{self.what}: writing {self.count:,} …", flush=True)
            self.institution = self.write(ctx, self.count)
            settle()
        return self.institution

    def cleared(self, ctx: Context) -> None:
        if self.institution is not None:
            self.clean(ctx, self.institution)
        self.institution, self.count = None, 0


def addresses() -> Callable[[], str]:
    """A new client address at each call: 10.0.0.0, 10.0.0.1, …"""
    sent = iter(range(10**9))

    def next_address() -> str:
        n = next(sent)
        return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"

    return next_address


def submitted(client: Client, path: str, body: dict[str, Any], address: str) -> dict[str, Any]:
    response = client.post(path, body, content_type="application/json", REMOTE_ADDR=address)
    assert response.status_code == 201, response.content[:300]
    return dict(response.json())


def statements(action: Callable[[], object]) -> int:
    """How many SQL statements one call of `action` sends (savepoints included)."""
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def submit_rows(
    ctx: Context,
    history: History,
    *,
    path: str,
    body: dict[str, Any],
    raw: Callable[[Institution], object],
    baseline: str,
) -> list[Row]:
    """Submit through `path` (a new address each time) beside `raw(institution)`: p50, p95 and
    the statements of one submission."""
    institution = history.made(ctx)
    client = Client(SERVER_NAME="localhost")
    address = addresses()
    body = {**body, "institution": institution.code}

    def ours() -> None:
        submitted(client, path, body, address())

    rows = latency_rows(ours, lambda: raw(institution), ctx.scale.requests, baseline=baseline)
    sent = statements(ours)
    label = f"submit, {history.count:,} in the table"
    return [
        *(Row(f"{label}, {row.metric}", row.ours, row.raw, row.baseline, TARGET) for row in rows),
        Row(f"{label}, statements", sent, 1, f"{baseline}: one statement"),
    ]


def track_rows(
    ctx: Context,
    history: History,
    *,
    path: str,
    body: dict[str, Any],
    raw: Callable[[str], object],
    baseline: str,
) -> list[Row]:
    """Submit one, then follow it by its code at `path` + code (a new address each time) beside
    `raw(digest)`: p50 and p95."""
    institution = history.made(ctx)
    client = Client(SERVER_NAME="localhost")
    address = addresses()
    code = submitted(client, path, {**body, "institution": institution.code}, "10.255.255.254")[
        "tracking_code"
    ]
    digest = tracking_code_digest(code)

    def ours() -> None:
        answer = client.get(f"{path}{code}/", REMOTE_ADDR=address())
        assert answer.status_code == 200, answer.content[:300]

    rows = latency_rows(ours, lambda: raw(digest), ctx.scale.requests, baseline=baseline)
    label = f"track, {history.count:,} in the table"
    return [Row(f"{label}, {row.metric}", row.ours, row.raw, row.baseline, TARGET) for row in rows]
