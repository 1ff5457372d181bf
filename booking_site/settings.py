"""Settings for the booking site: one module, read from the environment.

Every value comes from an environment variable (or a `.env` file beside
`manage.py`), with defaults that are safe for development. What production
must set, and numbers that make no sense, stop the site at start-up with a
message naming the variable.
"""

import math
import os
import re
from pathlib import Path
from typing import Any

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from booking_site import languages, static_files
from bookings import crypto
from bookings.backends import NOT_SHARED_CACHES, UNDELIVERED_MAIL

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file is a convenience for development; real environment variables
# win. DJANGO_ENV_FILE points elsewhere (the tests use it).
environ.Env.read_env(env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

# Off unless asked for: a server started with a forgotten setting must not
# show tracebacks and settings to the world. Development asks for it in .env
# (`make run` writes DJANGO_DEBUG=true there); the tests set it themselves
# (tests/development.py).
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Development defaults. In production these must come from the environment,
# which the checks below enforce.
# Django's own prefix for a key not to use in production (its check
# security.W009 knows it, and production refuses it below).
_INSECURE_KEY_PREFIX = "django-insecure-"
_DEV_SECRET_KEY = _INSECURE_KEY_PREFIX + "development-only-secret-key-change-me"
# The reference diary's key in development: public, written in this file.
_SANDBOX_API_KEY = "reference-diary-key"


def _missing(name: str, hint: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"Set the environment variable {name}: {hint}")


def _number(name: str, default: float, *, whole: bool = False, positive: bool = False) -> Any:
    """A number from the environment, refused at start-up if it makes no sense."""
    raw = env.str(name, default=str(default)).strip()
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}.") from None
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        bound = "greater than 0" if positive else "0 or more"
        raise ImproperlyConfigured(f"{name} must be {bound}, not {raw!r}.")
    return value


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY.startswith(_INSECURE_KEY_PREFIX)):
    # Anyone who has read this file could sign forms with the development key.
    # The first thing production asks for: a developer whose .env predates
    # DJANGO_DEBUG's default of false meets it first too.
    raise _missing(
        "DJANGO_SECRET_KEY",
        "a long random string, kept secret, used to sign forms and links."
        + (
            ""
            if "DJANGO_DEBUG" in os.environ
            else " (In development, set DJANGO_DEBUG=true instead: `make run` writes it to .env.)"
        ),
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

# --- Physiodiary -----------------------------------------------------------
# With no URL configured the site talks to the reference diary (the `sandbox`
# app) in-process; see bookings/client.py and sandbox/transport.py.
PHYSIODIARY_API_URL = env.str("PHYSIODIARY_API_URL", default="")
SANDBOX_ENABLED = env.bool("SANDBOX_ENABLED", default=not PHYSIODIARY_API_URL)
if not PHYSIODIARY_API_URL and not SANDBOX_ENABLED:
    raise _missing("PHYSIODIARY_API_URL", "with SANDBOX_ENABLED off there is no diary to use.")
if not PHYSIODIARY_API_URL and not DEBUG and "SANDBOX_ENABLED" not in os.environ:
    # A production site with a forgotten URL would otherwise take patients'
    # bookings into the demo diary, and nobody would ever see them.
    raise _missing(
        "PHYSIODIARY_API_URL",
        "the URL Physiodiary gave the practice. To run a demo on the reference diary"
        " with DJANGO_DEBUG=false, set SANDBOX_ENABLED=true instead.",
    )
# The reference diary's key is a default only where it cannot reach a live
# server: on the reference diary itself, in development.
PHYSIODIARY_API_KEY = env.str(
    "PHYSIODIARY_API_KEY", default=_SANDBOX_API_KEY if DEBUG and not PHYSIODIARY_API_URL else ""
)
if not PHYSIODIARY_API_KEY or (not DEBUG and PHYSIODIARY_API_KEY == _SANDBOX_API_KEY):
    # The public key in production: a demo diary that anyone who has read
    # this file may book into, or a live server sent a key it never issued.
    raise _missing(
        "PHYSIODIARY_API_KEY",
        "the API key Physiodiary gave the practice for this server's IP address"
        " (on the reference diary, the value of SANDBOX_API_KEY; in production"
        f" never the public {_SANDBOX_API_KEY!r}).",
    )
PHYSIODIARY_CONNECT_TIMEOUT = _number("PHYSIODIARY_CONNECT_TIMEOUT", 3.05, positive=True)
PHYSIODIARY_READ_TIMEOUT = _number("PHYSIODIARY_READ_TIMEOUT", 10.0, positive=True)
# Read actions are retried this many times on a fault; `book` never is.
PHYSIODIARY_READ_RETRIES = _number("PHYSIODIARY_READ_RETRIES", 2, whole=True)
PHYSIODIARY_RETRY_BACKOFF = _number("PHYSIODIARY_RETRY_BACKOFF", 0.3)
# Practitioner and room lists change rarely; the diary is asked again after this.
PHYSIODIARY_LIST_CACHE_SECONDS = _number("PHYSIODIARY_LIST_CACHE_SECONDS", 300, whole=True)
# ...and served from a copy this old at most while the diary is unavailable.
PHYSIODIARY_LIST_STALE_SECONDS = _number("PHYSIODIARY_LIST_STALE_SECONDS", 24 * 3600, whole=True)
# Outbound proxy, so that several web servers leave through the one IP
# address registered with Physiodiary. Empty: connect directly.
PHYSIODIARY_PROXY = env.str("PHYSIODIARY_PROXY", default="")
# The circuit breaker: after this many failed calls in a row the diary is
# left alone for PHYSIODIARY_BREAKER_SECONDS, so a diary that is down costs
# patients no waiting for timeouts and is not hammered while it recovers.
# 0 switches the breaker off.
PHYSIODIARY_BREAKER_FAILURES = _number("PHYSIODIARY_BREAKER_FAILURES", 5, whole=True)
PHYSIODIARY_BREAKER_SECONDS = _number("PHYSIODIARY_BREAKER_SECONDS", 30, positive=True)

# --- The reference diary (sandbox) -----------------------------------------
# Its HTTP route, /sandbox/api/request, for the end-to-end tests and the
# benchmarks, which call it over real HTTP. Off, the site still books into it
# in-process (sandbox/transport.py), and no request from outside can reach it.
SANDBOX_HTTP = env.bool("SANDBOX_HTTP", default=False)
# In-process, the key the site's client sends, so the two agree. Beside a
# live URL (the reference diary served for others to call), the public key in
# development only: in production it must be set.
SANDBOX_API_KEY = env.str(
    "SANDBOX_API_KEY",
    default=PHYSIODIARY_API_KEY if not PHYSIODIARY_API_URL else (_SANDBOX_API_KEY if DEBUG else ""),
)
if not DEBUG and (
    SANDBOX_API_KEY == _SANDBOX_API_KEY
    or (SANDBOX_ENABLED and SANDBOX_HTTP and not SANDBOX_API_KEY)
):
    # Its HTTP route checks REMOTE_ADDR, which a proxy on the same host makes
    # 127.0.0.1 for anyone: the key is what is left.
    raise _missing(
        "SANDBOX_API_KEY",
        "a long random string of your own for the reference diary to accept (required"
        " with SANDBOX_HTTP=true and DJANGO_DEBUG=false); never the public"
        f" {_SANDBOX_API_KEY!r}.",
    )
SANDBOX_ALLOWED_IPS = env.list("SANDBOX_ALLOWED_IPS", default=["127.0.0.1", "::1"])
SANDBOX_LATENCY_MS = _number("SANDBOX_LATENCY_MS", 0, whole=True)

# --- The practice -----------------------------------------------------------


def _text(name: str) -> str | None:
    """A text the practice writes (lines and paragraphs), or None where it is not set."""
    if name not in os.environ:
        return None
    return env.str(name, multiline=True).strip()


PRACTICE_NAME = env.str("PRACTICE_NAME", default="Riverside Physiotherapy")
PRACTICE_PHONE = env.str("PRACTICE_PHONE", default="01632 960 123")
PRACTICE_EMAIL = env.str("PRACTICE_EMAIL", default="bookings@riverside-physio.example")
PRACTICE_ADDRESS = env.str("PRACTICE_ADDRESS", default="12 River Street, Exampleton, EX1 2AB")
# The inbox that receives patients' change and cancel requests, the notes of lost
# bookings and (PRACTICE_NOTIFY_BOOKINGS) of each online booking: a receptionist's,
# perhaps not the address patients write to. One address; an alias for several.
PRACTICE_NOTIFY_EMAIL = env.str("PRACTICE_NOTIFY_EMAIL", default="").strip()
if PRACTICE_NOTIFY_EMAIL and not re.fullmatch(r"[^@\s,<>]+@[^@\s,<>]+", PRACTICE_NOTIFY_EMAIL):
    # Mail the server accepts and nobody reads: refused now rather than found out later.
    raise ImproperlyConfigured(
        "PRACTICE_NOTIFY_EMAIL must be one email address,"
        f" such as reception@riverside-physio.example, not {PRACTICE_NOTIFY_EMAIL!r}."
    )
PRACTICE_NOTIFY_EMAIL = PRACTICE_NOTIFY_EMAIL or PRACTICE_EMAIL
# A short email to PRACTICE_NOTIFY_EMAIL for each online booking, as well as the diary's entry.
PRACTICE_NOTIFY_BOOKINGS = env.bool("PRACTICE_NOTIFY_BOOKINGS", default=False)
# The confirmation page's and email's "What happens next": plain text, paragraphs
# apart by a blank line (`\n\n` in .env); empty for none. Unset: the site's own
# words, in every language it offers (bookings/practice.py), which name no time
# or rule a practice might not keep but the common 24 hours' notice.
PRACTICE_WHAT_NEXT = _text("PRACTICE_WHAT_NEXT")
# When the phone is answered, one line each (`\n` in .env), shown wherever
# online booking cannot help. Hours are the practice's own: unset, a live
# diary's site shows none (an upgrade must not show made-up hours) and the
# reference diary's demo practice shows some (bookings/practice.py).
PRACTICE_OPENING_HOURS = _text("PRACTICE_OPENING_HOURS")
if PRACTICE_OPENING_HOURS is None and PHYSIODIARY_API_URL:
    PRACTICE_OPENING_HOURS = ""  # unset means the demo's hours only on the reference diary
# The practice's own privacy notice, linked beside the details form and in
# every footer; empty: the site's built-in page (/privacy/). An absolute
# http(s) address only: it becomes a link's href, so nothing else may reach it.
PRACTICE_PRIVACY_URL = env.str("PRACTICE_PRIVACY_URL", default="").strip()

# --- Languages (booking_site/languages.py, docs/translations.md) -------------
# The first is the default, at unprefixed URLs; each other at /<code>/. One
# language shows no language links.
SITE_LANGUAGES = languages.offered(
    env.list("SITE_LANGUAGES", default=[]), env.str("LANGUAGE_CODE", default=None)
)
LANGUAGE_CODE = SITE_LANGUAGES[0]
LANGUAGES = languages.names(SITE_LANGUAGES)
# The practice's texts in the other languages: PRACTICE_WHAT_NEXT_CY and the like.
PRACTICE_TEXTS = languages.practice_texts(SITE_LANGUAGES, _text)
for _name, _url in [
    ("PRACTICE_PRIVACY_URL", PRACTICE_PRIVACY_URL),
    *(
        (f"PRACTICE_PRIVACY_URL{languages.suffix(code)}", texts["PRACTICE_PRIVACY_URL"])
        for code, texts in PRACTICE_TEXTS.items()
        if "PRACTICE_PRIVACY_URL" in texts
    ),
]:
    if _url and not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", _url):
        raise ImproperlyConfigured(
            f"{_name} must be a web address such as"
            f" https://www.riverside-physio.example/privacy, not {_url!r}."
        )


# --- Embedding on the practice's own website ---------------------------------
def _origin(value: str) -> str:
    """An origin as browsers write it (scheme://host[:port]), or a start-up error."""
    origin = value.strip().rstrip("/").lower()
    host = r"([a-z0-9.-]+|\[[0-9a-f:.]+\])"  # a name or an IPv4 address, or [IPv6]
    match = re.fullmatch(rf"(https?)://({host})(?::([0-9]{{1,5}}))?", origin)
    if not match:
        raise ImproperlyConfigured(
            f"EMBED_ALLOWED_ORIGINS: {value!r} is not an origin such as"
            " https://www.riverside-physio.example (a scheme and host, no path, no wildcard)."
        )
    scheme, name, port = match[1], match[2], match[4]
    # Browsers leave out a scheme's own port (event.origin is never ...:443),
    # and booking.js compares origins as strings.
    if port is None or (scheme, port) in {("https", "443"), ("http", "80")}:
        return f"{scheme}://{name}"
    return f"{scheme}://{name}:{port}"


# The sites whose pages may show the booking in an iframe (see embed.js):
# they become the Content-Security-Policy's frame-ancestors. Empty: no site.
EMBED_ALLOWED_ORIGINS = [_origin(value) for value in env.list("EMBED_ALLOWED_ORIGINS", default=[])]


# --- Theme: the practice's look, as CSS custom properties (see /theme.css) -----
def _theme(name: str, default: str, pattern: str, example: str) -> str:
    """A theme value, refused at start-up unless it matches: it goes into a style sheet."""
    value = env.str(name, default=default).strip()
    if not re.fullmatch(pattern, value):
        raise ImproperlyConfigured(f"{name} must look like {example}, not {value!r}.")
    return value


_COLOUR = r"#[0-9a-fA-F]{6}"
THEME_BRAND_COLOUR = _theme("THEME_BRAND_COLOUR", "#0b5d6b", _COLOUR, "#0b5d6b")
THEME_ACCENT_COLOUR = _theme("THEME_ACCENT_COLOUR", "#f2b33d", _COLOUR, "#f2b33d")
THEME_RADIUS = _theme(
    "THEME_RADIUS", "0.375rem", r"0|[0-9]{1,2}(\.[0-9]{1,3})?(px|rem|em)", "0.375rem or 6px"
)
# Names of fonts the patient's device already has: nothing is loaded from
# other sites, so a web font must be served from this site's own static files.
THEME_FONT_STACK = _theme(
    "THEME_FONT_STACK",
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    r'[A-Za-z0-9 ,"\'-]{1,300}',
    '"Source Sans 3", Arial, sans-serif',
)
# A path among the static files (e.g. theme/logo.svg), shown in place of the
# practice's name in the header; its alt text is PRACTICE_NAME.
THEME_LOGO = _theme("THEME_LOGO", "", r"|[A-Za-z0-9_./-]{1,200}", "theme/logo.svg")
if ".." in THEME_LOGO or THEME_LOGO.startswith("/"):
    raise ImproperlyConfigured("THEME_LOGO is a path among the static files, e.g. theme/logo.svg.")
# A folder of the designer's own: its templates/ override ours, block by
# block, and its static/ is served beside ours (logos, fonts). See docs/designers.md.
_THEME_DIR = env.str("THEME_DIR", default="")
THEME_DIR = Path(_THEME_DIR).resolve() if _THEME_DIR else None
if THEME_DIR and not THEME_DIR.is_dir():
    raise ImproperlyConfigured(f"THEME_DIR {_THEME_DIR!r} is not a folder.")

# --- Booking -----------------------------------------------------------------
# Days of free times shown on one page, and how far ahead patients may book
# (the vendor's freeList looks at most 90 days ahead in one request).
BOOKING_WINDOW_DAYS = _number("BOOKING_WINDOW_DAYS", 7, whole=True, positive=True)
BOOKING_HORIZON_DAYS = _number("BOOKING_HORIZON_DAYS", 90, whole=True, positive=True)
# Free times starting sooner than this are not offered: the practice needs notice.
BOOKING_MIN_NOTICE_MINUTES = _number("BOOKING_MIN_NOTICE_MINUTES", 120, whole=True)
# "Any practitioner" asks the diary about every pair at once, at most this many at a
# time (16 is also the size of the client's connection pool).
BOOKING_MAX_PARALLEL_SEARCHES = _number(
    "BOOKING_MAX_PARALLEL_SEARCHES", 16, whole=True, positive=True
)
# Free times are cached this long per practitioner and room (0: not at all).
# A booking through the site drops them at once; one made at the practice
# shows within this time, and meanwhile "just taken" offers other times.
BOOKING_FREE_TIMES_CACHE_SECONDS = _number("BOOKING_FREE_TIMES_CACHE_SECONDS", 60, whole=True)
# Older free times are still shown, up to this age, while the diary is asked
# again in the background (one refresh per practitioner and room at a time, on
# every server): a patient waits for the diary only for a pair nobody has
# looked at for this long. Equal to the above: the old behaviour, every patient
# after the first minute waits. Unset, never less than the above (a site that
# raised the cache time before this setting existed still starts).
BOOKING_FREE_TIMES_MAX_AGE_SECONDS = _number(
    "BOOKING_FREE_TIMES_MAX_AGE_SECONDS", max(600, BOOKING_FREE_TIMES_CACHE_SECONDS), whole=True
)
if BOOKING_FREE_TIMES_MAX_AGE_SECONDS < BOOKING_FREE_TIMES_CACHE_SECONDS:
    raise ImproperlyConfigured(
        f"BOOKING_FREE_TIMES_MAX_AGE_SECONDS ({BOOKING_FREE_TIMES_MAX_AGE_SECONDS}) is less than "
        f"BOOKING_FREE_TIMES_CACHE_SECONDS ({BOOKING_FREE_TIMES_CACHE_SECONDS}): free times "
        "are shown up to the first while they are refreshed, after the second."
    )
# How many other free times to offer when the chosen one was just taken.
BOOKING_ALTERNATIVES = _number("BOOKING_ALTERNATIVES", 6, whole=True, positive=True)
# A details form older than this is refused (and a fresh one issued).
BOOKING_FORM_MAX_AGE_SECONDS = _number(
    "BOOKING_FORM_MAX_AGE_SECONDS", 2 * 3600, whole=True, positive=True
)
# The confirmation page lives this long at its unguessable URL, then is gone.
BOOKING_CONFIRMATION_SECONDS = _number(
    "BOOKING_CONFIRMATION_SECONDS", 24 * 3600, whole=True, positive=True
)
# The practice's late-cancellation notice, in hours: a patient cancelling online
# closer to the appointment than this is told so before confirming (0: no notice).
BOOKING_LATE_CANCEL_HOURS = _number("BOOKING_LATE_CANCEL_HOURS", 24, whole=True)
# Off where the practice's own diary already emails patients.
BOOKING_CONFIRMATION_EMAIL = env.bool("BOOKING_CONFIRMATION_EMAIL", default=True)
# A "Change or cancel" link in the confirmation email and page; off: "call us", as before.
BOOKING_CHANGE_LINKS = env.bool("BOOKING_CHANGE_LINKS", default=True)
# The Fernet key(s) that seal patient details at rest (change records, the outbox),
# comma-separated: the first seals, every one opens (key rotation: docs/deploy.md).
# Development derives one from its SECRET_KEY; production must set its own, kept
# apart from the database's backups.
try:
    BOOKING_RECORD_KEY = crypto.check_keys(env.list("BOOKING_RECORD_KEY", default=[]))
except ValueError as exc:
    raise ImproperlyConfigured(
        f"BOOKING_RECORD_KEY: {exc}. Make one with: {crypto.MAKE_KEY}"
    ) from None
if not BOOKING_RECORD_KEY and DEBUG:
    BOOKING_RECORD_KEY = [crypto.development_key(SECRET_KEY)]
elif not BOOKING_RECORD_KEY and BOOKING_CHANGE_LINKS:
    raise _missing(
        "BOOKING_RECORD_KEY",
        "the key that encrypts patients' details in the database, kept apart from its backups."
        f" Make one with: {crypto.MAKE_KEY}"
        " (or set BOOKING_CHANGE_LINKS=false to offer no change or cancel links).",
    )

# --- Abuse ---------------------------------------------------------------------
# Booking attempts (posts of the details form that reach the diary's `book`)
# allowed per client address in each BOOKING_RATE_LIMIT_SECONDS, and times
# pages (each a diary search) the same. Posts that book nothing (refused by the
# form's checks: a mistyped field, an expired form, the honeypot, too quick)
# have a larger allowance of their own, so that a patient at a shared reception
# desk who mistypes is not locked out. An IPv6 client is counted per /64, and
# its /48 against 4 times each limit (bookings/guard.py). Counted in the shared
# cache; 0 switches a limit off.
BOOKING_RATE_LIMIT = _number("BOOKING_RATE_LIMIT", 10, whole=True)
BOOKING_FORM_ERROR_RATE_LIMIT = _number("BOOKING_FORM_ERROR_RATE_LIMIT", 60, whole=True)
BOOKING_SEARCH_RATE_LIMIT = _number("BOOKING_SEARCH_RATE_LIMIT", 300, whole=True)
BOOKING_RATE_LIMIT_SECONDS = _number("BOOKING_RATE_LIMIT_SECONDS", 600, whole=True, positive=True)
# A details form sent back sooner than this after it was served was filled
# in by a program, not a person: it is refused, and a person just presses
# Book again.
BOOKING_FORM_MIN_SECONDS = _number("BOOKING_FORM_MIN_SECONDS", 3)
# The client's address is REMOTE_ADDR, unless the site runs behind proxies
# that set this header (e.g. X-Forwarded-For, or Forwarded, whose `for=` is
# read). Then the address is taken CLIENT_IP_PROXIES entries from the right:
# the part our own proxies wrote, which a client cannot forge. Never set it
# without such a proxy in front.
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="")
CLIENT_IP_PROXIES = _number("CLIENT_IP_PROXIES", 1, whole=True, positive=True)
# The admin (routed only where the reference diary is, booking_site/admin_site.py):
# sign-in attempts allowed per username, and per client address, in each
# ADMIN_LOGIN_RATE_LIMIT_SECONDS, counted in the shared cache before the
# password is checked, since each check costs about 0.35 s of CPU. Failed
# attempts count, successful ones do not. 0 switches a limit off.
ADMIN_LOGIN_RATE_LIMIT = _number("ADMIN_LOGIN_RATE_LIMIT", 5, whole=True)
ADMIN_LOGIN_ADDRESS_RATE_LIMIT = _number("ADMIN_LOGIN_ADDRESS_RATE_LIMIT", 20, whole=True)
ADMIN_LOGIN_RATE_LIMIT_SECONDS = _number(
    "ADMIN_LOGIN_RATE_LIMIT_SECONDS", 900, whole=True, positive=True
)
# The practice's console (the admin, console/): where it is, e.g. staff/ or
# practice/console/. Moving it from admin/ keeps the guessers of /admin/ out
# of the sign-in page's counts; it can never take the booking's own paths.
CONSOLE_PATH = env.str("CONSOLE_PATH", default="admin/").strip().strip("/") + "/"
if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*/", CONSOLE_PATH) or (
    CONSOLE_PATH.partition("/")[0]
    in {"times", "details", "booked", "change", "privacy", "accessibility", "static"}
    | {"embed.js", "theme.css", "healthz", "readyz", "sandbox", "preview"}
    | {code.split("-")[0] for code in SITE_LANGUAGES}
    | set(SITE_LANGUAGES)
):
    raise ImproperlyConfigured(
        f"CONSOLE_PATH must be a path of lower-case letters, digits, - and _ such as"
        f" admin/ or staff/console/, and not one of the booking's own, not {CONSOLE_PATH!r}."
    )
