"""Running a real discord.py client against the fake inside a test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord

from tests.fakediscord.server import FakeDiscord


@contextlib.asynccontextmanager
async def running(client: discord.Client, fake: FakeDiscord, timeout: float = 30.0) -> AsyncIterator[None]:
    """Run `client` against `fake` in this event loop until the block ends; waits for READY first.

    Give the client `guild_ready_timeout=0.1` (discord.py waits 2 s after the last GUILD_CREATE by default).
    """
    task = asyncio.create_task(client.start(fake.token), name="discord-client")
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        if task in done:
            task.result()  # re-raise the start-up error
        task.cancel()
        raise AssertionError(f"the client was not ready within {timeout}s")
    try:
        yield
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=10)
