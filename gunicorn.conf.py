"""gunicorn's configuration: `make serve`, or `gunicorn` started in this folder.

gunicorn reads this file by itself when started here (`-c gunicorn.conf.py`
says so explicitly). Each choice below can be changed from the environment,
or from the same `.env` file the settings read (DJANGO_ENV_FILE; real
environment variables win), without editing this file:

WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT,
GUNICORN_MAX_REQUESTS, GUNICORN_BIND (or HOST and PORT), FORWARDED_ALLOW_IPS,
MALLOC_ARENA_MAX and LOG_LEVEL; docs/deploy.md has them in its table, with
their defaults.

The Django settings are not imported here: they are read by each worker,
which stops with the settings' own message if something is missing.
"""

from __future__ import annotations

import ctypes
import math
import os
from pathlib import Path
from typing import Any

import environ
from gunicorn import glogging

BASE_DIR = Path(__file__).resolve().parent


class _DotEnv(environ.Env):
    # read_env() fills this dict, not os.environ: values put into the
    # master's environment would be inherited by every worker and would then
    # win over a .env edited before a reload (HUP).
    ENVIRON: dict[str, str] = {}


def environment() -> dict[str, str]:
    """The environment as the settings see it: .env's values under the real ones."""
    _DotEnv.ENVIRON = {}
    _DotEnv.read_env(os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env")))
    return {**_DotEnv.ENVIRON, **os.environ}


def _whole(env: dict[str, str], name: str, default: int, *, positive: bool = False) -> int:
    raw = env.get(name, "").strip() or str(default)
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0 or (positive and value == 0):
        # One line naming the variable, not a traceback from gunicorn's loader.
        bound = "greater than 0" if positive else "0 or more"
        raise SystemExit(f"{name} must be a whole number {bound}, not {raw!r}.")
    return value


def longest_request(env: dict[str, str]) -> float:
    """Seconds the slowest legitimate request can take, from the diary's timeouts.

    A page makes at most three rounds of calls to the diary, one after the
    other: the practitioner and room lists; then free times, or `book`; then
    free times again (the next free day when a week has none, or the times
    nearest one just taken). The calls of one round are made at once. A call
    takes up to PHYSIODIARY_CONNECT_TIMEOUT + PHYSIODIARY_READ_TIMEOUT a try,
    and a read action is tried again after a fault (a refused connection, a
    5xx after a slow answer) PHYSIODIARY_READ_RETRIES times, with
    PHYSIODIARY_RETRY_BACKOFF doubling between tries. `book` is tried once,
    then the confirmation email may take EMAIL_TIMEOUT; a second post of the
    same form waits connect + read + 1 s for the first: both fit within a
    read round. With the defaults: 3 x (3 x 13.05 + 0.3 + 0.6) = 120.15 s.
    (An "any practitioner" search of more pairs than
    BOOKING_MAX_PARALLEL_SEARCHES takes a round per batch: raise
    GUNICORN_TIMEOUT for such a practice, or keep the two in step.)
    The settings refuse numbers that make no sense; here they count as the
    defaults, so that the worker, not this file, says what is wrong.
    """

    def seconds(name: str, default: float) -> float:
        try:
            value = float(env.get(name, "").strip() or default)
        except ValueError:
            return default
        return value if math.isfinite(value) and value >= 0 else default

    one_try = seconds("PHYSIODIARY_CONNECT_TIMEOUT", 3.05) + seconds(
        "PHYSIODIARY_READ_TIMEOUT", 10.0
    )
    retries = int(seconds("PHYSIODIARY_READ_RETRIES", 2))
    pauses = seconds("PHYSIODIARY_RETRY_BACKOFF", 0.3) * (2**retries - 1)
    read_round = (retries + 1) * one_try + pauses
    booking = read_round + one_try + max(seconds("EMAIL_TIMEOUT", 5.0), 1.0)
    return max(3 * read_round, booking)


_env = environment()

wsgi_app = "booking_site.wsgi:application"
proc_name = "booking-site"

# Where to listen. Behind nginx on the same machine, loopback (the default)
# or a unix socket; behind a load balancer elsewhere, 0.0.0.0:PORT. gunicorn
# must not face the internet itself: sync workers are held by slow clients
# for as long as they take to send a request, which a proxy that buffers
# (nginx does by default) absorbs.
bind = [_env.get("GUNICORN_BIND") or f"{_env.get('HOST', '127.0.0.1')}:{_env.get('PORT', '8000')}"]

# Workers and threads. Our views block on the Physiodiary API for most of a
# request, and render templates (CPU) for the rest. On 2 cores, measured with
# bench/ (`make bench`), 4 sync worker processes of 1 thread each served best:
# - processes, not threads, because rendering is CPU-bound and the GIL would
#   let one process's threads use one core only;
# - more processes than cores, because a worker waiting on the diary uses no
#   CPU, so another can render meanwhile;
# - 1 thread, because a request stuck on a slow diary then holds one worker
#   in four, not half a process's capacity, and sync workers need no
#   thread-safety beyond what Django gives.
# Other machines: about 2 per core (WEB_CONCURRENCY), and measure.
# GUNICORN_THREADS above 1 switches gunicorn to its threaded worker.
workers = _whole(_env, "WEB_CONCURRENCY", 4, positive=True)
threads = _whole(_env, "GUNICORN_THREADS", 1, positive=True)

# A worker silent for this long is killed, with whatever request it was
# serving. Killing one in the middle of `book` would lose the patient's
# answer (the booking may exist; the page never comes), so the timeout must
# exceed the longest legitimate request (longest_request above), with 10 s
# for rendering on a busy CPU. A proxy in front must wait as long
# (nginx: proxy_read_timeout; a load balancer: its idle timeout).
timeout = _whole(_env, "GUNICORN_TIMEOUT", math.ceil(longest_request(_env) + 10), positive=True)
# On a restart or stop, requests in flight may finish for as long as they
# could have taken anyway: a deployment must not cut a booking off either.
# (systemd: TimeoutStopSec above this.)
graceful_timeout = _whole(_env, "GUNICORN_GRACEFUL_TIMEOUT", timeout)

# Off: nothing here is known to leak memory, and a replaced worker costs a
# second of start-up on a machine this small. If it is set, the jitter keeps
# the workers from being replaced all at the same moment.
max_requests = _whole(_env, "GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10

# Memory: at most 2 malloc arenas in each worker. glibc gives a thread that
# allocates its own arena, up to 8 per core, and each arena keeps what is
# freed in it for its own reuse. A worker serves one request at a time, but
# free times are refreshed on background threads, and "any practitioner"
# asks about the pairs not kept from a thread each: across many arenas,
# what those threads freed stayed resident. bench/memory.py, growth per
# worker from 10,000 to 20,000 requests: 1.7 to 1.9 MiB with free times
# refreshed every 5 s (1.8 MiB before issue 19), against 0.4 to 0.9 MiB
# with 2 arenas, which also start 2 to 3 MiB smaller. glibc reads
# MALLOC_ARENA_MAX only from the environment a process starts with, so each
# worker applies it (post_fork, below), which makes it readable from .env
# too. 0: glibc's own limit. Other C libraries have no such knob: left alone.
malloc_arena_max = _whole(_env, "MALLOC_ARENA_MAX", 2)
_M_ARENA_MAX = -8  # mallopt's parameter number, from glibc's malloc.h


def limit_malloc_arenas(arenas: int) -> bool:
    """At most `arenas` malloc arenas in this process, on glibc; whether it was set."""
    try:
        glibc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):  # not glibc, or not a POSIX system
        glibc = ""
    if arenas == 0 or not glibc.startswith("glibc"):
        return False
    return ctypes.CDLL(None).mallopt(_M_ARENA_MAX, arenas) == 1


def post_fork(server: Any, worker: Any) -> None:
    # In the worker, before it loads the site or starts any thread: arenas are
    # made as threads first allocate, and the limit only stops new ones.
    limit_malloc_arenas(malloc_arena_max)


# Whose X-Forwarded-Proto gunicorn believes when it tells Django a request
# came over HTTPS. Its default, loopback, suits nginx on the same machine;
# a load balancer elsewhere needs its address here, or the site's own
# DJANGO_SECURE_PROXY_SSL_HEADER (docs/deploy.md). Never "*" when clients
# can reach gunicorn directly: they could claim HTTPS.
forwarded_allow_ips = _env.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logging. gunicorn's access log stays off: the site logs one line per
# request itself (booking_site/request_log.py), with the request id, without
# the query string, and with confirmation references hidden. gunicorn's
# would repeat it with the full URL, the reference and the Referer (which
# holds the previous page's query). Its error log (start, stop, a worker
# killed) goes to stderr, beside the site's lines, and in the same format
# (LOG_FORMAT): a log shipper reading JSON lines gets nothing else. It
# passes the site's redaction filter too: gunicorn logs a request it refuses,
# or one that fails outside Django, with its whole request line, whose
# confirmation reference and query string the filter hides.
accesslog = None
errorlog = "-"
loglevel = _env.get("LOG_LEVEL", "INFO").lower()


class SiteFormatLogger(glogging.Logger):
    """gunicorn's logger, writing its error log's lines as the site writes its own, and
    hiding in them what the site hides in its own."""

    log_format = _env.get("LOG_FORMAT", "plain")

    def setup(self, cfg: Any) -> None:  # also on a reload (HUP), which makes new handlers
        super().setup(cfg)
        from booking_site import logs  # here, once gunicorn has put this folder on sys.path

        formatter = logs.JsonFormatter() if self.log_format == "json" else logs.PlainFormatter()
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter)
            handler.addFilter(logs.RedactFilter())


logger_class = SiteFormatLogger

# No control socket (gunicorn 25.1's `gunicornc` interface). Its default path
# is one per user ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl), so a second
# gunicorn on the machine (a second site, the tests, the benchmarks) takes it
# over and removes it on exit; signals and systemd do the same jobs.
control_socket_disable = True

# The workers' heartbeat files in memory, not on a disk that may stall
# (containers often have a slow overlay filesystem at /tmp).
if os.path.isdir("/dev/shm"):  # noqa: S108 - gunicorn's recommended heartbeat place
    worker_tmp_dir = "/dev/shm"  # noqa: S108


def when_ready(server: Any) -> None:
    server.log.info(
        "booking site: %d workers x %d threads, timeout %d s, graceful %d s",
        workers,
        threads,
        timeout,
        graceful_timeout,
    )
