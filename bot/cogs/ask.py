"""Questions: `/ask`, a mention with a question, and follow-ups in a thread the bot started."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_bot import NO_PINGS, user_message
from bot.discord_format import OutgoingMessage, clip
from bot.ratelimit import retry_message
from corridor.errors import CorridorError

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


class Ask(commands.Cog):
    def __init__(self, bot: CorridorBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="ask", description="Ask a question; the answer cites the passages it rests on."
    )
    @app_commands.describe(question="What you want to know about the corpus")
    async def ask(self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 2000]) -> None:
        wait = self.bot.limiter.hit(interaction.user.id)
        if wait:
            await interaction.response.send_message(
                retry_message(wait), ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        await interaction.response.defer(thinking=True)  # Discord's 3-second limit
        if self.bot.settings.answer_mode == "llm":  # the reply grows as the model writes
            from bot.streaming import stream_reply

            await stream_reply(self.bot, interaction, question)
            return
        try:
            answer, messages = await self.bot.answer(question, interaction.channel_id)
        except Exception as exc:
            log_failure(exc, question)
            await interaction.followup.send(user_message(exc), allowed_mentions=NO_PINGS)
            return
        view = self.bot.feedback_view(answer)
        for i, msg in enumerate(messages):
            await interaction.followup.send(**send_kwargs(msg, view if i == len(messages) - 1 else None))

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
