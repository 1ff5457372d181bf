"""The booking embedded in a practice's own page, on another origin, in Chromium.

The practice's page is served over real HTTP from 127.0.0.2 and the booking
site from localhost: two sites, as the browser sees them, so the booking runs
in a cross-origin (third-party) frame. In the whole booking, the frame shows
the site through a proxy that removes Set-Cookie from every response, as
Safari does to such frames, and the booking must complete all the same.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Frame, Page, Response, expect

from .conftest import ARTIFACTS, PHONE
from .cookie_proxy import CookieStrippingProxy
from .test_booking_flow import (
    JOHN,
    ROOM_1,
    book,
    expect_details_for,
    expect_in_diary,
    fill_details,
    pick_first_time,
)

pytestmark = pytest.mark.browser

#: Above the booking on the practice's page: taller than a phone's screen, so
#: the booking starts out of view and each step's scroll can be seen.
SPACER = 1200


@dataclass
class Host:
    """A practice's website: one page with the snippet from docs/designers.md."""

    origin: str
    snippet: str = ""

    @property
    def url(self) -> str:
        return f"{self.origin}/"


def _serve(address: str) -> Iterator[Host]:
    host = Host("")

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            body = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                "<title>Riverside Physiotherapy</title></head><body>"
                "<header><h1>Riverside Physiotherapy</h1></header><main>"
                f'<p style="height:{SPACER}px">We treat sports injuries and back pain.</p>'
                f"<h2>Book online</h2>{host.snippet}</main></body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((address, 0), Page)
    host.origin = f"http://{address}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield host
    server.shutdown()
    server.server_close()


@pytest.fixture
def practice_site() -> Iterator[Host]:
    yield from _serve("127.0.0.2")


@pytest.fixture
def stranger_site() -> Iterator[Host]:
    yield from _serve("127.0.0.3")


def snippet(site_url: str, **data: str) -> str:
    attributes = "".join(f' data-{name}="{value}"' for name, value in data.items())
    return (
        f'<script src="{site_url}/embed.js" async></script>'
        f"<div data-physio-booking{attributes}>"
        f'<noscript><a href="{site_url}/">Book an appointment</a></noscript></div>'
    )


@pytest.fixture
def embedded(site, settings, practice_site):
    """The booking site, allowing the practice's site to frame it."""
    settings.EMBED_ALLOWED_ORIGINS = [practice_site.origin]
    practice_site.snippet = snippet(site.url)
    return practice_site


@pytest.fixture
def cookie_proxy(site) -> Iterator[CookieStrippingProxy]:
    """The booking site as a third-party frame sees it in Safari: never a cookie."""
    proxy = CookieStrippingProxy(site.url).start()
    yield proxy
    proxy.stop()


def booking_frame(page: Page, site_url: str) -> Frame:
    frame = page.wait_for_selector("[data-physio-booking] iframe").content_frame()
    frame.wait_for_url(re.compile("^" + re.escape(site_url) + "/"))  # and its load event
    return frame


def iframe_top(page: Page) -> float:
    return page.evaluate(
        "document.querySelector('[data-physio-booking] iframe').getBoundingClientRect().top"
    )


def expect_fits(page: Page, frame: Frame) -> int:
    """The iframe becomes as tall as the page in it, which has no scroll bar of its own."""
    # The frame's window is the iframe: its height is the iframe's.
    frame.wait_for_function(
        """() => {
            const content = document.documentElement.getBoundingClientRect().height;
            return Math.abs(content - window.innerHeight) <= 1
                && document.documentElement.scrollHeight <= window.innerHeight + 1;
        }"""
    )
    height = frame.evaluate("window.innerHeight")
    outside = page.evaluate(
        "document.querySelector('[data-physio-booking] iframe').getBoundingClientRect().height"
    )
    assert abs(outside - height) <= 1
    return height