# How long the console's activity counts and its record of who changed what
# are kept: deleted after this many days by `manage.py purge_change_records`.
CONSOLE_RETENTION_DAYS = _number("CONSOLE_RETENTION_DAYS", 400, whole=True, positive=True)

# Mail: the console in development; SMTP with EMAIL_URL=smtp+tls://user:pass@host:587.
_EMAIL = env.email_url("EMAIL_URL", default="consolemail://")
if (
    not DEBUG
    # Change links send the practice its patients' requests: they must arrive. And a
    # booking note holds the patient's name, phone and email: never the console's.
    and (BOOKING_CONFIRMATION_EMAIL or BOOKING_CHANGE_LINKS or PRACTICE_NOTIFY_BOOKINGS)
    and ("EMAIL_URL" not in os.environ or _EMAIL["EMAIL_BACKEND"] in UNDELIVERED_MAIL)
):
    # The console or a file would put patients' names and addresses in the
    # server's log or on its disk (consolemail://, filemail://), and with
    # those or memorymail:// or dummymail:// no patient would get an email.
    raise _missing(
        "EMAIL_URL",
        "the practice's mail server, e.g. smtp+tls://user:password@smtp.example.com:587"
        " (not consolemail://, filemail://, memorymail:// or dummymail://);"
        " or, where the diary emails patients itself, set BOOKING_CONFIRMATION_EMAIL=false,"
        " BOOKING_CHANGE_LINKS=false (change and cancel requests reach the practice by email)"
        " and PRACTICE_NOTIFY_BOOKINGS=false.",
    )
