"""The practice's console in Chromium, on two web servers sharing one Redis and one database.

Sites A and B are two gunicorns with production settings, English and Welsh
(`SITE_LANGUAGES=en-gb,cy`), CACHE_URL on one Redis and DATABASE_URL on one
PostgreSQL, in front of one reference diary over HTTP: as a practice with
two web servers behind a load balancer runs. A receptionist in the
"Practice staff" group signs in on A and, through the console's forms, hides
a practitioner, gives another a title and a bio in English and Welsh, and
puts up a notice in both from today to tomorrow. A patient on B must see it
within seconds (bookings/configuration.py: the shared cache, then each
process's 2-second memo), on every step and in the page's language.

Every console page is checked at a desktop's and a phone's size (axe-core,
nothing wider than the screen) and photographed for docs/practice.md
(console_browser.py). The owner's first steps, making a member of staff as
the guide says, are the last test.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ..e2e.conftest import DESKTOP, browser, new_page  # noqa: F401 (fixtures)
from ..e2e.test_booking_flow import PATIENT, field
from ..e2e.test_welsh_booking import CLAF, WHO
from .console_browser import (
    ACCESS_NOTES,
    BIO,
    MENU,
    NOTICE,
    SIZES,
    TITLE,
    checked,
    fill_in_anna,
    fill_in_notice,
    open_from_menu,
    save,
    shot,
    sign_in,
)
from .services import (
    PYTHON,
    ROOT,
    Prepared,
    Server,
    gunicorn,
    postgresql,
    redis_server,
    running,
    start_diary,
)

pytestmark = pytest.mark.browser

STAFF = ("reception", "Reception-passphrase-18")  # in the "Practice staff" group
OUTSIDER = ("locum", "Locum-passphrase-18")  # a staff account in no group
OWNER = ("owner", "Owner-passphrase-18")  # `manage.py createsuperuser`'s
NEWCOMER = ("sam.jones", "Physio-passphrase-2026")  # made by the owner, in the browser
#: Every page of the console but the index, as staff reach them (tests/site/test_console.py).
CONSOLE_PAGES = [
    "/admin/bookings/practiceprofile/1/change/",
    "/admin/bookings/notice/",
    "/admin/bookings/notice/add/",
    "/admin/bookings/practitionerprofile/",
    "/admin/bookings/practitionerprofile/1/change/",
    "/admin/bookings/roomprofile/",
    "/admin/practice/embed-code/",
    "/admin/practice/activity/",
    "/admin/practice/recent-changes/",
]
#: How soon a change must reach the other server (it should take about 2 s).
LIVE_WITHIN = 10
#: The receptionist in the group, and the locum in none. (The owner's own way of
#: making a member of staff, in the browser as docs/practice.md says: the last test.)
ACCOUNTS = f"""
from django.contrib.auth.models import Group, User
staff = User.objects.create_user({STAFF[0]!r}, password={STAFF[1]!r}, is_staff=True)
staff.groups.add(Group.objects.get(name="Practice staff"))
User.objects.create_user({OUTSIDER[0]!r}, password={OUTSIDER[1]!r}, is_staff=True)
"""


@dataclass(frozen=True)
class Sites:
    a: Server  # where the practice's staff use the console
    b: Server  # where patients book


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def sites(prepared: Prepared, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    folder = tmp_path_factory.mktemp("console-two-sites")
    with postgresql() as database_url, redis_server(folder) as cache_url:
        diary = start_diary(prepared, folder, allowed_ips="127.0.0.1")
        env = prepared.production(
            Path("unused.sqlite3"),  # replaced below: both servers share one PostgreSQL
            PHYSIODIARY_API_URL=diary.api_url,
            CACHE_URL=cache_url,
            SITE_LANGUAGES="en-gb,cy",
            BOOKING_FORM_MIN_SECONDS="0",  # this patient fills a form in a moment
        )
        env["DATABASE_URL"] = database_url
        manage(env, "migrate", "--noinput", "-v", "0")
        owner = {**env, "DJANGO_SUPERUSER_PASSWORD": OWNER[1]}
        manage(owner, "createsuperuser", "--noinput", "--username", OWNER[0], "--email", "")
        manage(env, "shell", "-c", ACCOUNTS)
        servers = []
        for name in ("console-a", "console-b"):
            (folder / name).mkdir()
            servers.append(gunicorn(name, env, folder / name, workers=2, threads=2))
        with running(*(server.process for server in servers), diary.server.process):
            for server in (diary.server, *servers):
                server.wait_until_up()
            yield Sites(*servers)


def hide_john(page: Page) -> float:
    open_from_menu(page, "Practitioners")
    page.get_by_role("checkbox", name="Offered online: John").uncheck()
    return save(page, "1 practitioner was changed successfully.")


def describe_anna(page: Page) -> float:
    fill_in_anna(page)
    return save(page, re.compile("was changed successfully"))


def put_up_notice(page: Page) -> float:
    open_from_menu(page, "Notices")
    fill_in_notice(page)
    saved = save(page, re.compile("was added successfully"))
    expect(page.get_by_role("row").filter(has_text=NOTICE["en-gb"][:40])).to_contain_text("now")
    return saved


# --- What patients see on the other server --------------------------------------------


@dataclass(frozen=True)
class Language:
    code: str
    prefix: str  # of the booking's URLs
    who: str  # step 1's first question
    room: str  # and its second
    go_on: str  # the button after the first question and the times
    find: str  # the button after the second
    book: str
    notices: str  # the notices' region
    patient: dict[str, str]  # what the patient types, by the fields' labels


ENGLISH = Language(
    "en-gb",
    "",
    "Who would you like to see?",
    "Which room?",
    "Continue",
    "Find a free time",
    "Book appointment",
    "Notices from the practice",
    {label: value for label, value in PATIENT.items() if "optional" not in label},
)
WELSH = Language(
    "cy",
    "/cy",
    WHO,
    "Pa ystafell?",
    "Parhau",
    "Dod o hyd i amser rhydd",
    "Trefnu'r apwyntiad",
    "Hysbysiadau gan y practis",
    {label: value for label, value in CLAF.items() if "dewisol" not in label},
)
OTHER = {"en-gb": "cy", "cy": "en-gb"}


def live_on(page: Page, url: str, seen: Callable[[], bool], change: Callable[[], float]) -> float:
    """The seconds from `change()`, made on A, until `url` on B shows it (`seen()`).

    B's page is opened first: it must not show it yet (so the test can fail), and
    B's worker has then just read the console's configuration, which it keeps for
    2 seconds: the change must get past that too.
    """
    page.goto(url)
    assert not seen(), f"{seen.__name__}: already on the other server before the change"
    since = change()
    while True:
        page.goto(url)
        took = time.monotonic() - since
        if seen():
            return took
        assert took < LIVE_WITHIN, f"{seen.__name__}: not on the other server after {took:.1f} s"
        page.wait_for_timeout(200)


def hint_of(page: Page, name: str) -> str:
    """What a screen reader reads after a radio button's name: its aria-describedby."""
    described = page.get_by_role("radio", name=name, exact=True).get_attribute("aria-describedby")
    return " ".join(page.locator(f"#{described}").inner_text().split()) if described else ""