def expect_top_in_view(page: Page, *, scrolled: bool) -> None:
    """On a new step the top of the booking is in view: scrolled to, if it was not."""
    page.wait_for_function(
        """scrolled => {
            const top = document.querySelector('[data-physio-booking] iframe')
                .getBoundingClientRect().top;
            return scrolled ? Math.abs(top) <= 1 : top >= 0 && top < window.innerHeight;
        }""",
        arg=scrolled,
    )


def grow(frame: Frame, pixels: int) -> None:
    """Make the booking's page taller without a new page, as an opened notice would."""
    # Made with the DOM's own style object: the site's CSP refuses style attributes.
    frame.evaluate(
        """pixels => {
            const more = document.createElement('div');
            more.style.height = pixels + 'px';
            document.querySelector('main').append(more);
        }""",
        pixels,
    )


def snap(page: Page, name: str) -> None:
    """The phone's screen with the top of the booking at its top.

    Not a full-page screenshot: Chromium paints only the visible part of a
    cross-origin frame into one, and can miss the next click in the frame.
    """
    page.evaluate("document.querySelector('[data-physio-booking] iframe').scrollIntoView()")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_a_whole_booking_in_a_third_party_frame_with_cookies_stripped(
    embedded, site, cookie_proxy, new_page, axe
):
    booking = cookie_proxy.url  # the frame shows the site only through the proxy
    embedded.snippet = snippet(booking)
    page = new_page(**PHONE)
    cookies_seen = []  # by the browser, from the booking site, whichever way it came

    def check_for_cookies(response: Response) -> None:
        if response.url.startswith((booking, site.url)):
            cookies_seen.extend(
                response.url for name in response.all_headers() if name == "set-cookie"
            )

    page.on("response", check_for_cookies)
    page.goto(embedded.url)
    frame = booking_frame(page, booking)
    heights = {}

    # 1. Choose, in the frame. The first step does not scroll the host's page.
    expect(frame.get_by_role("heading", level=1)).to_have_text("Who would you like to see?")
    expect(frame.get_by_role("link", name="Open in a new tab")).to_be_visible()
    heights["choose"] = expect_fits(page, frame)
    assert page.evaluate("window.scrollY") == 0
    # The first page takes no focus from the practice's page.
    assert frame.evaluate("document.activeElement === document.body")
    assert iframe_top(page) > SPACER
    axe(frame, "embedded choose")
    axe(page, "the practice's page")  # the iframe has a title, among others
    snap(page, "embed-1-choose")
    frame.get_by_role("radio", name="John", exact=True).tap()
    frame.get_by_role("button", name="Continue").tap()
    frame.get_by_role("radio", name="Treatment Room 1", exact=True).tap()
    axe(frame, "embedded choose room")
    frame.get_by_role("button", name="Find a free time").tap()
    frame.wait_for_url(re.compile(r"/times/\?"))

    # 2. Times. On a phone the first step fits the screen: its top is still in view.
    expect_top_in_view(page, scrolled=False)
    heights["times"] = expect_fits(page, frame)
    # A screen reader is taken to the new step.
    expect(frame.locator("#main")).to_be_focused()
    # ...with no focus ring drawn around the whole step (only a control's ring helps).
    ring = frame.evaluate(
        "(({outlineStyle, boxShadow}) => [outlineStyle, boxShadow])"
        "(getComputedStyle(document.getElementById('main')))"
    )
    assert ring == ["none", "none"], ring
    expect(page.locator("[data-physio-booking] iframe")).to_have_attribute(
        "title", re.compile(r"^Date and time \(step 2 of 4\)")
    )
    axe(frame, "embedded times")
    snap(page, "embed-2-times")
    tops = []

    def scroll_to_continue():
        frame.get_by_role("button", name="Continue").scroll_into_view_if_needed()
        tops.append(iframe_top(page))

    slot, _ = pick_first_time(frame, touch=True, before=scroll_to_continue)
    assert (slot.practitioner_id, slot.room_id) == (JOHN, ROOM_1)

    # 3. Details. Continue is at the foot of a week of times, far below the
    # booking's top: the host's page scrolls back up to it.
    assert tops[0] < 0
    expect_top_in_view(page, scrolled=True)
    expect_details_for(frame, slot, "John", "Treatment Room 1")
    heights["details"] = expect_fits(page, frame)
    frame.get_by_role("button", name="Book appointment").tap()
    expect(frame.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(frame.locator("[data-focus-on-load]")).to_be_focused()
    heights["details with errors"] = expect_fits(page, frame)
    axe(frame, "embedded details with errors")
    snap(page, "embed-3-details-errors")
    fill_details(frame)
    frame.get_by_role("button", name="Book appointment").scroll_into_view_if_needed()
    assert iframe_top(page) < 0  # the top of the booking is off screen, above
    book(frame, touch=True)

    # 4. Booked, with no cookie anywhere.
    expect_top_in_view(page, scrolled=True)
    expect(frame.get_by_role("heading", level=1)).to_have_text("Appointment booked")
    heights["booked"] = expect_fits(page, frame)
    axe(frame, "embedded booked")
    snap(page, "embed-4-booked")
    expect_in_diary(slot)
    assert page.context.cookies() == []
    assert cookies_seen == []
    assert cookie_proxy.removed == [], (
        "the booking site set a cookie, which a third-party frame may not keep"
    )
    # Every step came through the proxy, the pages reached by redirects too.
    paths = [request.split()[1] for request in cookie_proxy.requests]
    assert any(path.startswith("/details/?") for path in paths), paths
    assert any(re.match(r"/booked/[^/]+/$", path) for path in paths), paths
    # The frame followed its content: the steps are not all one height.
    assert len(set(heights.values())) >= 3, heights
    assert heights["details with errors"] > heights["details"]


def test_the_frame_follows_content_that_changes_without_a_new_page(embedded, site, page):
    page.goto(embedded.url)
    frame = booking_frame(page, site.url)
    # Browsers pause the rendering of a cross-origin frame out of view, and
    # with it the ResizeObserver: the patient sees it, so it is in view.
    page.locator("[data-physio-booking] iframe").scroll_into_view_if_needed()
    before = expect_fits(page, frame)
    grow(frame, 600)
    assert expect_fits(page, frame) >= before + 600


def test_a_new_step_scrolls_up_unless_its_top_is_in_the_upper_half_of_the_screen(
    embedded, site, page
):
    page.goto(embedded.url)
    frame = sized_in_view(page, site.url)
    iframe = page.locator("[data-physio-booking] iframe")
    screen = page.evaluate("innerHeight")

    def new_step_with_top_at(top: float) -> float:
        page.evaluate(f"scrollBy(0, {iframe_top(page) - top})")
        assert iframe_top(page) == pytest.approx(top, abs=1)
        iframe.evaluate("iframe => { iframe.title = 'waiting'; }")
        frame.evaluate(f"location.assign('/times/?staffId={JOHN}&sectionId={ROOM_1}')")
        expect(iframe).not_to_have_attribute("title", "waiting")  # its first message came
        return iframe_top(page)

    assert new_step_with_top_at(screen * 0.4) == pytest.approx(screen * 0.4, abs=1)
    # Lower, the patient would see little of the new step: its top comes up.
    assert new_step_with_top_at(screen * 0.6) == pytest.approx(0, abs=1)


def with_a_stranger_beside(practice: Host, stranger: Host, site_url: str) -> None:
    """The practice's page also frames another site (an advert, a map): a sibling of the booking."""
    practice.snippet = snippet(site_url) + f'<iframe src="{stranger.url}" title="Map"></iframe>'


def sized_in_view(page: Page, site_url: str) -> Frame:
    frame = booking_frame(page, site_url)
    # Rendering, and with it the ResizeObserver, pauses for a frame out of view.
    page.locator("[data-physio-booking] iframe").scroll_into_view_if_needed()
    expect_fits(page, frame)
    return frame


def test_only_the_booking_frame_can_set_its_height(embedded, site, stranger_site, page):
    with_a_stranger_beside(embedded, stranger_site, site.url)
    page.goto(embedded.url)
    sized_in_view(page, site.url)
    iframe = page.locator("[data-physio-booking] iframe")
    before = iframe.evaluate("iframe => iframe.style.height")
    # Messages from one window arrive in order: "done" comes after the size.
    page.evaluate(
        """() => {
            window.done = 0;
            addEventListener('message', event => { if (event.data === 'done') done += 1; });
        }"""
    )
    post_size_and_done = """() => {
        parent.postMessage({type: 'physio-booking:size', height: 5}, '*');
        parent.postMessage('done', '*');
    }"""
    stranger = next(f for f in page.frames if f.url.startswith(stranger_site.origin))
    stranger.evaluate(post_size_and_done)
    page.wait_for_function("() => done === 1")
    page.evaluate(post_size_and_done)  # the practice's page itself, to itself
    page.wait_for_function("() => done === 2")
    assert iframe.evaluate("iframe => iframe.style.height") == before != "5px"


@pytest.mark.parametrize("stranger_allowed", [False, True], ids=["not allowed", "allowed too"])
def test_a_greeting_from_another_frame_does_not_take_the_booking_from_its_page(
    embedded, site, settings, stranger_site, page, stranger_allowed
):
    if stranger_allowed:  # a site that may frame the booking, but is not framing this one
        settings.EMBED_ALLOWED_ORIGINS = [embedded.origin, stranger_site.origin]
    with_a_stranger_beside(embedded, stranger_site, site.url)
    page.goto(embedded.url)
    frame = sized_in_view(page, site.url)
    before = expect_fits(page, frame)
    frame.evaluate(
        """() => {
            window.hellos = 0;
            addEventListener('message', event => {
                if (event.data && event.data.type === 'physio-booking:hello') hellos += 1;
            });
        }"""
    )
    stranger = next(f for f in page.frames if f.url.startswith(stranger_site.origin))
    stranger.evaluate(
        """() => {
            for (let i = 0; i < parent.frames.length; i++) {
                if (parent.frames[i] !== window) {
                    parent.frames[i].postMessage({type: 'physio-booking:hello'}, '*');
                }
            }
        }"""
    )
    frame.wait_for_function("() => hellos === 1")
    # The booking still tells its real parent: the frame follows its content.
    grow(frame, 600)
    assert expect_fits(page, frame) >= before + 600


def test_open_in_a_new_tab_opens_the_same_step_on_its_own(embedded, site, page):
    page.goto(embedded.url)
    frame = booking_frame(page, site.url)
    with page.context.expect_page() as opened:
        frame.get_by_role("link", name="Open in a new tab").click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == f"{site.url}/"
    expect(tab.get_by_role("heading", level=1)).to_have_text("Who would you like to see?")
    expect(tab.get_by_role("link", name="Open in a new tab")).to_be_hidden()


def test_the_snippet_deep_links_to_a_practitioner_and_room(embedded, site, page):
    embedded.snippet = snippet(site.url, **{"staff-id": str(JOHN), "room-id": str(ROOM_1)})
    page.goto(embedded.url)
    frame = booking_frame(page, site.url)
    expect(frame.get_by_role("heading", level=1)).to_have_text("Choose a date and time")
    expect(frame.get_by_text("With John, in Treatment Room 1.")).to_be_visible()


def test_the_snippet_works_for_a_booking_site_under_a_path(embedded, site, page):
    """As at https://practice.example/booking/embed.js: the pages are beside the script."""
    under = f"{site.url}/practice/booking"
    body = page.request.get(f"{site.url}/embed.js").body()  # as served: with its languages
    # No site is there: the frames' pages fail (the later route wins for embed.js).
    page.route(lambda url: url.startswith(f"{under}/"), lambda route: route.abort())
    page.route(
        lambda url: url.startswith(f"{under}/embed.js"),
        lambda route: route.fulfill(body=body, content_type="text/javascript"),
    )
    embedded.snippet = (
        f'<script src="{under}/embed.js?v=2" async></script>'
        f'<div data-physio-booking data-staff-id="{JOHN}" data-room-id="{ROOM_1}"></div>'
        f'<div data-physio-booking data-staff-id="{JOHN}"></div>'
        "<div data-physio-booking></div>"
    )
    page.goto(embedded.url)
    frames = page.locator("[data-physio-booking] iframe")
    expect(frames).to_have_count(3)
    assert [frames.nth(i).get_attribute("src") for i in range(3)] == [
        f"{under}/times/?staffId={JOHN}&sectionId={ROOM_1}",
        f"{under}/?staffId={JOHN}",
        f"{under}/",
    ]


def test_a_booking_added_to_the_page_after_embed_js_ran_is_embedded(embedded, site, page):
    embedded.snippet = f'<script src="{site.url}/embed.js" async></script>'
    page.goto(embedded.url)  # after the load event: embed.js has run
    # As a site builder does: a block, with the booking somewhere inside it.
    page.evaluate(
        f"""() => {{
            const block = document.createElement('section');
            block.innerHTML = '<div><div data-physio-booking data-staff-id="{JOHN}"'
                + ' data-room-id="{ROOM_1}"></div></div>';
            document.querySelector('main').append(block);
        }}"""
    )
    frame = booking_frame(page, site.url)
    expect(frame.get_by_role("heading", level=1)).to_have_text("Choose a date and time")
    expect(page.locator("[data-physio-booking] iframe")).to_have_count(1)


def test_an_allowed_booking_never_offers_the_plain_link(embedded, site, page):
    page.clock.install()
    page.goto(embedded.url)
    frame = sized_in_view(page, site.url)
    fallback = page.locator("[data-physio-booking] p a")
    expect(fallback).to_have_count(1)
    page.clock.fast_forward(11_000)
    # A new step in the frame: it answers again, at once.
    frame.evaluate(f"location.assign('/times/?staffId={JOHN}&sectionId={ROOM_1}')")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Choose a date and time")
    page.clock.fast_forward(4_000)
    expect(fallback).to_be_hidden()
    expect(page.locator("[data-physio-booking] iframe")).to_be_visible()


def test_a_frame_that_never_loads_gives_way_to_the_plain_link_after_ten_seconds(
    embedded, site, page
):
    page.route(f"{site.url}/", lambda route: None)  # the network hangs: no answer, ever
    page.clock.install()
    page.goto(embedded.url, wait_until="domcontentloaded")  # "load" waits for the frame
    page.wait_for_selector("[data-physio-booking] iframe")
    link = page.get_by_role("link", name="Open the booking page in a new tab")
    page.clock.fast_forward(5_000)
    expect(link).to_be_hidden()
    page.clock.fast_forward(6_000)
    expect(link).to_be_visible()
    expect(page.locator("[data-physio-booking] iframe")).to_be_hidden()
    assert link.get_attribute("href") == f"{site.url}/"


@pytest.mark.parametrize("allowed", ["nobody", "another site"])
def test_a_site_that_is_not_allowed_cannot_frame_the_booking(
    site, settings, browser, stranger_site, practice_site, allowed
):
    settings.EMBED_ALLOWED_ORIGINS = [practice_site.origin] if allowed == "another site" else []
    stranger_site.snippet = snippet(site.url)
    # Not the new_page fixture: that fails a test on the very refusal this one expects.
    context = browser.new_context()
    try:
        page = context.new_page()
        page.clock.install()  # embed.js waits 3 s after the frame's load for an answer
        refusals = []
        page.on("console", lambda message: refusals.append(message.text))
        page.goto(stranger_site.url)
        page.wait_for_selector("[data-physio-booking] iframe")
        frame = page.frames[1]
        frame.wait_for_load_state()
        assert not frame.url.startswith(site.url), "the booking page was shown in the frame"
        assert any("frame-ancestors" in text for text in refusals), refusals
        # The practice's visitors still get a way to the booking, and no blank box.
        page.clock.fast_forward(4_000)
        link = page.get_by_role("link", name="Open the booking page in a new tab")
        expect(link).to_be_visible()
        expect(page.locator("[data-physio-booking] iframe")).to_be_hidden()
        assert link.get_attribute("href") == f"{site.url}/"
    finally:
        context.close()
