"""Django backends a production site must not use, named once.

Read by the settings, which refuse them at start-up with DJANGO_DEBUG=false,
and by `check --deploy` (bookings/checks.py), which reports a settings
object that has them all the same. No Django import: the settings load this
before Django is set up.
"""

#: Caches each worker process keeps to itself (locmem), that keep nothing
#: (dummy), or whose `add` is not atomic across processes (file: it checks,
#: then writes). Confirmations, the once-only booking ledger and the rate
#: limits all need one cache that every process shares, with an atomic `add`.
NOT_SHARED_CACHES = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    }
)

#: Mail backends that never deliver: the console and a file put the patient's
#: name, address and appointment in the server's log or on its disk; memory
#: and dummy drop it. Any is fine where no email is sent
#: (BOOKING_CONFIRMATION_EMAIL=false).
UNDELIVERED_MAIL = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    }
)
