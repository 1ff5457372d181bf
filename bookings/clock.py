"""The practice's clock: today, what is bookable, and moments in its time zone.

Every time a patient sees or books is a wall-clock time of the practice's
diary (TIME_ZONE), whatever the server's own zone.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from . import configuration


def today() -> dt.date:
    """Today in the practice's time zone."""
    return timezone.localdate()


def earliest_bookable() -> dt.datetime:
    """Free times before this are not offered: the practice needs notice."""
    notice = dt.timedelta(minutes=configuration.rule("BOOKING_MIN_NOTICE_MINUTES"))
    return timezone.localtime(timezone.now() + notice)  # added in UTC, then shown locally


def last_bookable_day() -> dt.date:
    """The last of BOOKING_HORIZON_DAYS days, today being the first: one freeList call's worth."""
    return today() + dt.timedelta(days=configuration.rule("BOOKING_HORIZON_DAYS") - 1)


def time_zone_label() -> str:
    """How pages name the practice's time zone, which every time shown is in."""
    zone = settings.TIME_ZONE
    if zone == "Europe/London":
        # Translators: the time zone every time on the site is in, as in "Times are UK time."
        return gettext("UK time")
    # Translators: the time zone every time on the site is in; its name as the tz database
    # writes it, such as "Europe/Dublin".
    return gettext("%(zone)s time") % {"zone": zone}


def zone() -> dt.tzinfo:
    """The practice's time zone (TIME_ZONE), which every diary date and time is in."""
    return timezone.get_current_timezone()


def at(day: dt.date, moment: dt.time) -> dt.datetime:
    """A date and time of the practice's diary as an aware datetime."""
    return dt.datetime.combine(day, moment, tzinfo=zone())


def exists(moment: dt.datetime) -> bool:
    """False for a wall-clock time skipped when the clocks go forward (01:30 in March)."""
    return moment.astimezone(dt.UTC).astimezone(moment.tzinfo).replace(fold=0) == moment