vars().update(_EMAIL)
# The confirmation page waits for the mail server at most this long.
EMAIL_TIMEOUT = _number("EMAIL_TIMEOUT", 5, positive=True)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=PRACTICE_EMAIL)

# --- Django -----------------------------------------------------------------
INSTALLED_APPS = [
    # The practice's console on the admin: first, so that its admin/base_site.html
    # (the practice's name and colours) is found before the admin's own.
    "console",
    # django.contrib.admin, with sign-in attempts limited (booking_site/admin_site.py).
    "booking_site.apps.BookingAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bookings",
    "sandbox",
    "preview",  # no models; routed only with DEBUG on (booking_site/urls.py)
]

MIDDLEWARE = [
    # First, so every request has its id and its one log line, whatever answers it.
    "booking_site.request_log.request_log",
    # Cross-Origin-Resource-Policy: same-origin on every response: before
    # the probes and WhiteNoise, so that their answers have it too.
    "booking_site.middleware.resource_policy",
    # /healthz and /readyz, before the Host check and the HTTPS redirect: load
    # balancers ask by IP address over plain HTTP (booking_site/health.py).
    "booking_site.health.probes",
    "django.middleware.security.SecurityMiddleware",
    # (In production, WhiteNoise is inserted here: see below.)
    # Pages compressed too. No page holds a secret worth a BREACH attack: no
    # session, no CSRF cookie; the form token only guards the form it is in.
    # Django's, keeping a page served again unchanged compressed (booking_site/middleware.py).
    "booking_site.middleware.GZipMiddleware",
    "booking_site.middleware.permissions_policy",
    "csp.middleware.CSPMiddleware",
    # Posts from other sites' pages get the 403 page before any view or the
    # diary sees them; after the headers above, so that page has them too.
    "booking_site.same_origin.same_origin",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the URL's prefix (/cy/…), the default's where there is
    # none: never a cookie. `/` alone also reads Accept-Language (bookings/languages.py).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The pages' counts, kept in the cache, written to the database once a response
    # has been sent, at most once a minute (bookings/activity.py).
    "booking_site.middleware.activity_counts",
    # A cache or database that does not answer gives the 503 page, not a 500.
    "booking_site.middleware.StoreDown",
    # Last, so it sees each response first: it lets EMBED_ALLOWED_ORIGINS frame
    # the booking pages before the two above write their framing headers.
    "bookings.embedding.framing",
]

