"""What the operators' page (config/views.py) reads from the background machinery itself: how
many task messages wait in the broker's queue."""

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from kombu.exceptions import ChannelError


def broker_queue_length(queue: str = "celery") -> int | None:
    """Messages waiting in the broker's default queue; None when the broker cannot tell."""
    from config.celery import app

    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        folder = Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", "")))
        try:
            return sum(1 for name in os.listdir(folder) if name.endswith(f".{queue}.msg"))
        except OSError:
            return None
    try:
        with app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
            channel: Any = connection.default_channel
            try:
                _name, count, _consumers = channel.queue_declare(queue=queue, passive=True)
            except ChannelError as error:
                # A queue nobody has sent to yet does not exist (Redis keeps no empty list, AMQP
                # answers 404 to a passive declare): it holds no messages.
                if str(getattr(error, "reply_code", "")) == "404":
                    return 0
                raise
            return int(count)
    except Exception:  # the page says "unknown"; /healthz says why the broker is away
        return None
