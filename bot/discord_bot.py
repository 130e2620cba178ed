"""The Discord front end: a thin `commands.Bot` over the answer engine, and `run_bot(settings)`.

Features live in cogs (bot/cogs/): ask (slash, mention, thread follow-ups), sources, ingest, feedback.
This module holds what they share: the engine, the per-user rate limit, the concurrency cap, the
conversation memory, and the mapping of errors to short user messages. The bot never pings anyone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Hashable
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.conversations import Conversations
from bot.discord_format import OutgoingMessage, answer_messages, no_pings
from bot.feedback import FeedbackStore, RecentAnswers
from bot.gaps import GapStore
from bot.ratelimit import RateLimiter
from corridor.errors import CorridorError, IngestBusy, InputError, StoreUnavailable
from corridor.records import Answer, Turn
from corridor.settings import Settings, get_settings

log = logging.getLogger("corridor.discord")

NO_PINGS = discord.AllowedMentions.none()
COGS = ("bot.cogs.ask", "bot.cogs.sources", "bot.cogs.ingest", "bot.cogs.feedback", "bot.cogs.feeds")
UNAVAILABLE = "The knowledge base is unavailable right now; please try again in a little while."
FAILED = "Something went wrong while answering; the error has been logged."


def user_message(exc: BaseException) -> str:
    """The short line a user sees for an error (details go to the log, never to Discord)."""
    if isinstance(exc, StoreUnavailable):
        return UNAVAILABLE
    if isinstance(exc, IngestBusy):
        return "Another ingest is running; please try again when it has finished."
    if isinstance(exc, InputError | CorridorError):
        return no_pings(str(exc))[:500] or "That request could not be handled."
    return FAILED


class CorridorBot(commands.Bot):
    """corridor in Discord. `engine` may be given (tests, `corridor run`); else it is built at start-up."""

    def __init__(
        self,
        settings: Settings | None = None,
        engine: Any = None,
        *,
        sync_commands: bool = True,
        **options: Any,
    ) -> None:
        intents = discord.Intents.default()
        intents.message_content = True  # privileged: lets the bot read questions in threads it started
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=NO_PINGS,
            help_command=None,
            **options,
        )
        self.settings = settings or get_settings()
        self.engine = engine
        self.sync_commands = sync_commands
        s = self.settings
        self.limiter = RateLimiter(s.rate_limit_count, s.rate_limit_window_s)
        self.answer_slots = asyncio.Semaphore(s.max_concurrent_answers)
        self.conversations = Conversations(turns=s.history_turns)
        self.recent_answers = RecentAnswers()
        self.feedback = FeedbackStore(s.feedback_path)
        self.gaps = GapStore(s.gaps_path)  # abstained questions and "not helpful" votes (bot/gaps.py)
        self.started_threads: dict[int, None] = {}  # threads this process opened, oldest first (bounded)

    async def setup_hook(self) -> None:
        if self.engine is None:
            from answering.engine import Engine

            log.info("loading the answer engine (%s)", self.settings.chroma_location)
            self.engine = await asyncio.to_thread(Engine, self.settings)
        for name in COGS:
            await self.load_extension(name)
        self.tree.on_error = self.on_app_command_error
        if self.sync_commands:
            synced = await self.tree.sync()
            log.info("synced %d application commands", len(synced))

    async def on_ready(self) -> None:
        log.info(
            "connected to Discord as %s (id %s) in %d servers",
            self.user,
            self.user and self.user.id,
            len(self.guilds),
        )

    async def on_message(self, message: discord.Message) -> None:
        """Questions arrive through the ask cog's listener; there are no text commands."""

    # -- shared by the cogs ---------------------------------------------------------------------------
    async def answer(
        self, question: str, conversation: Hashable, on_progress: Any = None, **ask: Any
    ) -> tuple[Answer, list[OutgoingMessage]]:
        """Ask the engine (at most max_concurrent_answers at once) with this conversation's history;
        `ask` goes to Engine.ask (filters=...).

        In llm mode the question first takes its place in the model's line (arrival order; `on_progress`
        hears its place, then the draft), so a question waiting for a slot is counted too."""
        history = self.conversations.history(conversation)
        kw: dict[str, Any] = dict(ask)
        if self.settings.answer_mode == "llm":
            kw.update(ticket=self.engine.join_line(on_progress), on_progress=on_progress)
        try:
            async with self.answer_slots:
                answer = await self.engine.aask(question, history, **kw)
        except asyncio.CancelledError:
            if "ticket" in kw:
                kw["ticket"].cancel()
            raise
        if answer.abstained:
            await asyncio.to_thread(self.gaps.record_answer, answer)
        self.conversations.add(
            conversation, Turn(question=question, standalone=answer.standalone_question, answer=answer.text)
        )
        return answer, answer_messages(answer)

    def remember_thread(self, thread_id: int, limit: int = 10_000) -> None:
        """Note a thread the bot opened (Thread.owner_id says so too, while the thread is cached)."""
        self.started_threads[thread_id] = None
        while len(self.started_threads) > limit:
            del self.started_threads[next(iter(self.started_threads))]

    def feedback_view(self, answer: Answer) -> discord.ui.View:
        from bot.cogs.feedback import feedback_view

        return feedback_view(self.recent_answers.remember(answer))

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        if isinstance(cause, CorridorError):
            log.warning("/%s: %s", interaction.command and interaction.command.name, cause)
        else:
            log.error("/%s failed", interaction.command and interaction.command.name, exc_info=cause)
        await send_error(interaction, user_message(cause))


async def send_error(interaction: discord.Interaction, text: str) -> None:
    """Tell the user, whether or not the interaction was already acknowledged."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.exception("could not report an error to the user")


class _RedactToken(logging.Filter):
    """Replaces the bot token wherever it might appear in a log record."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token and self.token in record.getMessage():
            record.msg, record.args = record.getMessage().replace(self.token, "[token]"), None
        return True


def _token(settings: Settings) -> str:
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise CorridorError(
            "DISCORD_TOKEN is not set: create a bot in the Discord developer portal and export its token "
            "(see the README section 'Discord')."
        )
    return token


async def serve(settings: Settings, bot: CorridorBot | None = None) -> None:
    """Log in and run until the bot is closed; start-up failures become one clear CorridorError."""
    token = _token(settings)
    redact = _RedactToken(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    bot = bot or CorridorBot(settings)
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure:
        raise CorridorError(
            "Discord rejected DISCORD_TOKEN (invalid or reset token): copy the current token from the "
            "developer portal's Bot page."
        ) from None
    except (aiohttp.ClientConnectionError, discord.GatewayNotFound, OSError) as exc:
        raise CorridorError(f"cannot reach Discord ({exc.__class__.__name__}); check the network") from None
    except discord.PrivilegedIntentsRequired:
        raise CorridorError(
            "Discord refused the Message Content intent: switch it on under Bot → Privileged Gateway Intents "
            "in the developer portal."
        ) from None


def run_bot(settings: Settings | None = None) -> None:
    """Run the bot until interrupted (what `corridor bot` and `corridor run` call)."""
    settings = settings or get_settings()
    _token(settings)  # fail before any logging or model loading
    discord.utils.setup_logging(level=logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(settings))


run = run_bot  # bot/cli.py's start_discord() looks for `run`
