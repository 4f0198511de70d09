"""The embedded broker (config/broker.py): a worker never takes a message before it is whole,
and messages sent while a worker drains the queue all arrive."""

import threading
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from kombu import Connection

from config import broker


def connection(folder: Path) -> Connection:
    (folder / "queue").mkdir(parents=True, exist_ok=True)
    return Connection(
        "filesystem://",
        transport="config.broker:Transport",
        transport_options={
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
        },
    )


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
