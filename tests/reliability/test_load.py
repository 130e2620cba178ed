"""A burst of 200 questions from 50 users through the fake gateway, against the real bot and engine: every
accepted question is answered, the rest get the rate-limit message, memory stays bounded and the event loop
keeps its heartbeat. The bounds are documented in docs/RELIABILITY.md."""

from __future__ import annotations

import asyncio
import gc
import itertools
import re
import time

import psutil
import pytest

from bot.discord_bot import CorridorBot
from tests.fakediscord.client import running
from tests.fakediscord.server import FakeDiscord
from tests.reliability.test_bot import assert_never_pings

pytest_plugins = ["tests.fakediscord.fixtures"]
pytestmark = pytest.mark.slow

USERS, PER_USER, ALLOWED = 50, 4, 2  # 200 questions; the per-user limit lets 2 through: 100 answers
# Bounds over what the same run measured with the bot connected and idle (a loaded machine delays both):
MAX_LOOP_LAG_S = 0.5  # how much later than when idle the event loop may wake up for a 50 ms sleep
MAX_HEARTBEAT_GAP_S = 1.5  # heartbeats are due every 1 s (the fake asks for that), plus the idle loop lag
IDLE_S = 3.0  # how long the idle baseline is measured
MAX_RSS_GROWTH_MB = 150
QUESTIONS = ["What did Engin Ozer say about the Trans-Caspian route?", "What is the Zangezur corridor?",
             "What did Tokayev sign in Ankara?", "How much wheat does Kazakhstan export?",
             "What is the Middle Corridor?", "Who opposes the Zangezur corridor?",
             "What is the $15 billion trade goal?", "What problems did freight forwarders name?"]
RATE_LIMITED = re.compile(r"try again in \d+ s")


class LoopWatch:
    """Measures how late the event loop wakes up for a 50 ms sleep, and peak RSS, until stopped.

    (discord.py's own `latency` is no use on loopback: its heartbeat thread records the send time after the
    ACK has already arrived, so it reads about one heartbeat interval. The gaps between heartbeats arriving
    at the fake gateway are measured instead: the client sends them through the event loop.)
    """

    def __init__(self) -> None:
        self.lag, self.rss = 0.0, 0
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        proc = psutil.Process()
        while True:
            t0 = time.perf_counter()
            await asyncio.sleep(0.05)
            self.lag = max(self.lag, time.perf_counter() - t0 - 0.05)
            self.rss = max(self.rss, proc.memory_info().rss)

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def test_a_burst_of_200_questions_from_50_users(fake_discord: FakeDiscord, rel_engine,
                                                      tmp_path) -> None:
    fake = fake_discord
    settings = rel_engine.settings.model_copy(update={
        "data_dir": tmp_path, "feedback_path": tmp_path / "fb.jsonl",
        "rate_limit_count": ALLOWED, "rate_limit_window_s": 600.0})
    bot = CorridorBot(settings, engine=rel_engine, guild_ready_timeout=0.1)
    users = [fake.add_user(f"user{i}") for i in range(USERS)]
    rel_engine.ask(QUESTIONS[0])  # warm the model and the BM25 index outside the measurement
    async with running(bot, fake):
        idle = LoopWatch()  # the baseline: the same loop, the same machine, no questions
        idle_beats_from = len(fake.heartbeats)
        await asyncio.sleep(IDLE_S)
        await fake.wait_for_heartbeats(2)
        await idle.stop()
        idle_gaps = [b - a for a, b in itertools.pairwise(fake.heartbeats[idle_beats_from:])]
        gc.collect()
        rss_before = psutil.Process().memory_info().rss
        watch = LoopWatch()
        beats_from = len(fake.heartbeats)
        t0 = time.perf_counter()
        slashes, mentions = [], []
        for round_ in range(PER_USER):
            for i, user in enumerate(users):
                suffix = ("", " Briefly?", " Thanks!", " Please.")[round_]
                question = QUESTIONS[(i + round_) % len(QUESTIONS)] + suffix
                if (i + round_) % 4 == 3:  # a quarter arrive as mentions, the rest as /ask
                    mentions.append((user, await fake.send_message(user, question, mention_bot=True)))
                else:
                    slashes.append((user, await fake.slash(user, "ask", {"question": question})))
        sent_s = time.perf_counter() - t0

        answered, limited = {}, {}
        for user, inter in slashes:
            cb = await fake.wait_for_request("POST", rf"/interactions/{inter.id}/.+/callback", timeout=60)
            if cb.json["type"] == 4:
                assert RATE_LIMITED.search(cb.json["data"]["content"]) and cb.json["data"]["flags"] & 64
                limited.setdefault(user.id, []).append(inter)
            else:
                follow = await fake.wait_for_request("POST", rf"/webhooks/{fake.app_id}/{inter.token}",
                                                     timeout=180)
                assert follow.json["embeds"] and "[1]" in follow.json["content"], follow.json["content"]
                answered.setdefault(user.id, []).append(inter)
        for user, msg in mentions:
            thread = int(msg["id"])
            reply = await fake.wait_for_request(
                "POST", rf"/channels/({thread}|{fake.channel_id})/messages", timeout=180,
                predicate=lambda r, m=msg: r.path.startswith(f"/channels/{m['id']}/")
                or str((r.json or {}).get("message_reference", {}).get("message_id")) == m["id"])
            target = limited if RATE_LIMITED.search(reply.json.get("content") or "") else answered
            assert target is limited or (reply.json.get("embeds") and "[1]" in reply.json["content"])
            target.setdefault(user.id, []).append(msg)
        total_s = time.perf_counter() - t0
        await fake.wait_for_heartbeats(2)  # the window measured spans at least a few heartbeats
        await watch.stop()
        gc.collect()
        rss_after = psutil.Process().memory_info().rss
        beats = fake.heartbeats[beats_from:]

    n_answered = sum(map(len, answered.values()))
    n_limited = sum(map(len, limited.values()))
    gaps = [b - a for a, b in itertools.pairwise(beats)]
    print(f"\nburst: {USERS * PER_USER} questions sent in {sent_s:.2f} s, all handled in {total_s:.1f} s; "
          f"answered {n_answered}, rate-limited {n_limited}; loop lag max {watch.lag * 1000:.0f} ms "
          f"(idle {idle.lag * 1000:.0f} ms); heartbeat gap max {max(gaps, default=0):.2f} s "
          f"(idle {max(idle_gaps, default=0):.2f} s) over "
          f"{len(beats)} beats; RSS {rss_before / 2**20:.0f} → {rss_after / 2**20:.0f} MB "
          f"(peak {watch.rss / 2**20:.0f})")
    assert n_answered + n_limited == USERS * PER_USER
    assert all(len(answered.get(u.id, [])) == ALLOWED for u in users)  # every accepted question answered
    assert all(len(limited.get(u.id, [])) == PER_USER - ALLOWED for u in users)
    assert watch.lag < idle.lag + MAX_LOOP_LAG_S
    assert len(beats) >= 3 and max(gaps) < max(MAX_HEARTBEAT_GAP_S, max(idle_gaps, default=0)) + idle.lag
    assert (rss_after - rss_before) / 2**20 < MAX_RSS_GROWTH_MB
    assert_never_pings(fake)
