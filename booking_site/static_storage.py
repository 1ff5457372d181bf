"""The static files as production serves them: style sheets and scripts without their comments.

`collectstatic` with this storage (settings.STORAGES, when DEBUG is off) does
what WhiteNoise's does, names with a hash of the content and gzip and brotli
copies, and first takes the comments and indentation out of every `.css`
file it keeps, and the whole-line comments and indentation out of every
`.js` file. The comments in static/css/site.css and static/js/booking.js say
why each rule or line is there, for whoever edits them; no browser needs
them, and they were a third of the sheet every page waits for before it can
draw. The source keeps them.

The hash in a file's name, its Subresource Integrity (bookings/integrity.py
reads the collected file) and its compressed copies are all of the lean
bytes, so a change to a comment alone changes nothing that is served.

Only what cannot change the meaning goes. In a style sheet, strings and
`url(...)` stay exactly as written, and so does a comment that starts `/*!`
(a licence, by convention). In a script, only lines that are all comment,
and the blank space at either end of each line: never a comment after code,
where `//` may sit in a string or a regular expression; and a script with a
template literal, or a string continued on the next line, or already
minified (`.min.js`), is kept as it is, as their lines' blank space may be
the string's own. `//!` (a licence), `//#` and `//@` (a source map) stay.
In development (runserver) the source files are served as they are.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.files.base import ContentFile, File
from whitenoise.storage import CompressedManifestStaticFilesStorage

#: What may not be touched (a string, an unquoted url(), a /*! comment), a
#: comment with the blank space around it, or a line break with the
#: indentation around it.
_CSS = re.compile(
    r"""
    ( "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*' | url\((?!\s*["'])[^)]*\) | /\*!.*?\*/ )
    | \s*/\*(?!!).*?\*/\s*
    | \s*\n\s*
    """,
    re.S | re.X,
)
#: What makes a script's line breaks or blank space part of a string.
_JS_UNSAFE = re.compile(r"`|\\\r?\n")


def _lean(match: re.Match[str]) -> str:
    if match[1]:
        return match[1]
    # A comment still parts what it stood between (`1px/**/solid`); a line break
    # is kept as one, so that the served sheet still reads a rule a line.
    return "\n" if "\n" in match[0] else " "


def lean_css(css: str) -> str:
    """`css` without its comments (but `/*!`), indentation and blank lines: the same rules."""
    return _CSS.sub(_lean, css).strip() + "\n"


def _comment_line(line: str) -> bool:
    # One that closes a /* comment (`// old code */`) is that comment's end: kept.
    return line.startswith("//") and line[2:3] not in ("!", "#", "@") and "*/" not in line


def lean_js(js: str) -> str:
    """`js` without its whole-line comments, indentation and blank lines, when that is safe."""
    if _JS_UNSAFE.search(js):
        return js
    lines = (line.strip() for line in js.splitlines())
    return "\n".join(line for line in lines if line and not _comment_line(line)) + "\n"


def _lean_file(name: str | None, content: File) -> File:
    # (No name: the manifest's own hash.)
    if not name or not name.endswith((".css", ".js")) or name.endswith(".min.js"):
        return content
    raw = b"".join(content.chunks())
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        # Not ours to rewrite: served as it is.
        return ContentFile(raw)
    lean = lean_css(text) if name.endswith(".css") else lean_js(text)
    return ContentFile(lean.encode("utf-8"))


class LeanCompressedManifestStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's CompressedManifestStaticFilesStorage, keeping files without comments."""

    def _save(self, name: str, content: File) -> str:
        # Both collectstatic's copy (css/site.css) and the hashed one
        # (css/site.1a2b3c4d5e6f.css) pass here, before they are compressed.
        return super()._save(name, _lean_file(name, content))

    def file_hash(self, name: str | None, content: Any = None) -> str | None:
        # The name's hash is of the bytes saved, as browsers keep it a year.
        return super().file_hash(name, None if content is None else _lean_file(name, content))
