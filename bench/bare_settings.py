"""The production settings with one more URL, for bench/rps.py: /bench/bare/.

    DJANGO_SETTINGS_MODULE=bench.bare_settings

Everything else (middleware, templates, caches, the reference diary) is the
site's own, so that a bare view and the times page are served alike.
"""

from booking_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
