"""One server process claiming change links, for tests/deploy/test_change_claims.py.

    python -m tests.deploy.claim_probe keep N               # prints N new links, JSON
    python -m tests.deploy.claim_probe claim FOLDER ID N LINK...

`claim` connects to the database, says it is ready (a file in FOLDER), waits
until all N processes are, then claims each link once, as cancel or move by
its ID, and prints what it won: JSON, link to true or false.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import django

django.setup()

from django.db import connection  # noqa: E402 - after set-up, as in a server
from django.utils import timezone  # noqa: E402

from bookings import changes  # noqa: E402
from tests.deploy.start_together import start_together  # noqa: E402


def keep(count: int) -> list[str]:
    start = timezone.localtime(timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
    return [
        changes.keep(
            changes.Appointment(
                practitioner_id=1,
                practitioner_name="Anna",
                room_id=2,
                room_name="Room 2",
                start=start + dt.timedelta(hours=n),
                duration_minutes=45,
                name=f"Patient {n}",
                phone="029 2018 0447",
                email=f"patient{n}@example.org",
                language="en-gb",
            ),
            confirmation=f"probe-{time.time_ns()}-{n}",
        )
        for n in range(count)
    ]


def claim(folder: Path, me: int, processes: int, links: list[str]) -> dict[str, bool]:
    connection.ensure_connection()
    start_together(folder, me, processes)
    request = changes.Request.CANCEL if me % 2 else changes.Request.MOVE
    return {link: changes.claim(link, request) for link in links}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "keep":
        print(json.dumps(keep(int(args[0]))))
    else:
        folder, me, processes, *links = args
        print(json.dumps(claim(Path(folder), int(me), int(processes), links)))
