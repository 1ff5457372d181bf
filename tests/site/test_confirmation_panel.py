"""Step 4 as GOV.UK and NHS.UK confirm: a panel first, then "What happens next".

The page and the email take "What happens next" from PRACTICE_WHAT_NEXT, and
step 4 shows no progress: the booking is made, there is no step left.
"""

import re

import pytest
from django.core import mail

from bookings.context_processors import practice

from .wizard_support import WHEN, html, submit


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


def confirmation(client) -> str:
    posted = submit(client, WHEN)
    assert posted.status_code == 303
    return html(client.get(posted["Location"]))


def panel(page: str) -> str:
    found = re.search(r'<div class="panel panel-confirmation">.*?</div>\s*</div>', page, re.S)
    assert found, "no confirmation panel"
    return found[0]


def text(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def test_the_panel_holds_the_pages_one_heading_with_the_time_practitioner_and_room(client, diary):
    page = confirmation(client)
    box = panel(page)
    assert re.search(r"<h1 [^>]*>Appointment booked</h1>", box)
    assert page.count("<h1") == 1
    assert f"{WHEN:%A} {WHEN.day} {WHEN:%B %Y} at 14:15" in text(box)
    assert "with Anna, Treatment Room 2" in text(box)
    # First in the page's content: nothing but the panel before it in <main>.
    main = page[page.index('<main id="main"') :]
    assert main.index('class="panel panel-confirmation"') < main.index("<p")


def test_the_last_page_shows_no_progress(client, diary):
    page = confirmation(client)
    assert "booking-progress" not in page
    assert "Step 4 of 4" not in page
    assert "<title>Appointment booked \u2013 " in page  # no "(step 4 of 4)"


def test_the_other_steps_still_show_their_progress(client, diary):
    page = html(client.get("/"))
    assert "Step 1 of 4" in page
    assert "(step 1 of 4)" in page


def test_the_expired_confirmation_shows_no_progress_either(client, diary):
    page = client.get("/booked/" + "A" * 32 + "/")  # a reference it never made
    assert page.status_code == 404
    assert "booking-progress" not in html(page)
    assert "This confirmation is no longer available" in html(page)


def test_it_says_what_happens_next_in_the_practices_own_paragraphs(client, diary, settings):
    settings.PRACTICE_WHAT_NEXT = "Come 10 minutes early.\n\nBring <shorts>\nand a towel."
    page = confirmation(client)
    section = re.search(r'<section class="what-next".*?</section>', page, re.S)
    assert section, "no What happens next"
    assert "<h2" in section[0] and "What happens next" in section[0]
    paragraphs = re.findall(r"<p>(.*?)</p>", section[0], re.S)
    # Plain text: its markup is escaped, its lines within a paragraph joined.
    assert paragraphs == ["Come 10 minutes early.", "Bring &lt;shorts&gt; and a towel."]


def test_it_leaves_what_happens_next_out_when_the_practice_has_none(client, diary, settings):
    settings.PRACTICE_WHAT_NEXT = ""
    assert "What happens next" not in confirmation(client)


def test_the_default_says_when_to_arrive_what_to_bring_and_how_to_cancel(settings):
    words = " ".join(practice()["practice"]["what_next"])
    assert "arrive 5 minutes early" in words
    assert "loose, comfortable clothing" in words
    assert f"at least 24 hours before, on {settings.PRACTICE_PHONE}" in words


def test_it_keeps_the_details_calendar_links_and_how_to_cancel_below(client, diary):
    page = confirmation(client)
    order = [
        page.index('class="panel panel-confirmation"'),
        page.index("What happens next"),
        page.index("14:15 to 15:00 (45 minutes, UK time)"),
        page.index("Download calendar file (.ics)"),
        page.index("To change or cancel"),
    ]
    assert order == sorted(order)


def test_the_email_says_what_happens_next_too(client, diary, settings):
    settings.BOOKING_CONFIRMATION_EMAIL = True
    settings.PRACTICE_WHAT_NEXT = "Come 10 minutes early.\n\nBring <shorts>."
    confirmation(client)
    (email,) = mail.outbox
    assert "What happens next\n\nCome 10 minutes early.\n\nBring <shorts>.\n\n" in email.body
    assert email.body.index("What happens next") < email.body.index("To change or cancel")
