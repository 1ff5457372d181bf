"""The booking wizard end to end in a real browser: choose, times, details, booked.

Each test drives Debian's Chromium against the live server, which talks to its
own reference diary over HTTP. Locators are by role and label wherever they
can be, so finding an element is also a check that it is named for assistive
technology; axe-core checks each page as the patient sees it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from sandbox.models import Booking

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

JOHN, ANNA = 42228, 42230
ROOM_1, ROOM_2 = 7322, 7323
PATIENT = {
    "Full name": "Ada Lovelace",
    "Phone number": "01632 960 001",
    "Email address": "ada@example.com",
    "Reason for your visit (optional)": "Sore knee after running",
}


@dataclass(frozen=True)
class Slot:
    """A free time as its radio button's value says: `YYYYMMDD-HHMM-staffId-sectionId`."""

    start: dt.datetime
    practitioner_id: int
    room_id: int

    @classmethod
    def parse(cls, value: str) -> Slot:
        day, moment, practitioner, room = value.split("-")
        start = dt.datetime.strptime(day + moment, "%Y%m%d%H%M")
        return cls(
            start.replace(tzinfo=timezone.get_default_timezone()), int(practitioner), int(room)
        )

    @property
    def day(self) -> str:
        """As the pages write a date: "Friday 27 November 2026"."""
        return f"{self.start:%A} {self.start.day} {self.start:%B %Y}"

    @property
    def hhmm(self) -> str:
        return f"{self.start:%H:%M}"


def press(locator: Locator, *, touch: bool = False) -> None:
    """Click, or tap as a finger would on a phone."""
    locator.tap() if touch else locator.click()


def choose(
    page: Page,
    site,
    practitioner: str | None = None,
    room: str | None = None,
    *,
    touch: bool = False,
    before=None,
) -> None:
    """Step 1: open the start page, answer "who" and then "which room", and go on
    to the free times ("any" where no name is given)."""
    page.goto(f"{site.url}/")
    for name, question in ((practitioner, "Who would you like to see?"), (room, "Which room?")):
        expect(page.get_by_role("group", name=question)).to_be_visible()
        if name:
            press(page.get_by_role("radio", name=name, exact=True), touch=touch)
            expect(page.get_by_role("radio", name=name, exact=True)).to_be_checked()
        if before:
            before()  # on each question's page
        button = "Continue" if question.startswith("Who") else "Find a free time"
        press(page.get_by_role("button", name=button), touch=touch)
    page.wait_for_url(re.compile(r"/times/\?"))


def pick_first_time(page: Page, *, touch: bool = False, before=None) -> tuple[Slot, str]:
    """Step 2: choose the first free time (always bookable) and continue."""
    first = page.get_by_role("radio").first
    slot = Slot.parse(first.get_attribute("value"))
    label = page.locator(f"label[for='{first.get_attribute('id')}']").inner_text()
    press(first, touch=touch)
    expect(first).to_be_checked()
    if before:
        before()
    press(page.get_by_role("button", name="Continue"), touch=touch)
    page.wait_for_url(re.compile(r"/details/\?"))
    return slot, label


def field(page: Page, label: str) -> Locator:
    """A text field by its accessible name (its label, less the hidden asterisk)."""
    return page.get_by_role("textbox", name=label, exact=True)


def fill_details(page: Page, patient: dict[str, str] = PATIENT) -> None:
    for label, value in patient.items():
        field(page, label).fill(value)


def book(page: Page, *, touch: bool = False) -> None:
    press(page.get_by_role("button", name="Book appointment"), touch=touch)
    page.wait_for_url(re.compile(r"/booked/[^/]+/$"))


def expect_details_for(page: Page, slot: Slot, practitioner: str, room: str) -> None:
    summary = page.get_by_role("region", name="Your appointment")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    expect(summary).to_contain_text(f"{slot.day} at {slot.hhmm}")
    expect(summary).to_contain_text(practitioner)
    expect(summary).to_contain_text(room)


