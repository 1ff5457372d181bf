"""A small real image for tests that need a logo: a PNG of one pixel, made here."""

from __future__ import annotations

import struct
import zlib


def a_png(colour: tuple[int, int, int] = (11, 93, 107)) -> bytes:
    """A valid 1 by 1 PNG of `colour` (RGB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1 by 1, 8 bits, RGB
    pixels = zlib.compress(b"\x00" + bytes(colour))  # filter byte 0, then the pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
