"""Subresource Integrity: each style sheet and script of our pages names the hash of its file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.template import Context, Template

from bookings import theme
from bookings.integrity import sri, static_integrity

from .wizard_support import WHEN, html

ROOT = Path(__file__).resolve().parents[2]
TAGS = re.compile(r"<link[^>]*rel=\"stylesheet\"[^>]*>|<script[^>]*>")


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


@pytest.fixture
def pages(patient_pages):
    return patient_pages


def attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\s{name}="([^"]*)"', tag)
    return found[1] if found else None


def served(client, url: str) -> bytes:
    """The bytes behind `url`. The test client serves no static file: runserver's finder would."""
    if url.startswith("/static/"):
        return Path(finders.find(url.removeprefix("/static/"))).read_bytes()
    return client.get(url).content


def test_every_style_sheet_and_script_names_the_hash_of_what_is_served(client, pages):
    for name, page in pages.items():
        tags = TAGS.findall(html(page))
        assert len(tags) == 2, name  # site.css, booking.js (the default theme needs no /theme.css)
        for tag in tags:
            url = attribute(tag, "href") or attribute(tag, "src")
            assert attribute(tag, "integrity") == sri(served(client, url)), (name, tag)


def test_the_theme_sheets_hash_is_of_the_bytes_its_view_sends(client, diary, settings):
    settings.THEME_BRAND_COLOUR = "#6a1b9a"
    settings.THEME_FONT_STACK = '"Atkinson Hyperlegible", Arial, sans-serif'

    sheet = client.get(theme.current().css_url)

    assert sri(sheet.content) == theme.current().integrity
    assert f'integrity="{theme.current().integrity}"' in html(client.get("/"))


def test_the_hash_is_sha384_in_base64_as_browsers_read_it():
    # The example of the W3C recommendation: alert('Hello, world.');
    body = b"alert('Hello, world.');"
    assert sri(body) == "sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO"


@pytest.fixture
def own_static(settings, tmp_path):
    """A folder of static files of the test's own, the only one looked in."""
    folder = tmp_path / "source"
    (folder / "css").mkdir(parents=True)
    (folder / "img").mkdir()
    (folder / "img" / "tick.svg").write_text("<svg/>")
    settings.STATICFILES_DIRS = [folder]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    return folder


def render(text: str) -> str:
    return Template("{% load sri %}" + text).render(Context())


def test_in_development_an_edited_file_gets_its_new_hash_at_the_next_page(own_static):
    sheet = own_static / "css" / "practice.css"
    sheet.write_text("body { color: #111; }")
    first = render("{% stylesheet 'css/practice.css' %}")
    assert first == (
        '<link rel="stylesheet" href="/static/css/practice.css"'
        f' integrity="{sri(b"body { color: #111; }")}">'
    )

    sheet.write_text("body { color: #222; }")
    stat = sheet.stat()
    os.utime(sheet, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a later edit

    assert sri(b"body { color: #222; }") in render("{% stylesheet 'css/practice.css' %}")


def test_in_production_the_hash_is_of_the_collected_file_under_its_hashed_name(
    own_static, settings, tmp_path
):
    # Collecting rewrites a style sheet's url(...) to hashed names: other
    # bytes than the source file's, and the ones WhiteNoise sends.
    (own_static / "css" / "practice.css").write_text('a { background: url("../img/tick.svg"); }')
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    tag = render("{% stylesheet 'css/practice.css' %}")

    href = attribute(tag, "href")
    assert re.fullmatch(r"/static/css/practice\.[0-9a-f]{12}\.css", href)
    collected = (settings.STATIC_ROOT / href.removeprefix("/static/")).read_bytes()
    assert b"tick." in collected and collected != (own_static / "css/practice.css").read_bytes()
    assert attribute(tag, "integrity") == sri(collected)


def test_a_script_is_deferred_and_carries_its_hash(own_static):
    (own_static / "practice.js").write_text("document.documentElement.dataset.ok = 1;")

    tag = render("{% script 'practice.js' %}")

    digest = sri(b"document.documentElement.dataset.ok = 1;")
    assert tag == f'<script src="/static/practice.js" integrity="{digest}" defer></script>'
    assert render("{% integrity 'practice.js' %}") == digest


def test_a_file_that_is_not_there_is_named_rather_than_given_no_hash(own_static):
    with pytest.raises(ValueError, match=r"'css/missing\.css' is not among the static files"):
        static_integrity("css/missing.css")


def test_the_snippet_practices_paste_has_no_hash_so_a_new_embed_js_cannot_break_their_pages():
    guide = (ROOT / "docs" / "designers.md").read_text()
    snippet = guide[guide.index("## 7. Embedding") :].split("```html", 1)[1].split("```", 1)[0]
    (script,) = re.findall(r"<script[^>]*>", snippet)
    assert "/embed.js" in script
    assert "integrity" not in snippet
