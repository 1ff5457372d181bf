"""`check --deploy`'s checks of the reference diary's keys in production.

The settings refuse both at start-up with DJANGO_DEBUG=false; these report a
settings object that has them all the same (one changed after start-up, or
built some other way), as errors.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

#: The reference diary's key in development, written in the settings and the
#: docs for all to read.
PUBLIC_API_KEY = "reference-diary-key"


@register(Tags.security, deploy=True)
def public_key_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Production must never send, or accept, the key anyone can read."""
    if settings.DEBUG:
        return []
    return [
        Error(
            f"{name} is the reference diary's public key, {PUBLIC_API_KEY!r}.",
            hint=f"Set {name} to a long random string of your own.",
            id="sandbox.E001",
        )
        for name in ("PHYSIODIARY_API_KEY", "SANDBOX_API_KEY")
        if getattr(settings, name) == PUBLIC_API_KEY
    ]


@register(Tags.security, deploy=True)
def served_without_a_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Over HTTP the diary's REMOTE_ADDR check is all but worthless: it needs a key of its own."""
    served = settings.SANDBOX_ENABLED and settings.SANDBOX_HTTP
    if settings.DEBUG or not served or settings.SANDBOX_API_KEY:
        return []
    return [
        Error(
            "The reference diary is served over HTTP (SANDBOX_HTTP) with no SANDBOX_API_KEY.",
            hint="Set SANDBOX_API_KEY to a long random string, or turn SANDBOX_HTTP off: the"
            " site books into the reference diary in-process without it.",
            id="sandbox.E002",
        )
    ]