def expect_notice(page: Page, language: Language) -> None:
    notices = page.get_by_role("region", name=language.notices)
    expect(notices).to_have_text(NOTICE[language.code])
    expect(notices).not_to_contain_text(NOTICE[OTHER[language.code]])


def expect_step_1(page: Page, language: Language) -> None:
    """John hidden; Anna's title and bio in the page's language, as her radio's hint."""
    expect(page.locator("html")).to_have_attribute("lang", re.compile(language.code, re.I))
    expect(page.get_by_role("group", name=language.who)).to_be_visible()
    expect(page.get_by_role("radio", name="John", exact=True)).to_have_count(0)
    expect(page.get_by_role("radio", name="Jayne", exact=True)).to_have_count(1)
    speaks = "Speaks" if language is ENGLISH else "Yn siarad"
    expect(page.get_by_role("radio", name="Anna", exact=True)).to_have_accessible_description(
        f"{TITLE[language.code]} {BIO[language.code]} {speaks} English, Cymraeg"
    )
    expect_notice(page, language)


def book_anna(page: Page, base: str, language: Language) -> None:
    """Every step on B, the notice on each in the page's language, to a booking."""
    page.goto(f"{base}{language.prefix}/")
    expect_step_1(page, language)
    shot(page, f"what-patients-see-{language.code}", "desktop")  # for docs/practice.md
    page.get_by_role("radio", name="Anna", exact=True).check()
    page.get_by_role("button", name=language.go_on).click()
    expect(page.get_by_role("group", name=language.room)).to_be_visible()
    expect_notice(page, language)
    page.get_by_role("radio", name="Treatment Room 2", exact=True).check()
    page.get_by_role("button", name=language.find).click()
    page.wait_for_url(re.compile(r"/times/\?"))
    expect_notice(page, language)
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name=language.go_on).click()
    page.wait_for_url(re.compile(r"/details/\?"))
    expect_notice(page, language)
    for label, value in language.patient.items():
        field(page, label).fill(value)
    page.get_by_role("button", name=language.book).click()
    page.wait_for_url(re.compile(rf"^{base}{language.prefix}/booked/[^/]+/$"))
    expect_notice(page, language)


# --- The tests -----------------------------------------------------------------------


def test_what_staff_change_on_one_server_patients_see_on_the_other_within_seconds(
    sites,
    new_page,  # noqa: F811 (the fixture imported above)
):
    console, patient = new_page(**DESKTOP), new_page(**DESKTOP)
    sign_in(console, sites.a.base, STAFF)

    def hidden() -> bool:
        return patient.get_by_role("radio", name="John", exact=True).count() == 0

    def described() -> bool:
        return TITLE["cy"] in hint_of(patient, "Anna")

    def noticed() -> bool:
        return patient.get_by_text(NOTICE["en-gb"]).count() == 1

    b = sites.b.base
    took = {
        "John hidden": live_on(patient, b + "/", hidden, lambda: hide_john(console)),
        "Anna's Welsh title": live_on(
            patient, b + "/cy/", described, lambda: describe_anna(console)
        ),
        "the notice": live_on(patient, b + "/", noticed, lambda: put_up_notice(console)),
    }
    print(f"Live on the other server after: {took}")

    for language in (ENGLISH, WELSH):
        book_anna(patient, sites.b.base, language)
    expect_recorded(console)


