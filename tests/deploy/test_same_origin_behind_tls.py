"""Posts from the site's own pages only, behind a proxy that ends TLS.

The site runs under gunicorn with production settings (HTTPS redirect and
HSTS on), behind tls_proxy.py on https://127.0.0.1, in front of a reference
diary that counts its calls. gunicorn is told not to believe the proxy's
`X-Forwarded-Proto` itself (FORWARDED_ALLOW_IPS names another address, as
for a load balancer on another machine), so what the site knows of its
scheme comes from DJANGO_SECURE_PROXY_SSL_HEADER alone. One site has it;
the other has not, and has its HTTPS redirect off (with it on, every page
would redirect to itself), HSTS still on: its pages answer, its forms do not,
and `check --deploy` says why before anyone finds out.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests

from .conftest import Prepared
from .services import (
    PYTHON,
    ROOT,
    START_SECONDS,
    Diary,
    Server,
    gunicorn,
    redis_server,
    running,
    start_diary,
)
from .support import BOOKED_PATH, TIMEOUT, DetailsForm, Patient, details
from .tls_proxy import TlsProxy

EVIL = "https://evil.example"


def site_environment(prepared: Prepared, folder, diary: Diary, cache_url: str, **extra: str):
    """Production (HSTS on by default) behind a TLS proxy, with `extra` on top."""
    env = prepared.production(
        prepared.copy_database(folder),
        PHYSIODIARY_API_URL=diary.api_url,
        CACHE_URL=cache_url,
        CLIENT_IP_HEADER="X-Forwarded-For",
        BOOKING_FORM_MIN_SECONDS="0",  # these patients fill a form in milliseconds
        # The proxy is "elsewhere": gunicorn does not take its word for the scheme.
        FORWARDED_ALLOW_IPS="192.0.2.1",
        LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


@dataclass(frozen=True)
class Fronted:
    """A site under gunicorn, and the TLS proxy in front of it."""

    site: Server
    proxy: TlsProxy


@dataclass(frozen=True)
class Deployment:
    diary: Diary
    configured: Fronted  # DJANGO_SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto, HTTPS redirect on
    unconfigured: Fronted  # neither: its pages answer, and HSTS is on
    unconfigured_env: dict[str, str]


@pytest.fixture(scope="module")
def deployment(
    prepared: Prepared, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("same-origin")
    with redis_server(folder) as cache_url:
        diary = start_diary(prepared, folder, allowed_ips="127.0.0.1")
        sites, envs = [], []
        # The second site's operator, finding that its HTTPS redirect looped,
        # turned it off ("the proxy redirects already"); HSTS is still on.
        for name, header, redirect in (
            ("configured", "X-Forwarded-Proto", "true"),
            ("unconfigured", "", "false"),
        ):
            (folder / name).mkdir()
            envs.append(
                site_environment(
                    prepared,
                    folder / name,
                    diary,
                    cache_url[:-1] + str(len(sites)),  # a Redis database each
                    DJANGO_SECURE_PROXY_SSL_HEADER=header,
                    DJANGO_SECURE_SSL_REDIRECT=redirect,
                )
            )
            sites.append(gunicorn(name, envs[-1], folder, workers=1, threads=2))
        with running(diary.server.process, *(site.process for site in sites)):
            diary.server.wait_until_up()
            for site in sites:
                wait_until_answering(site)
            with (
                TlsProxy(sites[0].base, folder / "ca-configured.pem") as front,
                TlsProxy(sites[1].base, folder / "ca-unconfigured.pem") as other,
            ):
                yield Deployment(diary, Fronted(sites[0], front), Fronted(sites[1], other), envs[1])


def wait_until_answering(site: Server) -> None:
    """Until a worker answers /healthz: any other page over plain HTTP redirects to https://."""
    site.process.wait_for_port(int(site.base.rsplit(":", 1)[1]))
    deadline = time.monotonic() + START_SECONDS
    with requests.Session() as session:
        session.trust_env = False  # nothing between us and our own servers
        while True:
            site.process.check_running()
            with contextlib.suppress(requests.ConnectionError):
                if session.get(site.base + "/healthz", timeout=TIMEOUT).status_code == 200:
                    return
            assert time.monotonic() < deadline, f"{site.base} did not answer /healthz"
            site.process.pause()


class Browser(Patient):
    """A patient's browser on the site's https:// pages, through the TLS proxy."""

    def __init__(self, address: str, front: TlsProxy) -> None:
        super().__init__(address)
        self.session.verify = str(front.ca_file)
        # The proxy writes X-Forwarded-For itself; a browser does not.
        del self.session.headers["X-Forwarded-For"]

    def book_from(self, base: str, form: DetailsForm, number: int, **headers: str):
        """Post the form as a browser would from a page whose origin and site the headers give."""
        return self.session.post(
            base + form.action,
            data=form.filled(number),
            headers=headers,
            allow_redirects=False,
            timeout=TIMEOUT,
        )


def open_form(browser: Browser, base: str) -> DetailsForm:
    slot = browser.times(base)[0]
    return browser.open_details(base, browser.pick(base, slot))


def book_calls(diary: Diary) -> int:
    return sum(call.action == "book" for call in diary.calls())


def test_a_same_origin_https_post_books(deployment):
    front = deployment.configured.proxy
    browser = Browser("203.0.113.21", front)
    form = open_form(browser, front.origin)
    before = book_calls(deployment.diary)

    answer = browser.book_from(
        front.origin, form, 21, Origin=front.origin, **{"Sec-Fetch-Site": "same-origin"}
    )

    assert answer.status_code == 303, answer.status_code
    booked = urlsplit(answer.headers["Location"]).path
    assert BOOKED_PATH.fullmatch(booked)
    assert book_calls(deployment.diary) == before + 1
    page = browser.get(front.origin + booked)
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_cross_origin_post_through_the_same_proxy_is_refused(deployment):
    front, site = deployment.configured.proxy, deployment.configured.site
    # The attacker's server fetched the form; the visitor's browser posts it.
    form = open_form(Browser("198.51.100.7", front), front.origin)
    before = book_calls(deployment.diary)

    answer = Browser("203.0.113.22", front).book_from(
        front.origin, form, 22, Origin=EVIL, **{"Sec-Fetch-Site": "cross-site"}
    )

    assert answer.status_code == 403
    assert "Nothing has been booked" in answer.text
    assert book_calls(deployment.diary) == before
    log = site.process.text()
    assert "refused a request from another site: method=POST path=/details/ sec_fetch_site=" in log
    for detail in details(22).values():
        assert detail not in log


def test_without_the_proxy_header_setting_the_sites_own_https_posts_are_refused(deployment):
    """What the check below prevents: the site takes itself for http://."""
    front = deployment.unconfigured.proxy
    browser = Browser("203.0.113.23", front)
    form = open_form(browser, front.origin)
    before = book_calls(deployment.diary)

    answer = browser.book_from(
        front.origin, form, 23, Origin=front.origin, **{"Sec-Fetch-Site": "same-origin"}
    )

    assert answer.status_code == 403
    assert book_calls(deployment.diary) == before


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_the_proxy_header_setting_check_deploy_reports_the_error(deployment):
    result = check_deploy(deployment.unconfigured_env)
    assert result.returncode != 0
    assert "booking_site.E001" in result.stderr
    assert "DJANGO_SECURE_PROXY_SSL_HEADER" in result.stderr


def test_with_it_check_deploy_does_not(deployment):
    env = {**deployment.unconfigured_env, "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}
    result = check_deploy(env)
    assert "booking_site.E001" not in result.stdout + result.stderr
