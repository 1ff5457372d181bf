"""A gunicorn worker's malloc arenas, counted as its threads make them (test_malloc_arenas.py).

    gunicorn --config gunicorn.conf.py tests.deploy.arena_probe:application

Each request starts THREADS threads that each allocate at the same moment,
as an "any practitioner" page's threads ask the diary, and keep it until all
have; then it answers, as text, how many arenas glibc's malloc holds now
(malloc_info's `<heap nr=…>` entries: every arena made so far, in use or
not). No Django: what is under test is the worker's allocator as
gunicorn.conf.py leaves it.
"""

from __future__ import annotations

import ctypes
import re
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

THREADS = 12


def arenas() -> int:
    """The malloc arenas of this process, from glibc's own report."""
    libc = ctypes.CDLL(None)
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "malloc.xml"
        stream = libc.fopen(str(report).encode(), b"w")
        libc.malloc_info(0, stream)
        libc.fclose(stream)
        return len(re.findall(r'<heap nr="\d+">', report.read_text()))


def allocate_at_once(threads: int) -> None:
    """`threads` threads, each allocating while all the others are alive and holding theirs."""
    together = threading.Barrier(threads)
    kept: list[bytearray] = []

    def allocate() -> None:
        together.wait(timeout=10)
        # Larger than Python's own small-object allocator serves: from malloc's arena.
        kept.append(bytearray(64 * 1024))
        # None exits (handing its arena on to the next thread) until all have allocated.
        together.wait(timeout=10)

    started = [threading.Thread(target=allocate) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()


def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
    allocate_at_once(THREADS)
    body = str(arenas()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