def expect_recorded(page: Page) -> None:
    """Who changed what (the receptionist, on A) and the two bookings (made on B)."""
    open_from_menu(page, "Recent changes")
    changes = page.get_by_role("table", name="Recent changes")
    expect(changes.get_by_role("row").filter(has_text=STAFF[0])).to_have_count(3)
    expect(changes).to_contain_text("Anna (Practitioner 42230)")
    expect(changes).to_contain_text("John (Practitioner 42228)")
    expect(changes).to_contain_text(NOTICE["en-gb"][:40])
    open_from_menu(page, "Activity")
    totals = page.get_by_role("table").locator("tfoot")
    booked = page.get_by_role("columnheader", name="Booked")
    column = booked.evaluate("cell => cell.cellIndex")
    expect(totals.locator("td, th").nth(column)).to_have_text("2")


@pytest.mark.parametrize("size", SIZES)
def test_every_console_page_passes_axe_and_fits_the_screen(
    sites,
    new_page,  # noqa: F811 (the fixture imported above)
    size,
):
    """Each page staff open, as they find it, at a desktop's and a phone's size; the
    forms filled in (and not saved), as a manager would see them before pressing Save."""
    page = new_page(**SIZES[size])
    sign_in(page, sites.a.base, STAFF, size)
    checked(page, "index", size)
    for link, name in (("Practice details", "practice-details"), ("Notices", "notices")):
        open_from_menu(page, link)
        checked(page, name, size)
    fill_in_notice(page)
    checked(page, "notice-form", size)
    open_from_menu(page, "Practitioners")
    checked(page, "practitioners", size)
    fill_in_anna(page)
    checked(page, "practitioner-form", size)
    page.get_by_role("link", name="History").click()
    checked(page, "practitioner-history", size)
    open_from_menu(page, "Rooms")
    checked(page, "rooms", size)
    page.get_by_role("link", name="Treatment Room 3", exact=True).click()
    page.get_by_label("Access notes (English)").fill(ACCESS_NOTES)
    checked(page, "room-form", size)
    for link, name in (
        ("Recent changes", "recent-changes"),
        ("Embed code", "embed-code"),
        ("Activity", "activity"),
    ):
        open_from_menu(page, link)
        checked(page, name, size)


def test_a_staff_account_outside_the_group_sees_nothing(
    sites,
    new_page,  # noqa: F811 (the fixture imported above)
):
    page = new_page(**DESKTOP)
    sign_in(page, sites.a.base, OUTSIDER)
    expect(page.get_by_text("permission to view or edit anything")).to_be_visible()
    expect(page.get_by_role("navigation", name=MENU)).to_have_count(0)
    checked(page, "no-permission", "desktop")
    for path in CONSOLE_PAGES:
        answer = page.goto(sites.a.base + path)
        assert answer.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Sorry, this page cannot be shown"
        )
        expect(page.locator("body")).not_to_contain_text("Anna")


def test_the_owner_makes_a_member_of_staff_as_the_guide_says(
    sites,
    new_page,  # noqa: F811 (the fixture imported above)
):
    """docs/practice.md, "Signing in": after `createsuperuser`, the owner adds an
    account, makes it staff and puts it in the "Practice staff" group; it then
    signs in to the console, and only the console."""
    page = new_page(**DESKTOP)
    sign_in(page, sites.a.base, OWNER)
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("link", name="Add user").click()
    page.get_by_label("Username").fill(NEWCOMER[0])
    page.get_by_label("Password:", exact=True).fill(NEWCOMER[1])
    page.get_by_label("Password confirmation").fill(NEWCOMER[1])
    checked(page, "add-user", "desktop")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("You may edit it again below.")

    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Jones")
    page.get_by_label("Staff status").check()
    page.get_by_role("listbox", name="Available groups").select_option("Practice staff")
    page.get_by_role("button", name="Choose selected groups").click()
    chosen = page.get_by_role("listbox", name="Chosen groups")
    expect(chosen.get_by_role("option")).to_have_text(["Practice staff"])
    page.get_by_label("Staff status").scroll_into_view_if_needed()
    # Django's own page, not the console's: axe-core finds its date and time boxes
    # unlabelled and its filter icons' aria-label out of place (Django's markup).
    shot(page, "user-groups", "desktop")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully.")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Logged out")).to_be_visible()

    sign_in(page, sites.a.base, NEWCOMER)
    expect(page.get_by_text("Welcome, Sam")).to_be_visible()
    open_from_menu(page, "Practitioners")
    expect(page.get_by_role("checkbox", name="Offered online: Anna")).to_be_visible()
    for path in ("/admin/auth/user/", "/admin/auth/group/", "/admin/bookings/outboxemail/"):
        assert page.goto(sites.a.base + path).status == 403, path
