"""The Content Security Policy, as Chromium enforces it on the site's own pages."""

from urllib.parse import urlsplit

import pytest

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
