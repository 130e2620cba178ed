"""Helpful / not helpful buttons under each answer; the votes go to settings.feedback_path.

The buttons are discord.py DynamicItems: their custom_id (`corridor:fb:<1|0>:<answer id>`) is matched by
pattern, so buttons on old messages keep working after a restart.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.discord_bot import NO_PINGS

if TYPE_CHECKING:
    from bot.discord_bot import CorridorBot

log = logging.getLogger("corridor.discord.feedback")

MARKER_TITLE = re.compile(r"^\[(\d+)\]\s*(.*)$")


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"corridor:fb:(?P<helpful>[01]):(?P<answer_id>[0-9a-f]{1,32})",
):
    def __init__(self, helpful: bool, answer_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Helpful" if helpful else "Not helpful",
                emoji="👍" if helpful else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"corridor:fb:{int(helpful)}:{answer_id}",
            )
        )
        self.helpful = helpful
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> FeedbackButton:
        return cls(match["helpful"] == "1", match["answer_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: CorridorBot = interaction.client  # type: ignore[assignment]
        answer = bot.recent_answers.get(self.answer_id)
        if answer is not None:
            question, text = answer.question, answer.text
            citations = [c.model_dump() for c in answer.citations]
            restored = False
        else:  # the bot restarted since: rebuild what the message itself shows
            question, text, citations = None, *from_message(interaction.message)
            restored = True
        await asyncio.to_thread(
            bot.feedback.record,
            user_id=interaction.user.id,
            question=question,
            answer=text,
            citations=citations,
            helpful=self.helpful,
            answer_id=self.answer_id,
            message_id=interaction.message.id if interaction.message else None,
            restored=restored,
        )
        if not self.helpful:  # the gap queue: what admins might ingest next
            sources = [{"doc_id": c.get("doc_id"), "title": c.get("title"), "url": c.get("url")}
                       for c in citations]
            await asyncio.to_thread(bot.gaps.record, "not_helpful", question, sources)
        await interaction.response.send_message(
            "Thanks, your feedback was recorded.", ephemeral=True, allowed_mentions=NO_PINGS
        )


def from_message(message: discord.Message | None) -> tuple[str, list[dict[str, Any]]]:
    """The answer text and citations (number, title, url) as shown in an answer message."""
    if message is None:
        return "", []
    citations = []
    for e in message.embeds:
        m = MARKER_TITLE.match(e.title or "")
        if m:
            citations.append({"number": int(m[1]), "title": m[2], "url": e.url})
    return message.content, citations


def feedback_view(answer_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(FeedbackButton(True, answer_id))
    view.add_item(FeedbackButton(False, answer_id))
    return view


class Feedback(commands.Cog):
    def __init__(self, bot: CorridorBot) -> None:
        self.bot = bot


async def setup(bot: CorridorBot) -> None:
    bot.add_dynamic_items(FeedbackButton)
    await bot.add_cog(Feedback(bot))
