import json

import pytest
from django.urls import reverse

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
