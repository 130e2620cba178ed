"""`/sources`: what the corpus holds (titles, dates, chunk counts)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.ask import send_kwargs
from bot.discord_format import sources_messages

if TYPE_CHECKING:
    from bot.discord_bot import CorridorBot

log = logging.getLogger("corridor.discord.sources")


class Sources(commands.Cog):
    def __init__(self, bot: CorridorBot) -> None:
        self.bot = bot

    @app_commands.command(name="sources", description="List the documents corridor answers from.")
    async def sources(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        docs = await asyncio.to_thread(self.bot.engine.sources)  # errors → tree.on_error → short message
        for msg in sources_messages(docs):
            await interaction.followup.send(**send_kwargs(msg))


async def setup(bot: CorridorBot) -> None:
    await bot.add_cog(Sources(bot))
