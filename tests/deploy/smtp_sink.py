"""A mail server for the deployment tests: it takes every message over SMTP and keeps it.

Production refuses the console, file and memory backends (they would print or
drop patients' mail), so sites under gunicorn with production settings send
over real SMTP, here to this sink on a free port of loopback. It speaks just
enough of RFC 5321 for smtplib: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT; no TLS, no authentication.
"""

from __future__ import annotations

import contextlib
import email
import email.message
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Sink:
    """What the sink has received, and where it listens (`url`, for EMAIL_URL)."""

    url: str
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[email.message.EmailMessage]:
        """The messages sent to `address`."""
        with self.lock:
            return [m for m in self.messages if address in m.get_all("X-Sink-To", [])]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


class _Session(socketserver.StreamRequestHandler):
    sink: Sink

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        self.reply("220 sink.test ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink.test")
            elif verb == "RCPT":
                recipients.append(command.partition(":")[2].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self._keep(self._data(), recipients)
                recipients = []
                self.reply("250 OK: kept")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:  # MAIL, RSET, NOOP: nothing to remember
                if verb in ("MAIL", "RSET"):
                    recipients = []
                self.reply("250 OK")

    def _data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)  # dot-stuffing
        return b"".join(lines)

    def _keep(self, data: bytes, recipients: list[str]) -> None:
        message = email.message_from_bytes(data, policy=email.policy.default)
        for recipient in recipients:  # the envelope's, which a Bcc never shows
            message["X-Sink-To"] = recipient
        with self.sink.lock:
            self.sink.messages.append(message)  # type: ignore[arg-type]


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextlib.contextmanager
def smtp_sink() -> Iterator[Sink]:
    """The sink, listening on 127.0.0.1 until the block ends."""
    handler = type("Session", (_Session,), {})
    with _Server(("127.0.0.1", 0), handler) as server:
        sink = Sink(f"smtp://127.0.0.1:{server.server_address[1]}")
        handler.sink = sink
        thread = threading.Thread(target=server.serve_forever, name="smtp-sink", daemon=True)
        thread.start()
        try:
            yield sink
        finally:
            server.shutdown()
            thread.join(timeout=10)
