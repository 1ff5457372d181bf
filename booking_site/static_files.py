"""Headers on the static files WhiteNoise serves (WHITENOISE_ADD_HEADERS_FUNCTION).

WhiteNoise answers before the CSP and framing middleware, so its files carry
their own policy: no site may frame them, and a file opened on its own (a
designer's SVG in THEME_DIR, say) may run no script. The pages' own CSP
governs what they load from here. Nor may another site's page load them
(Cross-Origin-Resource-Policy, as booking_site.middleware gives every
response): the pages that use them are ours, and nothing an email shows is
among them. No Django import: settings imports this.
"""

from collections.abc import MutableMapping

POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def add_headers(headers: MutableMapping[str, str], path: str, url: str) -> None:
    headers["Content-Security-Policy"] = POLICY
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
