"""What a Chromium page receives, response by response, from the Chrome DevTools Protocol.

    recorder = Recorder(context.new_cdp_session(page))  # then cdp.send("Network.enable")
    recorder.step = "2 times"                           # labels what arrives from now on

Each response's bytes as received (`Network.loadingFinished` encodedDataLength:
status line, headers and the compressed body) and its headers' share of them;
the body as sent (compressed) is the difference. Redirects are counted from
their `redirectResponse`. What comes from the browser's cache is marked so,
and costs nothing. Request bytes (what the browser sends) are not counted.
Used by bench/bytes.py and bench/first_paint.py.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The Chrome DevTools Protocol's resource types, in the reports' five.
CDP_TYPES = {
    "Document": "document",
    "Stylesheet": "stylesheet",
    "Script": "script",
    "Image": "image",
}


@dataclass
class Response:
    step: str
    method: str
    url: str
    kind: str
    status: int = 0
    encoding: str = ""
    header_bytes: int = 0
    wire_bytes: int = 0
    from_cache: bool = False
    finished: bool = False
    failed: str = ""
    order: int = 0

    @property
    def body_bytes(self) -> int:
        return max(self.wire_bytes - self.header_bytes, 0)


class Recorder:
    """Every response the page receives, by CDP requestId, labelled with the step it belongs to."""

    def __init__(self, cdp) -> None:
        self.step = ""
        self.open: dict[str, Response] = {}
        self.done: list[Response] = []
        for event in (
            "requestWillBeSent",
            "responseReceived",
            "responseReceivedExtraInfo",
            "requestServedFromCache",
            "loadingFinished",
            "loadingFailed",
        ):
            cdp.on(f"Network.{event}", getattr(self, event))

    def responses(self) -> list[Response]:
        """Everything so far, finished or not, by step and in the order asked for."""
        return sorted(self.done + list(self.open.values()), key=lambda r: (r.step, r.order))

    def requestWillBeSent(self, event: dict) -> None:
        url = event["request"]["url"]
        if not url.startswith("http"):
            return  # data: URLs never touch the network
        rid = event["requestId"]
        redirect = event.get("redirectResponse")
        if redirect and rid in self.open:
            # A redirect reuses the requestId: the hop is finished here.
            hop = self.open.pop(rid)
            hop.status = redirect["status"]
            hop.encoding = header(redirect.get("headers", {}), "content-encoding")
            hop.wire_bytes = int(redirect.get("encodedDataLength", 0))
            hop.header_bytes = hop.header_bytes or hop.wire_bytes
            hop.finished = True
            self.done.append(hop)
        kind = CDP_TYPES.get(event.get("type", ""), "other")
        self.open[rid] = Response(
            self.step, event["request"]["method"], url, kind, order=len(self.done) + len(self.open)
        )

    def responseReceived(self, event: dict) -> None:
        item = self.open.get(event["requestId"])
        if item is None:
            return
        response = event["response"]
        item.kind = CDP_TYPES.get(event.get("type", ""), item.kind)
        item.status = response["status"]
        item.encoding = header(response.get("headers", {}), "content-encoding")
        item.from_cache = item.from_cache or bool(
            response.get("fromDiskCache") or response.get("fromPrefetchCache")
        )
        # Bytes received when the headers were parsed: the status line and headers.
        item.header_bytes = item.header_bytes or int(response.get("encodedDataLength", 0))

    def responseReceivedExtraInfo(self, event: dict) -> None:
        item = self.open.get(event["requestId"])
        text = event.get("headersText")
        if item is not None and text:
            item.header_bytes = len(text.encode("latin-1", "replace"))

    def requestServedFromCache(self, event: dict) -> None:
        item = self.open.get(event["requestId"])
        if item is not None:
            item.from_cache = True

    def loadingFinished(self, event: dict) -> None:
        item = self.open.pop(event["requestId"], None)
        if item is None:
            return
        item.wire_bytes = int(event.get("encodedDataLength", 0))
        item.finished = True
        self.done.append(item)

    def loadingFailed(self, event: dict) -> None:
        item = self.open.pop(event["requestId"], None)
        if item is None:
            return
        item.failed = event.get("errorText", "failed")
        self.done.append(item)


def header(headers: dict, name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


def settle(page) -> None:
    """Wait until the page and everything it asked for has arrived, and the events are read."""
    page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(100)