ROOT_URLCONF = "booking_site.urls"
CSRF_FAILURE_VIEW = "bookings.error_pages.csrf_failure"

# --- HTTP security ----------------------------------------------------------
# Production defaults pass `manage.py check --deploy`; each can be turned
# down from the environment where a proxy in front already does the job.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = _number(
    "DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600, whole=True
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# Behind a proxy that ends TLS: the header it sets to say the request was
# HTTPS (e.g. X-Forwarded-Proto). Only with such a proxy: a client could set it.
_PROXY_SSL_HEADER = env.str("DJANGO_SECURE_PROXY_SSL_HEADER", default="")
if _PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
# The server in front of Django (gunicorn with a certificate) ends TLS itself,
# with no proxy: then the site knows its scheme without that header. Read
# only by `check --deploy` (booking_site.E001 in bookings/checks.py), which
# otherwise takes an HTTPS site with no proxy header for one that would
# compare https:// origins with its own http:// one (booking_site/same_origin.py).
ENDS_TLS = env.bool("DJANGO_ENDS_TLS", default=False)
# The booking pages' URLs name a practitioner and a time: no other site needs them.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No page uses these browser features; a script injected somehow gets none.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(),"
    " microphone=(), payment=(), usb=()"
)
# Our own files only: no inline script or style, nothing from another site.
# Nothing by default; each kind of thing a page loads is named. The favicon
# and a chosen radio's dot (site.css) are data: images.
# Fonts: a designer's web font from THEME_DIR/static (docs/designers.md).
# No connect-src, frame-src, media-src, worker-src or manifest-src: no page
# (the admin's included) fetches, frames, plays or installs anything.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        # EMBED_ALLOWED_ORIGINS, on the booking pages only (bookings/embedding.py).
        "frame-ancestors": [NONE],
    }
}
# The largest honest post is the details form, about 1 KB: anything far
# bigger is refused with a 400 before a view reads it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 50

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The designer's templates first: each may replace one of ours.
        "DIRS": [*([THEME_DIR / "templates"] if THEME_DIR else []), BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bookings.context_processors.practice",
                "bookings.context_processors.look",
            ],
        },
    },
]

