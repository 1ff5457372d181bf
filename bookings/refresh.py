"""Asking the diary once: one call per question at a time, on every worker and server.

Two patients who need the same practitioner's free times at the same moment
must not make the diary answer twice, and a patient shown older free times
must not wait while they are refreshed. Both rest on one lock per question
("key") in the shared cache (`cache.add` is atomic on Redis, the database
cache and the local-memory one):

- `once(key, ask, ready)`: the caller needs an answer now. Whoever holds the
  key's lock asks; the others wait for its answer to appear in the cache
  (`ready`), and ask themselves only if it never does. Within one process
  they wait on the asker's thread, not the cache.
- `later(key, ask)`: the caller has something to show already; `ask` runs on
  a background thread of this process if nobody, anywhere, is asking about
  `key` now, and is skipped otherwise.

The lock outlives the client's longest call (connect and read timeouts),
so a worker killed mid-call frees it within that time.
"""

from __future__ import annotations

import contextvars
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: How often a patient waiting on another server's call looks for its answer.
POLL_SECONDS = 0.02


def lock_seconds() -> int:
    """How long a lock is held at most: the client's longest call, and a margin."""
    return int(settings.PHYSIODIARY_CONNECT_TIMEOUT + settings.PHYSIODIARY_READ_TIMEOUT) + 5


def once(key: str, ask: Callable[[], T], ready: Callable[[], T | None]) -> T:
    """`ask()`'s answer, asked by this caller or by whoever is asking already.

    `ready()` reads the answer another caller's `ask` has kept (None while
    there is none that will do); `ask` must keep what it gets where `ready`
    finds it.
    """
    with _local:
        running = _asking.get(key)
        if running is None:
            running = _asking[key] = Future()
            mine = True
        else:
            mine = False
    if not mine:
        # Another thread of this process is asking: its answer, or its error.
        return running.result()
    try:
        answer = _ask_once_anywhere(key, ask, ready)
    except BaseException as exc:
        running.set_exception(exc)
        raise
    else:
        running.set_result(answer)
        return answer
    finally:
        with _local:
            _asking.pop(key, None)


def _ask_once_anywhere(key: str, ask: Callable[[], T], ready: Callable[[], T | None]) -> T:
    deadline = time.monotonic() + lock_seconds()
    while True:
        token = _acquire(key)
        if token is not None:
            try:
                # Kept by another server between our last look and the lock.
                answer = ready()
                return answer if answer is not None else ask()
            finally:
                _release(key, token)
        # Another worker or server is asking: its answer, when it is kept.
        answer = ready()
        if answer is not None:
            return answer
        if time.monotonic() > deadline:
            # Its lock should have expired by now: a cache that lost it, or
            # clocks far apart. Better one call too many than no page.
            logger.warning("%s: still locked after %s s; asking anyway", key, lock_seconds())
            return ask()
        time.sleep(POLL_SECONDS)


def later(key: str, ask: Callable[[], object]) -> bool:
    """Run `ask` in the background unless it is being asked already; whether it will run."""
    with _local:
        if key in _asking or key in _refreshing:
            return False
        _refreshing.add(key)
    token = _acquire(key)
    if token is None:
        with _local:
            _refreshing.discard(key)
        return False
    try:
        _pool().submit(contextvars.copy_context().run, _in_background, key, token, ask)
    except RuntimeError:  # the pool is shutting down with the worker
        _release(key, token)
        with _local:
            _refreshing.discard(key)
        return False
    return True


def _in_background(key: str, token: str, ask: Callable[[], object]) -> None:
    try:
        ask()
    except Exception:
        # The patient has their page; the next one will try again. The
        # client has logged the diary's failure already.
        logger.warning("%s: refresh failed", key, exc_info=settings.DEBUG)
    finally:
        _release(key, token)
        with _local:
            _refreshing.discard(key)
            _local.notify_all()
        # On the in-process reference diary the call opened this thread's own
        # database connection, which no request's end will close.
        connections.close_all()


def wait_for_background(timeout: float = 10) -> bool:
    """Wait until no refresh is running in this process (tests, and a clean shutdown)."""
    with _local:
        return _local.wait_for(lambda: not _refreshing, timeout)


def _acquire(key: str) -> str | None:
    token = secrets.token_hex(8)
    return token if cache.add(_lock_key(key), token, lock_seconds()) else None


def _release(key: str, token: str) -> None:
    # Only our own lock: one that expired and was taken by another is theirs.
    # (Read then delete is not atomic; the lock outlives the call, so ours
    # has not expired when we get here.)
    if cache.get(_lock_key(key)) == token:
        cache.delete(_lock_key(key))


def _lock_key(key: str) -> str:
    return f"{key}:asking"


_local = threading.Condition()  # guards the three below; notified as refreshes end
_asking: dict[str, Future] = {}
_refreshing: set[str] = set()
_executor: tuple[int, ThreadPoolExecutor] | None = None


def _pool() -> ThreadPoolExecutor:
    """This process's refresh threads, made on first use (a forked worker makes its own)."""
    global _executor
    with _local:
        if _executor is None or _executor[0] != os.getpid():
            # As many at once as an "any" search asks about (its pairs all
            # go stale together), so none waits in the queue past its lock.
            workers = settings.BOOKING_MAX_PARALLEL_SEARCHES
            _executor = (os.getpid(), ThreadPoolExecutor(workers, thread_name_prefix="refresh"))
        return _executor[1]
