"""Watched feeds: RSS/Atom (feedparser) and XML sitemaps, their state kept with the store.

A feed's record (ingest/state.py, kind "feed"): url, every_s, etag, last_modified, last_poll, items_seen,
error, errors, and `seen`, short hashes of the item links already taken (bounded). A poll takes at most
settings.feed_max_items_per_poll new items, so a 10,000-item feed costs a bounded amount of work per refresh.
"""

from __future__ import annotations

import hashlib
import re
import time
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from corridor.errors import InputError
from corridor.settings import Settings

from .fetch import url_doc_id
from .polite import PoliteFetcher
from .state import StateStore

FEED_KINDS = {
    "application/rss+xml": "feed", "application/atom+xml": "feed", "application/rdf+xml": "feed",
    "application/xml": "feed", "text/xml": "feed", "application/feed+json": "feed", "text/html": "feed",
    "text/plain": "feed", "application/x-rss+xml": "feed",
    # sitemap.xml.gz: gzip bytes as the body itself (not a Content-Encoding), unpacked by _gunzip
    "application/gzip": "feed", "application/x-gzip": "feed", "application/octet-stream": "feed",
}
SEEN_LIMIT = 10_000  # item-link hashes remembered per feed (16 characters each)
SITEMAP_CHILDREN = 10  # child sitemaps of a sitemap index read per poll
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_every(text: str) -> int:
    """'90s', '30m', '1h', '2d', '1w' → seconds (hand-written: four units need no library)."""
    m = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text.lower())
    if not m or int(m[1]) == 0:
        raise InputError(f"bad duration {text!r}: use a number and s, m, h, d or w (e.g. 30m, 6h, 1d)")
    return int(m[1]) * _UNITS[m[2]]


