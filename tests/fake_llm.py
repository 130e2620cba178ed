"""A fake OpenAI-compatible chat endpoint on loopback, for testing the engine's llm mode.

The language model is an outside service, not the code under test: the fake lets a test decide what the
"model" replies (a well-cited answer, a dangling marker, an unsupported sentence, silence) and checks that
the engine's prompting, parsing, verification and fallback do the right thing with it.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

Reply = Callable[[list[dict[str, Any]]], str]


class FakeLLM:
    """Serves POST /v1/chat/completions; `reply(messages)` decides the content; requests are recorded."""

    def __init__(self, reply: Reply, delay_s: float = 0.0) -> None:
        self.reply = reply
        self.delay_s = delay_s
        self.requests: list[dict[str, Any]] = []
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _completions(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        content = self.reply(body["messages"])
        return web.json_response({
            "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        })

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # aiohttp exposes no public accessor
        self._ready.set()
        self._loop.run_forever()

    def __enter__(self) -> FakeLLM:
        threading.Thread(target=self._serve, daemon=True).start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._runner is not None
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)


def passages_in(messages: list[dict[str, Any]]) -> dict[int, str]:
    """The numbered passages the engine put in its prompt."""
    text = messages[-1]["content"]
    return {int(n): body.strip() for n, body in
            re.findall(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', text, flags=re.S)}
