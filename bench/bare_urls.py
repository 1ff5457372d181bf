"""The site's URLs plus /bench/bare/, a view that does nothing (bench/rps.py's yardstick)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from booking_site import urls as site_urls
from booking_site.urls import handler400, handler403, handler404, handler500

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


# The site's own list, not include()d: its i18n_patterns may only be at the root
# (Django refuses them in an included URLconf).
urlpatterns = [path("bench/bare/", bare), *site_urls.urlpatterns]