WSGI_APPLICATION = "booking_site.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so concurrent
    # bookings queue on the lock (up to `timeout` seconds) instead of failing
    # with "database is locked" half-way through a transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # A file, not memory, for tests: threads of the live server then get
    # connections of their own, as real web server workers do.
    # Named by process, so two test runs in one checkout cannot share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}
# Each worker thread keeps its database connection from one request to the next,
# for this many seconds at most, rather than opening one per request: on SQLite
# the open and the close (with its checkpoint of the WAL, after the response,
# holding up the worker's next request) were half a millisecond of every page
# that touches the database. Checked before it is reused
# (CONN_HEALTH_CHECKS), so a database restarted meanwhile fails no request. On
# PostgreSQL each thread then holds a connection (docs/deploy.md). 0: one per
# request. A `?conn_max_age=` in DATABASE_URL is the same setting.
_URL_CONN_MAX_AGE = DATABASES["default"].get("CONN_MAX_AGE")
DATABASE_CONN_MAX_AGE = _number(
    "DATABASE_CONN_MAX_AGE", 60 if _URL_CONN_MAX_AGE is None else _URL_CONN_MAX_AGE, whole=True
)
if _URL_CONN_MAX_AGE not in (None, DATABASE_CONN_MAX_AGE):
    raise ImproperlyConfigured(
        f"DATABASE_CONN_MAX_AGE={DATABASE_CONN_MAX_AGE} and DATABASE_URL's"
        f" conn_max_age={_URL_CONN_MAX_AGE} differ: set one of them."
    )
