"""The reference diary's WSGI app with every API call counted, for the benchmarks.

    gunicorn bench.diary_counter:application   # with BENCH_DIARY_CALLS=/tmp/calls.log

For each API call, one line is appended to the file named by BENCH_DIARY_CALLS
(see sandbox/call_log.py):

    <unix time> <pid> <action> <HTTP status> <milliseconds in the diary> \
        <unix time it came in> <staffId> <sectionId>

The first time is when the answer was ready to leave; staffId and sectionId
are a freeList's ids, "-" for any other call (bench/day.py times each pair's
calls with them). A reader that needs only the first five fields takes them.
Other requests pass through untouched; unset, the wrapper does nothing.
"""

import os
import time

from sandbox.call_log import logged

application = logged(
    os.environ.get("BENCH_DIARY_CALLS", ""),
    lambda call: (
        f"{time.time():.6f} {os.getpid()} {call.action} {call.status} {call.ms:.1f} "
        f"{call.started:.6f} {call.staff} {call.section}\n"
    ),
)
