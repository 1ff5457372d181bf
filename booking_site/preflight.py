"""`make serve`'s first step: say in one line what production still lacks.

    python -m booking_site.preflight

Reads the settings as a web server would (the environment, then `.env`). A
setting production must have stops the settings with a message naming the
variable (`Set the environment variable …`); here that message is printed on
its own, without the traceback `manage.py` would wrap it in. And since
`make serve` and the systemd unit (docs/deploy.md, `ExecStartPre=`) run the
site as production does, it refuses DJANGO_DEBUG=true (the default is false;
`make run` writes true into a development checkout's .env): debug pages show
tracebacks, settings and the patient's posted details to whoever asks.
Exits 0 when the site may start, 2 otherwise.
"""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ImproperlyConfigured

DEBUG_ON = (
    "Set the environment variable DJANGO_DEBUG: false (or remove it: false is the default),"
    " in the environment or in .env. `make serve` runs the site as production does;"
    " `make run` is for development."
)


def problem() -> str | None:
    """What stops the site from being served in production, or None."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_site.settings")
    from django.conf import settings

    try:
        debug = settings.DEBUG  # reading one setting reads them all, with their checks
    except ImproperlyConfigured as exc:
        return str(exc)
    return DEBUG_ON if debug else None


def main() -> int:
    found = problem()
    if found:
        print(f"Cannot serve the site: {found}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
