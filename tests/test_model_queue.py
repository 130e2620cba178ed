"""The model's line: first come, first served, places reported as they change, cancellation leaves it."""

from __future__ import annotations

import threading

import pytest

from answering.model_queue import Cancelled, ModelQueue


def test_places_move_up_as_questions_ahead_finish() -> None:
    queue = ModelQueue()
    places: dict[str, list[int]] = {"b": [], "c": []}
    a = queue.join()
    b = queue.join(places["b"].append)
    c = queue.join(places["c"].append)
    assert places == {"b": [1], "c": [2]} and queue.waiting() == 2
    a.wait_turn()  # first in line: no wait
    a.leave()
    assert places == {"b": [1], "c": [2, 1]}
    b.wait_turn()
    b.leave()
    c.wait_turn()
    c.leave()
    assert queue.waiting() == 0


def test_a_waiting_question_blocks_until_its_turn_and_can_be_cancelled() -> None:
    queue = ModelQueue()
    first = queue.join()
    first.wait_turn()
    second = queue.join()
    third_places: list[int] = []
    third = queue.join(third_places.append)
    turns: list[str] = []
    errors: list[BaseException] = []

    def wait(name, ticket) -> None:
        try:
            ticket.wait_turn()
            turns.append(name)
        except Cancelled as exc:
            errors.append(exc)

    t2 = threading.Thread(target=wait, args=("second", second))
    t3 = threading.Thread(target=wait, args=("third", third))
    t2.start()
    t3.start()
    second.cancel()  # gives up while waiting: leaves the line, the third moves up
    t2.join(10)
    assert len(errors) == 1 and third_places == [2, 1]
    assert turns == []  # nobody passed the question using the model
    first.leave()
    t3.join(10)
    assert turns == ["third"]
    third.leave()


def test_a_cancelled_ticket_that_never_waited_leaves_the_line() -> None:
    queue = ModelQueue()
    ticket = queue.join()
    ticket.cancel()
    assert queue.waiting() == 0
    with pytest.raises(Cancelled):
        ticket.wait_turn()
