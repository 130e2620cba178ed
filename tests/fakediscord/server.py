"""A fake Discord on loopback: the REST routes discord.py uses and a gateway websocket.

The real, unpatched discord.py client talks to it once `discord.http.Route.BASE` and
`DiscordWebSocket.DEFAULT_GATEWAY` point here (see `point_discord_py_at`). Every REST request is recorded
(method, path, query, JSON body) so tests can assert on what the bot sent; helpers inject gateway events
(messages, slash commands, autocomplete, button clicks) and control the connection (drop it, ask for a
reconnect, invalidate the session) for the reconnect and load tests.

It is as strict as Discord's documented rules (tests/fakediscord/rules.py) on every route the bot uses:
message and embed limits, empty messages, one first interaction response within 3 s and of a type valid
for the interaction, follow-ups and edits within 15 min. A violation is answered as Discord answers it
(400 with `{"code": 50035, "message": "Invalid Form Body", "errors": {...}}`, or Discord's code for the
case) and recorded in `violations`; the `fake_discord` fixture fails a test that left any unexpected.
`rate_limit(...)` makes a route answer 429 with `retry_after` and the rate-limit headers discord.py reads.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakediscord import payloads as P
from tests.fakediscord import rules

try:  # discord.py asks for zstd-stream when a zstd module is importable, else zlib-stream
    import zstandard
except ImportError:  # pragma: no cover - depends on the installed extras
    zstandard = None

MESSAGE_CONTENT_INTENT = 1 << 15
EPHEMERAL = 1 << 6
LOADING = 1 << 7


@dataclass
class RecordedRequest:
    """One REST request the client made."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any  # the JSON body (or multipart payload_json), None when there was none
    files: list[str] = field(default_factory=list)  # multipart file names
    at: float = field(default_factory=time.monotonic)
    status: int = 0  # the status the fake answered with (set once handled)
    response: Any = None  # the JSON body of an error response


@dataclass
class RateLimit:
    """A switch: the next `times` requests matching method and path regex are answered 429."""

    method: str
    path: re.Pattern[str]
    times: int
    retry_after: float
    is_global: bool = False


@dataclass
class FakeUser:
    """A guild member the tests act as."""

    id: int
    name: str
    role_ids: list[int]
    payload: dict[str, Any]

    def member_payload(self, *, with_user: bool = True) -> dict[str, Any]:
        return P.member(self.payload, self.role_ids, with_user=with_user)


@dataclass
class FakeInteraction:
    id: int
    token: str
    channel_id: int
    user: FakeUser
    kind: int = rules.APPLICATION_COMMAND  # interaction type (2 command, 3 component, 4 autocomplete)
    created_at: float = 0.0  # on the fake's clock (FakeDiscord.now)
    responded: bool = False
    response_type: int | None = None
    original_message_id: int | None = None


@dataclass
class _Session:
    """A gateway session: survives a dropped socket so RESUME can replay what was missed."""

    session_id: str
    intents: int
    seq: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    encoder: Callable[[str], bytes] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _encoder(kind: str | None) -> Callable[[str], bytes] | None:
    """A per-connection stream compressor matching what the client asked for (None: text frames)."""
    if kind == "zlib-stream":
        z = zlib.compressobj()
        return lambda text: z.compress(text.encode()) + z.flush(zlib.Z_SYNC_FLUSH)
    if kind == "zstd-stream" and zstandard is not None:
        c = zstandard.ZstdCompressor().compressobj()
        return lambda text: c.compress(text.encode()) + c.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
    if kind:
        raise ValueError(f"unsupported gateway compression {kind!r}")
    return None


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON with the exact content type Discord sends (discord.py compares it literally)."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


