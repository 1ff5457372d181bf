"""Change or cancel from the confirmation, end to end: Chromium, the live server, and the
reference diary over real HTTP, at a phone's and a desktop's size, axe on every new page.

Screenshots land in test-artifacts/ as change-<device>-<page>.png.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from bookings import changes
from sandbox.models import Booking

from .conftest import DESKTOP, PHONE
from .test_booking_flow import (
    PATIENT,
    book,
    expect_in_diary,
    fill_details,
    pick_first_time,
    press,
)

pytestmark = pytest.mark.browser

DEVICES = {"phone": PHONE, "desktop": DESKTOP}
#: John's free times in Treatment Room 1.
TIMES = "/times/?staffId=42228&sectionId=7322"


def booked(page: Page, site, *, touch: bool):
    """Book John's first free time; its slot, on the confirmation page."""
    page.goto(site.url + TIMES)
    slot, _ = pick_first_time(page, touch=touch)
    fill_details(page)
    book(page, touch=touch)
    return slot


def to_practice() -> list:
    return [message for message in mail.outbox if message.to == [settings.PRACTICE_NOTIFY_EMAIL]]


def look(page: Page, axe, screenshot, name: str) -> None:
    screenshot(name, page)
    axe(page, name)
    # Nothing wider than the screen, on a phone too.
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("device", DEVICES)
def test_cancel_from_the_confirmation(site, new_page, screenshot, axe, device):
    page, touch = new_page(**DEVICES[device]), device == "phone"
    slot = booked(page, site, touch=touch)
    mail.outbox.clear()

    press(page.get_by_role("link", name="Change or cancel"), touch=touch)
    page.wait_for_url(re.compile(r"/change/[^/]{43}/$"))
    link = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Change or cancel your appointment")
    expect(page.get_by_role("region", name="Your appointment")).to_contain_text(slot.day)
    look(page, axe, screenshot, f"change-{device}-1-choices")

    press(page.get_by_role("link", name="Cancel the appointment"), touch=touch)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to cancel this appointment?"
    )
    look(page, axe, screenshot, f"change-{device}-2-cancel")

    press(page.get_by_role("button", name="Cancel the appointment"), touch=touch)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancellation requested")
    expect(page.get_by_text("We have emailed you a copy of this.")).to_be_visible()
    look(page, axe, screenshot, f"change-{device}-3-cancelled")
    (request,) = to_practice()
    assert request.subject.startswith("Cancel request: ")
    assert PATIENT["Full name"] in request.body

    # Back, and the button pressed again: nothing more is sent.
    page.go_back()
    if page.get_by_role("button", name="Cancel the appointment").count():
        press(page.get_by_role("button", name="Cancel the appointment"), touch=touch)
    page.goto(link)
    expect(page.get_by_text("You asked to cancel this appointment on")).to_be_visible()
    look(page, axe, screenshot, f"change-{device}-4-asked-already")
    assert len(to_practice()) == 1
    expect_in_diary(slot)  # the practice removes it: the API cannot


@pytest.mark.parametrize("device", DEVICES)
def test_move_from_the_confirmation(site, new_page, screenshot, axe, device):
    page, touch = new_page(**DEVICES[device]), device == "phone"
    old = booked(page, site, touch=touch)
    mail.outbox.clear()
    press(page.get_by_role("link", name="Change or cancel"), touch=touch)
    page.wait_for_url(re.compile(r"/change/[^/]{43}/$"))
    link = page.url

    press(page.get_by_role("link", name="Move to another time"), touch=touch)
    expect(page.get_by_role("status").filter(has_text="Moving your appointment")).to_be_visible()
    look(page, axe, screenshot, f"change-{device}-5-move-times")

    new, _ = pick_first_time(page, touch=touch)
    assert new != old  # the old time is booked: not offered
    expect(page.get_by_role("textbox", name="Full name", exact=True)).to_have_value(
        PATIENT["Full name"]
    )
    expect(
        page.get_by_role("textbox", name="Reason for your visit (optional)", exact=True)
    ).to_have_value("")
    look(page, axe, screenshot, f"change-{device}-6-move-details")

    book(page, touch=touch)
    expect(page.get_by_role("heading", level=1)).to_have_text("Appointment booked")
    expect_in_diary(new, {**PATIENT, "Reason for your visit (optional)": ""})
    assert Booking.objects.filter(name=PATIENT["Full name"]).count() == 2  # the practice removes
    (request,) = to_practice()
    assert request.subject.startswith("Move request: ")
    expect(page.get_by_role("link", name="Change or cancel")).to_have_attribute(
        "href", re.compile(r"/change/[^/]{43}/$")
    )

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment has been moved")
    look(page, axe, screenshot, f"change-{device}-7-moved")


@pytest.mark.parametrize("device", DEVICES)
def test_a_link_that_does_not_work_or_has_started_says_so(site, new_page, screenshot, axe, device):
    page = new_page(**DEVICES[device])

    response = page.goto(f"{site.url}/change/{'A' * 43}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    look(page, axe, screenshot, f"change-{device}-not-found")

    started = kept_started()
    response = page.goto(f"{site.url}/change/{started}/")
    assert response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("This appointment has started")
    look(page, axe, screenshot, f"change-{device}-started")


def kept_started() -> str:
    """A link whose appointment began ten minutes ago (the wizard books none so soon)."""
    start = timezone.localtime() - dt.timedelta(minutes=10)
    appointment = changes.Appointment(
        practitioner_id=42228,
        practitioner_name="John",
        room_id=7322,
        room_name="Treatment Room 1",
        start=start,
        duration_minutes=45,
        name=PATIENT["Full name"],
        phone=PATIENT["Phone number"],
        email=PATIENT["Email address"],
        language="en-gb",
    )
    return changes.keep(appointment, confirmation="started-" + start.isoformat())
