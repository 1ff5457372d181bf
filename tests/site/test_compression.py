"""Pages compressed as Django compresses them, a page served again unchanged only once a worker.

booking_site.middleware.GZipMiddleware keeps the compressed bytes of a page it
has served twice; what it sends is what Django's own GZipMiddleware sends, the
random bytes of its BREACH mitigation drawn afresh each time. Nothing of one
patient's is kept: no-store pages (a details form, a confirmation) and a
move's pages are compressed every time.
"""

from __future__ import annotations

import gzip

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware
from django.test import RequestFactory

from booking_site import middleware

PAGE = ("<p>" + "Free times on Monday 7 December. " * 60 + "</p>").encode()


@pytest.fixture(autouse=True)
def _fresh_worker():
    middleware._COMPRESSED.clear()
    middleware._SEEN.clear()


@pytest.fixture
def compressions(monkeypatch) -> list[int]:
    """How many times a page was compressed (the size of each)."""
    made: list[int] = []
    compress = middleware.compress_string

    def counted(content, **kwargs):
        made.append(len(content))
        return compress(content, **kwargs)

    monkeypatch.setattr(middleware, "compress_string", counted)
    monkeypatch.setattr("django.middleware.gzip.compress_string", counted)  # Django's own
    return made


def served(
    path: str = "/times/?staffId=1&sectionId=2", page: bytes = PAGE, **headers
) -> HttpResponse:
    request = RequestFactory().get(path, headers={"Accept-Encoding": "gzip", **headers})
    response = HttpResponse(page)
    for name, value in headers.items():
        response[name] = value
    return middleware.GZipMiddleware(lambda request: response)(request)


def test_a_page_served_again_unchanged_is_compressed_once(compressions):
    answers = [served() for _ in range(4)]

    assert compressions == [len(PAGE), len(PAGE)]  # the first time, and the second, which keeps it
    for answer in answers:
        assert gzip.decompress(answer.content) == PAGE
        assert answer["Content-Encoding"] == "gzip"
        assert answer["Content-Length"] == str(len(answer.content))
        assert answer["Vary"] == "Accept-Encoding"


def test_the_bytes_sent_are_djangos_random_bytes_and_all(monkeypatch):
    monkeypatch.setattr("secrets.randbelow", lambda limit: 37)
    request = RequestFactory().get("/privacy/", headers={"Accept-Encoding": "gzip"})
    djangos = DjangoGZipMiddleware(lambda request: HttpResponse(PAGE))(request)

    ours = [served("/privacy/") for _ in range(3)]  # made, kept, then from memory

    assert {answer.content for answer in ours} == {djangos.content}


def test_each_response_gets_random_bytes_of_its_own():
    lengths = {len(served().content) for _ in range(20)}

    assert len(lengths) > 1


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/details/?staffId=1&sectionId=2&date=20261207&time=1030", {"Cache-Control": "no-store"}),
        ("/times/?staffId=1&sectionId=2&change=a-link", {}),
        ("/times/?staffId=1&sectionId=2", {"Cache-Control": "private"}),
    ],
)
def test_a_page_of_one_patients_is_never_kept(compressions, path, headers):
    for _ in range(3):
        assert gzip.decompress(served(path, **headers).content) == PAGE

    assert len(compressions) == 3
    assert len(middleware._COMPRESSED._entries) == 0


def test_a_browser_that_takes_no_gzip_gets_the_page_as_it_is():
    request = RequestFactory().get("/privacy/")
    answer = middleware.GZipMiddleware(lambda request: HttpResponse(PAGE))(request)

    assert answer.content == PAGE
    assert not answer.has_header("Content-Encoding")


def test_a_streamed_response_is_compressed_as_django_does():
    request = RequestFactory().get("/privacy/", headers={"Accept-Encoding": "gzip"})
    answer = middleware.GZipMiddleware(lambda request: StreamingHttpResponse([PAGE]))(request)

    assert gzip.decompress(b"".join(answer.streaming_content)) == PAGE


def test_a_worker_keeps_a_few_pages_only():
    for n in range(middleware.KEPT + 5):
        page = PAGE + str(n).encode()
        served(page=page)
        served(page=page)

    assert len(middleware._COMPRESSED._entries) == middleware.KEPT


def test_the_times_page_reaches_the_patient_compressed_and_whole(client, db):
    plain = client.get("/privacy/")
    compressed = [client.get("/privacy/", headers={"Accept-Encoding": "gzip"}) for _ in range(3)]

    assert {gzip.decompress(answer.content) for answer in compressed} == {plain.content}
