"""The corridor bot end to end: the real discord.py client, the real engine, a fake Discord on loopback."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr

from answering.engine import Engine
from bot.discord_bot import CorridorBot, serve
from corridor.errors import CorridorError
from tests.fakediscord.client import running
from tests.fakediscord.payloads import MANAGE_GUILD
from tests.fakediscord.server import FakeDiscord, RecordedRequest

pytest_plugins = ["tests.fakediscord.fixtures"]
pytestmark = pytest.mark.slow  # the engine and the bundled corpus are loaded once for the module


class RecordingEngine(Engine):
    """The real engine, remembering what the bot asked it (question, history) and the peak concurrency."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.calls: list[tuple[str, list]] = []
        self.in_flight = self.peak = 0

    async def aask(self, question, history=None, **kw):
        self.calls.append((question, list(history or [])))
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await super().aask(question, history, **kw)
        finally:
            self.in_flight -= 1


@pytest.fixture(scope="module")
def engine(ingested) -> Iterator[RecordingEngine]:
    engine = RecordingEngine(ingested.settings, ingested.store)
    yield engine
    engine.close()


@pytest.fixture
def bot_settings(ingested, tmp_path):
    return ingested.settings.model_copy(
        update={
            "feedback_path": tmp_path / "feedback.jsonl",
            "data_dir": tmp_path,
            "rate_limit_count": 5,
            "rate_limit_window_s": 60.0,
        }
    )


@pytest.fixture
async def live(
    fake_discord: FakeDiscord, engine, bot_settings
) -> AsyncIterator[tuple[FakeDiscord, CorridorBot]]:
    fake_discord.add_role("corridor-admin")
    fake_discord.add_role("moderators", MANAGE_GUILD)
    engine.calls.clear()
    engine.peak = 0
    bot = CorridorBot(bot_settings, engine=engine, guild_ready_timeout=0.1)
    async with running(bot, fake_discord):
        yield fake_discord, bot


def all_text(req: RecordedRequest) -> str:
    body = req.json or {}
    return (body.get("content") or "") + "".join(
        (e.get("title") or "") + (e.get("description") or "") for e in body.get("embeds") or []
    )


def embed_chars(e: dict) -> int:
    """What Discord counts toward the 6,000-character limit of a message's embeds."""
    fields = sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", []))
    footer = len((e.get("footer") or {}).get("text", ""))
    return len(e.get("title", "")) + len(e.get("description", "")) + fields + footer


def assert_no_pings(fake: FakeDiscord) -> None:
    """Every message the bot sent or edited carried allowed_mentions with nothing to ping."""
    sends = [
        r
        for r in fake.requests
        if r.method in ("POST", "PATCH")
        and isinstance(r.json, dict)
        and ("content" in r.json or "embeds" in r.json or r.json.get("data"))
    ]
    assert sends, "the bot sent nothing"
    for r in sends:
        body = r.json["data"] if "data" in r.json and r.json.get("type") in (4, 7) else r.json
        if "type" in r.json and r.json["type"] in (1, 5, 6):
            continue  # pong / deferrals carry no content
        am = body.get("allowed_mentions")
        assert am is not None, f"{r.method} {r.path} has no allowed_mentions"
        assert am.get("parse") == [] and not am.get("users") and not am.get("roles"), (r.path, am)
        assert not am.get("replied_user"), (r.path, am)


async def test_slash_ask_defers_then_answers_with_cited_passages(live) -> None:
    fake, _ = live
    alice = fake.add_user("alice")
    mark = fake.mark()
    inter = await fake.slash(
        alice, "ask", {"question": "What did Engin Ozer say about the Trans-Caspian route?"}
    )
    cb = await fake.wait_for_request("POST", rf"/interactions/{inter.id}/.+/callback", after=mark)
    assert cb.json["type"] == 5, "the first response must be a deferral (Discord's 3-second limit)"
    follow = await fake.wait_for_request(
        "POST", rf"/webhooks/{fake.app_id}/{inter.token}", after=mark, timeout=60
    )
    assert follow.at >= cb.at
    body = follow.json
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", body["content"])}
    assert markers, body["content"]
    embeds = body["embeds"]
    numbers = {int(re.match(r"\[(\d+)\]", e["title"])[1]) for e in embeds}
    assert numbers == markers  # every cited passage is shown, and nothing uncited
    for e in embeds:
        assert e["description"].startswith("> ") and len(e["description"]) > 50
        assert any(f["name"] == "Date" for f in e.get("fields", []))
    assert any("Ozer" in e["title"] or "Trans-Caspian" in e["title"] for e in embeds)
    buttons = [c for row in body["components"] for c in row["components"]]
    assert [b["custom_id"].split(":")[2] for b in buttons] == ["1", "0"]
    assert any("**" in e["description"] for e in embeds)  # the cited sentence stands out in its passage
    assert len(body["content"]) <= 2000 and sum(embed_chars(e) for e in embeds) <= 6000 and len(embeds) <= 10
    assert_no_pings(fake)


