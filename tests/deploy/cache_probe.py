"""The site's cache, driven as production drives it, in a process of its own.

Run as `python -m tests.deploy.cache_probe <flood|count|claim> <n>` with the site's
environment (DATABASE_URL, CACHE_URL); it prints one JSON object. The tests
in test_database_cache.py start it against SQLite files and PostgreSQL,
because the settings (and so the cache backend) are read once, at start-up.

- `flood n`: a confirmation and a once-only ledger entry are kept, then `n`
  rate-limit keys written through the cache API, as n client addresses
  would: the first 330 one by one, as `bookings.guard` counts (an `add`,
  then `incr`), the rest with `set_many`, in batches; then whether the
  confirmation and the ledger entry can still be read.
- `count n`: n processes, forked as gunicorn forks its workers (each with its
  own database connection), count one request each against one rate-limit
  key at the same moment, as `bookings.guard` does (an `add`, then `incr`).
- `claim n`: n such processes post one form at the same moment, each
  claiming its nonce in the once-only ledger (`bookings.submissions.claim`),
  over an earlier claim of it that has expired but is still in the table.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import secrets
import sys
import time
from typing import Any

import django

#: The rate limit's period now, fixed for the run: a key read back is the key written.
WINDOW = int(time.time() // 600)


def _rate_key(number: int) -> str:
    # The shape of bookings/guard.py's keys: scope, a hash of the address, the window.
    return f"bookings:rate:book:{number:032x}:{WINDOW}"


def _backend() -> str:
    from django.core.cache import caches

    return f"{type(caches['default']).__module__}.{type(caches['default']).__qualname__}"


def flood(keys: int) -> dict[str, Any]:
    from django.core.cache import cache
    from django.db import connection, transaction

    from bookings import confirmations, submissions
    from physiodiary import Confirmation

    confirmed = Confirmation(dt.date(2031, 5, 6), dt.time(9, 15), 45, "Treatment Room 2", "Anna")
    booked = confirmations.keep(confirmed, dt.datetime(2031, 5, 6, 9, 15, tzinfo=dt.UTC))
    nonce = secrets.token_urlsafe(16)
    assert submissions.claim(nonce)
    submissions.record(nonce, submissions.Outcome(submissions.Kind.BOOKED, booked.reference))

    started = time.monotonic()
    one_by_one = min(keys, 330)
    for n in range(one_by_one):
        cache.add(_rate_key(n), 0, timeout=660)
        cache.incr(_rate_key(n))
    batch = 500
    for first in range(one_by_one, keys, batch):
        # One transaction a batch, so that SQLite does not wait on the disk 10,000 times.
        with transaction.atomic():
            cache.set_many(
                {_rate_key(n): 1 for n in range(first, min(first + batch, keys))}, timeout=660
            )
    seconds = time.monotonic() - started

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(cache._table)}")  # noqa: S608
        (rows,) = cursor.fetchone()
    found = submissions.outcome(nonce, wait=0)
    return {
        "backend": _backend(),
        "database": connection.vendor,
        "confirmation_found": confirmations.find(booked.reference) == booked,
        "ledger": found.kind.value if found else None,
        "ledger_reference_matches": bool(found and found.reference == booked.reference),
        "rate_keys_found": len(cache.get_many([_rate_key(n) for n in range(0, keys, 97)])),
        "rate_keys_asked": len(range(0, keys, 97)),
        "rows": rows,
        "seconds": round(seconds, 2),
    }


def _count_one(key: str, start: Any, results: Any) -> None:
    from django.core.cache import cache

    start.wait()
    try:
        cache.add(key, 0, timeout=660)
        results.put(cache.incr(key))
    except Exception as error:  # reported to the test, which fails on it
        results.put(f"{type(error).__name__}: {error}")


def _claim_one(nonce: str, start: Any, results: Any) -> None:
    from bookings import submissions

    start.wait()
    try:
        results.put(submissions.claim(nonce))
    except Exception as error:  # reported to the test, which fails on it
        results.put(f"{type(error).__name__}: {error}")


def _at_once(processes: int, target: Any, *args: Any) -> list[Any]:
    """What `target(*args, start, results)` put in `results` in each of `processes` at once."""
    from django.db import connections

    # Each child must open its own connection, as a forked gunicorn worker does.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(processes), context.Queue()
    children = [
        context.Process(target=target, args=(*args, start, results)) for _ in range(processes)
    ]
    for child in children:
        child.start()
    answers = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=60)
    return answers


def count(processes: int) -> dict[str, Any]:
    from django.core.cache import cache
    from django.db import connection

    key = _rate_key(secrets.randbits(64))
    answers = _at_once(processes, _count_one, key)
    return {
        "backend": _backend(),
        "database": connection.vendor,
        "count": cache.get(key),
        "answers": answers,
        "expires_in": _expires_in(key),
    }


def claim(processes: int) -> dict[str, Any]:
    from django.core.cache import cache
    from django.db import connection

    from bookings import submissions

    nonce = secrets.token_urlsafe(16)
    assert submissions.claim(nonce)
    # Its lifetime over, as if the form had been posted hours ago; still a row.
    table = connection.ops.quote_name(cache._table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET expires = %s WHERE cache_key LIKE %s",  # noqa: S608
            [
                connection.ops.adapt_datetimefield_value(dt.datetime(2000, 1, 1, tzinfo=dt.UTC)),
                f"%{nonce}",
            ],
        )
        assert cursor.rowcount == 1
    answers = _at_once(processes, _claim_one, nonce)
    return {
        "backend": _backend(),
        "database": connection.vendor,
        "won": answers.count(True),
        "lost": answers.count(False),
        "errors": [answer for answer in answers if not isinstance(answer, bool)],
    }


def _expires_in(key: str) -> float | None:
    """Seconds until the key's row expires: an increment must not change it."""
    from django.core.cache import cache
    from django.db import connection
    from django.utils import timezone

    table = connection.ops.quote_name(cache._table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT expires FROM {table} WHERE cache_key = %s",  # noqa: S608
            [cache.make_key(key)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    expires = row[0]
    if isinstance(expires, str):  # SQLite hands back text
        expires = dt.datetime.fromisoformat(expires)
    if timezone.is_naive(expires):
        expires = expires.replace(tzinfo=dt.UTC)
    return round((expires - timezone.now()).total_seconds())


def main(argv: list[str]) -> None:
    command, number = argv[0], int(argv[1])
    django.setup()
    print(json.dumps({"flood": flood, "count": count, "claim": claim}[command](number)))


if __name__ == "__main__":
    main(sys.argv[1:])
