import pytest
from django.core.cache import cache

from bookings.physiodiary import reset_client


@pytest.fixture(autouse=True)
def _fresh_client_and_cache():
    # Each test starts with a client built from its own settings and an empty
    # cache, so no answer leaks from one test into the next.
    reset_client()
    cache.clear()
    yield
    reset_client()
    cache.clear()
