from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import health

urlpatterns = [
    path("", include("bookings.urls")),
    path("admin/", admin.site.urls),
    # Answered first by the `probes` middleware, whatever the Host; routed
    # here too so that they can be reversed, and work should it be removed.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

# The reference diary answers only where the site runs on it: a site on the
# live Physiodiary server has no fake diary to expose.
if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("sandbox.urls")))

# Every page with sample data, for designers. Routed always, but each view is
# a 404 unless DEBUG is on (checked per request: bookings/preview.py).
urlpatterns.append(path("preview/", include("bookings.preview")))

# Styled, and none of them needs the diary (see bookings/errors.py).
handler400 = "bookings.errors.bad_request"
handler403 = "bookings.errors.forbidden"
handler404 = "bookings.errors.not_found"
handler500 = "bookings.errors.server_error"
