"""The fake Discord enforces Discord's documented rules on every route the bot uses, answers a violation the
way Discord does, and can rate-limit a route (429) so the real discord.py client waits and retries."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.fakediscord.client import running
from tests.fakediscord.server import FakeDiscord, FakeInteraction
from tests.test_discord_fake import echo_bot

pytest_plugins = ["tests.fakediscord.fixtures"]


class Rest:
    """Raw HTTP to the fake, as a bot would send it (no client library smoothing anything over)."""

    def __init__(self, fake: FakeDiscord, session: aiohttp.ClientSession) -> None:
        self.fake, self.session = fake, session

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bot {self.fake.token}"}
        async with self.session.request(method, self.fake.api_base + path, json=body, headers=headers) as r:
            return r.status, await r.json(content_type=None) if r.status != 204 else None

    async def command(self, kind: int = 5) -> FakeInteraction:
        """A slash command the test answered with response `kind` (5: deferred)."""
        inter = await self.fake.slash(self.fake.add_user("tester"), "ask", {"question": "q"})
        status, _ = await self.call("POST", f"/interactions/{inter.id}/{inter.token}/callback",
                                    {"type": kind, "data": {"content": "ok"} if kind == 4 else {}})
        assert status == 200
        return inter


@pytest.fixture
async def rest(fake_discord: FakeDiscord) -> AsyncIterator[Rest]:
    async with aiohttp.ClientSession() as session:
        yield Rest(fake_discord, session)


def embed(**kw: Any) -> dict[str, Any]:
    return {"title": "t", "description": "d", **kw}


# (case, message body, error path in Discord's nested "errors", error code)
TOO_BIG = [
    ("content", {"content": "x" * 2001}, ["content"], "BASE_TYPE_MAX_LENGTH"),
    ("11 embeds", {"embeds": [embed()] * 11}, ["embeds"], "BASE_TYPE_MAX_LENGTH"),
    ("6,001 embed chars", {"embeds": [embed(title="", description="x" * 4000),
                                      embed(title="", description="y" * 2001)]},
     ["embeds"], "MAX_EMBED_SIZE_EXCEEDED"),
    ("title", {"embeds": [embed(title="x" * 257)]}, ["embeds", "0", "title"], "BASE_TYPE_MAX_LENGTH"),
    ("description", {"embeds": [embed(description="x" * 4097)]}, ["embeds", "0", "description"],
     "BASE_TYPE_MAX_LENGTH"),
    ("26 fields", {"embeds": [embed(fields=[{"name": "n", "value": "v"}] * 26)]}, ["embeds", "0", "fields"],
     "BASE_TYPE_MAX_LENGTH"),
    ("field name", {"embeds": [embed(fields=[{"name": "x" * 257, "value": "v"}])]},
     ["embeds", "0", "fields", "0", "name"], "BASE_TYPE_MAX_LENGTH"),
    ("field value", {"embeds": [embed(fields=[{"name": "n", "value": "x" * 1025}])]},
     ["embeds", "0", "fields", "0", "value"], "BASE_TYPE_MAX_LENGTH"),
    ("empty field value", {"embeds": [embed(fields=[{"name": "n", "value": ""}])]},
     ["embeds", "0", "fields", "0", "value"], "BASE_TYPE_REQUIRED"),
    ("footer", {"embeds": [embed(footer={"text": "x" * 2049})]}, ["embeds", "0", "footer", "text"],
     "BASE_TYPE_MAX_LENGTH"),
]
AT_THE_LIMIT = {
    "content": "x" * 2000,
    "embeds": [embed(title="x" * 256, description="d" * 1786,  # exactly 6,000 characters in all
                     fields=[{"name": "n" * 256, "value": "v" * 1024}] * 3,
                     footer={"text": "f" * 100})] + [embed()] * 9,
}


def error_at(body: dict[str, Any], path: list[str]) -> str:
    node = body["errors"]
    for key in path:
        node = node[key]
    return node["_errors"][0]["code"]


@pytest.mark.parametrize("route", ["channel message", "channel edit", "follow-up", "response edit",
                                   "immediate response"])
async def test_every_message_route_enforces_the_limits(fake_discord: FakeDiscord, rest: Rest,
                                                       route: str) -> None:
    fake = fake_discord

    async def send(body: dict[str, Any]) -> tuple[int, Any, list[str]]:
        prefix: list[str] = []
        if route == "channel message":
            status, data = await rest.call("POST", f"/channels/{fake.channel_id}/messages", body)
        elif route == "channel edit":
            _, msg = await rest.call("POST", f"/channels/{fake.channel_id}/messages", {"content": "first"})
            status, data = await rest.call("PATCH", f"/channels/{fake.channel_id}/messages/{msg['id']}", body)
        elif route == "follow-up":
            inter = await rest.command()
            status, data = await rest.call("POST", f"/webhooks/{fake.app_id}/{inter.token}", body)
        elif route == "response edit":
            inter = await rest.command()
            status, data = await rest.call(
                "PATCH", f"/webhooks/{fake.app_id}/{inter.token}/messages/@original", body)
        else:
            inter = await fake.slash(fake.add_user("u"), "ask", {"question": "q"})
            status, data = await rest.call("POST", f"/interactions/{inter.id}/{inter.token}/callback",
                                           {"type": 4, "data": body})
            prefix = ["data"]
        return status, data, prefix

    for case, body, path, code in TOO_BIG:
        status, data, prefix = await send(body)
        assert status == 400, case
        assert data["code"] == 50035 and data["message"] == "Invalid Form Body", case
        assert error_at(data, prefix + path) == code, (case, data)
    status, data, _ = await send(AT_THE_LIMIT)
    assert status == 200, data
    assert len(fake.take_violations()) == len(TOO_BIG)


async def test_empty_messages_are_refused_unless_embeds_carry_them(fake_discord: FakeDiscord,
                                                                   rest: Rest) -> None:
    fake = fake_discord
    inter = await rest.command()
    for method, path in (("POST", f"/channels/{fake.channel_id}/messages"),
                         ("POST", f"/webhooks/{fake.app_id}/{inter.token}")):
        for body in ({}, {"content": ""}, {"content": "", "embeds": []}):
            status, data = await rest.call(method, path, body)
            assert (status, data["code"]) == (400, 50006), (path, body)
        status, _ = await rest.call(method, path, {"content": "", "embeds": [embed()]})
        assert status == 200
    status, data = await rest.call("PATCH", f"/webhooks/{fake.app_id}/{inter.token}/messages/@original",
                                   {"content": ""})  # a deferred reply edited to nothing
    assert (status, data["code"]) == (400, 50006)
    assert len(fake.take_violations()) == 7


async def test_an_interaction_is_answered_once_within_3_s_and_followed_up_within_15_min(
    fake_discord: FakeDiscord, rest: Rest
) -> None:
    fake = fake_discord
    user = fake.add_user("u")
    late = await fake.slash(user, "ask", {"question": "q"})
    fake.advance(3.1)
    status, data = await rest.call("POST", f"/interactions/{late.id}/{late.token}/callback", {"type": 5})
    assert (status, data["code"]) == (404, 10062)  # Unknown interaction: Discord gave up on it

    inter = await rest.command()
    status, data = await rest.call("POST", f"/interactions/{inter.id}/{inter.token}/callback", {"type": 5})
    assert (status, data["code"]) == (400, 40060)  # already acknowledged
    fake.advance(14 * 60)
    status, _ = await rest.call("POST", f"/webhooks/{fake.app_id}/{inter.token}", {"content": "still ok"})
    assert status == 200
    fake.advance(61)
    status, data = await rest.call("POST", f"/webhooks/{fake.app_id}/{inter.token}", {"content": "late"})
    assert (status, data["code"]) == (401, 50027)  # Invalid Webhook Token
    status, data = await rest.call("PATCH", f"/webhooks/{fake.app_id}/{inter.token}/messages/@original",
                                   {"content": "late"})
    assert (status, data["code"]) == (401, 50027)
    assert len(fake.take_violations()) == 4


async def test_only_response_types_valid_for_the_interaction_are_accepted(
    fake_discord: FakeDiscord, rest: Rest
) -> None:
    fake = fake_discord
    user = fake.add_user("u")

    async def respond(inter: FakeInteraction, body: dict[str, Any]) -> int:
        status, data = await rest.call("POST", f"/interactions/{inter.id}/{inter.token}/callback", body)
        if status == 400:
            assert data["code"] == 50035 and ("type" in data["errors"] or "data" in data["errors"]), data
        return status

    choices = {"type": 8, "data": {"choices": [{"name": "A", "value": "a"}]}}
    assert await respond(await fake.slash(user, "ask", {"question": "q"}), choices) == 400
    assert await respond(await fake.slash(user, "ask", {"question": "q"}), {"type": 7, "data": {}}) == 400
    assert await respond(await fake.slash(user, "ask", {"question": "q"}), {"type": 1}) == 400
    typing = await fake.autocomplete(user, "ask", {"question": "q", "source": "en"}, "source")
    assert await respond(typing, {"type": 4, "data": {"content": "no"}}) == 400
    assert await respond(typing, {"type": 5}) == 400
    too_many = {"type": 8, "data": {"choices": [{"name": f"{i}", "value": f"{i}"} for i in range(26)]}}
    assert await respond(typing, too_many) == 400
    assert await respond(typing, choices) == 200
    msg = {"id": "1", "channel_id": str(fake.channel_id), "content": "x", "components": []}
    assert await respond(await fake.click(user, msg, "b"), {"type": 8, "data": {"choices": []}}) == 400
    assert await respond(await fake.click(user, msg, "b"), {"type": 6}) == 200
    assert len(fake.take_violations()) == 7


async def test_discord_py_reads_the_error_shape(fake_discord: FakeDiscord) -> None:
    """The real client raises HTTPException with Discord's code and the field path from `errors`."""
    bot = echo_bot()
    failures: list[discord.HTTPException] = []

    @bot.tree.command(name="long", description="Replies with too much")
    async def long(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        try:
            await interaction.followup.send("x" * 2500)
        except discord.HTTPException as exc:
            failures.append(exc)
            await interaction.followup.send("sorry")

    alice = fake_discord.add_user("alice")
    async with running(bot, fake_discord):
        await bot.tree.sync()
        mark = fake_discord.mark()
        inter = await fake_discord.slash(alice, "long")
        await fake_discord.wait_for_request("POST", rf"/webhooks/{fake_discord.app_id}/{inter.token}",
                                            after=mark, predicate=lambda r: r.json.get("content") == "sorry")
    [exc] = failures
    assert exc.status == 400 and exc.code == 50035
    assert "In content: Must be 2000 or fewer in length." in exc.text
    assert [r.status for r in fake_discord.take_violations()] == [400]


@pytest.mark.parametrize("route", ["channel message", "follow-up"])
async def test_a_rate_limited_route_makes_discord_py_wait_and_retry(fake_discord: FakeDiscord,
                                                                     route: str) -> None:
    fake = fake_discord
    bot = echo_bot()
    alice = fake.add_user("alice")
    retry_after = 0.6
    async with running(bot, fake):
        await bot.tree.sync()
        mark = fake.mark()
        if route == "channel message":
            path = rf"/channels/{fake.channel_id}/messages"
            fake.rate_limit("POST", path, times=2, retry_after=retry_after)
            await fake.send_message(alice, "hello")
        else:
            path = rf"/webhooks/{fake.app_id}/.+"
            fake.rate_limit("POST", path, times=2, retry_after=retry_after)
            await fake.slash(alice, "ping")
        done = await fake.wait_for_request("POST", path, after=mark, predicate=lambda r: r.status == 200)
    tries = [r for r in fake.requests[mark:] if r.method == "POST" and r.path == done.path]
    assert [r.status for r in tries] == [429, 429, 200]
    assert tries[0].response["retry_after"] == retry_after
    gaps = [b.at - a.at for a, b in itertools.pairwise(tries)]
    assert all(gap >= retry_after * 0.95 for gap in gaps), gaps  # it waited as told, each time
    assert done.json["content"] == ("echo: hello" if route == "channel message" else "pong")


async def test_autocomplete_round_trip_with_the_real_client(fake_discord: FakeDiscord) -> None:
    bot = echo_bot()
    seen: list[str] = []

    async def fruits(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        seen.append(current)
        return [app_commands.Choice(name=f, value=f) for f in ("apple", "apricot", "banana")
                if f.startswith(current)]

    @bot.tree.command(name="fruit", description="Pick a fruit")
    @app_commands.autocomplete(name=fruits)
    async def fruit(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"you picked {name}")

    alice = fake_discord.add_user("alice")
    async with running(bot, fake_discord):
        await bot.tree.sync()
        mark = fake_discord.mark()
        typing = await fake_discord.autocomplete(alice, "fruit", {"name": "ap"}, "name")
        cb = await fake_discord.wait_for_request("POST", rf"/interactions/{typing.id}/.+/callback",
                                                 after=mark)
    assert seen == ["ap"]
    assert cb.status == 200 and cb.json["type"] == 8
    assert [c["value"] for c in cb.json["data"]["choices"]] == ["apple", "apricot"]
