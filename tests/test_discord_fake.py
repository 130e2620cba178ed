"""The fake Discord itself: the unmodified discord.py client logs in, gets READY, and talks REST to it."""

from __future__ import annotations

import math

import discord
import pytest
from discord.ext import commands

from tests.fakediscord.client import running
from tests.fakediscord.server import FakeDiscord

pytest_plugins = ["tests.fakediscord.fixtures"]


def echo_bot(**options) -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = True
    bot = commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.1, **options)

    @bot.event
    async def on_message(message: discord.Message) -> None:
        if message.author.id != bot.user.id:
            await message.channel.send(f"echo: {message.content}")

    @bot.tree.command(name="ping", description="Replies pong")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("pong")

    return bot


async def test_client_logs_in_and_sees_the_guild(fake_discord: FakeDiscord) -> None:
    bot = echo_bot()
    async with running(bot, fake_discord):
        assert bot.user is not None and bot.user.id == fake_discord.app_id
        guild = bot.get_guild(fake_discord.guild_id)
        assert guild is not None and guild.get_channel(fake_discord.channel_id) is not None
        paths = [r.path for r in fake_discord.requests]
        assert "/users/@me" in paths and "/oauth2/applications/@me" in paths
        await fake_discord.wait_for_heartbeats(2, timeout=60)  # interval is 1 s in tests
        # the client measured a heartbeat ACK (latency is inf until one arrives). discord.py reads about one
        # interval on loopback (see tests/reliability/test_load.py); the ceiling only catches a stuck clock.
        interval_s = fake_discord.heartbeat_interval_ms / 1000
        assert math.isfinite(bot.latency) and 0 <= bot.latency < 30 * interval_s


async def test_message_round_trip_and_slash_command(fake_discord: FakeDiscord) -> None:
    bot = echo_bot()
    alice = fake_discord.add_user("alice")
    async with running(bot, fake_discord):
        mark = fake_discord.mark()
        await fake_discord.send_message(alice, "hello there")
        req = await fake_discord.wait_for_request(
            "POST", rf"/channels/{fake_discord.channel_id}/messages", after=mark
        )
        assert req.json["content"] == "echo: hello there"

        await bot.tree.sync()
        assert [c["name"] for c in fake_discord.commands] == ["ping"]
        mark = fake_discord.mark()
        inter = await fake_discord.slash(alice, "ping")
        cb = await fake_discord.wait_for_request("POST", rf"/interactions/{inter.id}/.+/callback", after=mark)
        assert cb.json["type"] == 5  # deferred channel message
        follow = await fake_discord.wait_for_request(
            "POST", rf"/webhooks/{fake_discord.app_id}/.+", after=mark
        )
        assert follow.json["content"] == "pong"


async def test_bad_token_is_a_login_failure(fake_discord: FakeDiscord) -> None:
    bot = echo_bot()
    with pytest.raises(discord.LoginFailure):
        await bot.login("wrong-token")
    await bot.close()


@pytest.mark.parametrize("action", ["drop", "reconnect"])
async def test_client_resumes_after_the_gateway_goes_away(fake_discord: FakeDiscord, action: str) -> None:
    bot = echo_bot()
    alice = fake_discord.add_user("alice")
    async with running(bot, fake_discord):
        if action == "drop":
            await fake_discord.drop_connection()
        else:
            await fake_discord.send_reconnect()
        await fake_discord.send_message(alice, "sent while away")  # buffered, replayed on RESUME
        await fake_discord.wait_for_connection(identifies=1, resumes=1)
        req = await fake_discord.wait_for_request("POST", r"/channels/\d+/messages")
        assert req.json["content"] == "echo: sent while away"
        assert fake_discord.identifies == 1


@pytest.mark.slow  # discord.py waits 5 s before a second IDENTIFY
async def test_invalid_session_makes_the_client_identify_again(fake_discord: FakeDiscord) -> None:
    bot = echo_bot()
    async with running(bot, fake_discord):
        await fake_discord.invalidate_session(resumable=False)
        await fake_discord.wait_for_connection(identifies=2)
        mark = fake_discord.mark()
        alice = fake_discord.add_user("alice")
        await fake_discord.send_message(alice, "after the new session")  # events flow on the new session
        req = await fake_discord.wait_for_request("POST", r"/channels/\d+/messages", after=mark)
        assert req.json["content"] == "echo: after the new session" and bot.is_ready()


@pytest.mark.parametrize("kind", ["zlib-stream", "zstd-stream"])
def test_gateway_compression_streams_decode_message_by_message(kind: str) -> None:
    """Both transports discord.py may ask for (zstd when a zstd module is importable, else zlib)."""
    import zlib

    from tests.fakediscord.server import _encoder, zstandard

    if kind == "zstd-stream" and zstandard is None:
        pytest.skip("zstandard not installed")
    encode = _encoder(kind)
    if kind == "zlib-stream":
        d = zlib.decompressobj()
        decode = d.decompress
    else:
        decode = zstandard.ZstdDecompressor().decompressobj().decompress
    for text in ['{"op": 10}', '{"op": 0, "t": "READY"}' * 50, "{}"]:
        frame = encode(text)
        if kind == "zlib-stream":
            assert frame.endswith(b"\x00\x00\xff\xff")  # what discord.py waits for before decoding
        assert decode(frame).decode() == text
