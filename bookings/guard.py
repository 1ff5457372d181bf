"""Keeping programs from filling the diary: rate limits, a honeypot, a minimum time.

None of these needs a cookie or JavaScript, so they hold in other sites'
iframes and for patients who block both. Counts live in the shared cache, so
they hold across web servers (with CACHE_URL=redis://...).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import time

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from . import counters

logger = logging.getLogger(__name__)

#: The honeypot's name: a field people never see, which form-filling programs fill.
HONEYPOT = "website"

#: An IPv6 host is given a /64 and can use any address in it, so each /64 is
#: counted as one client. A site is usually given a /48: 65,536 /64s, which
#: would be as many allowances. So the /48 is counted too, against this many
#: times the limit: one network no longer multiplies its allowance, while a
#: /48 that several households or a practice's patients share still lets a
#: few of them in at once.
PREFIX_48_ALLOWANCE = 4

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: A port after an address, as proxies write it: a number, or RFC 7239's
#: obfuscated `_name`.
_PORT = re.compile(r":(?:[0-9]{1,5}|_[A-Za-z0-9._-]+)")

#: One `name=value` pair of an RFC 7239 Forwarded header (section 4), with
#: what ends it: `;` (another pair of the same element), `,` (another
#: element, i.e. another proxy) or the end.
_PAIR = re.compile(
    r"""[\s;]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*"""
    r"""("(?:[^"\\]|\\.)*"|[^\s",;]*)\s*([;,]|$)"""
)

#: The headers (or REMOTE_ADDR) that have held an address we could not read,
#: in this process: each is logged once, not once a request.
_warned: set[str] = set()


def client_address(request: HttpRequest) -> str:
    """The client as rate limits count it: one IPv4 address, or an IPv6 host's /64.

    The address is REMOTE_ADDR, or, behind proxies of our own, the one the
    outermost of them saw (CLIENT_IP_HEADER, CLIENT_IP_PROXIES). One that
    does not parse is logged once and counted as REMOTE_ADDR: never one
    bucket shared by every such client, which one of them could fill.
    """
    return _as_counted(request, _client_ip(request))


def _as_counted(request: HttpRequest, ip: IPAddress | None) -> str:
    if ip is None:
        # The connection itself has no IP address (a unix socket): all such
        # requests come from one peer, whatever it is, anyway.
        return request.META.get("REMOTE_ADDR", "")
    return str(_network(ip, 64)) if ip.version == 6 else str(ip)


def parse_address(value: str) -> IPAddress | None:
    """An address as a proxy may write it, or None.

    `203.0.113.7`, `203.0.113.7:51234`, `2001:db8::1`, `[2001:db8::1]`,
    `[2001:db8::1]:443`; an IPv4-mapped IPv6 address is its IPv4 address.
    RFC 7239's `unknown` and obfuscated `_name` identifiers are not addresses.
    """
    value = value.strip()
    version = None
    if value.startswith("["):
        host, closed, port = value[1:].partition("]")
        if not closed or (port and not _PORT.fullmatch(port)):
            return None
        version = 6
    elif value.count(":") == 1:  # IPv4 and its port: IPv6 has at least two colons
        host, port = value.split(":")
        if not _PORT.fullmatch(":" + port):
            return None
        version = 4
    else:
        host = value
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if version is not None and ip.version != version:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def forwarded_for(header: str) -> list[str | None]:
    """The `for=` of each element of an RFC 7239 Forwarded header, left to right.

    None for an element with no `for=`, or one that does not parse. The
    client writes the left of the header, so a malformed part there (an
    unclosed quote, say) is skipped up to the next comma, quotes or not:
    it must not swallow the elements our own proxies added on its right.
    """
    found: list[str | None] = []
    element: dict[str, str] = {}
    position = 0
    while position < len(header):
        pair = _PAIR.match(header, position)
        if pair is None:
            comma = header.find(",", position)
            stop = len(header) if comma < 0 else comma
            rest = header[position:stop].strip(" \t;")
            if element or rest:  # an empty element is no proxy's
                found.append(None if rest else element.get("for"))
            element, position = {}, stop + 1
            continue
        name, value, end = pair.groups()
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        element.setdefault(name.lower(), value)
        position = pair.end()
        if end != ";":
            found.append(element.get("for"))
            element = {}
    if element:
        found.append(element.get("for"))
    return found


def _client_ip(request: HttpRequest) -> IPAddress | None:
    """The address the outermost of our proxies saw, else REMOTE_ADDR's; None if neither is one."""
    remote = request.META.get("REMOTE_ADDR", "")
    header = settings.CLIENT_IP_HEADER
    if header:
        hops = _hops(request, header)
        # Behind N proxies of our own, the Nth entry from the right is the
        # one our outermost proxy wrote; everything to its left was written
        # by the client and may be forged. Fewer entries: the request did not
        # come through our proxies (a health check on the host, say).
        if len(hops) >= settings.CLIENT_IP_PROXIES:
            hop = hops[-settings.CLIENT_IP_PROXIES]
            ip = parse_address(hop) if hop is not None else None
            if ip is not None:
                return ip
            _warn_once(header)
    ip = parse_address(remote)
    if ip is None:
        _warn_once("REMOTE_ADDR")
    return ip


