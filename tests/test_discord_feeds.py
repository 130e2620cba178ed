"""Feeds in the bot, end to end: the real discord.py client and engine against the fake Discord, a real
local web site for the feed. The refresh task announces a new article once; /feeds, /remove and /gaps are
refused to members without the ingest role or Manage Server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from answering.engine import Engine
from bot.discord_bot import CorridorBot
from ingest.feeds import Feeds
from ingest.state import StateStore
from tests.fakediscord.client import running
from tests.fakediscord.payloads import MANAGE_GUILD
from tests.fakediscord.server import FakeDiscord, FakeInteraction, FakeUser
from tests.feedsite import Page, Site, article, rss, serve
from vectorstore.sentence_vectors import SentenceVectors

pytest_plugins = ["tests.fakediscord.fixtures"]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def feed_engine(tmp_path_factory, settings_factory, embeddings) -> Iterator[Engine]:
    from ingest.pipeline import ingest
    from vectorstore.store import ChunkStore

    root = tmp_path_factory.mktemp("discord-feeds")
    corpus = Path(__file__).resolve().parent.parent / "data" / "corpus"
    settings = settings_factory(root, allow_private_urls=True, fetch_delay_s=0.0, refresh_check_s=0.2)
    store = ChunkStore(settings, embeddings=embeddings)
    ingest([str(corpus / "00-news-az-engin-ozer-interview.md")], settings, store=store, progress=False)
    engine = Engine(settings, store)
    yield engine
    engine.close()


@pytest.fixture
def site():
    s = Site()
    httpd = serve(s)
    yield s
    httpd.shutdown()


async def sub(fake: FakeDiscord, user: FakeUser, group: str, name: str,
              options: dict[str, Any]) -> FakeInteraction:
    """/group name option:value … (the fake's slash() sends flat options only)."""
    inter, data = fake._interaction_base(user, None, 2)
    cmd = next(c for c in fake.commands if c["name"] == group)
    opts = [{"name": k, "type": 3, "value": v} for k, v in options.items()]
    data["data"] = {"id": cmd["id"], "name": group, "type": 1, "guild_id": str(fake.guild_id),
                    "options": [{"name": name, "type": 1, "options": opts}]}
    await fake.dispatch("INTERACTION_CREATE", data)
    return inter


async def reply(fake: FakeDiscord, inter: FakeInteraction, mark: int) -> str:
    cb = await fake.wait_for_request("POST", rf"/interactions/{inter.id}/.+/callback", after=mark, timeout=60)
    if cb.json["type"] == 4:
        return cb.json["data"]["content"]
    follow = await fake.wait_for_request("POST", rf"/webhooks/{fake.app_id}/{inter.token}", after=mark,
                                         timeout=60)
    return follow.json["content"]


async def wait_until(predicate, timeout: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_refresh_task_announces_once_and_admin_commands_are_guarded(
    fake_discord: FakeDiscord, feed_engine: Engine, site: Site, tmp_path
) -> None:
    fake = fake_discord
    fake.add_role("corridor-admin")
    fake.add_role("moderators", MANAGE_GUILD)
    body = ("The zorvani ferry terminal in Aktau doubles its capacity by 2027, adding four berths for "
            "Caspian crossings to Baku and Alat.")
    site.routes["/aktau.md"] = Page(article("Aktau ferry terminal doubles capacity", body))
    site.routes["/feed.xml"] = Page(rss([("Aktau", site.url("/aktau.md"))]), "application/rss+xml")
    settings = feed_engine.settings.model_copy(update={
        "feedback_path": tmp_path / "fb.jsonl", "gaps_path": tmp_path / "gaps.jsonl",
        "announce_channel_id": fake.channel_id})
    bot = CorridorBot(settings, engine=feed_engine, guild_ready_timeout=0.1)
    admin = fake.add_user("ada", roles=["corridor-admin"])
    member = fake.add_user("bob")
    async with running(bot, fake):
        cog = bot.get_cog("Feeds")
        feeds = Feeds(StateStore(feed_engine.store), settings)

        # Non-admins are refused, and nothing changes.
        mark = fake.mark()
        for inter in (await sub(fake, member, "feeds", "add", {"url": site.url("/feed.xml")}),
                      await fake.slash(member, "remove", {"doc_ids": "00-news-az-engin-ozer-interview"}),
                      await fake.slash(member, "gaps")):
            assert "Sorry" in await reply(fake, inter, mark)
        assert feeds.list() == [] and feed_engine.store.doc_chunks("00-news-az-engin-ozer-interview")["ids"]

        # An admin adds the feed; the background task refreshes and announces the article once.
        runs = cog.runs
        text = await reply(fake, await sub(fake, admin, "feeds", "add", {"url": site.url("/feed.xml")}), mark)
        assert "Watching" in text and "every 1h" in text
        await wait_until(lambda: cog.runs > runs)
        assert body in SentenceVectors(feed_engine.store).get([body])  # prepared by the refresh
        posted = [m for m in fake.sent_messages(fake.channel_id) if "Aktau ferry terminal" in m["content"]]
        assert len(posted) == 1
        content = posted[0]["content"]
        assert "2026-11-20" in content and "2 passages" in content  # its text and its about block
        ticks = cog.ticks
        await wait_until(lambda: cog.ticks >= ticks + 3)  # later checks: not due, nothing announced again
        assert len([m for m in fake.sent_messages() if "Aktau ferry terminal" in m["content"]]) == 1

        # The next question sees the article (BM25 rebuilt off the question path after the refresh).
        answer, _ = await bot.answer("What does the zorvani ferry terminal do?", "c1")
        assert not answer.abstained and "zorvani" in answer.text.lower()

        listed = await reply(fake, await sub(fake, admin, "feeds", "list", {}), fake.mark())
        assert site.url("/feed.xml") in listed and "1 items" in listed

        # /remove by an admin takes the article out; an unknown id is one short line.
        mark = fake.mark()
        doc_id = "127.0.0.1-aktau.md"
        unknown = await fake.slash(admin, "remove", {"doc_ids": "nope"})
        assert "no such document" in await reply(fake, unknown, mark)
        mark = fake.mark()
        assert "Removed 1" in await reply(fake, await fake.slash(admin, "remove", {"doc_ids": doc_id}), mark)
        assert not feed_engine.store.doc_chunks(doc_id)["ids"]

        # An abstained question lands in the gap queue, which /gaps shows to admins.
        answer, _ = await bot.answer("What did the zorvani terminal's owner say in 2031?", "c2")
        assert answer.abstained
        mark = fake.mark()
        assert "zorvani" in await reply(fake, await fake.slash(admin, "gaps"), mark)

        # A 👎 vote lands there too, with the answer's sources.
        mark = fake.mark()
        inter = await fake.slash(member, "ask", {"question": "What did Engin Ozer say about trade?"})
        await fake.wait_for_request("POST", rf"/webhooks/{fake.app_id}/{inter.token}", after=mark, timeout=60)
        answer_msg = [m for m in fake.sent_messages() if m["components"]][-1]
        not_helpful = answer_msg["components"][0]["components"][1]["custom_id"]
        mark = fake.mark()
        click = await fake.click(member, answer_msg, not_helpful)
        await fake.wait_for_request("POST", rf"/interactions/{click.id}/.+/callback", after=mark)
        rows = bot.gaps.read()
        assert [r["kind"] for r in rows] == ["abstained", "not_helpful"]
        assert rows[1]["question"] == "What did Engin Ozer say about trade?" and rows[1]["closest_sources"]

        mark = fake.mark()
        inter = await sub(fake, admin, "feeds", "remove", {"url": site.url("/feed.xml")})
        text = await reply(fake, inter, mark)
        assert "No longer watching" in text and feeds.list() == []


async def test_a_question_is_answered_while_a_refresh_is_running(
    fake_discord: FakeDiscord, feed_engine: Engine, site: Site, tmp_path
) -> None:
    """The refresh is held half-way (the article's server waits for the test), and a question asked then is
    answered before the refresh ends: questions never wait for it."""
    fake = fake_discord
    gate = threading.Event()
    held = article("Held article", "The kelvoran barge line opens in spring.")
    site.routes["/held.md"] = Page(held, gate=gate)
    site.routes["/feed.xml"] = Page(rss([("Held", site.url("/held.md"))]), "application/rss+xml")
    settings = feed_engine.settings.model_copy(update={
        "feedback_path": tmp_path / "fb.jsonl", "gaps_path": tmp_path / "gaps.jsonl",
        "refresh_check_s": 3600.0, "url_timeout_s": 300.0})
    bot = CorridorBot(settings, engine=feed_engine, guild_ready_timeout=0.1)
    user = fake.add_user("cleo")
    async with running(bot, fake):
        cog = bot.get_cog("Feeds")
        Feeds(StateStore(feed_engine.store), settings).add(site.url("/feed.xml"))
        refreshing = asyncio.create_task(cog.run_refresh())
        try:
            await asyncio.to_thread(site.arrived.wait, 120)
            assert site.arrived.is_set() and not refreshing.done()
            mark = fake.mark()
            inter = await fake.slash(user, "ask", {"question": "What did Engin Ozer say about trade?"})
            answer = await fake.wait_for_request("POST", rf"/webhooks/{fake.app_id}/{inter.token}",
                                                 after=mark, timeout=120)
            assert answer.json["content"] and not refreshing.done(), "the question waited for the refresh"
        finally:
            gate.set()
        report = await refreshing
        assert report.added == ["127.0.0.1-held.md"]
        answer, _ = await bot.answer("What opens in spring on the kelvoran barge line?", "c3")
        assert "kelvoran" in answer.text.lower()