async def test_mention_gets_a_threaded_reply_and_follow_up_keeps_the_subject(live) -> None:
    fake, bot = live
    bob = fake.add_user("bob")
    mark = fake.mark()
    msg = await fake.send_message(bob, "What is the Zangezur corridor?", mention_bot=True)
    thread_req = await fake.wait_for_request(
        "POST", rf"/channels/{fake.channel_id}/messages/{msg['id']}/threads", after=mark
    )
    thread_id = int(msg["id"])
    assert "Zangezur" in thread_req.json["name"]
    await fake.wait_for_request("POST", rf"/channels/{thread_id}/typing", after=mark, timeout=60)
    first = await fake.wait_for_request("POST", rf"/channels/{thread_id}/messages", after=mark, timeout=60)
    assert "Zangezur" in all_text(first)

    mark = fake.mark()
    await fake.send_message(bob, "Who opposes it?", channel_id=thread_id)  # no mention: the bot's thread
    second = await fake.wait_for_request("POST", rf"/channels/{thread_id}/messages", after=mark, timeout=60)
    question, history = bot.engine.calls[-1]
    assert question == "Who opposes it?"
    assert [t.question for t in history] == ["What is the Zangezur corridor?"]
    turns = bot.conversations.history(thread_id)
    assert "Zangezur" in turns[-1].standalone  # the follow-up was rewritten with the subject
    assert all_text(second)
    assert_no_pings(fake)


async def test_messages_without_mention_outside_its_threads_are_ignored(live) -> None:
    fake, bot = live
    carol = fake.add_user("carol")
    mark = fake.mark()
    await fake.send_message(carol, "just chatting about the Zangezur corridor")
    # A bare mention afterwards is a sentinel: events are handled in order, and ignoring a message needs no
    # await, so once the sentinel's hint is posted the first message has certainly been handled.
    sentinel = await fake.send_message(carol, "", mention_bot=True)
    hint = await fake.wait_for_request("POST", rf"/channels/{fake.channel_id}/messages", after=mark)
    assert str(hint.json["message_reference"]["message_id"]) == sentinel["id"]
    assert [r for r in fake.requests[mark:] if r.method == "POST"] == [hint]
    assert bot.engine.calls == []


async def test_a_burst_from_one_user_is_rate_limited(live) -> None:
    fake, bot = live
    dave = fake.add_user("dave")
    mark = fake.mark()
    interactions = [
        await fake.slash(dave, "ask", {"question": f"What is the Middle Corridor? ({i})"}) for i in range(7)
    ]
    callbacks = [
        await fake.wait_for_request("POST", rf"/interactions/{i.id}/.+/callback", after=mark, timeout=60)
        for i in interactions
    ]
    deferred = [c for c in callbacks if c.json["type"] == 5]
    refused = [c for c in callbacks if c.json["type"] == 4]
    assert len(deferred) == 5 and len(refused) == 2
    for c in refused:
        assert c.json["data"]["flags"] & 64  # ephemeral: only dave sees it
        assert re.search(r"try again in \d+ s", c.json["data"]["content"])
    assert len(bot.engine.calls) <= 5
    for i in interactions[:5]:
        await fake.wait_for_request("POST", rf"/webhooks/{fake.app_id}/{i.token}", after=mark, timeout=60)
    assert len(bot.engine.calls) == 5
    assert bot.engine.peak == bot.settings.max_concurrent_answers == 2  # the others waited their turn
    erin = fake.add_user("erin")  # another user is not affected
    inter = await fake.slash(erin, "ask", {"question": "What is the Middle Corridor?"})
    cb = await fake.wait_for_request("POST", rf"/interactions/{inter.id}/.+/callback", after=mark)
    assert cb.json["type"] == 5
    assert_no_pings(fake)


