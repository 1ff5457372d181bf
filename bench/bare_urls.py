"""The site's URLs plus /bench/bare/, a view that does nothing (bench/rps.py's yardstick)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from booking_site.urls import handler400, handler403, handler404, handler500

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("booking_site.urls")),
]
