"""The circuit breaker: a diary that keeps failing is left alone for a while."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from .errors import Reason


class Breaker(Protocol):
    """What the client asks of a circuit breaker before and after each call."""

    @property
    def is_open(self) -> bool:
        """Whether calls are being refused now."""
        ...

    def allow(self) -> bool:
        """Whether a call may be made now."""
        ...

    def succeeded(self) -> None:
        """The diary answered (even with errors): it is up."""
        ...

    def failed(self, reason: Reason) -> None:
        """The diary could not be reached or answered nonsense."""
        ...


class CircuitBreaker:
    """Stops calls to a diary that keeps failing, for a while.

    After `failures` failed calls in a row the circuit opens: calls fail at
    once, without waiting for a timeout, for `seconds`. Then one call is let
    through as a trial; its success closes the circuit, its failure opens it
    again. `failures=0` never opens it. Only `Unavailable` counts as a
    failure: a diary that answers with errors is up.
    """

    def __init__(
        self,
        failures: int,
        seconds: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        logger: logging.Logger | None = None,
    ) -> None:
        self.failures = failures
        self.seconds = seconds
        self._clock = clock
        self._logger = logger or logging.getLogger(__name__)
        self._lock = threading.Lock()
        self._in_a_row = 0
        self._open_until: float | None = None
        self._trial = False

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._open_until is not None

    def allow(self) -> bool:
        """Whether a call may be made now."""
        with self._lock:
            if self._open_until is None:
                return True
            if self._trial or self._clock() < self._open_until:
                return False
            self._trial = True  # one trial call; the others keep failing fast
            return True

    def succeeded(self) -> None:
        with self._lock:
            was_open = self._open_until is not None
            self._in_a_row, self._open_until, self._trial = 0, None, False
        if was_open:
            self._logger.warning("physiodiary circuit closed: the diary answered again")

    def failed(self, reason: Reason) -> None:
        with self._lock:
            self._in_a_row += 1
            trial, self._trial = self._trial, False
            if not self.failures or (self._in_a_row < self.failures and not trial):
                return
            self._open_until = self._clock() + self.seconds
        self._logger.error(
            "physiodiary circuit open for %gs after %d failed calls in a row (last: %s)",
            self.seconds,
            self._in_a_row,
            reason,
        )