async def test_an_unusable_question_gets_the_engines_short_message(live) -> None:
    fake, _ = live
    user = fake.add_user("zoe")
    mark = fake.mark()
    inter = await fake.slash(user, "ask", {"question": "   \u200b  "})
    reply = await fake.wait_for_request("POST", rf"/webhooks/{fake.app_id}/{inter.token}", after=mark)
    assert 0 < len(reply.json["content"]) < 200 and "Traceback" not in reply.json["content"]
    assert not reply.json.get("embeds") and not reply.json.get("components")


async def test_sources_lists_titles_dates_and_chunks(live) -> None:
    fake, _ = live
    frank = fake.add_user("frank")
    mark = fake.mark()
    inter = await fake.slash(frank, "sources")
    follow = await fake.wait_for_request(
        "POST", rf"/webhooks/{fake.app_id}/{inter.token}", after=mark, timeout=60
    )
    assert follow.json["content"].startswith("14 documents")
    text = "".join(e["description"] for e in follow.json["embeds"])
    assert "Engin Ozer" in text and "2025-08-04" in text and re.search(r"\d+ chunks", text)


async def test_feedback_button_is_recorded(live, bot_settings) -> None:
    fake, bot = live
    gina = fake.add_user("gina")
    mark = fake.mark()
    inter = await fake.slash(gina, "ask", {"question": "What did Tokayev sign in Ankara?"})
    await fake.wait_for_request("POST", rf"/webhooks/{fake.app_id}/{inter.token}", after=mark, timeout=60)
    answer_msg = [m for m in fake.sent_messages() if m["components"]][-1]
    not_helpful = answer_msg["components"][0]["components"][1]["custom_id"]
    mark = fake.mark()
    click = await fake.click(gina, answer_msg, not_helpful)
    cb = await fake.wait_for_request("POST", rf"/interactions/{click.id}/.+/callback", after=mark)
    assert cb.json["type"] == 4 and cb.json["data"]["flags"] & 64
    rows = bot.feedback.read()
    assert len(rows) == 1
    row = rows[0]
    assert row["helpful"] is False and row["user_id"] == str(gina.id)
    assert row["question"] == "What did Tokayev sign in Ankara?"
    # the message shows the answer's statements under their source labels ("**News.Az (2025-08-04):** …")
    shown = " ".join(re.sub(r"\*\*[^*\n]+:\*\*", " ", answer_msg["content"]).split())
    assert " ".join(row["answer"].split()) in shown
    assert row["citations"] and {"number", "title", "quote", "chunk_id"} <= set(row["citations"][0])
    assert bot_settings.feedback_path.exists()

    bot.recent_answers._answers.clear()  # as after a restart: rebuilt from the message itself
    click = await fake.click(gina, answer_msg, not_helpful.replace(":0:", ":1:"))
    await fake.wait_for_request("POST", rf"/interactions/{click.id}/.+/callback", after=mark)
    row = bot.feedback.read()[-1]
    assert row["helpful"] is True and row["restored"] is True and row["citations"][0]["title"]


async def test_ingest_refused_for_members_without_the_role(live) -> None:
    fake, bot = live
    henry = fake.add_user("henry")
    mark = fake.mark()
    inter = await fake.slash(henry, "ingest", {"url": "https://example.org/article"})
    cb = await fake.wait_for_request("POST", rf"/interactions/{inter.id}/.+/callback", after=mark)
    assert cb.json["type"] == 4 and cb.json["data"]["flags"] & 64
    assert "corridor-admin" in cb.json["data"]["content"] and "Manage Server" in cb.json["data"]["content"]
    attachment = fake.add_attachment("notes.md", b"# Notes\n\nSecret plan text.")
    inter = await fake.slash(henry, "ingest", {"file": attachment})
    cb = await fake.wait_for_request("POST", rf"/interactions/{inter.id}/.+/callback", after=mark)
    assert cb.json["type"] == 4 and "Sorry" in cb.json["data"]["content"]
    assert not list(bot.settings.data_dir.glob("uploads/*"))
    await fake.create_role("trusted-readers", 0)  # a role created live with a different name does not help
    ivan = fake.add_user("ivan", roles=["trusted-readers"])
    inter = await fake.slash(ivan, "ingest", {"url": "https://example.org/article"})
    cb = await fake.wait_for_request("POST", rf"/interactions/{inter.id}/.+/callback", after=mark)
    assert cb.json["type"] == 4 and "Sorry" in cb.json["data"]["content"]
    assert bot.get_guild(fake.guild_id).get_role(ivan.role_ids[0]) is not None  # the bot saw the new role


