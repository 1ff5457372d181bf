"""The admin is routed only where the reference diary puts something in it: a site
started afresh on a live diary has no /admin/ at all (booking_site/admin_site.py)."""

import pytest

from ..environment import start_django

LIVE = {
    "PHYSIODIARY_API_URL": "https://diary.example:1234/api/request",
    "PHYSIODIARY_API_KEY": "live-key",
}
ASK = (
    "from django.test import Client;"
    " print(Client().get('/admin/login/', HTTP_HOST='localhost').status_code)"
)


@pytest.mark.parametrize(
    ("configuration", "status"),
    [
        pytest.param({}, "200", id="on the reference diary"),
        pytest.param(LIVE, "404", id="on a live diary"),
    ],
)
def test_the_admin_sign_in_page_exists_only_on_the_reference_diary(configuration, status):
    started = start_django(code=ASK, DJANGO_DEBUG="true", **configuration)

    assert started.returncode == 0, started.stderr
    assert started.stdout.strip().splitlines()[-1] == status