DATABASES["default"]["CONN_MAX_AGE"] = DATABASE_CONN_MAX_AGE
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

_CACHE_URL = env.str("CACHE_URL", default="locmemcache://booking-site")
_REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
# redis:// is always Django's own Redis backend (on redis-py): django-environ
# would pick django-redis instead whenever that happens to be installed, whose
# options and serialisation differ.
_IS_REDIS = _CACHE_URL.partition(":")[0] in {"redis", "rediss", "rediscache"}
# dbcache:// is Django's database cache with a cull that never deletes a live
# confirmation or ledger entry, and an atomic incr (booking_site/db_cache.py).
_DB_CACHE = "booking_site.db_cache.DatabaseCache"
_IS_DB_CACHE = _CACHE_URL.partition(":")[0] == "dbcache"
_CACHE_BACKEND = _REDIS_CACHE if _IS_REDIS else (_DB_CACHE if _IS_DB_CACHE else None)
CACHES = {"default": env.cache_url_config(_CACHE_URL, backend=_CACHE_BACKEND)}
if _IS_REDIS:
    # A Redis server that stops answering fails a page in seconds rather than
    # holding every worker until gunicorn kills it. `?socket_timeout=` in the
    # URL overrides these.
    _REDIS_OPTIONS = CACHES["default"].setdefault("OPTIONS", {})
    _REDIS_OPTIONS.setdefault("socket_connect_timeout", 3)
    _REDIS_OPTIONS.setdefault("socket_timeout", 3)
    # django-environ writes `?key_prefix=` in lower case for this backend,
    # where Django reads only KEY_PREFIX: two sites sharing one Redis database
    # would then silently share their lists, ledgers and confirmations.
    for _name in ("key_prefix", "version"):
        if _name in CACHES["default"]:
            CACHES["default"][_name.upper()] = CACHES["default"].pop(_name)