async def test_start_up_with_a_bad_token_is_one_clear_error(
    fake_discord: FakeDiscord, engine, bot_settings, caplog
) -> None:
    settings = bot_settings.model_copy(update={"discord_token": SecretStr("not-the-token")})
    with pytest.raises(CorridorError, match="rejected DISCORD_TOKEN"):
        await serve(settings, CorridorBot(settings, engine=engine))
    assert "not-the-token" not in caplog.text
    with pytest.raises(CorridorError, match="DISCORD_TOKEN is not set"):
        await serve(bot_settings.model_copy(update={"discord_token": None}))


# -- /ingest by an admin, into a store of its own --------------------------------------------------------

PAGE = """<html><head><title>Aktau port ferry expansion</title></head><body><article>
<h1>Aktau port ferry expansion</h1>
<p>The Aktau port authority announced that the quorbex ferry terminal will double its container capacity
by 2027, adding four berths for Caspian crossings to Baku and Alat.</p>
<p>Officials said the quorbex terminal is financed jointly by Kazakh and Azerbaijani investors and will
shorten waiting times for trucks on the Middle Corridor.</p>
</article></body></html>"""


@pytest.fixture
async def page_server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/aktau.html", lambda r: web.Response(text=PAGE, content_type="text/html"))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/aktau.html"
    await runner.cleanup()


@pytest.fixture(scope="module")
def small_engine(tmp_path_factory, settings_factory, embeddings) -> Iterator[Engine]:
    from ingest.pipeline import ingest
    from vectorstore.store import ChunkStore

    root = tmp_path_factory.mktemp("discord-ingest")
    corpus = Path(__file__).resolve().parent.parent / "data" / "corpus"
    settings = settings_factory(root, allow_private_urls=True)
    store = ChunkStore(settings, embeddings=embeddings)
    ingest([str(corpus / "00-news-az-engin-ozer-interview.md")], settings, store=store, progress=False)
    engine = Engine(settings, store)
    yield engine
    engine.close()


async def test_admin_ingests_a_url_and_the_next_ask_sees_it(
    fake_discord: FakeDiscord, small_engine, page_server, tmp_path
) -> None:
    fake = fake_discord
    fake.add_role("corridor-admin")
    fake.add_role("moderators", MANAGE_GUILD)  # roles reach the bot in GUILD_CREATE: add them first
    settings = small_engine.settings.model_copy(update={"feedback_path": tmp_path / "fb.jsonl"})
    bot = CorridorBot(settings, engine=small_engine, guild_ready_timeout=0.1)
    admin = fake.add_user("ivy", roles=["corridor-admin"])
    async with running(bot, fake):
        mark = fake.mark()
        inter = await fake.slash(admin, "ingest", {"url": page_server})
        cb = await fake.wait_for_request("POST", rf"/interactions/{inter.id}/.+/callback", after=mark)
        assert cb.json["type"] == 5
        report = await fake.wait_for_request(
            "POST", rf"/webhooks/{fake.app_id}/{inter.token}", after=mark, timeout=60
        )
        assert "**added 1**" in report.json["content"], report.json["content"]
        assert any("Aktau" in s.title for s in small_engine.sources())

        inter = await fake.slash(admin, "ask", {"question": "What will the quorbex ferry terminal do?"})
        answer = await fake.wait_for_request(
            "POST", rf"/webhooks/{fake.app_id}/{inter.token}", after=mark, timeout=60
        )
        assert "quorbex" in answer.json["content"].lower()
        assert any("Aktau" in e["title"] for e in answer.json["embeds"])

        mark = fake.mark()  # a file attachment, by a member with Manage Server instead of the role
        mod = fake.add_user("max", roles=["moderators"])
        text = "# Caspian ferry notes\n\nThe zelvorite ferry links Kuryk and Alat twice a week.\n"
        attachment = fake.add_attachment("ferry notes.md", text.encode())
        inter = await fake.slash(mod, "ingest", {"file": attachment})
        report = await fake.wait_for_request(
            "POST", rf"/webhooks/{fake.app_id}/{inter.token}", after=mark, timeout=60
        )
        assert "**added 1**" in report.json["content"], report.json["content"]
        assert (settings.data_dir / "uploads" / "ferry-notes.md").read_text() == text
        assert_no_pings(fake)


# -- /ask source:, since:, until:, private: (what `corridor ask --doc/--since/--until` offers) ------------

