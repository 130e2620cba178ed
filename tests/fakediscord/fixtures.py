"""Pytest fixtures for the fake Discord; a test module uses them with
`pytest_plugins = ["tests.fakediscord.fixtures"]`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakediscord.server import FakeDiscord, point_discord_py_at


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A fake Discord on 127.0.0.1 with discord.py pointed at it for the duration of the test.

    Heartbeats every second, so latency is visible within a short test.
    """
    fake = await FakeDiscord(heartbeat_interval_ms=1000).start()
    restore = point_discord_py_at(fake)
    try:
        yield fake
    finally:
        restore()
        await fake.close()
