from django.conf import settings
from django.urls import URLResolver, include, path

from . import views

app_name = "sandbox"

urlpatterns = [
    path("api/request", views.api_request, name="api-request"),
]


def routes() -> list[URLResolver]:
    """The reference diary's URLs for the site's URLconf: none unless SANDBOX_ENABLED.

    A site on the live Physiodiary server has no fake diary to expose. Asked
    each time the site's URLconf is loaded, so a reload sees the settings of
    the moment.
    """
    if not settings.SANDBOX_ENABLED:
        return []
    return [path("sandbox/", include("sandbox.urls"))]
