"""The URLconf the in-process reference diary is found in (sandbox/transport.py).

Its one route, mounted where the site's URLconf mounts it when it is served
over HTTP, so that both answer at the same path; but here whether or not
SANDBOX_HTTP puts it on the site's URLconf, which is what lets the site book
into the reference diary with no HTTP route open to anyone else.
"""

from django.urls import include, path

from .urls import MOUNT

urlpatterns = [path(MOUNT, include("sandbox.urls"))]
