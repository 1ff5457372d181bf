"""The purge and the outbox's retries, run as requests come in: at most once a minute.

The timer (docs/deploy.md: `purge_change_records` and `send_outbox` every 15
minutes) is what a site relies on; this only makes both happen sooner on a
busy site, and on one whose timer was never installed. A `cache.add` lock
lets one request in a minute across every worker and server do the work; the
others pay one cache call. A failure here is logged and never reaches the
patient's page.

Views call `after(response)`: the work runs once the response has been sent
(when the server closes it), so a patient never waits for a mail server that
hangs on a due email (up to RETRIES_PER_RUN x EMAIL_TIMEOUT).
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.http import HttpResponseBase

from . import changes, outbox

logger = logging.getLogger(__name__)

#: The lock's key and lifetime: one run a minute across servers.
LOCK = "bookings:maintenance"
EVERY_SECONDS = 60
#: Emails resent by one run: each can wait EMAIL_TIMEOUT on a mail server that is down.
RETRIES_PER_RUN = 3


def after(response: HttpResponseBase) -> HttpResponseBase:
    """`response`, made to run `run_if_due` once the server has sent it and closes it."""
    # Django's own hook for work at close (FileResponse closes its file there): it
    # runs after the last byte is written and before request_finished, whose
    # close_old_connections then tidies the database connection this used.
    response._resource_closers.append(run_if_due)
    return response


def run_if_due() -> bool:
    """Purge past change records and resend due practice emails, unless run in the last minute.

    True if this call did the work. Views run it through `after`, since a due
    email can take EMAIL_TIMEOUT.
    """
    try:
        if not cache.add(LOCK, 1, EVERY_SECONDS):
            return False
    except Exception as exc:  # a cache that is down is the page's problem, not ours
        logger.warning("maintenance skipped: the cache failed (%s)", type(exc).__name__)
        return False
    try:
        changes.purge()
        outbox.retry_due(limit=RETRIES_PER_RUN)
    except Exception as exc:  # the timer will do it; never fail a patient's request for this
        logger.error("maintenance failed: %s", type(exc).__name__)
    return True
