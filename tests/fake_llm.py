"""A fake OpenAI-compatible chat endpoint on loopback, for testing the engine's llm mode.

The language model is an outside service, not the code under test: the fake lets a test decide what the
"model" replies (a well-cited answer, a dangling marker, an unsupported sentence, silence) and checks that
the engine's prompting, parsing, verification and fallback do the right thing with it.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

Reply = Callable[[list[dict[str, Any]]], str]


class FakeLLM:
    """Serves POST /v1/chat/completions (streamed when asked); `reply(messages)` decides the content;
    requests are recorded."""

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
        if body.get("stream"):
            return await self._stream(request, body, content)
        return web.json_response({
            "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        })

    async def _stream(self, request: web.Request, body: dict[str, Any], content: str) -> web.StreamResponse:
        """The same reply as server-sent events, a few words per chunk (as OpenAI-compatible servers do)."""
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        words = re.findall(r"\S+\s*", content)
        base = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": body.get("model", "fake")}
        for i in range(0, len(words), 3):
            delta = {"role": "assistant", "content": "".join(words[i:i + 3])}
            chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
            await resp.write(f"data: {json.dumps(chunk)}\n\n".encode())
        end = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        await resp.write(f"data: {json.dumps(end)}\n\n".encode())
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = {**base, "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": len(words),
                                                       "total_tokens": 1 + len(words)}}
            await resp.write(f"data: {json.dumps(usage)}\n\n".encode())
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp

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
