"""What a page waits for before it is drawn: site.css without its comments, and
/theme.css only when it would change something; and booking.js without its own.

bench/bytes.py measures the bytes (each step's first paint at most 14,000, a
whole booking under 25 KB); these tests hold the behaviour that keeps them
down: collectstatic keeps style sheets and scripts without comments, with the
same rules and code, under a name and an integrity of the lean bytes; the
default theme links no second sheet, and any other does.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.template import Context, Template

from booking_site.static_storage import LeanCompressedManifestStorage, lean_css, lean_js
from bookings import theme
from bookings.integrity import sri

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
SITE_CSS = STATIC / "css" / "site.css"
LEAN = "booking_site.static_storage.LeanCompressedManifestStorage"
SHEETS = re.compile(r'<link rel="stylesheet" href="([^"]*)"')


def rules(css: str) -> str:
    """The rules of a style sheet: its comments out, its blank space one space."""
    return re.sub(r"\s+", " ", re.sub(r"/\*.*?\*/", " ", css, flags=re.S)).strip()


# --- Style sheets and scripts without comments ---------------------------------------


def test_a_lean_sheet_keeps_strings_urls_and_licences_as_written():
    css = (
        "/*! Licence: it's MIT */\n"
        "/* Why the next rule is there. */\n"
        '.a::before { content: "/* not a comment */"; }\n'
        "  .b { border: 1px/**/solid; background: url(data:image/svg+xml,%3csvg/*x*/%3e); }\n"
    )

    assert lean_css(css) == (
        "/*! Licence: it's MIT */\n"
        '.a::before { content: "/* not a comment */"; }\n'
        ".b { border: 1px solid; background: url(data:image/svg+xml,%3csvg/*x*/%3e); }\n"
    )


@pytest.fixture
def ours_collected(tmp_path) -> LeanCompressedManifestStorage:
    """Our style sheet and script, collected as production collects them."""
    storage = LeanCompressedManifestStorage(location=tmp_path / "collected", base_url="/static/")
    names = ["css/site.css", "js/booking.js"]
    for name in names:
        with (STATIC / name).open("rb") as source:
            storage.save(name, File(source))
    found = FileSystemStorage(location=STATIC)
    list(storage.post_process({name: (found, name) for name in names}))
    return storage


def served(storage: LeanCompressedManifestStorage, name: str) -> str:
    """The file as browsers get it: WhiteNoise's brotli copy (the gzip one the same)."""
    stored = Path(storage.path(storage.stored_name(name)))
    text = brotli.decompress(Path(f"{stored}.br").read_bytes()).decode()
    assert gzip.decompress(Path(f"{stored}.gz").read_bytes()).decode() == text
    assert stored.read_text() == text
    return text


def test_our_style_sheet_served_lean_has_the_same_rules_and_no_comment(ours_collected):
    source = SITE_CSS.read_text()

    sheet = served(ours_collected, "css/site.css")

    assert "/*" in source and "/*" not in sheet
    assert rules(sheet) == rules(source)
    assert len(sheet.encode()) < 0.8 * len(source.encode())
    assert SITE_CSS.read_text() == source  # the source keeps its comments


def test_our_script_served_lean_has_every_line_of_code_in_order(ours_collected):
    source = (STATIC / "js" / "booking.js").read_text()
    code = [line.strip() for line in source.splitlines() if line.strip()]

    script = served(ours_collected, "js/booking.js")

    assert script.splitlines() == [line for line in code if not line.startswith("//")]
    assert len(script.encode()) < 0.8 * len(source.encode())


def test_a_lean_script_loses_only_whole_lines_of_comment_and_blank_space():
    js = (
        "// Why.\n"
        "/* A block,\n"
        "// whose end is on this line */\n"
        "  if (a) {\n"
        '    b = "//not a comment"; // kept: after code\n'
        "\n"
        "  }\n"
        "//# sourceMappingURL=booking.js.map\n"
    )

    assert lean_js(js) == (
        "/* A block,\n"
        "// whose end is on this line */\n"
        "if (a) {\n"
        'b = "//not a comment"; // kept: after code\n'
        "}\n"
        "//# sourceMappingURL=booking.js.map\n"
    )


@pytest.mark.parametrize(
    "js",
    ["a = `\n  // in a template literal\n`;\n", "a = 'continued \\\n  // in a string';\n"],
)
def test_a_script_whose_line_breaks_may_be_a_strings_own_is_kept_as_written(js):
    assert lean_js(js) == js


@pytest.fixture
def collected(settings, tmp_path):
    """A practice's style sheet, commented, collected as production collects it."""
    folder = tmp_path / "source"
    (folder / "theme").mkdir(parents=True)
    sheet = folder / "theme" / "practice.css"
    sheet.write_text(
        "/* The practice's own surface colour. */\n:root {\n  --surface: #eef4f1;\n}\n"
    )
    settings.STATICFILES_DIRS = [folder]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": LEAN}}
    call_command("collectstatic", interactive=False, verbosity=0)
    return sheet


def test_collectstatic_keeps_the_lean_bytes_under_a_name_and_integrity_of_them(collected):
    stored = staticfiles_storage.stored_name("theme/practice.css")
    served = Path(staticfiles_storage.path(stored)).read_bytes()

    assert served == b":root {\n--surface: #eef4f1;\n}\n"
    # The name's hash is of what is served: a comment changed alone changes no address.
    digest = hashlib.md5(served, usedforsecurity=False).hexdigest()[:12]
    assert stored == f"theme/practice.{digest}.css"
    tag = Template("{% load sri %}{% stylesheet 'theme/practice.css' %}").render(Context())
    assert f'href="/static/{stored}" integrity="{sri(served)}"' in tag
    assert "The practice's own" in collected.read_text()


# --- /theme.css only when it changes something ------------------------------------------


def sheets_of(client) -> list[str]:
    return SHEETS.findall(client.get("/privacy/").content.decode())


@pytest.mark.django_db
def test_the_default_theme_is_site_css_own_first_block_so_pages_link_no_theme_css(client):
    assert theme.current().properties == theme.site_defaults()
    assert sheets_of(client) == ["/static/css/site.css"]
    # Still served, for the console and for templates that link it themselves.
    assert "--brand: #0b5d6b;" in client.get(theme.current().css_url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "setting, value",
    [
        ("THEME_BRAND_COLOUR", "#6a1b9a"),
        ("THEME_ACCENT_COLOUR", "#ffd54f"),
        ("THEME_RADIUS", "12px"),
        ("THEME_FONT_STACK", "Georgia, serif"),
    ],
)
def test_any_theme_setting_of_the_practice_brings_theme_css_after_site_css(
    client, settings, setting, value
):
    setattr(settings, setting, value)

    assert sheets_of(client) == ["/static/css/site.css", theme.current().css_url]


@pytest.mark.django_db
def test_a_site_css_of_other_defaults_gets_theme_css_back(client, settings, tmp_path):
    # A THEME_DIR/static/css/site.css in place of ours, its own colours first.
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_text(":root { --brand: #000000; }\n")
    settings.STATICFILES_DIRS = [tmp_path, *settings.STATICFILES_DIRS]

    assert theme.current().css_needed
    assert sheets_of(client) == ["/static/css/site.css", theme.current().css_url]


@pytest.mark.django_db
def test_in_production_the_collected_site_css_decides(client, settings, tmp_path):
    settings.STATICFILES_DIRS = [ROOT / "static"]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": LEAN}}
    call_command("collectstatic", interactive=False, verbosity=0)

    assert not theme.current().css_needed
    settings.THEME_BRAND_COLOUR = "#6a1b9a"
    assert theme.current().css_needed
