"""The admin is routed where an app puts something in it: the reference diary, where the site
runs on it, and the practice's outbox and change links' counts (bookings/admin.py), everywhere
(booking_site/admin_site.py)."""

import pytest

from ..environment import start_django

LIVE = {
    "PHYSIODIARY_API_URL": "https://diary.example:1234/api/request",
    "PHYSIODIARY_API_KEY": "live-key",
}
ASK = (
    "from django.contrib import admin; from django.test import Client;"
    " print(Client().get('/admin/login/', HTTP_HOST='localhost').status_code);"
    " print(sorted({m._meta.app_label for m in admin.site._registry}))"
)


@pytest.mark.parametrize(
    ("configuration", "apps"),
    [
        pytest.param({}, "['auth', 'bookings', 'sandbox']", id="on the reference diary"),
        pytest.param(LIVE, "['auth', 'bookings']", id="on a live diary"),
    ],
)
def test_the_admin_holds_the_reference_diary_only_where_the_site_runs_on_it(configuration, apps):
    started = start_django(code=ASK, DJANGO_DEBUG="true", **configuration)

    assert started.returncode == 0, started.stderr
    status, registered = started.stdout.strip().splitlines()[-2:]
    assert (status, registered) == ("200", apps)
