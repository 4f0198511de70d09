"""The embedded broker (config/broker.py): a worker never takes a message before it is whole,
messages sent while a worker drains the queue all arrive, a message stays until it is
acknowledged (a worker that dies leaves it to the next), and an unusable folder is a connection
error the worker retries."""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from kombu import Connection
from kombu.transport.filesystem import Transport

from config import broker


def connection(folder: Path, **options: Any) -> Connection:
    (folder / "queue").mkdir(parents=True, exist_ok=True)
    return Connection(
        "filesystem://",
        transport="config.broker:Transport",
        transport_options={
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
            **options,
        },
    )


@pytest.fixture(autouse=True)
def _bindings_forgotten() -> None:
    """Kombu's filesystem transport remembers the bindings it wrote per process, not per
    folder: each test's new folder must get its own."""
    Transport.global_state.clear()


def queued(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder / "queue") if name.endswith(".tasks.msg")]


def in_progress(folder: Path) -> list[str]:
    return os.listdir(folder / "in-progress") if (folder / "in-progress").exists() else []


def test_a_message_is_invisible_to_workers_until_it_is_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with connection(tmp_path) as conn:
        channel: Any = conn.default_channel
        seen_while_writing: list[int] = []
        encode = broker.dumps

        def dumps_watched(payload: Any) -> str:
            # The message's file is open for writing now: a worker must find nothing yet.
            seen_while_writing.append(channel._size("tasks"))
            with pytest.raises(Empty):
                channel._get("tasks")
            return encode(payload)

        monkeypatch.setattr(broker, "dumps", dumps_watched)
        channel._put("tasks", {"body": "vendim"})
        assert seen_while_writing == [0]
        assert channel._get("tasks") == {"body": "vendim"}


def test_messages_sent_while_a_worker_drains_all_arrive(tmp_path: Path) -> None:
    sent = 300
    with connection(tmp_path) as producer_conn, connection(tmp_path) as consumer_conn:
        producer: Any = producer_conn.default_channel
        consumer: Any = consumer_conn.default_channel

        def produce() -> None:
            for number in range(sent):
                producer._put("tasks", {"number": number})

        writer = threading.Thread(target=produce)
        writer.start()
        received: list[int] = []
        while writer.is_alive() or len(received) < sent:
            try:
                received.append(consumer._get("tasks")["number"])
            except Empty:
                if not writer.is_alive() and consumer._size("tasks") == 0:
                    break
        writer.join()
        assert sorted(received) == list(range(sent))


def test_a_message_is_kept_until_it_is_acknowledged(tmp_path: Path) -> None:
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("tasks")
        queue.put({"body": "vendim"})
        message = queue.get(timeout=1)
        assert message.payload == {"body": "vendim"}
        assert queued(tmp_path) == [] and len(in_progress(tmp_path)) == 1
        message.ack()
        assert queued(tmp_path) == [] and in_progress(tmp_path) == []
        queue.close()


def test_a_rejected_or_unfinished_message_goes_back_to_the_queue(tmp_path: Path) -> None:
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("tasks")
        queue.put({"body": "first"})
        queue.get(timeout=1).reject(requeue=True)
        assert len(queued(tmp_path)) == 1 and in_progress(tmp_path) == []
        queue.get(timeout=1)  # taken, never acknowledged: the channel closes with it
        queue.close()
    assert len(queued(tmp_path)) == 1 and in_progress(tmp_path) == []
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("tasks")
        message = queue.get(timeout=1)
        assert message.payload == {"body": "first"}
        message.reject(requeue=False)
        queue.close()
    assert queued(tmp_path) == [] and in_progress(tmp_path) == []


def test_a_message_taken_without_acknowledgement_is_not_kept(tmp_path: Path) -> None:
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("tasks", no_ack=True)
        queue.put({"body": "broadcast"})
        assert queue.get(timeout=1).payload == {"body": "broadcast"}
        assert queued(tmp_path) == [] and in_progress(tmp_path) == []
        queue.close()


TAKE_AND_DIE = """
import os, signal, sys
sys.path.insert(0, {root!r})
from tests.config.test_broker import connection
from pathlib import Path
with connection(Path({folder!r})) as conn:
    message = conn.SimpleQueue("tasks").get(timeout=5)
    print(message.payload["body"], flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_message_whose_worker_dies_before_acknowledging_is_delivered_again(
    tmp_path: Path,
) -> None:
    with connection(tmp_path) as conn:
        conn.SimpleQueue("tasks").put({"body": "vendim"})
    root = str(Path(__file__).resolve().parents[2])
    taker = subprocess.run(
        [sys.executable, "-c", TAKE_AND_DIE.format(root=root, folder=str(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert taker.returncode == -signal.SIGKILL, taker.stderr
    assert taker.stdout.strip() == "vendim"
    assert queued(tmp_path) == [] and len(in_progress(tmp_path)) == 1
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("tasks")
        message = queue.get(timeout=5)
        assert message.payload == {"body": "vendim"}
        message.ack()
        queue.close()
    assert queued(tmp_path) == [] and in_progress(tmp_path) == []


def test_a_message_whose_worker_lives_stays_with_it(tmp_path: Path) -> None:
    with (
        connection(tmp_path, requeue_interval=0) as working,
        connection(tmp_path, requeue_interval=0) as other,
    ):
        working.SimpleQueue("tasks").put({"body": "long task"})
        taken = working.SimpleQueue("tasks").get(timeout=1)
        with pytest.raises(Empty):
            other.SimpleQueue("tasks").get(timeout=0.5)  # sweeps, finds the claim held
        assert len(in_progress(tmp_path)) == 1
        taken.ack()


def test_an_unusable_queue_folder_is_a_connection_error(tmp_path: Path) -> None:
    with connection(tmp_path) as conn:
        channel: Any = conn.default_channel
        (tmp_path / "queue").rename(tmp_path / "away")
        with pytest.raises(broker.BrokerFolderUnusable) as raised:
            channel._get("tasks")
        assert isinstance(raised.value, conn.connection_errors)
        with pytest.raises(broker.BrokerFolderUnusable):
            channel._put("tasks", {"body": "vendim"})
        with pytest.raises(conn.connection_errors):
            conn.transport.establish_connection()
        (tmp_path / "away").rename(tmp_path / "queue")
        channel._put("tasks", {"body": "vendim"})
        assert channel._get("tasks") == {"body": "vendim"}
