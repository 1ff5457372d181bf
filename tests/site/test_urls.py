import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from bookings.client import get_client
from sandbox.transport import IN_PROCESS_ORIGIN

# `reload_urls` is in conftest.py, shared with test_preview.py.

#: Taken while the reference diary is routed: on a live site it has no URL to reverse.
REFERENCE_DIARY_API = reverse("sandbox:api-request")


def post_to_reference_diary(client, key):
    return client.post(
        REFERENCE_DIARY_API,
        data=json.dumps({"action": "staffList", "apiKey": key}),
        content_type="application/json",
    )


@pytest.mark.django_db
def test_it_serves_the_reference_diary_when_the_site_runs_on_it(client, settings):
    assert settings.SANDBOX_ENABLED
    answer = post_to_reference_diary(client, settings.SANDBOX_API_KEY)
    assert answer.status_code == 200
    assert "staff" in answer.json()


@pytest.mark.django_db
def test_it_has_no_reference_diary_on_a_live_site(client, settings, reload_urls):
    settings.SANDBOX_ENABLED = False
    reload_urls()
    assert post_to_reference_diary(client, settings.SANDBOX_API_KEY).status_code == 404


@pytest.mark.django_db
def test_in_process_the_reference_diary_has_no_http_route_yet_still_books(
    client, settings, reload_urls
):
    settings.SANDBOX_HTTP = False  # the default: only the end-to-end tests and benchmarks set it
    reload_urls()
    # Not even from 127.0.0.1 with the right key, as a proxy on the same host would send it.
    assert post_to_reference_diary(client, settings.SANDBOX_API_KEY).status_code == 404
    # The site itself still reads and books in-process, at the same path.
    call_command("seed_demo_diary")
    client_of_the_site = get_client()
    assert client_of_the_site.url == IN_PROCESS_ORIGIN + REFERENCE_DIARY_API
    assert client_of_the_site.practitioners()
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_reference_diary_with_no_key_answers_no_key(client, settings):
    settings.SANDBOX_API_KEY = ""  # production's, beside a live diary
    assert post_to_reference_diary(client, "reference-diary-key").status_code == 404
    assert "staff" not in post_to_reference_diary(client, "").json()  # an API error instead
