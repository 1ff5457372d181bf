"""Which file drew a preview: the designer's, from THEME_DIR, or ours.

Asked of Django's own template loaders, as a page would be rendered: the
template a name finds first, then each template it extends, found as
`{% extends %}` finds it (skipping those already used, so that a designer's
`bookings/times.html` may extend our `bookings/times.html`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template import Context, engines
from django.template.base import Origin, Template
from django.template.loader_tags import ExtendsNode

#: Deeper than any chain of ours (a step, step.html, base.html): a loop stops here.
_DEEPEST = 10


@dataclass(frozen=True)
class Drawn:
    """One template of a page, and the file it was read from."""

    name: str
    path: str
    from_theme: bool

    @property
    def shown_path(self) -> str:
        """The file, from THEME_DIR or the project's folder where it is in one."""
        path = Path(self.path)
        for folder, label in ((settings.THEME_DIR, "THEME_DIR/"), (settings.BASE_DIR, "")):
            if folder and path.is_relative_to(folder):
                return label + str(path.relative_to(folder))
        return self.path


def drawn_by(name: str) -> list[Drawn]:
    """The template `name` renders with, then each one it extends, up to base.html."""
    engine = engines["django"].engine
    template = engine.get_template(name)
    used: list[Origin] = [template.origin]
    chain = [_drawn(template.origin)]
    while (parent := _parent_name(template)) and len(chain) < _DEEPEST:
        template, origin = engine.find_template(parent, skip=used)
        used.append(origin)
        chain.append(_drawn(origin))
    return chain


def _parent_name(template: Template) -> str | None:
    extends = next((node for node in template.nodelist if isinstance(node, ExtendsNode)), None)
    if extends is None:
        return None
    # A name written in the tag; ours never extend a variable (only preview/page.html).
    parent = extends.parent_name.resolve(Context())
    return parent if isinstance(parent, str) and parent else None


def _drawn(origin: Origin) -> Drawn:
    path = Path(origin.name).resolve()
    theme = settings.THEME_DIR
    return Drawn(origin.template_name, str(path), bool(theme) and path.is_relative_to(theme))
