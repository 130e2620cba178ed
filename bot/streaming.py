"""Showing an llm answer while it is written: its place in the model's line, then the growing draft, then
(replacing all of it) the verified answer. Discord edits the deferred reply at most once per
`llm_stream_edit_s`; the terminal redraws a transient area that disappears when the verified answer prints.
The draft is never the answer: only what verification kept remains on screen."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from answering.progress import Progress
from bot.discord_format import CONTENT_LIMIT, no_pings

if TYPE_CHECKING:
    from rich.console import Console

log = logging.getLogger("corridor.streaming")

DRAFT_HEAD = "✍️ *Draft, not yet checked against the sources:*\n"
VERIFYING = "🔎 Checking every sentence against its sources…"


def describe(p: Progress, limit: int = CONTENT_LIMIT) -> str:
    """One progress step as message text (at most `limit` characters; a long draft shows its end)."""
    if p.stage == "queued":
        ahead = "question is" if p.place == 1 else "questions are"
        return f"⏳ Waiting for the model: {p.place} {ahead} ahead of yours."
    if p.stage == "verifying":
        return VERIFYING
    room = limit - len(DRAFT_HEAD) - 2
    draft = p.text if len(p.text) <= room else "…" + p.text[-(room - 1):]
    return DRAFT_HEAD + no_pings(draft) + " ▌"


class ReplyStream:
    """Feeds progress (from any thread) into one message, edited at most once per `interval` seconds.

    `edit(text)` does the edit; only the latest text is sent, so a fast model costs no extra requests.
    `clock` and `sleep` are the monotonic clock and the wait it uses (a test gives a virtual pair, so the
    interval is checked exactly rather than against a busy machine's timing)."""

    def __init__(self, edit: Callable[[str], Awaitable[object]], interval: float,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self.edit = edit
        self.interval = interval
        self._clock, self._sleep = clock, sleep
        self.loop = asyncio.get_running_loop()
        self.latest: str | None = None
        self.sent: list[str] = []  # every text actually shown, oldest first
        self._changed = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="corridor-reply-stream")

    def on_progress(self, p: Progress) -> None:
        """Thread-safe: called by the engine's worker thread."""
        text = describe(p)
        self.loop.call_soon_threadsafe(self._set, text)

    def _set(self, text: str) -> None:
        self.latest = text
        self._changed.set()

    async def _run(self) -> None:
        last = -math.inf  # when the last edit started
        while True:
            await self._changed.wait()
            await self._sleep(max(0.0, last + self.interval - self._clock()))
            self._changed.clear()
            text = self.latest
            if text is None or (self.sent and self.sent[-1] == text):
                continue
            last = self._clock()
            try:
                await self.edit(text)
                self.sent.append(text)
            except Exception:  # a failed progress edit must not fail the answer
                log.warning("could not update the streaming reply", exc_info=True)

    async def close(self) -> None:
        """Stop editing (the caller then replaces the message with the verified answer)."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class TerminalStream:
    """The terminal's counterpart: a transient rich Live area holding the progress line or draft.

    On a pipe (not a terminal) it shows nothing, so piped output is the verified answer alone."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.live = None

    def __enter__(self) -> TerminalStream:
        if self.console.is_terminal:
            from rich.live import Live

            self.live = Live(console=self.console, transient=True, auto_refresh=False)
            self.live.start()
        return self

    def on_progress(self, p: Progress) -> None:
        if self.live is None:
            return
        from rich.text import Text

        if p.stage == "writing":
            body = Text("draft, not yet checked: ", style="dim italic")
            body.append(p.text + " ▌")
        else:
            body = Text(describe(p), style="dim")
        self.live.update(body, refresh=True)

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.stop()  # transient: the draft is erased before the verified answer prints


async def stream_reply(bot, interaction, question: str) -> None:
    """/ask in llm mode: the deferred reply shows the line, then the draft, then becomes the verified
    answer (with its citation embeds and feedback buttons); longer answers continue in follow-ups."""
    from bot.cogs.ask import log_failure, send_kwargs
    from bot.discord_bot import NO_PINGS, user_message

    async def edit(text: str) -> None:
        await interaction.edit_original_response(content=text, allowed_mentions=NO_PINGS)

    stream = ReplyStream(edit, bot.settings.llm_stream_edit_s)
    try:
        answer, messages = await bot.answer(question, interaction.channel_id, on_progress=stream.on_progress)
    except Exception as exc:
        await stream.close()
        log_failure(exc, question)
        await interaction.edit_original_response(content=user_message(exc), allowed_mentions=NO_PINGS)
        return
    await stream.close()
    view = bot.feedback_view(answer)
    first = send_kwargs(messages[0], view if len(messages) == 1 else None)
    first.setdefault("content", "")  # the draft must not survive in an embeds-only answer
    first.setdefault("embeds", [])
    await interaction.edit_original_response(**first)
    for i, msg in enumerate(messages[1:], 2):
        await interaction.followup.send(**send_kwargs(msg, view if i == len(messages) else None))