if not DEBUG and CACHES["default"]["BACKEND"] in NOT_SHARED_CACHES:
    # Measured with 3 workers on locmem: a confirmation answered 404 on half
    # the requests, 21 of 30 posts passed a limit of 10, and one form posted
    # 3 times at once booked 3 times.
    raise _missing(
        "CACHE_URL",
        "a cache every worker process and server shares, with an atomic add:"
        " redis://127.0.0.1:6379/1, or dbcache://booking_cache after"
        f" `manage.py createcachetable` (not {CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}).",
    )

# Console and admin accounts (docs/practice.md): Django's checks on a new
# password, 12 characters at least, as the admin's "add user" and "change
# password" forms apply them.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
# The practice's translations (THEME_DIR/locale) first: they add languages and
# correct ours. Compiled by `manage.py compiletranslations` (docs/translations.md).
LOCALE_PATHS = [
    *([THEME_DIR / "locale"] if THEME_DIR and (THEME_DIR / "locale").is_dir() else []),
    BASE_DIR / "locale",
]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    *([THEME_DIR / "static"] if THEME_DIR and (THEME_DIR / "static").is_dir() else []),
    BASE_DIR / "static",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # In production (after `collectstatic`): names with a hash of the content,
    # so WhiteNoise can let browsers keep them for a year, and gzip and brotli
    # copies made once, of style sheets and scripts without their comments
    # (booking_site/static_storage.py). In development, files as they are, no
    # collectstatic.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "booking_site.static_storage.LeanCompressedManifestStorage"
    },
}
if not DEBUG:
    # Static files first, before any other work; in development runserver
    # serves them, straight from the source folders.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )
