"""`/ingest url:` or `/ingest file:` — add or update a document; for the ingest role or Manage Server only."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_bot import NO_PINGS
from bot.discord_format import ingest_summary
from corridor.errors import InputError
from corridor.settings import Settings

if TYPE_CHECKING:
    from bot.discord_bot import CorridorBot

log = logging.getLogger("corridor.discord.ingest")

SUPPORTED = (".md", ".markdown", ".txt", ".text", ".html", ".htm", ".xhtml", ".pdf")


def may_ingest(interaction: discord.Interaction, settings: Settings) -> bool:
    """Members with the configured role (settings.ingest_role) or the Manage Server permission."""
    user = interaction.user
    if not isinstance(user, discord.Member):
        return False
    if interaction.permissions.manage_guild or user.guild_permissions.manage_guild:
        return True
    return any(r.name == settings.ingest_role for r in user.roles)


def upload_path(settings: Settings, filename: str) -> Path:
    """Where an uploaded file is kept: <data_dir>/uploads/<safe name>, so a re-upload updates the document."""
    stem, dot, suffix = Path(filename).name.rpartition(".")
    if not dot or f".{suffix.lower()}" not in SUPPORTED:
        raise InputError(f"unsupported file type; send one of: {', '.join(SUPPORTED)}")
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:80] or "upload"
    return settings.data_dir / "uploads" / f"{safe}.{suffix.lower()}"


async def download(url: str, target: Path, max_bytes: int, timeout_s: float) -> None:
    """Stream an attachment to `target`, refusing more than max_bytes (never read whole into memory)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    size = 0
    try:
        timeout = aiohttp.ClientTimeout(total=timeout_s)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as resp:
            if resp.status != 200:
                raise InputError(f"the attachment could not be downloaded (HTTP {resp.status})")
            with partial.open("wb") as f:
                async for block in resp.content.iter_chunked(64 * 1024):
                    size += len(block)
                    if size > max_bytes:
                        raise InputError(f"the file is larger than the {max_bytes // (1024 * 1024)} MB limit")
                    f.write(block)
        partial.replace(target)  # a half-downloaded file never takes the real name
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise InputError("the attachment could not be downloaded; please try again") from exc
    finally:
        partial.unlink(missing_ok=True)


class Ingest(commands.Cog):
    def __init__(self, bot: CorridorBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="ingest", description="Add or update a document from a URL or an attached file."
    )
    @app_commands.describe(url="An http(s) link to an article", file="A .md, .txt, .html or .pdf file")
    @app_commands.guild_only()
    async def ingest(
        self, interaction: discord.Interaction, url: str | None = None, file: discord.Attachment | None = None
    ) -> None:
        s = self.bot.settings
        if not may_ingest(interaction, s):
            await interaction.response.send_message(
                f"Sorry, only members with the **{s.ingest_role}** role or the Manage Server permission can "
                "add documents. Ask a moderator to ingest it for you.",
                ephemeral=True,
                allowed_mentions=NO_PINGS,
            )
            return
        if (url is None) == (file is None):
            await interaction.response.send_message(
                "Give either `url` or `file` (one of them).", ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        await interaction.response.defer(thinking=True)
        if file is not None:
            if file.size > s.max_file_bytes:
                raise InputError(f"the file is larger than the {s.max_file_bytes // (1024 * 1024)} MB limit")
            target = upload_path(s, file.filename)
            await download(file.url, target, s.max_file_bytes, s.url_timeout_s)
            source = str(target)
        else:
            source = url.strip()  # type: ignore[union-attr]
        log.info("ingest by %s: %s", interaction.user.id, source)
        report = await self.bot.engine.aingest([source])
        await interaction.followup.send(ingest_summary(report), allowed_mentions=NO_PINGS)


async def setup(bot: CorridorBot) -> None:
    await bot.add_cog(Ingest(bot))
