"""Patient details at rest: sealed with the key(s) in BOOKING_RECORD_KEY.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`): a sealed value
cannot be read, nor changed unnoticed, without the key. The keys are a list,
the first sealing and every one opening (MultiFernet), so that a key can be
replaced without losing what the old one sealed (docs/deploy.md, "Rotating
the record key").

Nothing here imports Django's settings at load time: the settings call
`development_key` and `check_keys` while they are being read.
"""

from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

#: The one-line recipe a start-up message gives for making a key.
MAKE_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


class NoKey(Exception):
    """No BOOKING_RECORD_KEY is set (production with change links off): nothing can be sealed."""


def development_key(secret_key: str) -> str:
    """A Fernet key derived from the development SECRET_KEY: stable across restarts."""
    digest = hashlib.sha256(b"booking-record-key\x00" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def check_keys(keys: list[str]) -> list[str]:
    """The keys, stripped, or ValueError naming which one is no Fernet key (never its value)."""
    cleaned = [key.strip() for key in keys if key.strip()]
    for position, key in enumerate(cleaned, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ValueError(f"key {position} of {len(cleaned)} is not a Fernet key") from None
    return cleaned


@functools.lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    keys = tuple(settings.BOOKING_RECORD_KEY)
    if not keys:
        raise NoKey("BOOKING_RECORD_KEY is not set")
    return _fernet(keys)


def seal(data: bytes) -> str:
    """`data` encrypted and authenticated with the first key, as ASCII text."""
    return _current().encrypt(data).decode("ascii")


def unseal(token: str) -> bytes | None:
    """What `seal` sealed, or None: changed, not ours, or sealed with a key no longer listed."""
    try:
        return _current().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError, NoKey):
        return None


def reseal(token: str) -> str | None:
    """The same value sealed with the first key (key rotation), or None if it cannot be opened."""
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        return None


def digest(value: str) -> str:
    """The SHA-256 of a random id, hex: what the database keys a record by, never the id."""
    return hashlib.sha256(value.encode()).hexdigest()
