"""The test run's Redis cache: `clear()` empties this run's keys only.

Django's RedisCache clears by flushing the whole Redis database, which the suite's other
workers (pytest-xdist) share: a test clearing the public limits in one worker used to wipe a
sign-in count another worker had just written. Each worker's keys carry its own prefix
(config/settings/test.py), so deleting by prefix keeps the workers apart."""

from typing import Any

from django.core.cache.backends.redis import RedisCache


class WorkerRedisCache(RedisCache):
    def clear(self) -> None:
        client: Any = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
