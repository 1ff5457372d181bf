"""The Content Security Policy, as Chromium enforces it on the site's own pages."""

from urllib.parse import urlsplit

import pytest

from .conftest import BLOCKED, DESKTOP
from .test_booking_flow import book, choose, fill_details, pick_first_time

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_refuses_a_script_injected_into_a_page(browser, site):
    """What an injected <script> (say, through a bug in escaping) would meet."""
    context = browser.new_context()
    page = context.new_page()
    messages = []
    page.on("console", lambda message: messages.append(message.text))

    def inject(route):
        response = route.fetch()
        body = response.text().replace("</body>", "<script>document.title='owned'</script></body>")
        route.fulfill(response=response, body=body)

    page.route(f"{site.url}/", inject)
    page.goto(f"{site.url}/")

    assert page.title() != "owned"
    assert any("Content Security Policy" in message for message in messages)
    context.close()


def test_a_whole_booking_loads_everything_from_the_site_itself(new_page, site):
    page = new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    choose(page, site)
    pick_first_time(page)
    fill_details(page)
    book(page)

    assert hosts == {urlsplit(site.url).netloc}


def test_chromium_refuses_a_style_sheet_altered_on_the_way(browser, site):
    """What a tampering proxy or CDN would meet: the page's integrity="…" no longer matches."""
    context = browser.new_context()
    page = context.new_page()
    messages = []
    page.on("console", lambda message: messages.append(message.text))

    def alter(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text() + "\nmain { display: none; }")

    page.route("**/static/css/site.css", alter)
    page.goto(f"{site.url}/")

    assert any(BLOCKED.search(message) for message in messages)
    assert page.locator("main").is_visible()  # the added rule never applied
    context.close()


#: The admin pages with the most script: lists with filters and dates, and
#: forms with calendars, clocks, "add another" links and inline rows.
ADMIN_PAGES = [
    "/admin/",
    "/admin/sandbox/booking/",
    "/admin/sandbox/booking/add/",
    "/admin/sandbox/practitioner/add/",
    "/admin/sandbox/workinghours/",
]


def test_the_admin_works_under_the_policy(new_page, site, django_user_model):
    django_user_model.objects.create_superuser("practice", "it@practice.example", "a long one")
    page = new_page(**DESKTOP)
    page.goto(f"{site.url}/admin/login/")
    page.fill("#id_username", "practice")
    page.fill("#id_password", "a long one")
    page.click("input[type=submit]")

    for path in ADMIN_PAGES:
        page.goto(site.url + path)
        header = page.locator("#header").evaluate("e => getComputedStyle(e).backgroundColor")
        assert header != "rgba(0, 0, 0, 0)", path  # its style sheets applied
    # The admin's own scripts ran: they draw the date field's calendar shortcuts.
    page.goto(f"{site.url}/admin/sandbox/booking/add/")
    assert page.locator(".datetimeshortcuts").first.is_visible()
    # ...and the new_page fixture fails the test if the policy refused anything.
