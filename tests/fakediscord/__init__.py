"""A fake Discord (REST + gateway on loopback) that the real discord.py client connects to.

Use it from a test module:

    pytest_plugins = ["tests.fakediscord.fixtures"]      # gives the `fake_discord` fixture
    from tests.fakediscord.client import running          # runs a bot in the test's loop until READY

    async def test_x(fake_discord):
        bot = CorridorBot(settings, engine=engine, guild_ready_timeout=0.1)
        user = fake_discord.add_user("alice", roles=["corridor-admin"])  # roles: add_role() before connecting
        async with running(bot, fake_discord):
            mark = fake_discord.mark()
            inter = await fake_discord.slash(user, "ask", {"question": "..."})
            path = rf"/webhooks/{fake_discord.app_id}/{inter.token}"
            req = await fake_discord.wait_for_request("POST", path, after=mark)

Inject: send_message (mention_bot=, channel_id=, attachments=), slash (options; attachments from
add_attachment), autocomplete (a member typing one option), click (a button under a message), create_role
(live), dispatch (any event).
Rules: Discord's limits, deadlines and response types are enforced (rules.py); refused requests land in
`violations` and fail the test at teardown unless taken with take_violations(). advance(s) moves the fake's
clock (3 s first response, 15 min token); rate_limit(method, path, times=, retry_after=) answers 429.
Observe: requests (method, path, query, json, files, at), wait_for_request, sent_messages, messages,
heartbeats (arrival times; the client's bot.latency is the ACK latency), identifies, resumes.
Disturb: drop_connection(code), send_reconnect() (op 7), invalidate_session(resumable),
privileged_intents=False (the portal switch off: IDENTIFY with message content is closed with 4014).
"""
