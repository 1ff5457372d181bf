"""A server process counting pages and writing the counts (tests/deploy/test_activity_counts.py).

    python -m tests.deploy.activity_probe count FOLDER ID PROCESSES N
    python -m tests.deploy.activity_probe written     # flushes, then prints the counts, JSON

`count` connects to the cache and the database, says it is ready (a file in
FOLDER), waits until all PROCESSES are, then counts N pages, three events in
turn, writing the counts to the database as servers do: after some of them
(`flush_if_due`, as after a response) and at others as the console's page does
(`flush`). `written` prints today's `DailyCount`s and what the cache still holds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import django

django.setup()

from django.core.cache import cache  # noqa: E402 - after set-up, as in a server
from django.db import connection  # noqa: E402

from bookings import activity, clock  # noqa: E402
from bookings.models import DailyCount  # noqa: E402
from tests.deploy.start_together import start_together  # noqa: E402

EVENTS = ("step-choose", "step-times", "booked")


def count(folder: Path, me: int, processes: int, pages: int) -> None:
    connection.ensure_connection()
    cache.get("warm-up")
    start_together(folder, me, processes)
    for page in range(pages):
        activity.count(EVENTS[page % len(EVENTS)])
        if page % 7 == me % 7:
            activity.flush(wait=30)
        elif page % 5 == 0:
            cache.delete(activity.FLUSH_DUE)  # as if a minute had passed
            activity.flush_if_due()


def written() -> dict[str, dict[str, int]]:
    assert activity.flush(wait=30) is not None
    today = clock.today()
    return {
        "database": dict(DailyCount.objects.filter(day=today).values_list("event", "count")),
        "cache": {event: cache.get(activity._key(today, event)) for event in EVENTS},
    }


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "written":
        print(json.dumps(written()))
    else:
        folder, me, processes, pages = args
        count(Path(folder), int(me), int(processes), int(pages))
