"""bot.streaming.ReplyStream, the Discord reply's rate limit, on a virtual clock: at most one edit per
interval, only the latest text, no edit that repeats the last. The clock is virtual so the interval is
checked exactly; the end-to-end test (tests/test_discord_streaming.py) shows the drafts through discord.py."""

from __future__ import annotations

import asyncio

from answering.progress import Progress
from bot.streaming import DRAFT_HEAD, ReplyStream

INTERVAL = 2.0


class VirtualTime:
    """A monotonic clock that moves only when the stream waits (or the test moves it)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


async def settle(stream: ReplyStream, edits: int) -> None:
    """Let the stream's task run until it has made `edits` edits (the virtual clock never waits)."""
    for _ in range(1000):
        if len(stream.sent) >= edits:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"the stream made {len(stream.sent)} edits, expected {edits}")


def draft(text: str) -> Progress:
    return Progress("writing", text=text)


async def test_edits_at_most_once_per_interval_with_only_the_latest_text() -> None:
    vt = VirtualTime()
    made: list[tuple[float, str]] = []

    async def edit(text: str) -> None:
        made.append((vt.now, text))

    stream = ReplyStream(edit, INTERVAL, clock=vt.clock, sleep=vt.sleep)
    try:
        stream.on_progress(Progress("queued", place=1))
        await settle(stream, 1)
        for words in ("Baku", "Baku to", "Baku to Kars"):  # a burst within the interval
            stream.on_progress(draft(words))
        await settle(stream, 2)
        vt.now += 5 * INTERVAL  # a pause longer than the interval: the next text goes at once
        stream.on_progress(draft("Baku to Kars is 826 km"))
        await settle(stream, 3)
        stream.on_progress(draft("Baku to Kars is 826 km"))  # the same text again: no edit
        for _ in range(50):
            await asyncio.sleep(0)
    finally:
        await stream.close()

    start = made[0][0]
    assert [(t - start, text) for t, text in made] == [
        (0.0, "⏳ Waiting for the model: 1 question is ahead of yours."),
        (INTERVAL, DRAFT_HEAD + "Baku to Kars ▌"),  # the burst's last text only, one interval later
        (INTERVAL + 5 * INTERVAL, DRAFT_HEAD + "Baku to Kars is 826 km ▌"),
    ]
    assert stream.sent == [text for _, text in made]


async def test_a_failed_edit_does_not_stop_the_stream() -> None:
    vt = VirtualTime()
    tried: list[str] = []

    async def edit(text: str) -> None:
        tried.append(text)
        if len(tried) == 1:
            raise RuntimeError("Discord said 503")

    stream = ReplyStream(edit, INTERVAL, clock=vt.clock, sleep=vt.sleep)
    try:
        stream.on_progress(draft("first"))
        for _ in range(50):
            await asyncio.sleep(0)
        stream.on_progress(draft("second"))
        await settle(stream, 1)
    finally:
        await stream.close()
    assert tried == [DRAFT_HEAD + "first ▌", DRAFT_HEAD + "second ▌"]
    assert stream.sent == [DRAFT_HEAD + "second ▌"]  # only what was shown
