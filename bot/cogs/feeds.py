"""Feeds in Discord: a background refresh on the feeds' schedule, announcements of new articles, and the
admin commands `/feeds add|list|remove`, `/remove` and `/gaps` (the ingest role or Manage Server, as /ingest).

Questions never wait for a refresh: it runs in a worker thread; while it runs, the engine's BM25 index
(vectorstore/lexical.py) is in background mode, so questions keep the index they had, and at its end the new
index is built in a child process (that thread only waits for it, so the bot's GIL stays with the questions)
and swapped in. Each check also prepares the index, the same way, when another process (a `corridor refresh`
or `ingest`) changed the store, so the next question rarely has to.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.cogs.ingest import may_ingest
from bot.discord_bot import NO_PINGS
from bot.discord_format import no_pings
from corridor.errors import IngestBusy

if TYPE_CHECKING:
    from bot.discord_bot import CorridorBot
    from ingest.refresh import RefreshReport

log = logging.getLogger("corridor.discord.feeds")
LIMIT = 1900  # characters per reply (Discord allows 2000)


def _clip(text: str, limit: int = LIMIT) -> str:
    text = no_pings(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def announcement(item: dict) -> str:
    """One new article: title, date, source and passage count (the link last, so Discord previews it)."""
    title = _clip(str(item.get("title") or item.get("doc_id")), 200)
    passages = item.get("chunks", 0)
    return _clip(f"📰 **{title}** ({item.get('date') or 'undated'}) — from {item.get('feed')} — "
                 f"{passages} passage{'s' if passages != 1 else ''} added\n{item.get('url')}")


class Feeds(commands.Cog):
    feeds = app_commands.Group(name="feeds", description="Watched RSS/Atom feeds and sitemaps (admins).",
                               guild_only=True)

    def __init__(self, bot: CorridorBot) -> None:
        self.bot = bot
        self.refreshing = asyncio.Lock()
        self.runs = 0  # finished and announced refreshes (tests wait on it)
        self.ticks = 0  # background loop iterations
        self.refresher.change_interval(seconds=max(0.05, bot.settings.refresh_check_s))

    # -- the store's parts, opened lazily on the engine's store ----------------------------------------
    def _feeds(self):
        from ingest.feeds import Feeds as FeedList
        from ingest.state import StateStore

        return FeedList(StateStore(self.bot.engine.store), self.bot.settings)

    def _lexicals(self) -> list:
        """The engine's BM25 indexes (its own and the multilingual lane's); none for an engine without."""
        indexes = getattr(self.bot.engine, "lexical_indexes", None)
        return indexes() if indexes is not None else []

    async def cog_load(self) -> None:
        self.refresher.start()

    async def cog_unload(self) -> None:
        self.refresher.cancel()

    # -- the background refresh ------------------------------------------------------------------------
    @tasks.loop(seconds=60)
    async def refresher(self) -> None:
        self.ticks += 1
        try:
            due = await asyncio.to_thread(lambda: bool(self._feeds().due()))
            if due:
                await self.run_refresh()
            else:
                # written by another process: index it now (in a child process), not on the next question
                for lexical in self._lexicals():
                    await asyncio.to_thread(lexical.prepare, child=True)
        except IngestBusy:
            log.info("an ingest is running; the refresh waits for the next check")
        except Exception as exc:  # a failed check (store unreachable, …) must not stop the loop
            log.warning("scheduled refresh check failed: %s", str(exc)[:300])

    @refresher.before_loop
    async def _wait_ready(self) -> None:
        await self.bot.wait_until_ready()

    def _refresh(self, prune_gone: bool) -> RefreshReport:
        from answering.sentence_vectors import after_ingest
        from ingest.refresh import refresh

        lexicals = self._lexicals()
        for lexical in lexicals:
            lexical.background = True  # questions meanwhile keep the index they have
        try:
            report = refresh(self.bot.settings, store=self.bot.engine.store, prune_gone=prune_gone)
            after_ingest(self.bot.engine.store, report)  # the new articles' sentences, for answers to read
            for lexical in lexicals:  # build the new BM25 indexes now (in a child process), not on questions
                lexical.prepare(child=True)
        finally:
            for lexical in lexicals:
                lexical.background = False
        return report

    async def run_refresh(self, prune_gone: bool = False) -> RefreshReport:
        async with self.refreshing:
            report = await asyncio.to_thread(self._refresh, prune_gone)
        log.info("refresh: %d added, %d updated, %d stale, %d failed", len(report.added), len(report.updated),
                 len(report.stale), len(report.failed))
        try:
            await self.announce(report)
        finally:
            self.runs += 1  # counted once announced, so a test waiting on it sees the announcement
        return report

    async def announce(self, report: RefreshReport) -> None:
        channel_id = self.bot.settings.announce_channel_id
        if not channel_id or not report.new_items:
            return
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            log.warning("announce channel %s not found", channel_id)
            return
        for item in report.new_items:  # a document is added once, so it is announced once
            try:
                await channel.send(announcement(item), allowed_mentions=NO_PINGS)
            except discord.HTTPException:
                log.exception("could not announce %s", item.get("doc_id"))

    # -- admin commands --------------------------------------------------------------------------------
    async def _refused(self, interaction: discord.Interaction) -> bool:
        if may_ingest(interaction, self.bot.settings):
            return False
        await interaction.response.send_message(
            f"Sorry, only members with the **{self.bot.settings.ingest_role}** role or the Manage Server "
            "permission can manage feeds and documents.", ephemeral=True, allowed_mentions=NO_PINGS)
        return True

    async def _reply(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(_clip(text), ephemeral=True, allowed_mentions=NO_PINGS)

    @feeds.command(name="add", description="Watch an RSS/Atom feed or sitemap.")
    @app_commands.describe(url="The feed or sitemap URL", every="Poll interval, e.g. 30m, 6h, 1d")
    async def feeds_add(self, interaction: discord.Interaction, url: str, every: str | None = None) -> None:
        if await self._refused(interaction):
            return
        from ingest.feeds import format_every

        record = await asyncio.to_thread(lambda: self._feeds().add(url, every))
        await self._reply(interaction, f"Watching <{record['url']}> every {format_every(record['every_s'])}.")

    @feeds.command(name="list", description="The watched feeds.")
    async def feeds_list(self, interaction: discord.Interaction) -> None:
        if await self._refused(interaction):
            return
        from ingest.feeds import summary

        rows = [summary(r) for r in await asyncio.to_thread(lambda: self._feeds().list())]
        if not rows:
            await self._reply(interaction, "No feeds yet: add one with `/feeds add`.")
            return
        lines = [f"<{r['url']}> every {r['every']} · last poll {r['last_poll'] or 'never'} · "
                 f"{r['items_seen']} items" + (f" · error: {r['error']}" if r["error"] else "") for r in rows]
        await self._reply(interaction, "\n".join(lines))

    @feeds.command(name="remove", description="Stop watching a feed (its articles stay).")
    @app_commands.describe(url="The feed URL as listed")
    async def feeds_remove(self, interaction: discord.Interaction, url: str) -> None:
        if await self._refused(interaction):
            return
        await asyncio.to_thread(lambda: self._feeds().remove(url))
        await self._reply(interaction, f"No longer watching <{url.strip()}>.")

    @app_commands.command(name="remove", description="Remove documents and all their passages (admins).")
    @app_commands.describe(doc_ids="Document ids, separated by spaces (see /sources)")
    @app_commands.guild_only()
    async def remove(self, interaction: discord.Interaction, doc_ids: str) -> None:
        if await self._refused(interaction):
            return
        from ingest.remove import remove_docs

        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await asyncio.to_thread(remove_docs, doc_ids.split(), self.bot.settings,
                                         self.bot.engine.store)
        for lexical in self._lexicals():
            await asyncio.to_thread(lexical.prepare)
        await interaction.followup.send(_clip(f"Removed {len(report.removed)}: {', '.join(report.removed)}"),
                                        ephemeral=True, allowed_mentions=NO_PINGS)

    @app_commands.command(name="gaps", description="Questions corridor could not answer well (admins).")
    @app_commands.guild_only()
    async def gaps(self, interaction: discord.Interaction) -> None:
        if await self._refused(interaction):
            return
        groups = await asyncio.to_thread(self.bot.gaps.grouped)
        if not groups:
            await self._reply(interaction, "No gaps recorded yet.")
            return
        lines = []
        for g in groups[:15]:
            sources = ", ".join(s.get("title") or s["doc_id"] for s in g["sources"][:2])
            lines.append(f"**{g['count']}×** {g['questions'][0][:200]}"
                         + (f" (+{len(g['questions']) - 1} similar)" if len(g["questions"]) > 1 else "")
                         + (f" — closest: {sources[:200]}" if sources else ""))
        await self._reply(interaction, "\n".join(lines))


async def setup(bot: CorridorBot) -> None:
    await bot.add_cog(Feeds(bot))
