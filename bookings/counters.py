"""A count in the shared cache that every server adds to: rate limits and activity counts.

Django's cache has an atomic `incr` (in Redis, and in the database cache of
booking_site/db_cache.py), but it refuses a key that is not there yet, so a
count needed an `add` first, and on Redis it asks whether the key exists
before it increments: three round trips (about 50 us each, mostly the
client's own), on every page that counts. `add_one` is one on Redis: a
script that increments, starting a missing key at 1, and gives a new key its
expiry, atomically. On any other cache, and on a Redis that refuses scripts
(an ACL without `+@scripting`), `incr`, and `add` only for a new key.
"""

from __future__ import annotations

import logging

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.commands.core import Script
from redis.exceptions import ResponseError

logger = logging.getLogger(__name__)

#: INCR, and EXPIRE on the key's first count: a key is never left without its expiry.
_ADD_ONE = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
# Sent by its hash after the first time (EVALSHA; redis-py loads it again after a restart).
_script: Script | None = None
# Redis refused it: this process counts as Django does from then on.
_refused = False


def add_one(key: str, timeout: int) -> int:
    """Add one to the count at `key`, atomically across servers; the count now.

    A new key is kept `timeout` seconds. Raises what the cache raises when it is down.
    """
    global _script, _refused
    cache = caches["default"]
    if isinstance(cache, RedisCache) and not _refused:
        name = cache.make_and_validate_key(key)
        client = cache._cache.get_client(name, write=True)
        if _script is None:
            _script = client.register_script(_ADD_ONE)
        try:
            return int(_script(keys=[name], args=[timeout], client=client))
        except ResponseError as exc:  # scripting forbidden: counted the slower way from now
            logger.warning("counters: Redis refused the counting script (%s)", type(exc).__name__)
            _refused = True
    try:
        return cache.incr(key)
    except ValueError:  # the key's first count
        if cache.add(key, 1, timeout):
            return 1
        return cache.incr(key)  # another server's first count came between the two
