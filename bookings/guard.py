"""Keeping programs from filling the diary: rate limits, a honeypot, a minimum time.

None of these needs a cookie or JavaScript, so they hold in other sites'
iframes and for patients who block both. Counts live in the shared cache, so
they hold across web servers (with CACHE_URL=redis://...).
"""

from __future__ import annotations

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

#: The honeypot's name: a field people never see, which form-filling programs fill.
HONEYPOT = "website"


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the configured trusted proxy header's.

    Behind N proxies of our own, the Nth address from the right of
    X-Forwarded-For is the one our outermost proxy saw; everything to its left
    was written by the client and may be forged.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.CLIENT_IP_HEADER:
        header = "HTTP_" + settings.CLIENT_IP_HEADER.upper().replace("-", "_")
        hops = [hop.strip() for hop in request.META.get(header, "").split(",") if hop.strip()]
        if len(hops) >= settings.CLIENT_IP_PROXIES:
            address = hops[-settings.CLIENT_IP_PROXIES]
    return _bucket(address)


def _bucket(address: str) -> str:
    """One IPv4 address, or the /64 an IPv6 host is given (it can use any address in it)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def wait_needed(request: HttpRequest, scope: str, limit: int) -> int:
    """Count one more `scope` request from this client; the seconds to wait if over `limit`.

    0 means go ahead. A fixed window of BOOKING_RATE_LIMIT_SECONDS: a cache
    `add` then `incr`, both atomic in Redis and in the local memory cache.
    The address is kept only as a keyed hash.
    """
    if not limit:
        return 0
    period = settings.BOOKING_RATE_LIMIT_SECONDS
    now = time.time()
    window = int(now // period)
    who = salted_hmac("bookings.guard", client_address(request)).hexdigest()[:32]
    key = f"bookings:rate:{scope}:{who}:{window}"
    cache.add(key, 0, timeout=period + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period + 60)
        count = 1
    if count <= limit:
        return 0
    return max(1, math.ceil((window + 1) * period - now))


def filled_honeypot(request: HttpRequest) -> bool:
    return any(request.POST.getlist(HONEYPOT))  # every value, not only the last


def too_quick(issued_at: float) -> bool:
    """Whether a form came back sooner than any person could fill it in."""
    return time.time() - issued_at < settings.BOOKING_FORM_MIN_SECONDS
