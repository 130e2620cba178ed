"""/ask in llm mode through the fake Discord (real discord.py client, real engine, real local model):
the deferred reply shows the question's place in line, then the growing draft (the rate limit itself:
tests/test_reply_stream.py), and finally only the verified answer with its citation embeds."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from answering.engine import Engine
from bot.discord_bot import CorridorBot
from bot.streaming import DRAFT_HEAD
from tests.fakediscord.client import running

pytest_plugins = ["tests.fakediscord.fixtures"]
pytestmark = pytest.mark.slow

INTERVAL = 1.0


@pytest.fixture
def llm_bot_settings(ingested, local_gguf, tmp_path):
    return ingested.settings.model_copy(update={
        "answer_mode": "llm", "llm_gguf": local_gguf, "llm_base_url": None, "k": 2, "llm_max_tokens": 80,
        "llm_timeout_s": 240.0, "llm_stream_edit_s": INTERVAL, "feedback_path": tmp_path / "feedback.jsonl",
        "data_dir": tmp_path})


async def test_slash_ask_streams_then_leaves_only_the_verified_answer(
        fake_discord, ingested, llm_bot_settings) -> None:
    fake = fake_discord
    engine = Engine(llm_bot_settings, ingested.store)
    bot = CorridorBot(llm_bot_settings, engine=engine, guild_ready_timeout=0.1)
    questions = {"alice": "How long is the Baku–Tbilisi–Kars railway?",
                 "bob": "What did Engin Ozer say about the Trans-Caspian route?"}
    try:
        async with running(bot, fake):
            mark = fake.mark()
            inters = {}
            for name, question in questions.items():
                inters[name] = await fake.slash(fake.add_user(name), "ask", {"question": question})
            finals = {}
            for name, inter in inters.items():
                finals[name] = await fake.wait_for_request(
                    "PATCH", rf"/webhooks/{fake.app_id}/{inter.token}/messages/@original", after=mark,
                    predicate=lambda r: bool((r.json or {}).get("embeds")), timeout=600)
    finally:
        engine.close()

    waited = False
    for name, inter in inters.items():
        edits = [r for r in fake.requests[mark:]
                 if r.method == "PATCH" and f"/{inter.token}/messages/@original" in r.path]
        assert edits[-1] is finals[name], "the verified answer is the last edit"
        progress = [(r.json or {}).get("content") or "" for r in edits[:-1]]
        drafts = [c for c in progress if c.startswith(DRAFT_HEAD)]
        assert drafts, f"{name}: the answer never grew in the reply: {progress}"
        waited |= any("Waiting for the model: 1 question is ahead of yours." in c for c in progress)
        # only changed text is sent (the interval itself is checked exactly, on a virtual clock, in
        # tests/test_reply_stream.py: gaps timed here, where the fake server receives the edits, would be a
        # bound a busy machine could break)
        assert all(a != b for a, b in pairwise(progress)), progress
        assert all(len(c) <= 2000 for c in progress)
        final = finals[name].json
        content = final.get("content") or ""
        assert DRAFT_HEAD not in content and "▌" not in content
        markers = {int(n) for n in re.findall(r"\[(\d+)\]", content)}
        numbers = {int(re.match(r"\[(\d+)\]", e["title"])[1]) for e in final["embeds"]}
        assert markers == numbers and numbers  # every cited passage is shown, and nothing uncited
        assert final["allowed_mentions"]["parse"] == []
        shown = fake.messages[inter.original_message_id]
        assert DRAFT_HEAD not in (shown.get("content") or "")  # what stays on Discord is verified text
    assert waited, "the question that arrived second never showed its place in line"
