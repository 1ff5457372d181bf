"""Posts from other sites' pages, in Chromium (booking_site/same_origin.py).

As in test_embed.py, the practice's page is served from 127.0.0.2 and the
booking site from localhost, so the booking runs in a cross-site frame; a
stranger's page is served from 127.0.0.3. The browser, not the test, writes
`Origin` and `Sec-Fetch-Site` here.
"""

from __future__ import annotations

import html
import re

import pytest
import requests
from playwright.sync_api import Response, expect

from sandbox.models import Booking

from ..deploy.support import TIMEOUT, DetailsForm, Patient
from . import test_embed
from .test_booking_flow import (
    JOHN,
    ROOM_1,
    Slot,
    book,
    expect_in_diary,
    fill_details,
    pick_first_time,
)
from .test_embed import booking_frame

pytestmark = pytest.mark.browser

# test_embed.py's fixtures: the practice's page framing the booking, and a stranger's.
embedded = test_embed.embedded
practice_site = test_embed.practice_site
stranger_site = test_embed.stranger_site


def is_details_post(response: Response) -> bool:
    return response.request.method == "POST" and "/details/" in response.url


def test_a_booking_in_the_practices_frame_still_books(embedded, site, page):
    page.goto(embedded.url)
    frame = booking_frame(page, site.url)
    frame.get_by_role("radio", name="John", exact=True).click()
    frame.get_by_role("button", name="Continue").click()
    frame.get_by_role("radio", name="Treatment Room 1", exact=True).click()
    frame.get_by_role("button", name="Find a free time").click()
    frame.wait_for_url(re.compile(r"/times/\?"))
    slot, _ = pick_first_time(frame)
    fill_details(frame)

    with page.expect_response(is_details_post) as posted:
        book(frame)

    sent = posted.value.request.all_headers()
    # What the site saw: its own page, though framed by another site's.
    assert (sent["sec-fetch-site"], sent["origin"]) == ("same-origin", site.url)
    assert posted.value.status == 303
    expect(frame.get_by_role("heading", level=1)).to_have_text("Appointment booked")
    expect_in_diary(slot)


def attack(site_url: str, form: DetailsForm) -> str:
    """A stranger's page: a hidden frame, and a form filled in that posts itself into it."""
    fields = "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in form.filled(1).items()
    )
    return (
        '<iframe name="sink" title="nothing" hidden></iframe>'
        f'<form method="post" action="{html.escape(site_url + form.action)}" target="sink">'
        f"{fields}</form><script>document.forms[0].submit()</script>"
    )


def booked_at(slot: Slot) -> bool:
    return Booking.objects.filter(
        practitioner_id=slot.practitioner_id,
        room_id=slot.room_id,
        date=slot.start.date(),
        time=slot.start.time(),
    ).exists()


def test_a_strangers_page_posting_a_booking_into_a_hidden_frame_is_refused(
    site, stranger_site, browser
):
    # The stranger's server fetches a form with its token, as anyone can.
    server = Patient("198.51.100.7")
    free = server.times(site.url, JOHN, ROOM_1)[0]
    form = server.open_details(site.url, server.pick(site.url, free, JOHN, ROOM_1))
    slot = Slot.parse(free)
    stranger_site.snippet = attack(site.url, form)
    # A context of its own: the refused page, framed by no one, makes Chromium
    # report a frame-ancestors refusal, which the `page` fixture counts as a fault.
    context = browser.new_context()
    try:
        visitor = context.new_page()
        with visitor.expect_response(is_details_post) as posted:
            visitor.goto(stranger_site.url)
        sent = posted.value.request.all_headers()
        assert (sent["sec-fetch-site"], sent["origin"]) == ("cross-site", stranger_site.origin)
        assert posted.value.status == 403
    finally:
        context.close()
    assert not booked_at(slot)

    # The very same form, sent by a program (neither header), books: it was
    # refused for where it came from, not for anything in it.
    answer = requests.post(
        site.url + form.action, data=form.filled(1), allow_redirects=False, timeout=TIMEOUT
    )
    assert answer.status_code == 303
    assert booked_at(slot)