def format_every(seconds: int) -> str:
    for unit in ("w", "d", "h", "m"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


def _link_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


@dataclass
class Item:
    url: str
    title: str | None = None
    date: str | None = None


def _now() -> float:
    return time.time()


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts else None


# -- parsing ----------------------------------------------------------------------------------------------
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _gunzip(data: bytes, cap: int) -> bytes:
    """A gzip-compressed sitemap (sitemap.xml.gz) unpacked to at most `cap` bytes; other bytes as they are.
    Unpacking stops at the cap, so a small gzip bomb allocates no more than a big plain sitemap."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    unpack = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        out = unpack.decompress(data, cap + 1)
    except zlib.error as exc:
        raise InputError(f"malformed gzip file ({exc})") from exc
    if len(out) > cap:
        raise InputError(f"the unpacked sitemap is larger than the {cap // 1_000_000} MB limit")
    if not unpack.eof:
        raise InputError("malformed gzip file (truncated)")
    return out


def parse_sitemap(data: bytes) -> tuple[list[Item], list[str]] | None:
    """(page items, child sitemap URLs) of a sitemap or sitemap index; None if the XML is not one.
    (Python 3.11's expat refuses entity-expansion bombs, so ElementTree is safe on these bytes.)"""
    head = data[:2048].lower()
    if b"<urlset" not in head and b"<sitemapindex" not in head:
        return None
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(f"malformed sitemap ({exc})") from exc
    items: list[Item] = []
    children: list[str] = []
    for entry in root:
        fields = {_local(c.tag): (c.text or "").strip() for c in entry}
        if not fields.get("loc"):
            continue
        if _local(root.tag) == "sitemapindex":
            children.append(fields["loc"])
        else:
            items.append(Item(url=fields["loc"], date=(fields.get("lastmod") or "")[:10] or None))
    return items, children


def parse_feed(data: bytes, base_url: str) -> list[Item]:
    """The items of an RSS or Atom feed, in the feed's order; InputError when it is not a readable feed."""
    parsed = feedparser.parse(data, response_headers={"content-location": base_url})
    items = []
    for e in parsed.entries:
        link = e.get("link")
        if not link:
            continue
        stamp = e.get("published_parsed") or e.get("updated_parsed")
        date = f"{stamp.tm_year:04d}-{stamp.tm_mon:02d}-{stamp.tm_mday:02d}" if stamp else None
        items.append(Item(url=urljoin(base_url, link), title=e.get("title"), date=date))
    if not items and (parsed.bozo or not parsed.version):  # an empty but well-formed feed is fine
        error = parsed.get("bozo_exception")
        reason = f"{type(error).__name__}" if error else "unknown format"
        raise InputError(f"not a readable RSS/Atom feed or sitemap ({reason})")
    return items


# -- the feed list ----------------------------------------------------------------------------------------
class Feeds:
    """The watched feeds of one store."""

    def __init__(self, state: StateStore, settings: Settings) -> None:
        self.state = state
        self.settings = settings

    def add(self, url: str, every: str | None = None) -> dict[str, Any]:
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError("a feed must be an http(s) URL")
        seconds = parse_every(every or self.settings.feed_default_every)
        record = self.state.get("feed", url) or {
            "url": url, "etag": None, "last_modified": None, "last_poll": None, "items_seen": 0,
            "error": None, "errors": 0, "seen": [], "added": _iso(_now())}
        record["every_s"] = seconds
        self.state.put("feed", url, record)
        return record

    def list(self) -> list[dict[str, Any]]:
        records = self.state.all("feed")
        return [records[k] for k in sorted(records)]

    def remove(self, url: str) -> None:
        if self.state.get("feed", url.strip()) is None:
            raise InputError(f"no such feed: {url.strip()[:200]} (see `corridor feeds list`)")
        self.state.delete("feed", [url.strip()])

    def save(self, record: dict[str, Any]) -> None:
        self.state.put("feed", record["url"], record)

    @staticmethod
    def is_due(record: dict[str, Any], now: float) -> bool:
        return not record.get("last_poll_ts") or now >= record["last_poll_ts"] + record["every_s"]

    def due(self, now: float | None = None) -> list[dict[str, Any]]:
        now = _now() if now is None else now
        return [r for r in self.list() if self.is_due(r, now)]

    def next_due_in(self, now: float | None = None) -> float | None:
        """Seconds until the next feed is due (0 if one is), None without feeds."""
        now = _now() if now is None else now
        waits = [0.0 if self.is_due(r, now) else r["last_poll_ts"] + r["every_s"] - now for r in self.list()]
        return min(waits) if waits else None


def summary(record: dict[str, Any]) -> dict[str, Any]:
    """What `feeds list --json` shows of a record (without the seen hashes)."""
    return {"url": record["url"], "every": format_every(record["every_s"]),
            "last_poll": record.get("last_poll"),
            "items_seen": record.get("items_seen", 0), "etag": record.get("etag"),
            "last_modified": record.get("last_modified"), "error": record.get("error"),
            "errors": record.get("errors", 0)}


# -- polling ----------------------------------------------------------------------------------------------
def poll(record: dict[str, Any], fetcher: PoliteFetcher, settings: Settings,
         is_stored: Any) -> list[Item]:
    """Fetch one feed (conditional GET) and return up to feed_max_items_per_poll items not taken before
    and not already in the store (is_stored(doc_id) -> bool). Updates `record` in place; raises nothing:
    a failure is kept in record["error"]."""
    now = _now()
    record["last_poll"], record["last_poll_ts"] = _iso(now), now
    headers = {}
    if record.get("etag"):
        headers["If-None-Match"] = record["etag"]
    if record.get("last_modified"):
        headers["If-Modified-Since"] = record["last_modified"]
    try:
        got = fetcher.get(record["url"], headers, kinds=FEED_KINDS)
        if got.status == 304:
            record["error"] = None
            return []
        items = _items(got.data, got.url, fetcher)
    except InputError as exc:
        record["error"], record["errors"] = str(exc), record.get("errors", 0) + 1
        return []
    record["etag"], record["last_modified"], record["error"] = got.etag, got.last_modified, None
    seen = list(record.get("seen") or [])
    known = set(seen)
    cap = max(1, settings.feed_max_items_per_poll)
    taken: list[Item] = []
    for item in items:
        h = _link_hash(item.url)
        if h in known:
            continue
        known.add(h)
        seen.append(h)
        if not is_stored(url_doc_id(item.url)):
            taken.append(item)
            if len(taken) >= cap:
                break
    record["seen"] = seen[-SEEN_LIMIT:]
    record["items_seen"] = record.get("items_seen", 0) + len(taken)
    return taken


def _items(data: bytes, url: str, fetcher: PoliteFetcher) -> list[Item]:
    cap = fetcher.settings.url_max_bytes
    data = _gunzip(data, cap)
    sitemap = parse_sitemap(data)
    if sitemap is None:
        return parse_feed(data, url)
    items, children = sitemap
    for child in children[:SITEMAP_CHILDREN]:
        try:
            nested = parse_sitemap(_gunzip(fetcher.get(child, kinds=FEED_KINDS).data, cap))
        except InputError:
            continue
        if nested:
            items.extend(nested[0])
    return items
