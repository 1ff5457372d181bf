"""Fixtures for the client's own tests, which need no Django.

The `physiodiary` package stands apart from the site, and so do these tests:
they fake the HTTP boundary with `responses` and build clients by hand. They
run within the whole suite, and on their own without Django at all:

    .venv/bin/pytest tests/physiodiary -p no:django

The site-wide fixtures of tests/conftest.py that reset the site's client and
cache, and change its settings, are replaced here by ones that do nothing.
"""

from __future__ import annotations

import pytest

from ..client.support import client, mocked, sleeps  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _fresh_client_and_cache() -> None:
    """No site's client or cache is in play here."""


@pytest.fixture(autouse=True)
def _abuse_guards_off() -> None:
    """No site's settings are in play here."""
