"""Polite fetching for feeds and refresh: one request at a time per host with a pause between them,
robots.txt honoured (stdlib urllib.robotparser), a User-Agent naming corridor, and ingest/fetch.py's
address guard and size caps on every request (robots.txt included)."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from corridor.errors import InputError
from corridor.settings import Settings

from .fetch import CONTENT_KINDS, Fetched, HTTPStatusError, fetch

USER_AGENT = "corridor/0.1 (feed reader and refresher of a Q&A bot; respects robots.txt)"
ROBOTS_AGENT = "corridor"
ROBOTS_KINDS = {"text/plain": "text"}


class PoliteFetcher:
    """GETs through fetch(), spaced by settings.fetch_delay_s per host and filtered by robots.txt."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.delay = settings.fetch_delay_s
        self._robots: dict[str, RobotFileParser | None] = {}  # origin → rules (None: allow everything)
        self._last: dict[str, float] = {}  # host → monotonic time its last request ended
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.requests = 0

    def _host_lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(host, threading.Lock())

    def _spaced_fetch(self, url: str, headers: dict[str, str], kinds: dict[str, str]) -> Fetched:
        host = (urlsplit(url).hostname or "").lower()
        with self._host_lock(host):
            wait = self._last.get(host, -1e9) + self.delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                self.requests += 1
                return fetch(url, self.settings, headers={"User-Agent": USER_AGENT, **headers}, kinds=kinds)
            finally:
                self._last[host] = time.monotonic()

    def _rules(self, url: str) -> RobotFileParser | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            rules: RobotFileParser | None = None
            try:
                got = self._spaced_fetch(f"{origin}/robots.txt", {}, ROBOTS_KINDS)
                rules = RobotFileParser()
                rules.parse(got.data.decode("utf-8", "replace").splitlines())
            except HTTPStatusError as exc:
                if exc.status >= 500:  # RFC 9309: an unreachable robots.txt means "assume disallowed"
                    rules = RobotFileParser()
                    rules.disallow_all = True
            except InputError:  # none, or not text: nothing is disallowed
                rules = None
            self._robots[origin] = rules
        return self._robots[origin]

    def get(self, url: str, headers: dict[str, str] | None = None,
            kinds: dict[str, str] = CONTENT_KINDS) -> Fetched:
        """A polite GET: InputError when robots.txt disallows it, the address is refused, or it fails."""
        rules = self._rules(url)
        if rules is not None and not rules.can_fetch(ROBOTS_AGENT, url):
            raise InputError("disallowed by the site's robots.txt")
        return self._spaced_fetch(url, headers or {}, kinds)
