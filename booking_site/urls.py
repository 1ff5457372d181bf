from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

import sandbox.urls
from bookings import embedding, theme

from . import admin_site, health

# The patient's pages in each offered language: /cy/times/ in Welsh, the
# default language's unprefixed (bookings/languages.py).
urlpatterns = i18n_patterns(path("", include("bookings.urls")), prefix_default_language=False)

urlpatterns += [
    # At one address whatever the language: practices paste it into their pages
    # (embed.js carries every language's words), and the theme is the same in all.
    path("embed.js", embedding.script, name="embed-js"),
    path("theme.css", theme.stylesheet, name="theme-css"),
    # Answered first by the `probes` middleware, whatever the Host; routed
    # here too so that they can be reversed, and work should it be removed.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

# The reference diary answers only where the site runs on it; the sandbox
# app decides where that is (SANDBOX_ENABLED).
urlpatterns += sandbox.urls.routes()

# The admin only where an app has put something in it: the reference diary
# does, with SANDBOX_ENABLED (sandbox/admin.py), and the bookings app always
# (bookings/admin.py: the practice emails not sent yet, and the change links'
# counts), so a site on a live diary has one too. Decided when this module is
# imported, after every app's admin.py. It is the practice's console (console/),
# at CONSOLE_PATH; the console's own pages first, before the admin's catch-all.
if admin_site.in_use():
    urlpatterns += [
        path(f"{settings.CONSOLE_PATH}practice/", include("console.urls")),
        path(settings.CONSOLE_PATH, admin.site.urls),
    ]

# Every page with sample data, for designers (the `preview` app), routed only
# with DEBUG on: otherwise every address under /preview/ is the site's 404.
# Read when this module is imported, so tests that change DEBUG reload it
# (tests/site/conftest.py: `reload_urls`).
# In each language, as the booking: /cy/preview/ shows every state in Welsh.
if settings.DEBUG:
    urlpatterns += i18n_patterns(
        path("preview/", include("preview.urls")), prefix_default_language=False
    )

# Styled, and none of them needs the diary (see bookings/error_pages.py).
handler400 = "bookings.error_pages.bad_request"
handler403 = "bookings.error_pages.forbidden"
handler404 = "bookings.error_pages.not_found"
handler500 = "bookings.error_pages.server_error"
