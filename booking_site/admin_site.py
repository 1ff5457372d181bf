"""The admin: routed only where an app puts something in it, and hard to guess into.

The reference diary puts its diary in the admin (sandbox/admin.py, with
SANDBOX_ENABLED), the bookings app the practice emails not sent yet and the
change links' counts (bookings/admin.py), and the console app the practice's
console (console/admin.py), so every site has one, at CONSOLE_PATH
(booking_site/urls.py asks `in_use`).

Where it is routed, sign-in attempts are counted per username and per client
address in the shared cache, and refused over ADMIN_LOGIN_RATE_LIMIT and
ADMIN_LOGIN_ADDRESS_RATE_LIMIT in each ADMIN_LOGIN_RATE_LIMIT_SECONDS. The
count comes before the password is checked: one check is PBKDF2, about 0.35 s
of CPU, so a few guesses a second would otherwise fill the server's cores.

- An attempt is counted before it is checked (an atomic `incr`, so attempts
  sent all at once cannot all slip under the limit) and taken back when it
  succeeds: failures count, successes do not. A success does not wipe the
  failures either: otherwise one account's owner could guess at another's
  password between sign-ins of their own.
- A refusal is the same whether the username exists or not: it is decided
  before any user is looked up, by counts kept for any name typed.
- Neither the username nor the address is kept, only a keyed hash of each,
  as bookings/guard.py keeps addresses.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from bookings import guard

#: Apps whose admin pages only manage who signs in to the admin (Django's
#: users and groups): no reason on their own to route it.
ACCOUNT_APPS = frozenset({"auth"})


def in_use(site: admin.AdminSite | None = None) -> bool:
    """Whether any app has put something in the admin beyond its own accounts."""
    site = site or admin.site
    return any(
        site.is_registered(model)
        for model in apps.get_models()
        if model._meta.app_label not in ACCOUNT_APPS
    )


def wait_message(wait: int) -> str:
    """What a refused attempt is told: the wait, in whole minutes, rounded up."""
    minutes = max(1, math.ceil(wait / 60))
    return ngettext(
        "Too many sign-in attempts. Try again in %(minutes)d minute.",
        "Too many sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


@dataclass
class Attempt:
    """One sign-in attempt, counted: `wait` seconds if refused, else 0."""

    keys: list[str] = field(default_factory=list)
    wait: int = 0

    def succeeded(self) -> None:
        """Take the attempt back out of the counts: only failures count."""
        for key in self.keys:
            # ValueError: expired meanwhile, nothing left to take back.
            with contextlib.suppress(ValueError):
                cache.decr(key)


def count_attempt(request: HttpRequest, username: str) -> Attempt:
    """Count a sign-in attempt against its address, then its username.

    A fixed window, as bookings/guard.py keeps: an `add` then an `incr`, both
    atomic in Redis. An address over its limit counts nothing against the
    username it tried, so that a flood from one address spends no one's
    allowance.
    """
    period = settings.ADMIN_LOGIN_RATE_LIMIT_SECONDS
    now = time.time()
    window = int(now // period)
    attempt = Attempt()
    counts = (
        ("address", guard.client_address(request), settings.ADMIN_LOGIN_ADDRESS_RATE_LIMIT),
        # Lower-cased: "Admin" and "admin" share one allowance.
        ("username", username.lower(), settings.ADMIN_LOGIN_RATE_LIMIT),
    )
    for kind, value, limit in counts:
        if not limit:
            continue
        who = salted_hmac(f"booking_site.admin_site.{kind}", value).hexdigest()[:32]
        key = f"admin:sign-in:{kind}:{who}:{window}"
        attempt.keys.append(key)
        if _incr(key, period + 60) > limit:
            attempt.wait = max(1, math.ceil((window + 1) * period - now))
            break
    return attempt


def _incr(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        return 1


class SignInForm(AdminAuthenticationForm):
    """The admin's sign-in form, which counts an attempt before checking its password."""

    #: Seconds to wait, when this attempt was refused (BookingAdminSite.login reads it).
    wait = 0

    def clean(self) -> dict[str, object]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        # Django checks a password only with both (AuthenticationForm.clean):
        # without one there is nothing costly to refuse.
        if username is None or not password:
            return super().clean()
        attempt = count_attempt(self.request, username)
        if attempt.wait:
            self.wait = attempt.wait
            raise ValidationError(wait_message(attempt.wait), code="too_many_attempts")
        cleaned = super().clean()  # a wrong password, or no staff account: raises
        attempt.succeeded()
        return cleaned


class BookingAdminSite(admin.AdminSite):
    """`admin.site` (booking_site/apps.py): Django's, with the counted sign-in."""

    login_form = SignInForm

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if isinstance(form, SignInForm) and form.wait:
            # The sign-in page with its message, and the wait for programs.
            response.status_code = 429
            response["Retry-After"] = str(form.wait)
        return response