class FakeDiscord:
    """One application, one bot user, one guild with a text channel; users are added by tests."""

    def __init__(
        self,
        *,
        token: str = "fake-token",
        heartbeat_interval_ms: int = 41250,
        privileged_intents: bool = True,
    ) -> None:
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.privileged_intents = privileged_intents  # "Message Content Intent" switched on in the portal
        self.app_id = P.snowflake()
        self.bot_user = P.user(self.app_id, "corridor", bot=True)
        self.guild_id = P.snowflake()
        self.channel_id = P.snowflake()
        self.owner = P.snowflake()
        self.roles: dict[str, dict[str, Any]] = {}
        self._add_role(self.guild_id, "@everyone", P.MEMBER_PERMISSIONS)
        self.bot_role_id = self._add_role(P.snowflake(), "corridor-bot", P.MEMBER_PERMISSIONS)
        self.channels: dict[int, dict[str, Any]] = {
            self.channel_id: P.text_channel(self.channel_id, self.guild_id, "general"),
        }
        self.users: dict[int, FakeUser] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.commands: list[dict[str, Any]] = []
        self.interactions: dict[str, FakeInteraction] = {}  # by token
        self.attachments: dict[int, tuple[bytes, str]] = {}
        self.requests: list[RecordedRequest] = []
        self.violations: list[RecordedRequest] = []  # requests refused for breaking one of Discord's rules
        self.rate_limits: list[RateLimit] = []
        self.clock_offset = 0.0  # advance() moves the fake's clock (interaction deadlines) forward
        self.first_response_s = rules.FIRST_RESPONSE_S
        self.heartbeats: list[float] = []  # monotonic times a heartbeat arrived
        self.identifies = 0
        self.resumes = 0
        self.sessions: dict[str, _Session] = {}
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{aid}/{name}", self._attachment)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._api)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for s in self.sessions.values():
            if s.ws is not None and not s.ws.closed:
                await s.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ------------------------------------------------------------------ world building
    def _add_role(self, role_id: int, name: str, permissions: int) -> int:
        self.roles[name] = P.role(role_id, name, permissions, position=len(self.roles))
        return role_id

    def add_role(self, name: str, permissions: int = 0) -> int:
        """A guild role (sent in GUILD_CREATE, so add roles before the bot connects)."""
        return self._add_role(P.snowflake(), name, permissions)

    async def create_role(self, name: str, permissions: int = 0) -> int:
        """A role created while the bot is connected (GUILD_ROLE_CREATE), as a moderator would."""
        role_id = self.add_role(name, permissions)
        await self.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(self.guild_id), "role": self.roles[name]})
        return role_id

    def add_user(self, name: str, roles: list[str] | None = None) -> FakeUser:
        role_ids = [int(self.roles[r]["id"]) for r in roles or []]
        u = FakeUser(P.snowflake(), name, role_ids, P.user(0, name))
        u.payload["id"] = str(u.id)
        self.users[u.id] = u
        return u

    def add_attachment(self, filename: str, data: bytes, content_type: str = "text/plain") -> dict[str, Any]:
        """An attachment served on loopback, as the CDN would serve it."""
        aid = P.snowflake()
        self.attachments[aid] = (data, content_type)
        url = f"http://127.0.0.1:{self.port}/attachments/{aid}/{filename}"
        return P.attachment(aid, filename, len(data), url, content_type)

    def _guild_payload(self) -> dict[str, Any]:
        bot_member = P.member(self.bot_user, [self.bot_role_id])
        return {
            "id": str(self.guild_id),
            "name": "corridor test guild",
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": list(self.roles.values()),
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": P.now_iso(),
            "large": False,
            "unavailable": False,
            "member_count": 1 + len(self.users),
            "voice_states": [],
            "members": [bot_member],
            "channels": [c for c in self.channels.values() if c["type"] != 11],
            "threads": [c for c in self.channels.values() if c["type"] == 11],  # active threads
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    # ------------------------------------------------------------------ recording and waiting
    async def _record(self, req: RecordedRequest) -> None:
        async with self._changed:
            self.requests.append(req)
            self._changed.notify_all()

    def now(self) -> float:
        """The fake's clock: monotonic time plus whatever advance() added."""
        return time.monotonic() + self.clock_offset

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass for interaction deadlines (3 s first response, 15 min token) at once."""
        self.clock_offset += seconds

    def rate_limit(
        self, method: str, path: str, *, times: int = 1, retry_after: float = 0.5, is_global: bool = False
    ) -> RateLimit:
        """Answer the next `times` requests matching `method` and the regex `path` with 429."""
        limit = RateLimit(method, re.compile(path), times, retry_after, is_global)
        self.rate_limits.append(limit)
        return limit

    def take_violations(self) -> list[RecordedRequest]:
        """The refused requests so far, clearing the list (for tests that break a rule on purpose)."""
        taken, self.violations = self.violations, []
        return taken

    def mark(self) -> int:
        """A position in the request log: wait_for_request(after=mark) sees only newer requests."""
        return len(self.requests)

    async def wait_for_request(
        self,
        method: str,
        path: str,
        *,
        after: int = 0,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 30.0,
    ) -> RecordedRequest:
        """The first request after `after` whose method matches and whose path matches the regex `path`."""
        pattern = re.compile(path)

        def find() -> RecordedRequest | None:
            for r in self.requests[after:]:
                if r.method == method and pattern.fullmatch(r.path) and (predicate is None or predicate(r)):
                    return r
            return None

        async def wait() -> RecordedRequest:
            async with self._changed:
                while (found := find()) is None:
                    await self._changed.wait()
                return found

        try:
            return await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            seen = "\n".join(f"  {r.method} {r.path}" for r in self.requests[after:]) or "  (none)"
            raise AssertionError(f"no {method} {path} within {timeout}s; requests seen:\n{seen}") from None

    async def wait_for_heartbeats(self, count: int, timeout: float = 30.0) -> None:
        start = len(self.heartbeats)
        deadline = time.monotonic() + timeout
        while len(self.heartbeats) < start + count:
            if time.monotonic() > deadline:
                raise AssertionError(f"fewer than {count} heartbeats within {timeout}s")
            await asyncio.sleep(0.02)

    # ------------------------------------------------------------------ gateway
    async def _send(self, s: _Session, payload: dict[str, Any]) -> None:
        async with s.lock:
            ws = s.ws
            if ws is None or ws.closed:
                return
            text = json.dumps(payload)
            try:
                if s.encoder is None:
                    await ws.send_str(text)
                else:
                    await ws.send_bytes(s.encoder(text))
            except (ConnectionError, RuntimeError):
                pass  # the socket went away; the event stays buffered for RESUME

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH event to every session (buffered for sessions that are disconnected)."""
        for s in list(self.sessions.values()):
            s.seq += 1
            d = data
            if event == "MESSAGE_CREATE" and not s.intents & MESSAGE_CONTENT_INTENT:
                d = self._strip_content(data)
            payload = {"op": 0, "t": event, "s": s.seq, "d": d}
            s.buffer.append(payload)
            del s.buffer[:-1000]
            await self._send(s, payload)

    def _strip_content(self, data: dict[str, Any]) -> dict[str, Any]:
        """Without the message content intent Discord blanks content unless the bot is mentioned."""
        if any(m["id"] == self.bot_user["id"] for m in data.get("mentions", [])):
            return data
        if data["author"]["id"] == self.bot_user["id"]:
            return data
        return {**data, "content": "", "embeds": [], "attachments": [], "components": []}

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        encoder = _encoder(request.query.get("compress"))
        conn = _Session(session_id="", intents=0, ws=ws, encoder=encoder)  # until IDENTIFY or RESUME
        await self._send(conn, {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        session: _Session = conn
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                break
            data = json.loads(msg.data)
            op = data.get("op")
            if op == 1:
                self.heartbeats.append(time.monotonic())
                await self._send(session, {"op": 11})
            elif op == 2:
                identified = await self._identify(ws, encoder, data["d"])
                if identified is None:  # refused: the socket is closed with 4004 or 4014
                    break
                session = identified
            elif op == 6:
                session = await self._resume(ws, encoder, data["d"], conn)
            elif op in (3, 8):  # presence update, request guild members: accepted, not simulated
                continue
        return ws

    async def _identify(self, ws: web.WebSocketResponse, encoder: Any, d: dict[str, Any]) -> _Session | None:
        if d.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        intents = int(d.get("intents", 0))
        if intents & MESSAGE_CONTENT_INTENT and not self.privileged_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        self.identifies += 1
        s = _Session(secrets.token_hex(16), intents, ws=ws, encoder=encoder)
        self.sessions = {s.session_id: s}  # a new IDENTIFY replaces the old session
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": self.bot_user,
                "guilds": [{"id": str(self.guild_id), "unavailable": True}],
                "session_id": s.session_id,
                "resume_gateway_url": self.gateway_url,
                "session_type": "normal",
                "application": {"id": str(self.app_id), "flags": 1 << 19},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": [],
                "shard": [0, 1],
            },
        )
        await self.dispatch("GUILD_CREATE", self._guild_payload())
        return s

    async def _resume(
        self, ws: web.WebSocketResponse, encoder: Any, d: dict[str, Any], conn: _Session
    ) -> _Session:
        s = self.sessions.get(d.get("session_id", ""))
        if s is None or d.get("token") != self.token:
            await self._send(conn, {"op": 9, "d": False})
            return conn
        self.resumes += 1
        async with s.lock:
            s.ws, s.encoder = ws, encoder
        for payload in [p for p in s.buffer if p["s"] > int(d.get("seq") or 0)]:
            await self._send(s, payload)
        await self.dispatch("RESUMED", {})
        return s

    def _current(self) -> _Session:
        return next(iter(self.sessions.values()))

    async def wait_for_connection(self, identifies: int = 1, resumes: int = 0, timeout: float = 30.0) -> None:
        """Until the client has identified (and resumed) at least this many times."""
        deadline = time.monotonic() + timeout
        while self.identifies < identifies or self.resumes < resumes:
            if time.monotonic() > deadline:
                raise AssertionError(f"identifies={self.identifies} resumes={self.resumes} after {timeout}s")
            await asyncio.sleep(0.02)

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway socket from the server side (4000: resumable, like a Discord restart)."""
        s = self._current()
        if s.ws is not None:
            await s.ws.close(code=code)
            s.ws = None

    async def send_reconnect(self) -> None:
        """Op 7 RECONNECT: the client should reconnect and RESUME."""
        await self._send(self._current(), {"op": 7, "d": None})

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Op 9 INVALID_SESSION: with resumable=False the client must IDENTIFY afresh."""
        s = self._current()
        if not resumable:
            self.sessions.pop(s.session_id, None)
        await self._send(s, {"op": 9, "d": resumable})

    # ------------------------------------------------------------------ events the tests inject
    async def send_message(
        self,
        author: FakeUser,
        content: str,
        *,
        channel_id: int | None = None,
        mention_bot: bool = False,
        attachments: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A member posts a message (MESSAGE_CREATE); mention_bot prefixes <@bot> as a client would."""
        channel_id = channel_id or self.channel_id
        if mention_bot:
            content = f"<@{self.app_id}> {content}"
        mentions = [self.bot_user] if f"<@{self.app_id}>" in content else []
        msg = P.message(
            P.snowflake(),
            channel_id,
            author.payload,
            content,
            guild_id=self.guild_id,
            mentions=mentions,
            attachments=attachments,
            member_payload=author.member_payload(with_user=False),
        )
        self.messages[int(msg["id"])] = msg
        await self.dispatch("MESSAGE_CREATE", msg)
        return msg

    def _interaction_base(
        self, user: FakeUser, channel_id: int | None, kind: int
    ) -> tuple[FakeInteraction, dict]:
        channel_id = channel_id or self.channel_id
        inter = FakeInteraction(P.snowflake(), secrets.token_urlsafe(24), channel_id, user, kind=kind,
                                created_at=self.now())
        self.interactions[inter.token] = inter
        perms = 0
        for r in self.roles.values():
            if int(r["id"]) in user.role_ids or r["name"] == "@everyone":
                perms |= int(r["permissions"])
        member = user.member_payload()
        member["permissions"] = str(perms)
        data = {
            "id": str(inter.id),
            "application_id": str(self.app_id),
            "type": kind,
            "token": inter.token,
            "version": 1,
            "guild_id": str(self.guild_id),
            "channel_id": str(channel_id),
            "channel": self.channels.get(channel_id, {"id": str(channel_id), "type": 0}),
            "guild": {"id": str(self.guild_id), "locale": "en-US", "features": []},
            "member": member,
            "app_permissions": str(P.MEMBER_PERMISSIONS),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        return inter, data

    async def slash(
        self,
        user: FakeUser,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        channel_id: int | None = None,
    ) -> FakeInteraction:
        """A member runs /name with options (strings, booleans, or attachments from add_attachment)."""
        inter, data = self._interaction_base(user, channel_id, rules.APPLICATION_COMMAND)
        data["data"] = self._command_data(name, options or {})
        await self.dispatch("INTERACTION_CREATE", data)
        return inter

    async def autocomplete(
        self,
        user: FakeUser,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        channel_id: int | None = None,
    ) -> FakeInteraction:
        """A member is typing option `focused` of /name (what they typed so far is options[focused]):
        an AUTOCOMPLETE interaction (type 4), answered with callback type 8 and its choices."""
        inter, data = self._interaction_base(user, channel_id, rules.AUTOCOMPLETE)
        data["data"] = self._command_data(name, options)
        for opt in data["data"]["options"]:
            if opt["name"] == focused:
                opt["focused"] = True
        await self.dispatch("INTERACTION_CREATE", data)
        return inter

    def _command_data(self, name: str, options: dict[str, Any]) -> dict[str, Any]:
        opts, resolved = [], {}
        for key, value in options.items():
            if isinstance(value, dict) and "filename" in value:
                resolved.setdefault("attachments", {})[value["id"]] = value
                opts.append({"name": key, "type": 11, "value": value["id"]})
            elif isinstance(value, bool):
                opts.append({"name": key, "type": 5, "value": value})
            elif isinstance(value, int):
                opts.append({"name": key, "type": 4, "value": value})
            else:
                opts.append({"name": key, "type": 3, "value": value})
        cmd = next((c for c in self.commands if c["name"] == name), None)
        data: dict[str, Any] = {
            "id": cmd["id"] if cmd else str(P.snowflake()),
            "name": name,
            "type": 1,
            "options": opts,
            "guild_id": str(self.guild_id),
        }
        if resolved:
            data["resolved"] = resolved
        return data

    async def click(self, user: FakeUser, message: dict[str, Any], custom_id: str) -> FakeInteraction:
        """A member presses the button `custom_id` under `message`."""
        inter, data = self._interaction_base(user, int(message["channel_id"]), rules.MESSAGE_COMPONENT)
        data["data"] = {"custom_id": custom_id, "component_type": 2}
        data["message"] = message
        await self.dispatch("INTERACTION_CREATE", data)
        return inter

    def sent_messages(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot created (channel messages and interaction responses), oldest first."""
        return [
            m
            for m in self.messages.values()
            if m["author"]["id"] == self.bot_user["id"]
            and (channel_id is None or int(m["channel_id"]) == channel_id)
        ]

    # ------------------------------------------------------------------ REST
    async def _attachment(self, request: web.Request) -> web.Response:
        item = self.attachments.get(int(request.match_info["aid"]))
        if item is None:
            return web.Response(status=404)
        return web.Response(body=item[0], content_type=item[1])

    async def _api(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        files: list[str] = []
        if request.content_type == "application/json":
            body = await request.json()
        elif request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    files.append(part.filename or part.name or "")
                    await part.read()
        req = RecordedRequest(request.method, path, dict(request.query), body, files)
        response = await self._handle(request, req)
        req.status = response.status
        if response.status >= 400 and isinstance(response.body, bytes):
            req.response = json.loads(response.body)
        if response.status == 400 or (req.response or {}).get("code") in (10062, 50027):
            self.violations.append(req)  # a rule broken (limits, empty, twice, too late, wrong type)
        await self._record(req)
        return response

    async def _handle(self, request: web.Request, req: RecordedRequest) -> web.Response:
        path, body = req.path, req.json
        for limit in self.rate_limits:
            if limit.times > 0 and request.method == limit.method and limit.path.fullmatch(path):
                limit.times -= 1
                return self._too_many_requests(limit)
        open_routes = ("/interactions/", "/webhooks/")
        if not path.startswith(open_routes) and request.headers.get("Authorization") != f"Bot {self.token}":
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        for method, pattern, handler in self._routes():
            if request.method == method and (m := re.fullmatch(pattern, path)):
                if handler in self._message_handlers():
                    if errors := rules.message_errors(body or {}):
                        return _json(rules.invalid_form_body(errors), status=400)
                    return await handler(req, *m.groups())
                return await handler(body or {}, *m.groups())
        return _json({"message": f"Unknown route {request.method} {path}", "code": 0}, status=404)

    def _message_handlers(self) -> tuple[Callable[..., Any], ...]:
        """Routes whose body is a message (checked against the limits before anything else)."""
        return (self._r_followup, self._r_edit_webhook_message, self._r_create_message, self._r_edit_message)

    @staticmethod
    def _too_many_requests(limit: RateLimit) -> web.Response:
        """Discord's 429: retry_after in the body, and the headers discord.py reads (it retries a 429 only
        when a Via header shows it came through Discord's proxy, not from Cloudflare)."""
        reset_after = f"{limit.retry_after:.3f}"
        headers = {
            "Content-Type": "application/json",
            "Via": "1.1 google",
            "Retry-After": str(max(1, round(limit.retry_after))),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + limit.retry_after:.3f}",
            "X-RateLimit-Reset-After": reset_after,
            "X-RateLimit-Bucket": "fake-" + limit.path.pattern.encode().hex()[:16],
            "X-RateLimit-Scope": "global" if limit.is_global else "user",
        }
        if limit.is_global:
            headers["X-RateLimit-Global"] = "true"
        body = {"message": "You are being rate limited.", "retry_after": limit.retry_after,
                "global": limit.is_global}
        return web.Response(body=json.dumps(body).encode(), status=429, headers=headers)

    def _routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        return [
            ("GET", r"/users/@me", self._r_me),
            ("GET", r"/oauth2/applications/@me", self._r_application),
            ("GET", r"/applications/@me", self._r_application),
            ("GET", r"/gateway/bot", self._r_gateway_bot),
            ("GET", r"/gateway", self._r_gateway_bot),
            ("PUT", r"/applications/(\d+)/commands", self._r_put_commands),
            ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", self._r_put_commands),
            ("GET", r"/applications/(\d+)/commands", self._r_get_commands),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._r_callback),
            ("POST", r"/webhooks/(\d+)/([^/]+)", self._r_followup),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self._r_edit_webhook_message),
            ("GET", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self._r_get_webhook_message),
            ("POST", r"/channels/(\d+)/messages", self._r_create_message),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", self._r_edit_message),
            ("GET", r"/channels/(\d+)/messages/(\d+)", self._r_get_message),
            ("POST", r"/channels/(\d+)/typing", self._r_typing),
            ("POST", r"/channels/(\d+)/messages/(\d+)/threads", self._r_thread_from_message),
            ("GET", r"/channels/(\d+)", self._r_get_channel),
        ]

    @staticmethod
    def _error(status: int, message: str, code: int) -> web.Response:
        return _json({"message": message, "code": code}, status=status)

    async def _r_me(self, body: Any) -> web.Response:
        return _json(self.bot_user)

    async def _r_application(self, body: Any) -> web.Response:
        return _json(
            {
                "id": str(self.app_id),
                "name": "corridor",
                "icon": None,
                "description": "",
                "summary": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": P.user(self.owner, "owner"),
                "verify_key": "0" * 64,
                "flags": 1 << 19,
                "team": None,
                "rpc_origins": [],
                "tags": [],
                "bot": self.bot_user,
                "interactions_endpoint_url": None,
                "redirect_uris": [],
            }
        )

    async def _r_gateway_bot(self, body: Any) -> web.Response:
        return _json(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def _r_put_commands(self, body: Any, app_id: str, guild_id: str | None = None) -> web.Response:
        self.commands = []
        for cmd in body:
            full = {
                "id": str(P.snowflake()),
                "application_id": app_id,
                "version": str(P.snowflake()),
                "type": 1,
                "default_member_permissions": None,
                "dm_permission": True,
                "nsfw": False,
                "options": [],
                "description": "",
                **cmd,
            }
            if guild_id:
                full["guild_id"] = guild_id
            self.commands.append(full)
        return _json(self.commands)

    async def _r_get_commands(self, body: Any, app_id: str) -> web.Response:
        return _json(self.commands)

    def _bot_message(self, channel_id: int, body: dict[str, Any], *, webhook: bool = False) -> dict[str, Any]:
        ref = body.get("message_reference")
        msg = P.message(
            P.snowflake(),
            channel_id,
            self.bot_user,
            body.get("content") or "",
            guild_id=self.guild_id,
            embeds=body.get("embeds"),
            components=body.get("components"),
            reference=ref,
            webhook_id=self.app_id if webhook else None,
            flags=int(body.get("flags") or 0),
        )
        self.messages[int(msg["id"])] = msg
        return msg

    async def _publish(self, msg: dict[str, Any]) -> None:
        if not int(msg.get("flags", 0)) & EPHEMERAL:
            await self.dispatch(
                "MESSAGE_CREATE",
                {**msg, "member": P.member(self.bot_user, [self.bot_role_id], with_user=False)},
            )

    async def _r_callback(self, body: Any, interaction_id: str, token: str) -> web.Response:
        inter = self.interactions.get(token)
        if inter is None or str(inter.id) != interaction_id:
            return self._error(404, "Unknown interaction", 10062)
        if inter.responded:
            return self._error(400, "Interaction has already been acknowledged.", 40060)
        if self.now() - inter.created_at > self.first_response_s:
            return self._error(404, "Unknown interaction", 10062)  # what Discord says after 3 seconds
        kind = int(body.get("type", 0))
        if kind not in rules.VALID_RESPONSES.get(inter.kind, set()):
            allowed = sorted(rules.VALID_RESPONSES.get(inter.kind, set()))
            return _json(rules.invalid_form_body({"type": rules._error(
                "INTERACTION_RESPONSE_TYPE_INVALID",
                f"Response type {kind} is not valid for interaction type {inter.kind}; one of {allowed}")}),
                status=400)
        data = body.get("data") or {}
        if kind in (4, 7):
            if errors := rules.message_errors(data):
                return _json(rules.invalid_form_body({"data": errors}), status=400)
            if kind == 4 and rules.is_empty(data):
                return self._error(400, "Cannot send an empty message", 50006)
        elif kind == 8 and (errors := rules.autocomplete_errors(data)):
            return _json(rules.invalid_form_body({"data": errors}), status=400)
        inter.responded = True
        inter.response_type = kind
        message = None
        if kind in (4, 5):
            flags = int(data.get("flags") or 0) | (LOADING if kind == 5 else 0)
            message = self._bot_message(inter.channel_id, {**data, "flags": flags}, webhook=True)
            inter.original_message_id = int(message["id"])
            if kind == 4:
                await self._publish(message)
        result: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": inter.kind,
                "response_message_id": message["id"] if message else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(int(data.get("flags") or 0) & EPHEMERAL),
            },
        }
        if message is not None:
            result["resource"] = {"type": kind, "message": message}
        return _json(result)

    def _webhook_interaction(self, token: str) -> tuple[FakeInteraction | None, web.Response | None]:
        """The interaction behind a webhook token, or the error Discord gives for it."""
        inter = self.interactions.get(token)
        if inter is None or not inter.responded or inter.response_type == 8:
            return None, self._error(404, "Unknown Webhook", 10015)
        if self.now() - inter.created_at > rules.TOKEN_LIFETIME_S:
            return None, self._error(401, "Invalid Webhook Token", 50027)
        return inter, None

    async def _r_followup(self, req: RecordedRequest, app_id: str, token: str) -> web.Response:
        inter, error = self._webhook_interaction(token)
        if inter is None:
            return error  # type: ignore[return-value]
        if rules.is_empty(req.json or {}, req.files):
            return self._error(400, "Cannot send an empty message", 50006)
        msg = self._bot_message(inter.channel_id, req.json or {}, webhook=True)
        await self._publish(msg)
        return _json(msg)

    def _webhook_target(self, token: str, message_id: str) -> dict[str, Any] | None:
        inter = self.interactions.get(token)
        if inter is None:
            return None
        mid = inter.original_message_id if message_id == "@original" else int(message_id)
        return self.messages.get(mid) if mid is not None else None

    def _apply_edit(self, msg: dict[str, Any], body: dict[str, Any]) -> web.Response | None:
        """Edit `msg` in place unless the result would be an empty message (Discord: 50006)."""
        edited = dict(msg)
        for key in ("content", "embeds", "components"):
            if key in body:
                edited[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        if rules.is_empty(edited):
            return self._error(400, "Cannot send an empty message", 50006)
        msg.update(edited)
        return None

    async def _r_edit_webhook_message(
        self, req: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> web.Response:
        inter, error = self._webhook_interaction(token)
        if inter is None:
            return error  # type: ignore[return-value]
        msg = self._webhook_target(token, message_id)
        if msg is None:
            return self._error(404, "Unknown Message", 10008)
        was_loading = int(msg["flags"]) & LOADING
        if (refused := self._apply_edit(msg, req.json or {})) is not None:
            return refused
        msg["flags"] = int(msg["flags"]) & ~LOADING
        if was_loading:
            await self._publish(msg)
        else:
            await self.dispatch("MESSAGE_UPDATE", msg)
        return _json(msg)

    async def _r_get_webhook_message(
        self, body: Any, app_id: str, token: str, message_id: str
    ) -> web.Response:
        msg = self._webhook_target(token, message_id)
        return _json(msg) if msg else self._error(404, "Unknown Message", 10008)

    async def _r_create_message(self, req: RecordedRequest, channel_id: str) -> web.Response:
        if int(channel_id) not in self.channels:
            return self._error(404, "Unknown Channel", 10003)
        if rules.is_empty(req.json or {}, req.files):
            return self._error(400, "Cannot send an empty message", 50006)
        msg = self._bot_message(int(channel_id), req.json or {})
        await self._publish(msg)
        return _json(msg)

    async def _r_edit_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> web.Response:
        msg = self.messages.get(int(message_id))
        if msg is None:
            return self._error(404, "Unknown Message", 10008)
        if (refused := self._apply_edit(msg, req.json or {})) is not None:
            return refused
        await self.dispatch("MESSAGE_UPDATE", msg)
        return _json(msg)

    async def _r_get_message(self, body: Any, channel_id: str, message_id: str) -> web.Response:
        msg = self.messages.get(int(message_id))
        return _json(msg) if msg else self._error(404, "Unknown Message", 10008)

    async def _r_typing(self, body: Any, channel_id: str) -> web.Response:
        return web.Response(status=204)

    async def _r_thread_from_message(self, body: Any, channel_id: str, message_id: str) -> web.Response:
        if int(message_id) not in self.messages:
            return self._error(404, "Unknown Message", 10008)
        thread_id = int(message_id)  # Discord gives a thread started from a message the message's id
        if thread_id in self.channels:
            return self._error(400, "A thread has already been created for this message", 160004)
        thread = P.thread_channel(
            thread_id, self.guild_id, int(channel_id), self.app_id, (body.get("name") or "thread")[:100]
        )
        self.channels[thread_id] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return _json(thread)

    async def _r_get_channel(self, body: Any, channel_id: str) -> web.Response:
        ch = self.channels.get(int(channel_id))
        return _json(ch) if ch else self._error(404, "Unknown Channel", 10003)


def point_discord_py_at(fake: FakeDiscord) -> Callable[[], None]:
    """Aim discord.py's REST base and default gateway at the fake; returns a function that undoes it."""
    import discord.http
    import yarl
    from discord.gateway import DiscordWebSocket

    old_base, old_gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)

    def restore() -> None:
        discord.http.Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    return restore