# Source maps are for developers, and never asked for by the pages.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
# Framed by no site, like every page (booking_site/static_files.py).
WHITENOISE_ADD_HEADERS_FUNCTION = static_files.add_headers
# No `Access-Control-Allow-Origin: *`: only our own pages load these files
# (Cross-Origin-Resource-Policy says so too), and every byte of a style
# sheet's headers is waited for before the first page is drawn.
WHITENOISE_ALLOW_ALL_ORIGINS = False

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Serving ------------------------------------------------------------------
# /readyz keeps its answer this long in each worker's memory, so a load
# balancer asking every second does not put a call a second on the diary...
READINESS_CACHE_SECONDS = _number("READINESS_CACHE_SECONDS", 5)
# ...and the diary's part this long in the shared cache, per server: the
# vendor's API is free and keyed to our address; a probe must not load it.
# 0: each worker asks the diary itself.
READINESS_DIARY_SECONDS = _number("READINESS_DIARY_SECONDS", 30, whole=True)
# plain: `time level logger message id=<request id>`; json: one object a line.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
# Error reports (the mail to ADMINS, the debug page) hide the password in any
# URL too: Django hides settings by name only, and PHYSIODIARY_PROXY,
# CACHE_URL's CACHES location and DATABASE_URL have none that it knows.
DEFAULT_EXCEPTION_REPORTER_FILTER = "booking_site.error_reports.UrlPasswordFilter"
# ...and a change link or a confirmation's reference, the keys to a patient's pages.
DEFAULT_EXCEPTION_REPORTER = "booking_site.error_reports.CapabilityReporter"

# One line per request (booking_site/request_log.py) and per Physiodiary
# call, each with the request's id; confirmation references hidden in all.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "booking_site.logs.RequestIdFilter"},
        "redact": {"()": "booking_site.logs.RedactFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"()": "booking_site.logs.PlainFormatter"},
        "json": {"()": "booking_site.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "redact"],
        },
        # Django's own, as by default: errors mailed to ADMINS, when any.
        "mail_admins": {
            "level": "ERROR",
            # Redacted too: the mail's subject and report name the URL.
            "filters": ["redact", "require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # urllib3 logs each request line at DEBUG; keep it quiet so nothing about
    # a request body or key could leak through a raised log level.
    # django.db.backends would log SQL, with a reference diary booking's
    # patient details in it, at DEBUG.
    "loggers": {
        "urllib3": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
        # Without Django's default console handler, which in development
        # would print "Not Found: /booked/<reference>/" in full beside ours.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
    },
}