def _hops(request: HttpRequest, header: str) -> list[str | None]:
    """The header's entries, one a proxy: X-Forwarded-For's addresses, or Forwarded's `for=`."""
    value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
    if header.lower() == "forwarded":
        return forwarded_for(value)
    return [hop.strip() for hop in value.split(",") if hop.strip()]


def _warn_once(where: str) -> None:
    if where in _warned:
        return
    _warned.add(where)
    # The header's name, never its value: an address is personal data.
    if where == "REMOTE_ADDR":
        logger.warning(
            "REMOTE_ADDR is not an IP address (a unix socket?): rate limits count"
            " requests by its value as given; this is logged once"
        )
    else:
        logger.warning(
            "a client address in %s did not parse: counted as the connecting address"
            " (REMOTE_ADDR); this is logged once",
            where,
        )


def _network(ip: IPAddress, prefix: int) -> ipaddress.IPv6Network:
    # From the integer, so that a zone (fe80::1%eth0) does not make its own network.
    return ipaddress.IPv6Network((int(ip) >> (128 - prefix) << (128 - prefix), prefix))


def _buckets(request: HttpRequest, limit: int) -> list[tuple[str, int]]:
    """What this request counts against, each with its allowance."""
    ip = _client_ip(request)
    counted = [(_as_counted(request, ip), limit)]
    if ip is not None and ip.version == 6:
        counted.append((str(_network(ip, 48)), limit * PREFIX_48_ALLOWANCE))
    return counted


def wait_needed(request: HttpRequest, scope: str, limit: int) -> int:
    """Count one more `scope` request from this client; the seconds to wait if over `limit`.

    0 means go ahead. A fixed window of BOOKING_RATE_LIMIT_SECONDS: one atomic
    count in the shared cache (bookings/counters.py).
    An IPv6 client counts against its /64's `limit` and its /48's larger
    allowance (PREFIX_48_ALLOWANCE). Addresses are kept only as keyed hashes.
    """
    if not limit:
        return 0
    period = settings.BOOKING_RATE_LIMIT_SECONDS
    now = time.time()
    window = int(now // period)
    over = False
    for who, allowance in _buckets(request, limit):
        hashed = salted_hmac("bookings.guard", who).hexdigest()[:32]
        # Every bucket is counted, even once one is over: a client held back
        # by its /48 is still counted in its /64.
        over |= _counted(f"bookings:rate:{scope}:{hashed}:{window}", period) > allowance
    if not over:
        return 0
    return max(1, math.ceil((window + 1) * period - now))


def _counted(key: str, period: int) -> int:
    # One round trip to Redis where an add and an incr took three (bookings/counters.py).
    return counters.add_one(key, period + 60)


def filled_honeypot(request: HttpRequest) -> bool:
    return any(request.POST.getlist(HONEYPOT))  # every value, not only the last


def too_quick(issued_at: float) -> bool:
    """Whether a form came back sooner than any person could fill it in."""
    return time.time() - issued_at < settings.BOOKING_FORM_MIN_SECONDS
