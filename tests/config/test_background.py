"""Background work that survives: a worker killed mid-task (its task runs again), the
supervisor of `make run` (a worker that dies is started again), a broker folder unusable for
a few seconds (the worker waits for it), and beat's lock (one scheduler at a time)."""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.config.fileworker import make_app
from tests.conftest import ROOT, wait_for

pytestmark = pytest.mark.worker

WORKER = [
    sys.executable,
    "-m",
    "celery",
    "-A",
    "tests.config.fileworker",
    "worker",
    "--pool=threads",
    "--concurrency=1",
    "--loglevel=INFO",
    "--without-heartbeat",
    "--without-gossip",
    "--without-mingle",
]


def environment(folder: Path) -> dict[str, str]:
    env = {**os.environ, "FILEWORKER_FOLDER": str(folder)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


class Processes:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, command: list[str], log_name: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.folder / log_name
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, cwd=ROOT, env=environment(self.folder), stdout=output, stderr=output
            )
        self.started.append(process)
        return process, log

    def worker(self, log_name: str) -> tuple[subprocess.Popen[bytes], Path]:
        process, log = self.start(WORKER, log_name)
        wait_for(lambda: "ready." in log.read_text() or process.poll() is not None, timeout=60)
        assert process.poll() is None, log.read_text()
        return process, log


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    yield started
    for process in started.started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def runs(folder: Path, name: str) -> list[str]:
    path = folder / name
    return path.read_text().split() if path.exists() else []


def test_a_task_running_when_its_worker_is_killed_runs_again(
    tmp_path: Path, processes: Processes
) -> None:
    first, _ = processes.worker("worker-1.log")
    make_app(tmp_path).send_task("fileworker.record", args=["decision", 60])
    wait_for(lambda: runs(tmp_path, "decision") == ["started"])
    first.kill()
    first.wait()
    processes.worker("worker-2.log")
    # Delivered again at once: the new worker finds the dead worker's claim released.
    wait_for(lambda: runs(tmp_path, "decision") == ["started", "started", "finished"])


def test_a_worker_outlives_a_broker_folder_unusable_for_a_few_seconds(
    tmp_path: Path, processes: Processes
) -> None:
    worker, log = processes.worker("worker.log")
    queue = tmp_path / "broker" / "queue"
    queue.rename(tmp_path / "broker" / "away")
    wait_for(lambda: "unusable" in log.read_text(), timeout=20)
    time.sleep(3)
    (tmp_path / "broker" / "away").rename(queue)
    make_app(tmp_path).send_task("fileworker.record", args=["after"])
    wait_for(lambda: runs(tmp_path, "after") == ["started", "finished"], timeout=60)
    assert worker.poll() is None


def test_the_supervisor_starts_a_worker_again_when_it_dies(
    tmp_path: Path, processes: Processes
) -> None:
    supervisor, log = processes.start(
        [
            sys.executable,
            "-m",
            "config.background",
            "--app",
            "tests.config.fileworker",
            "--concurrency=1",
            "--without-beat",
        ],
        "supervisor.log",
    )

    def worker_pids() -> list[int]:
        return [int(pid) for pid in re.findall(r"Started worker \(pid (\d+)\)", log.read_text())]

    wait_for(lambda: "ready." in log.read_text(), timeout=60)
    make_app(tmp_path).send_task("fileworker.record", args=["statement", 60])
    wait_for(lambda: runs(tmp_path, "statement") == ["started"])
    os.kill(worker_pids()[0], signal.SIGKILL)
    wait_for(lambda: len(worker_pids()) == 2, timeout=30)
    assert "worker stopped (exit status -9)" in log.read_text()
    wait_for(lambda: runs(tmp_path, "statement") == ["started", "started", "finished"], 60)
    supervisor.terminate()
    assert supervisor.wait(timeout=60) == 0
    with pytest.raises(ProcessLookupError):
        os.kill(worker_pids()[1], 0)


HOLD_BEAT_LOCK = """
import django, os, sys, time
django.setup()
from config.beat import BeatLock
lock = BeatLock()
lock.acquire()
print("held", flush=True)
time.sleep(600)
"""


def test_one_beat_holds_the_lock_and_the_next_takes_over_when_it_dies(
    tmp_path: Path, db: None
) -> None:
    """On SQLite a file lock in VAR_DIR, on PostgreSQL an advisory lock: either way a lock
    that ends with its holder."""
    from django.test import override_settings

    from config.beat import BeatLock
    from tests.conftest import _test_database_url

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": _test_database_url(),
    }
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_BEAT_LOCK],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with override_settings(VAR_DIR=tmp_path):
            assert not BeatLock().acquire(blocking=False)
            holder.kill()
            holder.wait()
            second = BeatLock()
            assert second.acquire(blocking=False)
            assert second.held()
    finally:
        if holder.poll() is None:
            holder.kill()
