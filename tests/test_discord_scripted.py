"""Bot behaviour that the real engine cannot be made to show on demand (a 3,000-character answer, a store
outage, an unexpected crash), through the real discord.py client and the fake gateway. The engine here
is a scripted stand-in that returns a built Answer record or raises; everything else is the real bot."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import pytest
from pydantic import SecretStr

from bot.discord_bot import FAILED, UNAVAILABLE, CorridorBot, serve
from corridor.errors import CorridorError, StoreUnavailable
from corridor.settings import Settings
from tests.fakediscord.client import running
from tests.fakediscord.server import FakeDiscord
from tests.test_discord_format import long_answer

pytest_plugins = ["tests.fakediscord.fixtures"]


class ScriptedEngine:
    """Answers every question with `result` (an Answer) or raises it (an exception)."""

    def __init__(self, result: Any) -> None:
        self.result = result

    async def aask(self, question, history=None, **kw):
        if isinstance(self.result, BaseException):
            raise self.result
        return self.result


def make_bot(tmp_path, result: Any) -> CorridorBot:
    settings = Settings(data_dir=tmp_path, discord_token=None, chroma_host=None)
    return CorridorBot(settings, engine=ScriptedEngine(result), guild_ready_timeout=0.1)


async def test_a_long_answer_arrives_as_several_clean_messages(fake_discord: FakeDiscord, tmp_path) -> None:
    fake = fake_discord
    answer = long_answer()
    assert len(answer.text) >= 3000
    bot = make_bot(tmp_path, answer)
    user = fake.add_user("alice")
    async with running(bot, fake):
        mark = fake.mark()
        inter = await fake.slash(user, "ask", {"question": "Tell me everything"})
        await fake.wait_for_request(
            "POST",
            rf"/webhooks/{fake.app_id}/{inter.token}",
            after=mark,
            predicate=lambda r: bool(r.json.get("components")),
        )
        sent = [r.json for r in fake.requests[mark:] if r.path == f"/webhooks/{fake.app_id}/{inter.token}"]
    assert len(sent) >= 2
    assert all(len(b.get("content") or "") <= 2000 for b in sent)
    assert " ".join(b["content"] for b in sent if b.get("content")) == answer.text
    assert all(re.search(r"\[\d+\]$", b["content"]) for b in sent if b.get("content"))  # ends on a marker
    shown = sorted(int(re.match(r"\[(\d+)\]", e["title"])[1]) for b in sent for e in b.get("embeds", []))
    assert shown == [c.number for c in answer.citations]
    assert [bool(b.get("components")) for b in sent] == [False] * (len(sent) - 1) + [True]  # buttons last
    assert all(b["allowed_mentions"]["parse"] == [] for b in sent)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            StoreUnavailable("the knowledge base is unavailable right now (Chroma server at db:8000)."),
            UNAVAILABLE,
        ),
        (RuntimeError("secret internal detail"), FAILED),
    ],
)
async def test_errors_reach_the_user_as_one_short_line(
    fake_discord: FakeDiscord, tmp_path, caplog, error: Exception, expected: str
) -> None:
    fake = fake_discord
    bot = make_bot(tmp_path, error)
    user = fake.add_user("bob")
    caplog.set_level(logging.WARNING, logger="corridor")
    async with running(bot, fake):
        mark = fake.mark()
        inter = await fake.slash(user, "ask", {"question": "Anything?"})
        reply = await fake.wait_for_request("POST", rf"/webhooks/{fake.app_id}/{inter.token}", after=mark)
        assert reply.json["content"] == expected
        mark = fake.mark()
        msg = await fake.send_message(user, "Anything?", mention_bot=True)
        reply = await fake.wait_for_request("POST", rf"/channels/{msg['id']}/messages", after=mark)
        assert reply.json["content"] == expected
        assert bot.is_ready()  # still up
    assert "secret internal detail" not in str([r.json for r in fake.requests])
    assert str(error) in caplog.text  # the details went to the log


async def test_a_bare_mention_gets_a_hint_not_an_answer(fake_discord: FakeDiscord, tmp_path) -> None:
    fake = fake_discord
    bot = make_bot(tmp_path, RuntimeError("must not be asked"))
    user = fake.add_user("carol")
    async with running(bot, fake):
        mark = fake.mark()
        await fake.send_message(user, "", mention_bot=True)
        reply = await fake.wait_for_request("POST", rf"/channels/{fake.channel_id}/messages", after=mark)
    assert reply.json["content"].startswith("Ask me a question after the mention")
    assert reply.json["message_reference"]["message_id"]
    mentions = reply.json["allowed_mentions"]
    assert mentions["parse"] == [] and not mentions.get("replied_user")


async def test_a_refused_intent_is_one_clear_error(fake_discord: FakeDiscord, tmp_path) -> None:
    fake_discord.privileged_intents = False  # the switch in the developer portal is off
    settings = Settings(data_dir=tmp_path, discord_token=SecretStr(fake_discord.token), chroma_host=None)
    bot = CorridorBot(settings, engine=ScriptedEngine(RuntimeError("unused")), guild_ready_timeout=0.1)
    with pytest.raises(CorridorError, match="Message Content intent"):
        await asyncio.wait_for(serve(settings, bot), timeout=60)
    assert bot.is_closed()


async def test_after_a_restart_its_threads_and_buttons_still_work(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    fake = fake_discord
    user = fake.add_user("dora")
    answer = long_answer(2, 2)
    first = make_bot(tmp_path, answer)
    async with running(first, fake):
        mark = fake.mark()
        msg = await fake.send_message(user, "What is the Middle Corridor?", mention_bot=True)
        thread_id = int(msg["id"])
        await fake.wait_for_request(
            "POST",
            rf"/channels/{thread_id}/messages",
            after=mark,
            predicate=lambda r: bool(r.json.get("components")),
        )
    answer_msg = [m for m in fake.sent_messages(thread_id) if m["components"]][-1]

    second = make_bot(tmp_path, answer)  # a new process: no memory of the thread or the answer
    async with running(second, fake):
        assert second.started_threads == {} and len(second.recent_answers) == 0
        mark = fake.mark()
        await fake.send_message(user, "And who finances it?", channel_id=thread_id)  # no mention
        await fake.wait_for_request("POST", rf"/channels/{thread_id}/messages", after=mark)
        helpful = answer_msg["components"][0]["components"][0]["custom_id"]
        click = await fake.click(user, answer_msg, helpful)
        cb = await fake.wait_for_request("POST", rf"/interactions/{click.id}/.+/callback", after=mark)
    assert cb.json["type"] == 4 and "recorded" in cb.json["data"]["content"]
    [row] = second.feedback.read()
    assert row["helpful"] is True and row["restored"] is True and row["answer"] == answer_msg["content"]
    assert [c["number"] for c in row["citations"]] == [c.number for c in answer.citations]


def test_corridor_bot_without_a_token_says_so_in_one_line(tmp_path) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DISCORD_TOKEN": "", "CORRIDOR_DATA_DIR": str(tmp_path)}
    corridor = Path(sys.executable).with_name("corridor")
    run = subprocess.run([str(corridor), "bot"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert "DISCORD_TOKEN is not set" in " ".join(lines) and "Traceback" not in run.stderr
    assert len(" ".join(lines)) < 300


@pytest.mark.parametrize("entry", ["slash", "mention"])
async def test_a_rate_limited_reply_is_retried_after_the_wait_discord_asks_for(
    fake_discord: FakeDiscord, tmp_path, entry: str
) -> None:
    """Discord answers 429 with retry_after: the bot's reply waits that long, is sent again, and arrives."""
    fake = fake_discord
    answer = long_answer(2, 2)
    bot = make_bot(tmp_path, answer)
    user = fake.add_user("ruth")
    retry_after = 0.8
    async with running(bot, fake):
        mark = fake.mark()
        if entry == "slash":
            inter = await fake.slash(user, "ask", {"question": "What is the Middle Corridor?"})
            path = rf"/webhooks/{fake.app_id}/{inter.token}"
        else:
            msg = await fake.send_message(user, "What is the Middle Corridor?", mention_bot=True)
            path = rf"/channels/{msg['id']}/messages"  # the answer goes to the thread the bot opens
        fake.rate_limit("POST", path, times=1, retry_after=retry_after)
        done = await fake.wait_for_request("POST", path, after=mark, predicate=lambda r: r.status == 200)
    tries = [r for r in fake.requests[mark:] if r.method == "POST" and r.path == done.path]
    assert [r.status for r in tries] == [429, 200]
    assert tries[1].at - tries[0].at >= retry_after * 0.95  # it waited as told
    assert tries[1].json == tries[0].json  # the same message, sent again
    assert "[1]" in done.json["content"] and done.json["embeds"] and done.json["components"]
