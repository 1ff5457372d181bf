"""The security headers and Subresource Integrity as production serves them: gunicorn, WhiteNoise,
collected (hashed, compressed) static files.

What the quick tier cannot see: static files answered by WhiteNoise before
Django's middleware, and style sheets whose collected bytes differ from
their source (collectstatic rewrites their url(...) and source map names).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bookings.integrity import sri

from .services import Prepared, gunicorn, redis_server, running

PRACTICE_SITE = "https://www.riverside-physio.example"
TAGS = re.compile(r"<link[^>]*rel=\"stylesheet\"[^>]*>|<script[^>]*>")


@pytest.fixture(scope="module")
def site(prepared: Prepared, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site in production on the reference diary (in-process): its base URL."""
    folder: Path = tmp_path_factory.mktemp("security-headers")
    with redis_server(folder) as cache_url:
        env = prepared.production(
            prepared.copy_database(folder),
            SANDBOX_ENABLED="true",
            PHYSIODIARY_API_URL="",
            CACHE_URL=cache_url,
            EMBED_ALLOWED_ORIGINS=PRACTICE_SITE,
        )
        server = gunicorn("site", env, folder, workers=1)
        with running(server.process):
            server.wait_until_up()
            yield server.base


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False  # no proxy between us and our own server
        yield session


def attribute(tag: str, name: str) -> str:
    found = re.search(rf'\s{name}="([^"]*)"', tag)
    assert found, (tag, name)
    return found[1]


def test_each_style_sheet_and_script_names_the_hash_of_the_bytes_served(site, http):
    page = http.get(site + "/")
    assert page.status_code == 200
    tags = TAGS.findall(page.text)
    assert len(tags) == 2  # site.css, booking.js: the default theme needs no /theme.css

    for tag in tags:
        url = attribute(tag, "href") if tag.startswith("<link") else attribute(tag, "src")
        # Collected under hashed names, or the theme's sheet at its versioned address.
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$|^/theme\.css\?v=", url), url
        served = http.get(site + url, headers={"Accept-Encoding": "gzip"})
        assert served.status_code == 200, url
        assert attribute(tag, "integrity") == sri(served.content), url


def test_static_files_answered_before_the_middleware_are_for_our_pages_only(site, http):
    (url,) = re.findall(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', http.get(site + "/").text)

    served = http.get(site + url)

    assert "immutable" in served.headers["Cache-Control"]  # WhiteNoise's answer
    assert served.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "Access-Control-Allow-Origin" not in served.headers
    # Collected without its comments (booking_site/static_storage.py), hash and all.
    assert "/*" not in served.text and ".btn" in served.text


def test_every_page_loads_only_what_its_policy_names_from_this_site(site, http):
    for path in ("/", "/nothing-here/", "/healthz", "/theme.css"):
        answer = http.get(site + path)
        assert answer.headers["Cross-Origin-Resource-Policy"] == "same-origin", path
    policy = http.get(site + "/").headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    # Framed by the practice's own site all the same: CORP does not govern framing.
    assert f"frame-ancestors {PRACTICE_SITE}" in policy


def test_embed_js_alone_may_be_loaded_by_the_practices_pages(site, http):
    script = http.get(site + "/embed.js")

    assert script.status_code == 200
    assert script.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
