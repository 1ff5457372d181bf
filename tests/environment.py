"""The environment a test starts Django or gunicorn with, in a process of its own.

A subprocess inherits this process's environment, and with it whatever a
developer exported in their shell (a THEME_DIR, LOG_FORMAT=json, a
DATABASE_URL): the site's settings and gunicorn.conf.py would read it, and a
test would see a different site on one machine than on another. So every
test that starts the site in a subprocess starts it from `clean_environment()`,
and they all strip the same variables: those in `SITE_VARIABLES`.

Everything else is kept: the programs need PATH (gunicorn, make and Debian's
servers are found on it), HOME, LANG, TMPDIR, PYTHONPATH and the virtualenv's
variables, and a coverage run's own (COVERAGE_*) to measure subprocesses too.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

#: Every variable the settings (booking_site/settings.py) and gunicorn.conf.py
#: read. An entry ending in "_" is a prefix: all variables starting with it
#: (DJANGO_ takes DJANGO_ENV_FILE and DJANGO_SETTINGS_MODULE too, which a
#: test sets when it needs them, and the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE,
#: which only their own process needs: a subprocess keeps Django's guard). Any
#: other entry is one whole name, so HOST does not take HOSTNAME with it.
SITE_VARIABLES: tuple[str, ...] = (
    # booking_site/settings.py
    "DJANGO_",
    "PHYSIODIARY_",
    "SANDBOX_",
    "PRACTICE_",
    "EMBED_",
    "THEME_",
    "BOOKING_",
    "CLIENT_IP_",
    "ADMIN_LOGIN_",
    "EMAIL_",
    "DEFAULT_FROM_EMAIL",
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "CACHE_URL",
    "LANGUAGE_CODE",
    "TIME_ZONE",
    "READINESS_",
    "LOG_",  # LOG_FORMAT and LOG_LEVEL, which gunicorn.conf.py reads as well
    # gunicorn.conf.py
    "GUNICORN_",
    "WEB_CONCURRENCY",
    "HOST",
    "PORT",
    "FORWARDED_ALLOW_IPS",
    "MALLOC_ARENA_MAX",  # glibc's too: it reads it at every process's start
)

_PREFIXES = tuple(name for name in SITE_VARIABLES if name.endswith("_"))
_NAMES = frozenset(name for name in SITE_VARIABLES if not name.endswith("_"))


def is_site_variable(name: str) -> bool:
    """Whether the settings or gunicorn.conf.py would read the variable `name`."""
    return name in _NAMES or name.startswith(_PREFIXES)


def clean_environment(**overrides: str) -> dict[str, str]:
    """This process's environment less `SITE_VARIABLES`, with `overrides` on top.

    DJANGO_ENV_FILE names a file that does not exist, unless `overrides` name
    another: both the settings and gunicorn.conf.py would otherwise read the
    developer's own `.env` beside manage.py.
    """
    env = {key: value for key, value in os.environ.items() if not is_site_variable(key)}
    env["DJANGO_ENV_FILE"] = "/nonexistent/.env"
    env.update(overrides)
    return env


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on, for a server a test starts.

    The system picks it (port 0), so tests running at once, and the machine's
    own services, never collide on a fixed number. It is free when returned;
    the server must take it soon after.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_django(
    *, code: str = "print('started')", development: bool = True, **env: str
) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter, as a web server would.

    With `env` as the site's whole configuration: none from the developer's
    shell or .env (tests/environment.py). In development (DJANGO_DEBUG=true)
    unless `env` names DJANGO_DEBUG, since the default, false, is production,
    which wants a secret key, a diary, a mail server and a shared cache
    before it reads anything else; `clean_environment()` gives none.
    `development=False` starts it as a server would: no DJANGO_DEBUG unless
    `env` has it.
    """
    default = {"DJANGO_DEBUG": "true"} if development else {}
    site = {**default, **env, "DJANGO_SETTINGS_MODULE": "booking_site.settings"}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=Path(__file__).resolve().parent.parent,
        env=clean_environment(**site),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
