"""The whole booking in Welsh: a complete catalogue, every page, the email and the calendar file.

Checks on the catalogue (locale/cy/LC_MESSAGES/django.po): every entry
translated and none a guess, every placeholder and tag kept. Checks on the
pages: a Welsh page shows no English sentence of ours, found by English words
no Welsh text has (what the diary or the practice wrote, such as "Treatment
Room 2", is theirs, and has none of them).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import icalendar
import pytest
from babel.messages.pofile import read_po
from django.core import mail
from django.utils import translation

from preview import states as preview_states

from .wizard_support import ANNA, ROOM_2, UNAVAILABLE, WHEN, FakeDiary, details_page, html, submit

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "cy" / "LC_MESSAGES" / "django.po"

#: Words of our English that Welsh sentences never use.
ENGLISH = re.compile(
    r"\b(the|your|you|and|with|please|choose|continue|change|book|booked|booking|appointment"
    r"|available|details|again|next|what|which|who|when|this|that|here|there|for|from"
    r"|have|has|are|is|not|no longer|will|can|cannot|our|we|us|time|times|free|day|days"
    r"|name|phone|email|address|reason|optional|step|back|skip|main|content|open|new)\b",
    re.IGNORECASE,
)
#: Placeholders: Python's named ones (`%(name)s`, also from `{{ name }}` in templates).
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")
TAG = re.compile(r"</?[a-z]+")


def messages():
    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source)
    return catalogue, [message for message in catalogue if message.id]


def forms(message) -> list[tuple[str, str]]:
    """(English, Welsh) pairs of a message: one, or each plural form against its English."""
    if isinstance(message.id, tuple):
        singular, plural = message.id
        return [(singular if i == 0 else plural, text) for i, text in enumerate(message.string)]
    return [(message.id, message.string)]


def test_the_welsh_catalogue_translates_every_string_and_guesses_none():
    _, entries = messages()

    untranslated = [m.id for m in entries if any(not welsh for _, welsh in forms(m))]
    guessed = [m.id for m in entries if m.fuzzy]

    assert len(entries) > 150
    assert untranslated == []
    assert guessed == []


def test_each_welsh_string_keeps_every_placeholder_and_tag_of_its_english():
    _, entries = messages()

    broken = [
        (english, welsh)
        for message in entries
        for english, welsh in forms(message)
        if sorted(PLACEHOLDER.findall(english)) != sorted(PLACEHOLDER.findall(welsh))
        or sorted(TAG.findall(english)) != sorted(TAG.findall(welsh))
    ]

    assert broken == []


def test_the_catalogue_says_it_awaits_a_native_speaker_s_review():
    assert CATALOGUE.read_text().count("X-Review-Status: awaiting native speaker review") == 1


# --- The pages ---------------------------------------------------------------------------


class Text(HTMLParser):
    """What a patient reads or hears: text, and the attributes screen readers speak."""

    SPOKEN = ("alt", "aria-label", "title", "placeholder")
    #: What the patient typed (a field's value, the reason's text) is theirs, in any language.
    TYPED = ("textarea",)

    def __init__(self, page: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", *self.TYPED):
            self._skip += 1
        if attrs.get("lang", "cy") != "cy" or attrs.get("type") == "hidden":
            return  # the English link is rightly in English; hidden values are data
        self.parts += [attrs[name] for name in self.SPOKEN if attrs.get(name)]

    def handle_endtag(self, tag):
        if tag in ("script", "style", *self.TYPED):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def english_in(page) -> list[str]:
    """Text of a page that reads as English, less what the diary and the practice wrote.

    Addresses (web and email) are left out: a URL's path may read as English.
    """
    data = r"Treatment Room \d|Riverside Physiotherapy|12 River Street|https?://\S+|\S+@\S+"
    return [part for part in Text(html(page)).parts if ENGLISH.search(re.sub(data, "", part))]


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


@pytest.fixture
def welsh(bilingual):
    with translation.override("cy"):
        yield bilingual


@pytest.fixture
def welsh_pages(client, diary, welsh):
    booked = submit(client, WHEN)
    assert booked["Location"].startswith("/cy/booked/")
    return {
        "who": client.get("/cy/"),
        "which room": client.get(f"/cy/?staffId={ANNA}"),
        "times": client.get(f"/cy/times/?staffId={ANNA}&sectionId={ROOM_2}"),
        "times, anyone": client.get("/cy/times/"),
        "details": details_page(client, WHEN),
        "details with errors": submit(client, WHEN, email="nope", name=""),
        "booked": client.get(booked["Location"]),
        "privacy": client.get("/cy/privacy/"),
        "accessibility": client.get("/cy/accessibility/"),
        "not found": client.get("/cy/nothing-here/"),
        "bad link": client.get("/cy/times/?date=nonsense"),
    }


def test_every_welsh_page_is_in_welsh(welsh_pages):
    english = {name: english_in(page) for name, page in welsh_pages.items()}

    assert {name: found for name, found in english.items() if found} == {}
    assert all('<html lang="cy"' in html(page) for page in welsh_pages.values())


def test_the_unavailable_page_is_in_welsh(client, diary, welsh):
    diary.answer("staffList", UNAVAILABLE["connection refused"])

    page = details_page(client, WHEN)

    assert page.status_code == 503
    assert english_in(page) == []


def test_the_detection_of_english_works_on_the_english_pages(client, diary, settings):
    # The check above could pass by finding nothing anywhere: it finds plenty here.
    assert len(english_in(details_page(client, WHEN))) > 5


def test_a_welsh_booking_is_confirmed_in_welsh_by_email_and_calendar_file(client, diary, welsh):
    welsh.BOOKING_CONFIRMATION_EMAIL = True
    booked = submit(client, WHEN)

    (email,) = mail.outbox
    calendar = client.get(booked["Location"] + "appointment.ics")

    text = email.subject + "\n" + email.body
    assert not ENGLISH.search(
        re.sub(
            r"Treatment Room \d|Riverside Physiotherapy|12 River Street|https?://\S+|\S+@\S+",
            "",
            text,
        )
    ), text
    event = icalendar.Calendar.from_ical(calendar.content).walk("VEVENT")[0]
    assert not ENGLISH.search(str(event["SUMMARY"]).replace("Riverside Physiotherapy", ""))


def test_the_calendar_file_of_a_welsh_booking_stays_welsh_at_the_english_address(
    client, diary, welsh
):
    booked = submit(client, WHEN)
    english_address = booked["Location"].removeprefix("/cy")

    with translation.override("en-gb"):
        calendar = client.get(english_address + "appointment.ics")

    event = icalendar.Calendar.from_ical(calendar.content).walk("VEVENT")[0]
    assert not ENGLISH.search(str(event["SUMMARY"]).replace("Riverside Physiotherapy", ""))


def test_what_the_patient_typed_goes_to_the_diary_unchanged(client, diary, welsh):
    submit(client, WHEN, name="Siân Llŷr", desc="Poen yn fy mhen-glin ers rhedeg")

    (booking,) = diary.calls("book")
    assert booking["name"] == "Siân Llŷr"
    assert "Poen yn fy mhen-glin ers rhedeg" in booking["desc"]


# --- /preview/ in Welsh: every step and error state ---------------------------------------

STATES = [state.slug for state in preview_states.STATES]


def english_sentences() -> set[str]:
    """Our English sentences, from the catalogue: none may show on a Welsh page."""
    _, entries = messages()
    found = set()
    for message in entries:
        for english in message.id if isinstance(message.id, tuple) else [message.id]:
            plain = re.sub(r"<[^>]+>|%\([a-z_]+\)[sd]", " ", english)
            found |= {" ".join(part.split()) for part in re.split(r"[.:?!]", plain)}
    return {sentence for sentence in found if len(sentence.split()) >= 3}


@pytest.fixture
def welsh_preview(welsh, live_api, reload_urls):
    welsh.DEBUG = True
    reload_urls()
    return FakeDiary(live_api)


@pytest.mark.parametrize("slug", STATES)
def test_every_preview_state_renders_in_welsh_with_none_of_our_english(client, welsh_preview, slug):
    page = client.get(f"/cy/preview/{slug}/")

    assert page.status_code == 200
    # The banner is the designers' own, in English; the page is the patient's.
    body = re.sub(r'<aside class="[^"]*preview-banner.*?</aside>', "", html(page), flags=re.S)
    if slug.startswith("email-practice"):
        # The practice's own emails are in the site's default language (English here),
        # whichever language the patient booked in.
        text = re.search(r"<pre[^>]*>(.*?)</pre>", body, re.S)[1]
        assert "Date:          " in text
        assert "Dydd " not in text
        return
    if slug.startswith("email"):
        # The email shown on a page of the preview's own: its subject and text are the patient's.
        subject = re.findall(r"<dd>(.*?)</dd>", body, re.S)[3]
        text = re.search(r"<pre[^>]*>(.*?)</pre>", body, re.S)[1]
        assert "munud" in text  # the email is there, in Welsh
        body = f"<p>{subject}</p><p>{text}</p>"
    text = " ".join(Text(body).parts)
    assert [sentence for sentence in english_sentences() if sentence in text] == []
    assert english_in(SimpleNamespace(content=body.encode())) == []
