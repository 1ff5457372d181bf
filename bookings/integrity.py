"""Subresource Integrity: the `integrity="sha384-…"` of our own pages' style sheets and scripts.

A browser refuses a style sheet or script whose bytes do not hash to the
value its tag names, so whatever alters a file between us and the patient
(a CDN, a proxy, a tampered disk) cannot put script into a booking page.
The hash is of the file actually served: the collected file under its
hashed name in production (what WhiteNoise sends), the source file in
development (what runserver and the test server send). Templates use it
through the `sri` tags (bookings/templatetags/sri.py).

Never in the snippet practices paste (docs/designers.md): /embed.js keeps one
address across releases, and a hash in their pages would break them at our
next change of it.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache, lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.signals import setting_changed


def sri(body: bytes) -> str:
    """The integrity value of `body`: sha384, as browsers all support and the spec prefers."""
    return "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode("ascii")


def static_integrity(name: str) -> str:
    """The integrity value of the static file `name` (e.g. "css/site.css"), as served.

    Raises ValueError when there is no such file, as `{% static %}` does in
    production for a file missing from the manifest.
    """
    # (A LazyObject answers isinstance() for the storage it stands for.)
    if isinstance(staticfiles_storage, ManifestFilesMixin):
        # Collected files never change under their hashed names: once per process.
        return _collected(name)
    source = _source(name)
    # A developer's edit shows at the next page: the file's mtime is part of the key.
    return _hashed_file(source, source.stat().st_mtime_ns)


def served_path(name: str) -> Path:
    """The file behind the static file `name` as served: collected, or the source in development.

    Raises ValueError when there is no such file, as `static_integrity` does.
    """
    if isinstance(staticfiles_storage, ManifestFilesMixin):
        return Path(staticfiles_storage.path(staticfiles_storage.stored_name(name)))
    return _source(name)


@cache
def _collected(name: str) -> str:
    stored = staticfiles_storage.stored_name(name)  # ValueError when not in the manifest
    return _hashed_file(Path(staticfiles_storage.path(stored)), 0)


def _source(name: str) -> Path:
    found = finders.find(name)
    if not found:
        raise ValueError(f"{name!r} is not among the static files")
    return Path(found)


@lru_cache(maxsize=256)
def _hashed_file(path: Path, version: int) -> str:
    return sri(path.read_bytes())


def _forget(*, setting: str, **kwargs: object) -> None:
    # Tests change where static files come from; their hashes go with them.
    if setting in {"STORAGES", "STATIC_ROOT", "STATICFILES_DIRS", "STATIC_URL"}:
        _collected.cache_clear()
        _hashed_file.cache_clear()


setting_changed.connect(_forget, dispatch_uid="bookings-integrity")
