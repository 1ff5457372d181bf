"""What a gunicorn worker holds, and what grew between two looks (bench/memory.py --trace).

`snapshots` is the middleware bench/memory_settings.py puts first when
BENCH_TRACEMALLOC names a folder. Each `/bench/tracemalloc/?label=NAME`
writes, for the worker that answers it, FOLDER/<pid>-NAME.types.json: its
live objects counted by type (gc), and the interpreter's allocated blocks;
cheap, so the run keeps its pace. With BENCH_TRACEMALLOC_FRAMES > 0 the
first such request also starts tracemalloc, and each writes
FOLDER/<pid>-NAME.snapshot: what a later snapshot holds was allocated since,
and is still there, with where. (Not from start-up: tracing every import
would outlast gunicorn's start-up wait. Tracing slows requests many times.)
`grew` compares two looks at one worker.
"""

from __future__ import annotations

import gc
import json
import os
import re
import sys
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

PATH = "/bench/tracemalloc/"
_LABEL = re.compile(r"[a-z0-9-]{1,40}")
#: What the tracing itself allocates, and the interpreter's import machinery.
_NOISE = (
    tracemalloc.Filter(False, tracemalloc.__file__),
    tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
    tracemalloc.Filter(False, "<frozen importlib._bootstrap_external>"),
    tracemalloc.Filter(False, "<unknown>"),
)


def _look(folder: Path, label: str) -> None:
    gc.collect()
    types = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())
    types["(allocated blocks)"] = sys.getallocatedblocks()
    (folder / f"{os.getpid()}-{label}.types.json").write_text(json.dumps(types))
    frames = int(os.environ.get("BENCH_TRACEMALLOC_FRAMES", "0"))
    if frames > 0:
        if not tracemalloc.is_tracing():
            tracemalloc.start(frames)
        snapshot = tracemalloc.take_snapshot().filter_traces(_NOISE)
        snapshot.dump(str(folder / f"{os.getpid()}-{label}.snapshot"))


def snapshots(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path != PATH:
            return get_response(request)
        label = request.GET.get("label", "")
        if not _LABEL.fullmatch(label):
            return HttpResponseBadRequest(b"label: a-z, 0-9 and -")
        _look(Path(settings.TRACE_FOLDER), label)
        return HttpResponse(str(os.getpid()).encode(), content_type="text/plain")

    return middleware


def grew(folder: Path, pid: int, before: str, after: str, top: int = 15) -> list[str]:
    """What grew most in worker `pid` from look `before` to look `after`, as lines of text."""
    old, new = (
        Counter(json.loads((folder / f"{pid}-{label}.types.json").read_text()))
        for label in (before, after)
    )
    new.subtract(old)
    lines = [f"{count:+8d}  {name}" for name, count in new.most_common(top) if count > 0]
    snapshots = [folder / f"{pid}-{label}.snapshot" for label in (before, after)]
    if not all(path.exists() for path in snapshots):
        return lines
    first, second = (tracemalloc.Snapshot.load(str(path)) for path in snapshots)
    total = sum(s.size_diff for s in second.compare_to(first, "filename"))
    lines.append(f"traced, allocated since {before} and still there: {total / 1024:+.1f} KiB")
    for stat in second.compare_to(first, "traceback")[:top]:
        lines.append(f"{stat.size_diff / 1024:+.1f} KiB in {stat.count_diff:+d} blocks, at:")
        lines += [f"      {line}" for line in stat.traceback.format(most_recent_first=True)[:16]]
    return lines
