"""Questions: `/ask` (optionally limited to one source or a date range, or private), a mention with a
question, and follow-ups in a thread the bot started."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_bot import NO_PINGS, user_message
from bot.discord_format import OutgoingMessage, clip
from bot.ratelimit import retry_message
from corridor.errors import CorridorError, InputError
from corridor.records import SourceInfo
from vectorstore.retrieval import Filters

if TYPE_CHECKING:
    from bot.discord_bot import CorridorBot

log = logging.getLogger("corridor.discord.ask")

MENTION = re.compile(r"<@!?(\d+)>")


def send_kwargs(msg: OutgoingMessage, view: discord.ui.View | None = None) -> dict[str, Any]:
    """Keyword arguments for Messageable.send / followup.send (no empty content, never a ping)."""
    kw: dict[str, Any] = {"allowed_mentions": NO_PINGS}
    if msg.content:
        kw["content"] = msg.content
    if msg.embeds:
        kw["embeds"] = msg.embeds
    if view is not None:
        kw["view"] = view
    return kw


def ask_filters(source: str | None, since: str | None, until: str | None) -> Filters | None:
    """The CLI's --doc/--since/--until as retrieval filters; a malformed date is an InputError."""
    since, until = (since or "").strip() or None, (until or "").strip() or None
    filters = Filters(doc_ids=(source.strip(),) if source and source.strip() else None,
                      date_from=since, date_to=until)
    span = filters.date_range()
    if span and span[0] > span[1]:
        raise InputError("`since` is after `until`.")
    return filters if (filters.doc_ids or span) else None


def source_choices(sources: list[SourceInfo], typed: str) -> list[app_commands.Choice[str]]:
    """Up to 25 documents whose id or title contains what the user typed (Discord's limits: 25 choices,
    names and values of at most 100 characters)."""
    typed = typed.casefold().strip()
    found = [s for s in sources if len(s.doc_id) <= 100
             and (typed in s.doc_id.casefold() or typed in s.title.casefold())]
    return [app_commands.Choice(name=clip(f"{s.date or 'undated'} · {s.title}", 100), value=s.doc_id)
            for s in found[:25]]


class Ask(commands.Cog):
    SOURCES_TTL_S = 10.0  # autocomplete must answer within 3 s: reuse the source list for a while

    def __init__(self, bot: CorridorBot) -> None:
        self.bot = bot
        self._sources: tuple[float, list[SourceInfo]] = (float("-inf"), [])

    async def sources(self, fresh: bool = False) -> list[SourceInfo]:
        """The store's documents, listed at most every SOURCES_TTL_S seconds unless `fresh`."""
        at, docs = self._sources
        if fresh or time.monotonic() - at > self.SOURCES_TTL_S:
            docs = await asyncio.to_thread(self.bot.engine.sources)
            self._sources = (time.monotonic(), docs)
        return docs

    @app_commands.command(
        name="ask", description="Ask a question; the answer cites the passages it rests on."
    )
    @app_commands.describe(
        question="What you want to know about the corpus",
        source="Only this document (start typing a title)",
        since="Only documents dated on or after this day (YYYY-MM-DD)",
        until="Only documents dated on or before this day (YYYY-MM-DD)",
        private="Only you see the answer",
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 2000],
        source: str | None = None,
        since: str | None = None,
        until: str | None = None,
        private: bool = False,
    ) -> None:
        try:
            filters = ask_filters(source, since, until)
        except InputError as exc:
            await interaction.response.send_message(
                user_message(exc), ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        wait = self.bot.limiter.hit(interaction.user.id)
        if wait:
            await interaction.response.send_message(
                retry_message(wait), ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        await interaction.response.defer(thinking=True, ephemeral=private)  # Discord's 3-second limit
        if self.bot.settings.answer_mode == "llm" and filters is None:  # the reply grows as the model writes
            from bot.streaming import stream_reply

            await stream_reply(self.bot, interaction, question)
            return
        try:
            wanted = filters.doc_ids[0] if filters and filters.doc_ids else None
            if wanted and not any(d.doc_id == wanted for d in await self.sources(fresh=True)):
                raise InputError(f"no document {wanted!r}: pick one from the `source` list.")
            answer, messages = await self.bot.answer(question, interaction.channel_id, filters=filters)
        except Exception as exc:
            log_failure(exc, question)
            await interaction.followup.send(user_message(exc), ephemeral=private, allowed_mentions=NO_PINGS)
            return
        view = self.bot.feedback_view(answer)
        for i, msg in enumerate(messages):
            await interaction.followup.send(
                **send_kwargs(msg, view if i == len(messages) - 1 else None), ephemeral=private
            )

    @ask.autocomplete("source")
    async def source_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            return source_choices(await self.sources(), current)
        except CorridorError:
            return []  # the store is unavailable: no suggestions rather than a failed interaction

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        bot = self.bot
        if message.author.bot or message.guild is None or bot.user is None:
            return
        channel = message.channel
        mentioned = any(u.id == bot.user.id for u in message.mentions)
        ours = isinstance(channel, discord.Thread) and (
            channel.owner_id == bot.user.id or channel.id in bot.started_threads
        )
        if not (mentioned or ours):
            return
        me = message.guild.me
        perms = channel.permissions_for(me)  # type: ignore[arg-type]
        can_send = (
            perms.send_messages_in_threads if isinstance(channel, discord.Thread) else perms.send_messages
        )
        if not can_send:
            log.info("not allowed to answer in channel %s", channel.id)
            return
        question = MENTION.sub(
            lambda m: "" if int(m.group(1)) == bot.user.id else m.group(0), message.content
        )
        question = question.strip()
        if not question:
            await message.reply(
                "Ask me a question after the mention, e.g. `@corridor What is the Middle Corridor?`",
                allowed_mentions=NO_PINGS,
            )
            return
        wait = bot.limiter.hit(message.author.id)
        if wait:
            await message.reply(retry_message(wait), allowed_mentions=NO_PINGS)
            return
        target: discord.abc.Messageable = channel
        reply_to: discord.Message | None = message
        if mentioned and isinstance(channel, discord.TextChannel) and perms.create_public_threads:
            try:
                thread = await message.create_thread(name=clip(question, 90), auto_archive_duration=1440)
            except discord.HTTPException:
                log.warning("could not open a thread in %s; answering in the channel", channel.id)
            else:
                bot.remember_thread(thread.id)
                target, reply_to = thread, None
        try:
            async with target.typing():
                answer, messages = await bot.answer(question, target.id)  # type: ignore[attr-defined]
        except Exception as exc:
            log_failure(exc, question)
            await target.send(user_message(exc), allowed_mentions=NO_PINGS)
            return
        view = bot.feedback_view(answer)
        for i, msg in enumerate(messages):
            kw = send_kwargs(msg, view if i == len(messages) - 1 else None)
            if i == 0 and reply_to is not None:
                await reply_to.reply(**kw)
            else:
                await target.send(**kw)


def log_failure(exc: BaseException, question: str) -> None:
    """Expected refusals as one warning line; anything else with its traceback."""
    if isinstance(exc, CorridorError):
        log.warning("question refused or failed: %s", exc)
    else:
        log.error("answering %r failed", question[:200], exc_info=exc)


async def setup(bot: CorridorBot) -> None:
    await bot.add_cog(Ask(bot))
