"""`python -m config.background`: the background processes of one machine (`make run`): a
Celery worker and Celery beat, each restarted when it dies.

Beat runs as its own process, not inside the worker (`--beat`): a worker that is killed took
its beat child down with it only sometimes, and a restart then gave two schedulers. Here beat
holds a lock besides (config/beat.py), so an old beat left running keeps the new one waiting.
A child that stops is started again after a pause that grows while it keeps failing (1 s to a
minute); SIGTERM or SIGINT stops both children (the worker finishes or returns its tasks) and
then this process. On Linux the children are told to stop if this process is killed
outright, so no orphan keeps a lock or a queue."""

import argparse
import ctypes
import logging
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

logger = logging.getLogger("config.background")

RESTART_DELAY_FIRST = 1.0
RESTART_DELAY_MAX = 60.0
# A child that ran this long is healthy again: its next failure restarts it after a second.
RUN_FOR_RESET = 60.0
STOP_TIMEOUT = 60.0


def _stop_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervisor dies (Linux prctl)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    delay: float = RESTART_DELAY_FIRST
    restart_at: float | None = field(default=0.0)

    def start(self) -> None:
        # The command is ours: this interpreter running Celery with fixed arguments.
        self.process = subprocess.Popen(self.command, preexec_fn=_stop_with_parent)  # noqa: S603
        self.started_at = time.monotonic()
        self.restart_at = None
        logger.info("Started %s (pid %d)", self.name, self.process.pid)

    def watch(self) -> None:
        """Start the child when it is due, or note that it stopped and when to start it."""
        now = time.monotonic()
        if self.process is None or self.process.poll() is not None:
            if self.restart_at is None:
                status = self.process.returncode if self.process is not None else None
                if now - self.started_at >= RUN_FOR_RESET:
                    self.delay = RESTART_DELAY_FIRST
                logger.error(
                    "%s stopped (exit status %s); starting it again in %.0f s",
                    self.name,
                    status,
                    self.delay,
                )
                self.restart_at = now + self.delay
                self.delay = min(self.delay * 2, RESTART_DELAY_MAX)
            if now >= self.restart_at:
                self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def wait(self, deadline: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            # Its unfinished tasks stay with the broker, which delivers them again.
            logger.warning("%s did not stop in time; killing it", self.name)
            self.process.kill()
            self.process.wait()


def children(*, app: str, concurrency: int, beat: bool, loglevel: str) -> list[Child]:
    celery = [sys.executable, "-m", "celery", "-A", app]
    worker = [
        *celery,
        "worker",
        "--pool=threads",
        f"--concurrency={concurrency}",
        f"--loglevel={loglevel}",
    ]
    result = [Child("worker", worker)]
    if beat:
        result.append(Child("beat", [*celery, "beat", f"--loglevel={loglevel}"]))
    return result


def supervise(processes: list[Child], *, poll: float = 0.5) -> int:
    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    for child in processes:
        child.start()
    while not stopping:
        for child in processes:
            child.watch()
        time.sleep(poll)
    logger.info("Stopping the background processes")
    for child in processes:
        child.stop()
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in processes:
        child.wait(deadline)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m config.background", description=__doc__)
    parser.add_argument("--app", default="config")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--loglevel", default="INFO")
    parser.add_argument("--without-beat", action="store_true")
    options = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="[%(asctime)s: %(levelname)s/supervisor] %(message)s"
    )
    processes = children(
        app=options.app,
        concurrency=options.concurrency,
        beat=not options.without_beat,
        loglevel=options.loglevel,
    )
    return supervise(processes)


if __name__ == "__main__":
    sys.exit(main())
