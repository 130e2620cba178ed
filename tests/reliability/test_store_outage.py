"""A `chroma run` server stopped under a running engine and bot: clear "unavailable" replies, nothing crashes,
and both recover by themselves when the server is back on the same port and path."""

from __future__ import annotations

import asyncio

import pytest

from answering.engine import Engine
from bot.discord_bot import UNAVAILABLE, CorridorBot
from corridor.errors import StoreUnavailable
from ingest.pipeline import ingest
from tests.fakediscord.client import running
from tests.fakediscord.server import FakeDiscord
from tests.reliability.conftest import BUNDLED_CORPUS
from vectorstore.store import ChunkStore

pytest_plugins = ["tests.fakediscord.fixtures"]
pytestmark = pytest.mark.slow
QUESTION = "What did Engin Ozer say about the Trans-Caspian route?"


async def ask_in_discord(fake: FakeDiscord, user, question: str) -> dict:
    mark = fake.mark()
    inter = await fake.slash(user, "ask", {"question": question})
    path = rf"/webhooks/{fake.app_id}/{inter.token}"
    reply = await fake.wait_for_request("POST", path, after=mark, timeout=60)
    return reply.json


async def test_chroma_server_outage_and_recovery(chroma_server, fake_discord: FakeDiscord, tmp_path,
                                                 settings_factory, embeddings) -> None:
    settings = settings_factory(tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server.port,
                                feedback_path=tmp_path / "feedback.jsonl")
    store = ChunkStore(settings, embeddings=embeddings)
    interview = BUNDLED_CORPUS / "00-news-az-engin-ozer-interview.md"
    ingest([str(interview)], settings, store=store, progress=False)
    stored = store.count()
    engine = Engine(settings, store)
    first = await engine.aask(QUESTION)
    assert first.citations

    fake = fake_discord
    fake.add_role("corridor-admin")
    user = fake.add_user("olga")
    admin = fake.add_user("ada", roles=["corridor-admin"])
    bot = CorridorBot(settings, engine=engine, guild_ready_timeout=0.1)
    async with running(bot, fake):
        assert (await ask_in_discord(fake, user, QUESTION))["embeds"]

        await asyncio.to_thread(chroma_server.stop)
        with pytest.raises(StoreUnavailable) as info:
            await engine.aask(QUESTION)
        assert len(str(info.value)) < 200 and "\n" not in str(info.value)
        with pytest.raises(StoreUnavailable):
            engine.sources()
        for _ in range(3):  # again and again: the bot keeps answering with the same short line
            reply = await ask_in_discord(fake, user, QUESTION)
            assert reply["content"] == UNAVAILABLE and not reply.get("embeds")
        mark = fake.mark()  # an ingest during the outage is told so too, and nothing is half-written
        upload = fake.add_attachment("notes.md", b"# Notes\n\nThe zelvorite ferry links Kuryk and Alat.\n")
        inter = await fake.slash(admin, "ingest", {"file": upload})
        reply = await fake.wait_for_request("POST", rf"/webhooks/{fake.app_id}/{inter.token}", after=mark,
                                            timeout=60)
        assert reply.json["content"] == UNAVAILABLE
        beats = len(fake.heartbeats)
        await fake.wait_for_heartbeats(2)  # the bot is still connected and its loop is alive
        assert len(fake.heartbeats) >= beats + 2 and not bot.is_closed()

        await asyncio.to_thread(chroma_server.start)  # same port, same data path; no restart of engine or bot
        reply = await ask_in_discord(fake, user, QUESTION)
        assert reply["embeds"] and "[1]" in reply["content"], reply["content"]
        again = await engine.aask(QUESTION)
        assert [c.chunk_id for c in again.citations] == [c.chunk_id for c in first.citations]
        assert store.count() == stored  # nothing lost across the outage
    engine.close()


async def test_a_hung_chroma_server_times_out_instead_of_holding_questions(chroma_server, tmp_path,
                                                                          settings_factory, embeddings,
                                                                          monkeypatch) -> None:
    """SIGSTOP: the server keeps its socket open and never answers (chromadb's client has no timeout)."""
    import signal
    import time

    import vectorstore.store

    monkeypatch.setattr(vectorstore.store, "HTTP_TIMEOUT_S", 2.0)
    settings = settings_factory(tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server.port)
    store = ChunkStore(settings, embeddings=embeddings)
    interview = BUNDLED_CORPUS / "00-news-az-engin-ozer-interview.md"
    ingest([str(interview)], settings, store=store, progress=False)
    engine = Engine(settings, store)
    assert (await engine.aask(QUESTION)).citations
    chroma_server.proc.send_signal(signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        with pytest.raises(StoreUnavailable):
            await asyncio.wait_for(engine.aask(QUESTION), timeout=120)
        # bounded by the store's HTTP timeout (a few attempts of 2 s), not by the hung server
        assert time.monotonic() - t0 < 10 * vectorstore.store.HTTP_TIMEOUT_S
    finally:
        chroma_server.proc.send_signal(signal.SIGCONT)
    assert (await engine.aask(QUESTION)).citations  # and it recovers once the server answers again
    engine.close()