def expect_booked(page: Page, slot: Slot, practitioner: str, room: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Appointment booked")
    expect(page).to_have_title(re.compile(r"^Appointment booked"))
    confirmation = page.get_by_role("region", name="Your appointment")
    end = slot.start + dt.timedelta(minutes=45)
    row = confirmation.locator(".summary-row")
    expect(row.filter(has_text="Date")).to_contain_text(slot.day)
    expect(row.filter(has_text="Time")).to_contain_text(f"{slot.hhmm} to {end:%H:%M}")
    expect(row.filter(has_text="Practitioner")).to_contain_text(practitioner)
    expect(row.filter(has_text="Room")).to_contain_text(room)
    # Booked as asked: no "please note the time" notice.
    expect(page.get_by_text("Please note the time")).to_have_count(0)


def expect_in_diary(slot: Slot, patient: dict[str, str] = PATIENT) -> Booking:
    booking = Booking.objects.get(
        practitioner_id=slot.practitioner_id,
        room_id=slot.room_id,
        date=slot.start.date(),
        time=slot.start.time(),
    )
    assert booking.name == patient["Full name"]
    assert booking.phone == patient["Phone number"]
    assert booking.email == patient["Email address"]
    assert booking.desc == patient.get("Reason for your visit (optional)", "")
    return booking


def download_calendar(page: Page, slot: Slot) -> None:
    with page.expect_download() as info:
        page.get_by_role("link", name="Download calendar file (.ics)").click()
    download = info.value
    assert download.suggested_filename == "appointment.ics"
    calendar = icalendar.Calendar.from_ical(Path(download.path()).read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == slot.start
    assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(minutes=45)


# --- 1 to 3: the whole flow on a desktop, a phone and without JavaScript ----------------


def whole_flow(
    page: Page, site, screenshot, prefix: str, *, touch=False, axe=None, javascript=True
) -> None:
    def check(step: str) -> None:
        screenshot(f"{prefix}-{step}", page)
        if axe:
            axe(page, f"{prefix}-{step}")

    choose(
        page,
        site,
        "John",
        "Treatment Room 1",
        touch=touch,
        before=lambda: check("1-choose-room" if "staffId" in page.url else "1-choose"),
    )
    expect(page.get_by_text("With John, in Treatment Room 1.")).to_be_visible()
    slot, label = pick_first_time(page, touch=touch, before=lambda: check("2-times"))
    assert (slot.practitioner_id, slot.room_id) == (JOHN, ROOM_1)
    # One practitioner and room: just the time, and its day for screen readers.
    assert label.split()[0] == slot.hhmm
    assert slot.start.strftime("%A %-d %B") in label
    assert slot.start >= timezone.localtime() + dt.timedelta(minutes=120)
    expect_details_for(page, slot, "John", "Treatment Room 1")
    fill_details(page)
    check("3-details")
    book(page, touch=touch)
    expect_booked(page, slot, "John", "Treatment Room 1")
    # The print button is the one thing JavaScript adds: there, or not, as the context says.
    print_button = page.get_by_role("button", name=re.compile(r"\bprint\b", re.IGNORECASE))
    expect(print_button).to_have_count(1 if javascript else 0)
    check("4-booked")
    download_calendar(page, slot)
    expect_in_diary(slot)


def test_whole_flow_on_a_desktop(site, page, screenshot, axe):
    whole_flow(page, site, screenshot, "desktop", axe=axe)


def test_whole_flow_on_a_phone(site, phone_page, screenshot, axe):
    # Nothing wider than the screen: no sideways scrolling at 390 pixels.
    whole_flow(phone_page, site, screenshot, "phone", touch=True, axe=axe)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_whole_flow_without_javascript(site, nojs_page, screenshot):
    whole_flow(nojs_page, site, screenshot, "nojs", javascript=False)


# --- 4 and 5: a deep link, and "any" ------------------------------------------------------


def test_deep_link_chooses_anna_and_leads_to_her_times(site, page, screenshot, axe):
    # The practitioner is answered: the link asks which room.
    page.goto(f"{site.url}/?staffId={ANNA}")
    expect(page.get_by_role("group", name="Which room?")).to_be_visible()
    expect(page.get_by_text("For an appointment with Anna.")).to_be_visible()
    expect(page.get_by_role("radio", name="Any room")).to_be_checked()
    screenshot("deep-link-1-choose")
    page.get_by_role("button", name="Find a free time").click()
    page.wait_for_url(re.compile(rf"/times/\?.*staffId={ANNA}"))
    expect(page.get_by_text("With Anna, in any room.")).to_be_visible()
    values = [radio.get_attribute("value") for radio in page.get_by_role("radio").all()]
    assert values, "Anna works every Tuesday and Thursday: a week always has times"
    slots = [Slot.parse(value) for value in values]
    assert {(s.practitioner_id, s.room_id) for s in slots} == {(ANNA, ROOM_2)}
    assert {s.start.weekday() for s in slots} <= {1, 3}  # Tuesdays and Thursdays
    screenshot("deep-link-2-times")
    axe(page, "deep-link times")


def test_any_practitioner_and_any_room(site, page, screenshot):
    choose(page, site)  # "Any practitioner" and "Any room" are preselected
    expect(page.get_by_text("With any practitioner, in any room.")).to_be_visible()
    screenshot("any-2-times")
    names = {42227: "Demo User", 42228: "John", 42229: "Jayne", 42230: "Anna", 42233: "Chris"}
    rooms = {7322: "Treatment Room 1", 7323: "Treatment Room 2", 7324: "Treatment Room 3"}
    # Each time once, saying its day; the site chooses who and where, and the
    # details page names them.
    for radio in page.get_by_role("radio").all()[:20]:
        slot = Slot.parse(radio.get_attribute("value"))
        day = slot.day.rsplit(" ", 1)[0]  # "Tuesday 8 December"
        expect(radio).to_have_accessible_name(re.compile(rf"^{slot.hhmm} ?, {day}$"))
    slot, label = pick_first_time(page)
    who, where = names[slot.practitioner_id], rooms[slot.room_id]
    assert label.split()[0] == slot.hhmm
    expect_details_for(page, slot, who, where)
    fill_details(page)
    book(page)
    expect_booked(page, slot, who, where)
    screenshot("any-4-booked")
    assert expect_in_diary(slot).practitioner.name == who


# --- 6: the time is taken while the patient types -------------------------------------


def test_already_booked_keeps_the_details_and_books_an_alternative(site, page, screenshot, axe):
    choose(page, site, "John", "Treatment Room 1")
    slot, _ = pick_first_time(page)
    fill_details(page)
    # Someone else books that very time, straight into the diary.
    Booking.objects.create(
        practitioner_id=slot.practitioner_id,
        room_id=slot.room_id,
        date=slot.start.date(),
        time=slot.start.time(),
        duration=45,
        name="Someone Else",
        phone="07700 900 982",
        email="someone@example.com",
    )
    page.get_by_role("button", name="Book appointment").click()
    taken = page.get_by_role("region", name=re.compile("has just been taken"))
    expect(taken).to_be_visible()
    expect(taken.get_by_role("heading")).to_have_text(
        f"Sorry, {slot.hhmm} on {slot.day.rsplit(' ', 1)[0]} has just been taken"
    )
    for label, value in PATIENT.items():
        expect(field(page, label)).to_have_value(value)
    expect(page.get_by_role("button", name="Book appointment")).to_have_count(0)
    screenshot("already-booked")
    axe(page, "already booked")

    # Enter in a field books nothing the patient did not pick: the page comes back.
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        field(page, "Full name").press("Enter")
    assert response.value.status == 409
    expect(taken).to_be_visible()
    expect(field(page, "Full name")).to_have_value(PATIENT["Full name"])
    assert Booking.objects.count() == 1

    alternatives = taken.get_by_role("button", name=re.compile(r"^Book \d\d:\d\d on "))
    expect(alternatives.first).to_be_visible()
    offered = alternatives.first.inner_text()
    match = re.fullmatch(r"Book (\d\d):(\d\d) on \w+ (\d+) (\w+)", offered)
    assert match, offered
    alternatives.first.click()
    page.wait_for_url(re.compile(r"/booked/[^/]+/$"))

    booking = Booking.objects.exclude(name="Someone Else").get()
    moment = dt.datetime.combine(booking.date, booking.time, timezone.get_default_timezone())
    assert f"{moment:%H:%M}" == f"{match[1]}:{match[2]}"
    assert (str(moment.day), f"{moment:%B}") == (match[3], match[4])
    assert moment != slot.start
    new = Slot(moment, JOHN, ROOM_1)
    expect_booked(page, new, "John", "Treatment Room 1")
    expect_in_diary(new)
    screenshot("already-booked-4-booked")


# --- 7: validation ------------------------------------------------------------------------


def test_details_errors_are_summarised_linked_and_keep_what_was_typed(site, page, screenshot, axe):
    choose(page, site, "John", "Treatment Room 1")
    slot, _ = pick_first_time(page)
    page.get_by_role("button", name="Book appointment").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    screenshot("details-errors")
    axe(page, "details with errors")

    fields = {
        "Enter your full name": "Full name",
        "Enter a phone number": "Phone number",
        "Enter your email address": "Email address",
    }
    links = summary.get_by_role("link")
    expect(links).to_have_text(list(fields))
    for message, label in fields.items():
        box = field(page, label)
        expect(box).to_have_attribute("aria-invalid", "true")
        expect(box).to_have_accessible_description(re.compile(re.escape(message)))
        summary.get_by_role("link", name=message).click()
        expect(box).to_be_focused()
    reason = field(page, "Reason for your visit (optional)")
    expect(reason).not_to_have_attribute("aria-invalid", "true")

    # Fix one field, get another wrong: everything typed comes back.
    field(page, "Full name").fill("Ada Lovelace")
    field(page, "Email address").fill("ada-at-example")
    reason.fill("Sore knee after running")
    page.get_by_role("button", name="Book appointment").click()
    expect(summary.get_by_role("link")).to_have_text(
        ["Enter a phone number", "Enter an email address like name@example.com"]
    )
    expect(summary).to_be_focused()
    expect(field(page, "Full name")).to_have_value("Ada Lovelace")
    expect(field(page, "Full name")).not_to_have_attribute("aria-invalid", "true")
    expect(field(page, "Email address")).to_have_value("ada-at-example")
    expect(reason).to_have_value("Sore knee after running")

    field(page, "Phone number").fill("01632 960 001")
    page.get_by_role("button", name="Book appointment").click()
    expect(summary.get_by_role("link")).to_have_text(
        ["Enter an email address like name@example.com"]
    )
    for label, value in {**PATIENT, "Email address": "ada-at-example"}.items():
        expect(field(page, label)).to_have_value(value)

    field(page, "Email address").fill("ada@example.com")
    book(page)
    expect_booked(page, slot, "John", "Treatment Room 1")
    expect_in_diary(slot)


# --- 8: accessibility of the states the flows above do not reach ----------------------


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_no_free_times_state_is_accessible(site, new_page, screenshot, axe, device):
    page = new_page(**(PHONE if device == "phone" else DESKTOP))
    # Anna never works in Treatment Room 1.
    page.goto(f"{site.url}/times/?staffId={ANNA}&sectionId={ROOM_1}")
    expect(page.get_by_text(re.compile(r"^No free times from "))).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("01632 960 123|Call"))).not_to_have_count(0)
    screenshot(f"{device}-2-times-empty", page)
    axe(page, f"{device} empty times")


def test_phone_errors_and_already_booked_are_accessible_and_focused(
    site, phone_page, screenshot, axe
):
    page = phone_page
    choose(page, site, "John", "Treatment Room 1", touch=True)
    slot, _ = pick_first_time(page, touch=True)
    press(page.get_by_role("button", name="Book appointment"), touch=True)
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    screenshot("phone-details-errors", page)
    axe(page, "phone details with errors")
    fill_details(page)
    Booking.objects.create(
        practitioner_id=JOHN,
        room_id=ROOM_1,
        date=slot.start.date(),
        time=slot.start.time(),
        duration=45,
        name="Someone Else",
        phone="07700 900 982",
        email="someone@example.com",
    )
    press(page.get_by_role("button", name="Book appointment"), touch=True)
    expect(page.get_by_role("heading", name=re.compile("has just been taken"))).to_be_visible()
    screenshot("phone-already-booked", page)
    axe(page, "phone already booked")
    # Like the error summary, the news is where focus lands, so a screen reader
    # announces it (and a phone shows it) rather than the top of a page that
    # looks unchanged.
    expect(page.get_by_role("region", name=re.compile("has just been taken"))).to_be_focused()
