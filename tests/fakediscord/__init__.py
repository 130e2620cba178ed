"""A fake Discord (REST + gateway on loopback) that the real discord.py client connects to.

Use: `pytest_plugins = ["tests.fakediscord.fixtures"]` in a test module gives the `fake_discord` fixture;
`tests.fakediscord.client.running(bot, fake)` runs a bot in the test's loop until READY.
"""
