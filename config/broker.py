"""The embedded default's broker: kombu's filesystem transport, with each message written
whole before a worker can see it.

Kombu's own transport creates the message file under its final name and only then writes
it; a worker listing the folder in between takes the empty file, fails to decode it and
stops (kombu issue #1551). `make run`'s worker stopped so at its first scheduled task, and
with it text extraction, indexing and deadline sweeps. Here the message is written under a
name no queue reads and renamed into place, which is atomic within a folder."""

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]  # as kombu-stubs declare it
        # The name kombu gives (the time first, so that the queue is read in order); the
        # scratch name starts with a dot, so it matches no `<anything>.<queue>.msg`.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        scratch = os.path.join(self.data_folder_out, f".{uuid.uuid4()}.incoming")
        try:
            with open(scratch, "wb") as file:
                file.write(dumps(payload).encode())
            os.replace(scratch, final)
        except OSError as error:
            raise ChannelError(f"Cannot add file {final!r} to directory") from error


class Transport(filesystem.Transport):
    Channel = Channel
