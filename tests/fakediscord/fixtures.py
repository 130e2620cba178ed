"""Pytest fixtures for the fake Discord; a test module uses them with
`pytest_plugins = ["tests.fakediscord.fixtures"]`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakediscord.server import FakeDiscord, point_discord_py_at


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A fake Discord on 127.0.0.1 with discord.py pointed at it for the duration of the test.

    Heartbeats every second, so latency is visible within a short test. A test fails if the bot broke one
    of Discord's rules (a request the fake refused with 400, too late or twice) and the test did not take
    the violation itself with `fake.take_violations()`.
    """
    fake = await FakeDiscord(heartbeat_interval_ms=1000).start()
    restore = point_discord_py_at(fake)
    try:
        yield fake
    finally:
        restore()
        await fake.close()
    broken = [f"{r.method} {r.path} -> {r.status} {r.response}" for r in fake.violations]
    assert not broken, "the bot broke Discord's rules:\n" + "\n".join(broken)