INTERVIEW = "00-news-az-engin-ozer-interview"


async def test_ask_source_autocomplete_lists_matching_documents(live) -> None:
    fake, bot = live
    user = fake.add_user("kim")
    mark = fake.mark()
    typing = await fake.autocomplete(user, "ask", {"question": "trade", "source": "ozer"}, "source")
    cb = await fake.wait_for_request("POST", rf"/interactions/{typing.id}/.+/callback", after=mark)
    assert cb.status == 200 and cb.json["type"] == 8
    choices = cb.json["data"]["choices"]
    assert [c["value"] for c in choices] == [INTERVIEW]
    assert "Engin Ozer" in choices[0]["name"] and "2025-08-04" in choices[0]["name"]
    typing = await fake.autocomplete(user, "ask", {"question": "trade", "source": ""}, "source")
    cb = await fake.wait_for_request("POST", rf"/interactions/{typing.id}/.+/callback", after=mark)
    every = {s.doc_id for s in bot.engine.sources()}
    assert {c["value"] for c in cb.json["data"]["choices"]} == every and len(every) == 14


async def test_ask_limited_to_one_source_and_dates_answers_privately(live) -> None:
    fake, _ = live
    user = fake.add_user("lee")
    mark = fake.mark()
    inter = await fake.slash(user, "ask", {"question": "What is the Middle Corridor?", "source": INTERVIEW,
                                           "since": "2025-01-01", "until": "2025-12-31", "private": True})
    cb = await fake.wait_for_request("POST", rf"/interactions/{inter.id}/.+/callback", after=mark)
    assert cb.json["type"] == 5 and cb.json["data"]["flags"] & 64  # only the asker sees it
    path = rf"/webhooks/{fake.app_id}/{inter.token}"
    last = await fake.wait_for_request("POST", path, after=mark, timeout=60,
                                       predicate=lambda r: bool(r.json.get("components")))
    sent = [r.json for r in fake.requests[mark:] if r.path == last.path and r.method == "POST"]
    assert all(b["flags"] & 64 for b in sent)
    titles = [e["title"] for b in sent for e in b.get("embeds", [])]
    assert titles and all("Engin Ozer" in t for t in titles)  # cited from that document only
    assert all(int(m["flags"]) & 64 for m in fake.sent_messages() if m.get("webhook_id"))

    mark = fake.mark()  # the same question over all documents cites others too
    inter = await fake.slash(user, "ask", {"question": "What is the Middle Corridor?"})
    last = await fake.wait_for_request("POST", rf"/webhooks/{fake.app_id}/{inter.token}", after=mark,
                                       timeout=60, predicate=lambda r: bool(r.json.get("components")))
    assert not last.json.get("flags", 0) & 64
    everywhere = [e["title"] for r in fake.requests[mark:] if r.path == last.path
                  for e in (r.json or {}).get("embeds", [])]
    assert any("Engin Ozer" not in t for t in everywhere)


@pytest.mark.parametrize(("options", "expected"), [
    ({"since": "last year"}, "not a date (use YYYY-MM-DD): 'last year'"),
    ({"until": "2025-13-01"}, "not a date (use YYYY-MM-DD): '2025-13-01'"),
    ({"since": "2025-06-01", "until": "2024-01-01"}, "`since` is after `until`."),
])
async def test_a_bad_date_gets_a_short_private_error(live, options, expected) -> None:
    fake, bot = live
    user = fake.add_user("mo")
    mark = fake.mark()
    inter = await fake.slash(user, "ask", {"question": "What is the Middle Corridor?", **options})
    cb = await fake.wait_for_request("POST", rf"/interactions/{inter.id}/.+/callback", after=mark)
    assert cb.json["type"] == 4 and cb.json["data"]["flags"] & 64
    assert cb.json["data"]["content"] == expected
    assert bot.engine.calls == []  # nothing was asked


async def test_an_unknown_source_is_refused_with_a_hint(live) -> None:
    fake, bot = live
    user = fake.add_user("nia")
    mark = fake.mark()
    inter = await fake.slash(user, "ask", {"question": "What is the Middle Corridor?", "source": "nope",
                                           "private": True})
    reply = await fake.wait_for_request("POST", rf"/webhooks/{fake.app_id}/{inter.token}", after=mark)
    assert reply.json["content"] == "no document 'nope': pick one from the `source` list."
    assert reply.json["flags"] & 64 and bot.engine.calls == []
