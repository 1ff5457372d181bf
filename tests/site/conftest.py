"""What the site's tests share: the practice's diary faked at the live URL, and
what the site keeps in the cache. `live_api` itself is in tests/conftest.py."""

from __future__ import annotations

import importlib
import pickle

import pytest
from django.core.cache import caches
from django.urls import clear_url_caches

from .wizard_support import ANNA, ROOM_2, WHEN, FakeDiary, details_page, submit


@pytest.fixture
def diary(live_api, db):
    """The practice's diary at the live URL (wizard_support.FakeDiary), and the site's
    database, where a booking keeps its change or cancel link (bookings/changes.py).

    John and Anna, Treatment Rooms 1 and 2, and no free time: a module that
    needs one offers it by extending this fixture, in view of its tests:

        @pytest.fixture
        def diary(diary):
            diary.add_free(WHEN)
            return diary
    """
    return FakeDiary(live_api)


@pytest.fixture
def cached(monkeypatch):
    """`cached()`: what the site has written to the cache and is still there,
    `{key: value}`, each value pickled as the cache backends store it.

    Keys are recorded as they are written (`set`, `add`, `set_many`, from the
    fixture's set-up on), then read back with `get_many`: the cache's public
    API, so this holds on any backend, not only the local memory one. The spy
    is on this thread's cache, where the test client's requests run. Ask for
    it before the fixtures whose writes should be seen.
    """
    cache = caches["default"]
    written: dict[str, None] = {}  # in order, once each

    def record(name, keys_of):
        original = getattr(cache, name)

        def spy(*args, **kwargs):
            written.update(dict.fromkeys(keys_of(*args, **kwargs)))
            return original(*args, **kwargs)

        monkeypatch.setattr(cache, name, spy)

    record("set", lambda key, *args, **kwargs: [key])
    record("add", lambda key, *args, **kwargs: [key])
    record("set_many", lambda data, *args, **kwargs: list(data))

    def read() -> dict[str, bytes]:
        kept = cache.get_many(list(written))
        return {key: pickle.dumps(value, pickle.HIGHEST_PROTOCOL) for key, value in kept.items()}

    return read


#: The settings booking_site/urls.py reads when it is imported.
_URL_SETTINGS = ("DEBUG", "SANDBOX_ENABLED", "SANDBOX_HTTP", "CONSOLE_PATH")


@pytest.fixture
def reload_urls(settings):
    """`reload_urls()`: rebuild the URL patterns under the test's settings.

    booking_site/urls.py routes /sandbox/ only with SANDBOX_ENABLED and
    SANDBOX_HTTP, /preview/ only with DEBUG, and the console at CONSOLE_PATH,
    read once, when it is imported; a test that changes one calls this after. Afterwards the
    patterns are rebuilt under the settings as they were before the test, so
    the other tests see the site's routes as the suite runs it (DEBUG off:
    no /preview/).
    """
    before = {name: getattr(settings, name) for name in _URL_SETTINGS}

    def reload():
        clear_url_caches()
        importlib.reload(importlib.import_module("booking_site.urls"))

    yield reload
    # Before the `settings` fixture undoes the test's changes: restore them here.
    for name, value in before.items():
        setattr(settings, name, value)
    reload()


@pytest.fixture
def patient_pages(client, diary):
    """One of each page a patient sees, and the error pages, as the site serves them.

    Needs WHEN free: the files that use it offer it in their own `diary`."""
    booked = submit(client, WHEN)
    return {
        "choose": client.get("/"),
        "times": client.get(f"/times/?staffId={ANNA}&sectionId={ROOM_2}"),
        "details": details_page(client, WHEN),
        "details with errors": submit(client, WHEN, email="nope"),
        "booked": client.get(booked["Location"]),
        "not found": client.get("/nothing-here/"),
        "bad link": client.get("/times/?date=nonsense"),
    }
