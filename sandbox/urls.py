from django.conf import settings
from django.urls import URLResolver, include, path

from . import views

app_name = "sandbox"

urlpatterns = [
    path("api/request", views.api_request, name="api-request"),
]

#: Where the reference diary's URLs are mounted: on the site's URLconf when
#: served over HTTP, and in sandbox/in_process_urls.py always.
MOUNT = "sandbox/"


def routes() -> list[URLResolver]:
    """The reference diary's URLs for the site's URLconf: none unless served over HTTP.

    A site on the live Physiodiary server has no fake diary to expose
    (SANDBOX_ENABLED), and a site on the reference diary books into it
    in-process (sandbox/transport.py): only the end-to-end tests and the
    benchmarks call it over HTTP (SANDBOX_HTTP). Its check of REMOTE_ADDR
    is no guard behind a proxy on the same host, which makes every request
    local. Asked each time the site's URLconf is loaded, so a reload sees
    the settings of the moment.
    """
    if not (settings.SANDBOX_ENABLED and settings.SANDBOX_HTTP):
        return []
    return [path(MOUNT, include("sandbox.urls"))]
