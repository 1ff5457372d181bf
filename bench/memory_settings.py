"""The production settings, and with BENCH_TRACEMALLOC set, tracemalloc in every worker.

    DJANGO_SETTINGS_MODULE=bench.memory_settings BENCH_TRACEMALLOC=/tmp/folder

For `bench/memory.py --trace`, to find what grows: `/bench/tracemalloc/
?label=NAME` (answered before anything else, see bench/memory_trace.py)
writes the worker's snapshot to FOLDER/<pid>-NAME.snapshot, and the first
such request starts tracing the worker's allocations: what a later snapshot
holds was allocated since, and is still there. Tracing slows every request
several times, so the figures of a traced run are not the bench's. Without
BENCH_TRACEMALLOC these are the site's settings, unchanged.
"""

import os

from booking_site.settings import *  # noqa: F403
from booking_site.settings import MIDDLEWARE

TRACE_FOLDER = os.environ.get("BENCH_TRACEMALLOC", "")

if TRACE_FOLDER:
    MIDDLEWARE = ["bench.memory_trace.snapshots", *MIDDLEWARE]
