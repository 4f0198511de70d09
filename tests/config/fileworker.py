"""A Celery app without Django for the background-work tests: the project's Celery settings on
the embedded broker in a folder of the test's (`FILEWORKER_FOLDER` in the worker), and one
task that records its runs."""

import os
import time
from pathlib import Path

from celery import Celery

from config.settings import base


def make_app(folder: Path) -> Celery:
    # Not the current app: the test process's shared tasks must keep sending through the
    # project's app.
    app = Celery("fileworker", set_as_current=False)
    app.conf.update(
        {
            name.removeprefix("CELERY_").lower(): value
            for name, value in vars(base).items()
            if name.startswith("CELERY_")
        },
        broker_url="filesystem://",
        broker_transport="config.broker:Transport",
        broker_transport_options={
            **base.filesystem_broker_options(folder / "broker"),
            # Shrunk for the tests: a running worker looks for abandoned messages every second.
            "requeue_interval": 1.0,
            "polling_interval": 0.2,
        },
        task_default_queue="fileworker",
        beat_schedule={},
        beat_scheduler="celery.beat:PersistentScheduler",
        beat_schedule_filename=str(folder / "beat-schedule"),
        worker_hijack_root_logger=False,
    )
    return app


FOLDER = Path(os.environ.get("FILEWORKER_FOLDER", "/nonexistent"))
app = make_app(FOLDER)


@app.task(name="fileworker.record")
def record(name: str, seconds: float = 0.0) -> None:
    """Appends "started" to FOLDER/<name>, on its first run takes `seconds`, then appends
    "finished"."""
    log = FOLDER / name
    first = not log.exists()
    with log.open("a") as file:
        file.write("started\n")
    if first:
        time.sleep(seconds)
    with log.open("a") as file:
        file.write("finished\n")
