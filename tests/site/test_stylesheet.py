"""Our one style sheet, static/css/site.css: it styles every class our pages use,
every class the designers' guide offers, and little else; and nothing comes before it.

A class "styles" when a selector of site.css names it. The classes a page uses are
read three ways: from the templates as written (every branch of every `{% if %}`),
from what crispy-bootstrap5 draws for our forms, and from the pages as served (the
real steps and every /preview/ state).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from crispy_forms.utils import render_crispy_form
from django.contrib.staticfiles import finders
from django.http import QueryDict

from bookings.forms import DetailsForm
from preview import states

from .wizard_support import WHEN, html

ROOT = Path(__file__).resolve().parents[2]
SITE_CSS = ROOT / "static" / "css" / "site.css"
DESIGNERS = ROOT / "docs" / "designers.md"

#: Classes on our pages that no rule styles, on purpose, and why.
HOOKS = {
    # crispy-forms marks each field with its widget and a required label: no look of their own.
    "textinput": "crispy-forms: a text field",
    "emailinput": "crispy-forms: an email field",
    "textarea": "crispy-forms: a textarea",
    "requiredField": "crispy-forms: a required field's label (we show no asterisk)",
    "alert-block": "crispy-bootstrap5's form errors: a Bootstrap 2 name; .alert draws the box",
    # Names for the parts of a page, found by tests, scripts and designers' rules.
    "question": "step 1: the one question",
    "question-radios": "step 1: the options",
    "part-of-day": "step 2: morning, afternoon or evening",
    "details-form": "step 3: the form, named by its Try again button",
    "appointment-summary": "step 3: what is being booked",
    "privacy-notice": "step 3: where the details go (a .notice)",
    "confirmation": "step 4: what the diary confirmed",
    "confirmation-emailed": "step 4: that an email was sent",
    "change-or-cancel": "step 4: how to change or cancel",
    "contact-practice": "the practice's phone and email, wherever booking cannot help",
    "opening-hours": "when the practice answers the phone",
    "footer-links": "the footer's Privacy and Accessibility statement links (a .list-inline)",
    # The preview's banner and index: development only, drawn with .alert and plain lists.
    "preview-banner": "/preview/: the banner",
    "preview-drawn": "/preview/: which template drew the page",
    "preview-email": "/preview/: the email as text",
    "preview-states": "/preview/: the index's list",
}


class _Classes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "class" and value:
                self.found.update(value.split())


def classes_in_html(page: str) -> set[str]:
    parser = _Classes()
    parser.feed(page)
    return parser.found


def styled_classes(css: str) -> set[str]:
    """Every class a selector of `css` names (declarations and comments left out)."""
    css = re.sub(r"/\*.*?\*/", " ", css, flags=re.S)
    selectors = re.sub(r"\{[^{}]*\}", " ", css)  # each rule's block, inside @media too
    return set(re.findall(r"\.(-?[_a-zA-Z][\w-]*)", selectors))


def classes_in_templates() -> dict[str, set[str]]:
    """Every class written in templates/, whatever branch of a tag it sits in; by class."""
    used: dict[str, set[str]] = {}
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text()
        text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", text, flags=re.S)
        # A tag's own words (`{% if day.shown %}`, `{{ wrapper_class }}`) are no class:
        # the words between tags are, in every branch.
        text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", " ", text, flags=re.S)
        for value in re.findall(r'\sclass="([^"]*)"', text):
            for name in value.split():
                used.setdefault(name, set()).add(str(template.relative_to(ROOT)))
    return used


def classes_in_script() -> set[str]:
    script = (ROOT / "static" / "js" / "booking.js").read_text()
    found = re.findall(r'className\s*=\s*"([^"]*)"|classList\.add\("([^"]*)"\)', script)
    return {name for pair in found for value in pair for name in value.split()}


def offered_to_designers() -> set[str]:
    """The classes docs/designers.md lists under "Classes you may use"."""
    text = DESIGNERS.read_text()
    section = text.split("### Classes you may use", 1)[1].split("\n## ", 1)[0]
    # The tables' first column; the prose around them names classes that are not there.
    firsts = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `.")]
    return set(re.findall(r"`\.([\w-]+)`", "".join(firsts)))


def crispy_drawn() -> set[str]:
    """What crispy-bootstrap5 draws for the details form: blank, with field errors, with a
    form error. (Step 1's radios are drawn by choose.html, not by crispy.)"""
    wrong = DetailsForm(QueryDict("name=&phone=x&email=nope&desc="))
    wrong.is_valid()
    refused = DetailsForm(QueryDict("name=Ada&phone=01632+960+001&email=ada@example.com"))
    refused.is_valid()
    refused.add_error(None, "This form has expired.")
    forms = [DetailsForm(), wrong, refused]
    return set().union(*(classes_in_html(render_crispy_form(form)) for form in forms))


@pytest.fixture(scope="module")
def styled() -> set[str]:
    return styled_classes(SITE_CSS.read_text())


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


@pytest.fixture
def every_page(client, patient_pages, settings, reload_urls) -> dict[str, str]:
    """The real steps and error pages, then every /preview/ state (DEBUG on, for its routes)."""
    pages = {name: html(page) for name, page in patient_pages.items()}
    settings.DEBUG = True
    reload_urls()
    for state in states.STATES:
        pages[f"preview {state.slug}"] = html(client.get(f"/preview/{state.slug}/"))
    pages["preview index"] = html(client.get("/preview/"))
    return pages


def unstyled(names: set[str], styled: set[str]) -> list[str]:
    return sorted(names - styled - set(HOOKS))


def test_every_class_the_designers_guide_offers_is_in_the_style_sheet(styled):
    offered = offered_to_designers()

    assert len(offered) > 30  # the section is there and read
    assert sorted(offered - styled) == []


def test_every_class_in_our_templates_is_styled_or_a_named_hook(styled):
    used = classes_in_templates()

    assert {"btn", "form-group-error", "free-days-shown"} <= set(used)  # every branch is read
    assert {name: sorted(used[name]) for name in unstyled(set(used), styled)} == {}


def test_every_class_crispy_draws_for_our_forms_is_styled_or_a_named_hook(styled):
    drawn = crispy_drawn()

    assert {"form-control", "is-invalid", "invalid-feedback", "alert-danger"} <= drawn
    assert unstyled(drawn, styled) == []


def test_every_class_the_script_adds_is_styled(styled):
    added = classes_in_script()

    assert "btn-outline-primary" in added
    assert unstyled(added, styled) == []


def test_every_class_on_every_page_is_styled_or_a_named_hook(every_page, styled):
    missing = {
        name: unstyled(classes_in_html(page), styled)
        for name, page in every_page.items()
        if unstyled(classes_in_html(page), styled)
    }

    assert len(every_page) > 40
    assert missing == {}


def test_the_style_sheet_styles_only_what_is_used_or_offered(styled):
    # Kept small: a rule for a class nothing draws is a rule no patient needs.
    used = set(classes_in_templates()) | crispy_drawn() | classes_in_script()

    assert sorted(styled - used - offered_to_designers()) == []


def test_every_hook_is_still_used_and_styles_nothing(styled):
    used = set(classes_in_templates()) | crispy_drawn()

    assert sorted(set(HOOKS) - used) == []
    assert sorted(set(HOOKS) & styled) == []


def test_the_style_sheet_loads_nothing_from_anywhere(styled):
    css = re.sub(r"/\*.*?\*/", " ", SITE_CSS.read_text(), flags=re.S)

    assert "@import" not in css
    assert "@font-face" not in css  # the system's fonts: nothing to fetch
    assert all(url.startswith("data:") for url in re.findall(r"url\(\s*[\"']?([^\"')]*)", css))


def test_no_page_loads_a_style_sheet_before_ours(every_page):
    for name, page in every_page.items():
        sheets = re.findall(r'<link rel="stylesheet" href="([^"]*)"', page)
        assert sheets[:1] == ["/static/css/site.css"], name
        # The default theme is site.css's own first block: no /theme.css to wait for.
        assert not [sheet for sheet in sheets if sheet.startswith("/theme.css")], name


def test_bootstrap_is_no_longer_among_the_static_files():
    assert finders.find("bootstrap/css/bootstrap.min.css") is None
