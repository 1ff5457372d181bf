"""The practice's look: the THEME_* settings as CSS custom properties.

They are served as a small style sheet, /theme.css, rather than inline:
the Content Security Policy allows no inline style. Its URL carries a hash
of the settings, so browsers keep it for a year and a changed setting is
seen at the next page, with no rebuild and no collectstatic.

Pages link to it with Subresource Integrity, computed from the bytes this
view serves. A page rendered before a change of setting, whose sheet the
browser does not already hold, is refused the new sheet, and shows
static/css/site.css's defaults until the next page: never a wrong sheet.

With the default settings it would say again what site.css's first `:root`
block says, and pages do not link it (`Theme.css_needed`): a second sheet
that blocks drawing is a second request before a patient on a poor signal
sees the page. The comparison is with site.css as served, so a
THEME_DIR/static/css/site.css of other defaults brings /theme.css back.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .integrity import served_path, sri

logger = logging.getLogger(__name__)

#: The style sheet whose first `:root` block holds the default theme.
SITE_CSS = "css/site.css"
_ROOT_BLOCK = re.compile(r":root\s*\{([^}]*)\}")
_PROPERTY = re.compile(r"(--[\w-]+)\s*:\s*([^;]*?)\s*;")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)

WHITE = "#ffffff"
#: Text on a light brand colour; the same near-black as the body text.
DARK = "#1b1b1b"


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """The WCAG 2 contrast ratio of two #rrggbb colours, from 1 to 21."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _darker(colour: str, by: float = 0.2) -> str:
    """The colour mixed with black: hovered and pressed buttons."""
    return "#" + "".join(f"{round(v * (1 - by)):02x}" for v in _rgb(colour))


def _on(colour: str) -> str:
    """White or near-black text on `colour`, whichever reads better."""
    return WHITE if contrast(colour, WHITE) >= contrast(colour, DARK) else DARK


@dataclass(frozen=True)
class Theme:
    brand: str
    accent: str
    radius: str
    font_stack: str
    logo: str

    @property
    def properties(self) -> dict[str, str]:
        """Every custom property /theme.css sets, by name (docs/designers.md lists them)."""
        return {
            "--brand": self.brand,
            "--brand-rgb": ", ".join(str(v) for v in _rgb(self.brand)),
            "--brand-dark": _darker(self.brand),
            "--brand-dark-rgb": ", ".join(str(v) for v in _rgb(_darker(self.brand))),
            "--on-brand": _on(self.brand),
            "--accent": self.accent,
            "--on-accent": _on(self.accent),
            "--radius": self.radius,
            "--font": self.font_stack,
        }

    @property
    def css_needed(self) -> bool:
        """Whether /theme.css changes anything: not when site.css already sets these values."""
        if isinstance(staticfiles_storage, ManifestFilesMixin):
            # A collected site.css never changes under its hashed name: once per process.
            return _needed_with_collected(self)
        return self.properties != site_defaults()

    @property
    def css(self) -> str:
        lines = "".join(f"  {name}: {value};\n" for name, value in self.properties.items())
        return f"/* From the THEME_* settings: see docs/designers.md. */\n:root {{\n{lines}}}\n"

    @property
    def version(self) -> str:
        return hashlib.sha256(self.css.encode()).hexdigest()[:12]

    @property
    def integrity(self) -> str:
        """The sheet's Subresource Integrity: of the very bytes `stylesheet` serves."""
        return sri(self.body)

    @property
    def body(self) -> bytes:
        return self.css.encode()

    @property
    def css_url(self) -> str:
        return f"{reverse('theme-css')}?v={self.version}"

    @property
    def logo_url(self) -> str:
        """The logo's URL, or "" when there is none (or its file is missing)."""
        if not self.logo:
            return ""
        try:
            return staticfiles_storage.url(self.logo)
        except ValueError:
            # Not in the manifest (collectstatic not run since it was added):
            # the practice's name instead of a broken page. checks.py says so too.
            logger.warning("THEME_LOGO %s is not among the collected static files", self.logo)
            return ""


@cache
def current() -> Theme:
    """The theme the settings describe."""
    return Theme(
        brand=settings.THEME_BRAND_COLOUR.lower(),
        accent=settings.THEME_ACCENT_COLOUR.lower(),
        radius=settings.THEME_RADIUS,
        font_stack=settings.THEME_FONT_STACK,
        logo=settings.THEME_LOGO,
    )


def site_defaults() -> dict[str, str]:
    """The custom properties set by the first `:root` block of site.css as served; {} if none."""
    try:
        path = served_path(SITE_CSS)
        return _defaults_in(path, path.stat().st_mtime_ns)
    except (ValueError, OSError):
        # No site.css to compare with: pages link /theme.css, as they always did.
        return {}


@cache
def _needed_with_collected(theme: Theme) -> bool:
    return theme.properties != site_defaults()


@lru_cache(maxsize=8)
def _defaults_in(path: Path, version: int) -> dict[str, str]:
    # `version` (the file's mtime) is part of the key: a developer's edit is read again.
    block = _ROOT_BLOCK.search(_COMMENT.sub(" ", path.read_text(encoding="utf-8")))
    return dict(_PROPERTY.findall(block[1])) if block else {}


def _forget(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("THEME_"):
        current.cache_clear()
    if setting in {"STORAGES", "STATIC_ROOT", "STATICFILES_DIRS", "STATIC_URL"}:
        # Tests change where static files come from; site.css's defaults go with them.
        _needed_with_collected.cache_clear()


setting_changed.connect(_forget, dispatch_uid="bookings-theme")


def stylesheet(request: HttpRequest) -> HttpResponse:
    """/theme.css: the theme's custom properties."""
    theme = current()
    # The bytes the pages' integrity="…" was computed from (Theme.integrity).
    response = HttpResponse(theme.body, content_type="text/css; charset=utf-8")
    # The page links to ?v=<hash of this very sheet>: that URL never changes
    # its content. Any other asks again, so an old page gets the new look.
    fresh = request.GET.get("v") == theme.version
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable" if fresh else "public, max-age=0, must-revalidate"
    )
    response["ETag"] = f'"{theme.version}"'
    return response
