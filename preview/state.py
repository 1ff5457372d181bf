"""One state of a page, as the preview lists it (states.py and states_change.py)."""

from __future__ import annotations

from dataclasses import dataclass

from .contexts import Build, Message


@dataclass(frozen=True)
class State:
    """One page as a patient may meet it."""

    slug: str
    group: str
    title: str
    template: str
    #: The HTTP status the real page answers with (its preview answers 200);
    #: None for the email, which is no page.
    status: int | None
    build: Build
    #: The request method the template is to see (400.html words a form apart).
    method: str | None = None
    #: Rendered as inside a practice's frame (as `Sec-Fetch-Dest: iframe` says).
    framed: bool = False
    #: The real templates shown, where `template` is only the preview's frame.
    real_templates: str = ""
    #: For an email: what builds it (its HTML part is also served on its own).
    message: Message | None = None

    @property
    def shows(self) -> str:
        return self.real_templates or self.template
