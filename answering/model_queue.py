"""A first-come, first-served line for the language model: one question generates at a time, and each
waiting question knows its place (1 = next). Hand-written because the place in line must be observable,
which neither threading.Lock nor queue.Queue exposes."""

from __future__ import annotations

import threading
from collections.abc import Callable

from corridor.errors import CorridorError


class Cancelled(CorridorError):
    """The question was cancelled while it waited for or used the model."""


class Ticket:
    """One question's place in line. `wait_turn()` blocks until it is first; `leave()` frees the model."""

    def __init__(self, queue: ModelQueue, on_position: Callable[[int], None] | None) -> None:
        self.queue = queue
        self.on_position = on_position
        self.cancel_event = threading.Event()
        self.left = False
        self.active = False  # its turn came and it is using the model

    def wait_turn(self) -> None:
        self.queue._wait(self)

    def cancel(self) -> None:
        """Give up: stop waiting (or, if generating, the generation loop sees `cancelled` and stops)."""
        self.cancel_event.set()
        self.queue._cancel(self)

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def leave(self) -> None:
        self.queue._leave(self)

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.leave()


class ModelQueue:
    """The line in front of one model. Positions count the questions ahead, the one generating included."""

    def __init__(self) -> None:
        self._line: list[Ticket] = []
        self._cond = threading.Condition()

    def join(self, on_position: Callable[[int], None] | None = None) -> Ticket:
        """Take a place at the end of the line (does not block)."""
        ticket = Ticket(self, on_position)
        with self._cond:
            self._line.append(ticket)
            ahead = len(self._line) - 1
        if ahead and on_position:
            on_position(ahead)
        return ticket

    def waiting(self) -> int:
        with self._cond:
            return max(0, len(self._line) - 1)

    def _cancel(self, ticket: Ticket) -> None:
        with self._cond:
            moved = self._remove(ticket) if not ticket.active else []
            self._cond.notify_all()
        self._tell(moved)

    def _wait(self, ticket: Ticket) -> None:
        with self._cond:
            while True:
                if ticket.cancelled or ticket.left:
                    moved = self._remove(ticket)
                    break
                if self._line[0] is ticket:
                    ticket.active = True
                    return
                self._cond.wait(1.0)
        self._tell(moved)
        raise Cancelled("the question was cancelled while it waited for the model.")

    def _remove(self, ticket: Ticket) -> list[tuple[Ticket, int]]:
        """Take a ticket out of line (lock held); returns the new places of those behind it."""
        if ticket not in self._line:
            return []
        at = self._line.index(ticket)
        self._line.remove(ticket)
        self._cond.notify_all()
        return [(t, i) for i, t in enumerate(self._line) if i >= at and i > 0]

    @staticmethod
    def _tell(moved: list[tuple[Ticket, int]]) -> None:
        for t, place in moved:
            if t.on_position:
                t.on_position(place)

    def _leave(self, ticket: Ticket) -> None:
        with self._cond:
            ticket.left = True
            moved = self._remove(ticket)
        self._tell(moved)
