"""`corridor refresh`: poll the due feeds, ingest their new items, and re-check every URL-ingested document.

Pages are re-checked with a conditional GET (the ETag and Last-Modified kept in the state collection); a page
without validators is fetched and its content hash compared, so only what changed is re-embedded. A page that
now answers 404 or 410 keeps its chunks and is marked stale (citations then say so); `prune_gone` removes it.
Everything goes through the PoliteFetcher (per-host pacing, robots.txt, the ingest address guard and caps).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from pydantic import Field

from corridor.records import Document, IngestReport
from corridor.settings import Settings
from vectorstore.store import ChunkStore

from .feeds import Feeds, Item, poll
from .fetch import HTTPStatusError, url_doc_id
from .loaders import load_bytes
from .pipeline import Source, ingest, is_url, write_lock
from .polite import PoliteFetcher
from .state import StateStore

log = logging.getLogger(__name__)
GONE = (404, 410)


class RefreshReport(IngestReport):
    """The ingest summary, plus what refresh adds: stale documents, polled feeds and the new articles."""

    stale: list[str] = Field(default_factory=list)  # doc ids now 404/410 at the source (kept, marked)
    feeds_polled: list[str] = Field(default_factory=list)
    new_items: list[dict[str, Any]] = Field(default_factory=list)  # doc_id, title, date, url, feed, chunks


class _Reader:
    """The pipeline's reader for refresh: polite, conditional, and remembering what it saw."""

    def __init__(self, fetcher: PoliteFetcher, pages: dict[str, dict[str, Any]], stored: set[str]) -> None:
        self.fetcher = fetcher
        self.pages = pages
        self.stored = stored
        self.validators: dict[str, dict[str, Any]] = {}
        self.gone: dict[str, int] = {}

    def __call__(self, source: Source, settings: Settings) -> Document | None:
        url = source.url or source.name
        headers: dict[str, str] = {}
        page = self.pages.get(source.doc_id) if source.doc_id in self.stored else None
        if page and page.get("etag"):
            headers["If-None-Match"] = page["etag"]
        if page and page.get("last_modified"):
            headers["If-Modified-Since"] = page["last_modified"]
        try:
            got = self.fetcher.get(url, headers)
        except HTTPStatusError as exc:
            if exc.status in GONE and source.doc_id in self.stored:
                self.gone[source.doc_id] = exc.status
                return None
            raise
        if got.status == 304:
            return None
        self.validators[source.doc_id] = {"url": url, "etag": got.etag, "last_modified": got.last_modified}
        return load_bytes(got.data, got.kind, doc_id=source.doc_id, source=url, url=got.url)


def refresh(settings: Settings, store: ChunkStore | None = None, prune_gone: bool = False,
            all_feeds: bool = False) -> RefreshReport:
    """One refresh run (all_feeds: poll every feed, not only the due ones)."""
    started = time.perf_counter()
    with write_lock(settings):
        store = store or ChunkStore(settings)
        state = StateStore(store)
        feeds = Feeds(state, settings)
        fetcher = PoliteFetcher(settings)
        sources = {d: s for d, s in store.doc_sources().items() if is_url(s)}
        stored = set(sources)
        report = RefreshReport()
        from_feed: dict[str, tuple[str, Item]] = {}
        for record in feeds.list() if all_feeds else feeds.due():
            items = poll(record, fetcher, settings, lambda doc_id: doc_id in stored)
            feeds.save(record)
            report.feeds_polled.append(record["url"])
            if record.get("error"):
                report.failed[record["url"]] = record["error"]
            for item in items:
                from_feed.setdefault(url_doc_id(item.url), (record["url"], item))
        pages = state.all("page")
        reader = _Reader(fetcher, pages, stored)
        urls = [item.url for _, item in from_feed.values()]
        urls += [s for d, s in sources.items() if d not in from_feed]
        result = (ingest(urls, settings, store=store, progress=False, reader=reader, locked=True)
                  if urls else IngestReport())  # (no inputs would mean "the bundled corpus" to ingest)
        failed = {**report.failed, **result.failed}  # the feeds' errors, then the pages'
        report = report.model_copy(update={**result.model_dump(), "failed": failed})
        _settle(report, reader, store, state, pages, prune_gone)
        for doc_id in report.added:
            if doc_id in from_feed:
                report.new_items.append(_announcement(store, doc_id, from_feed[doc_id]))
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _settle(report: RefreshReport, reader: _Reader, store: ChunkStore, state: StateStore,
            pages: dict[str, dict[str, Any]], prune_gone: bool) -> None:
    """Mark gone pages stale (or remove them), un-mark pages that are back, keep the new validators."""
    for doc_id, status in reader.gone.items():
        report.unchanged.remove(doc_id)
        if prune_gone:
            store.delete_doc(doc_id)
            report.removed.append(doc_id)
            state.delete("page", [doc_id])
        else:
            store.set_stale(doc_id, True)
            report.stale.append(doc_id)
            state.put("page", doc_id, {**pages.get(doc_id, {}), "gone": status})
            log.info("%s answers HTTP %d: kept, marked stale", doc_id, status)
    alive = set(report.added) | set(report.updated) | set(report.unchanged)
    for doc_id in alive:
        page = pages.get(doc_id, {})
        if page.get("gone"):
            store.set_stale(doc_id, False)
        if doc_id in reader.validators:
            state.put("page", doc_id, reader.validators[doc_id])
        elif page.get("gone"):
            state.put("page", doc_id, {k: v for k, v in page.items() if k != "gone"})


def _announcement(store: ChunkStore, doc_id: str, origin: tuple[str, Item]) -> dict[str, Any]:
    metas = store.doc_chunks(doc_id)["metadatas"]
    meta = metas[0] if metas else {}
    feed, item = origin
    return {"doc_id": doc_id, "title": meta.get("title") or item.title or doc_id,
            "date": meta.get("date") or item.date, "url": meta.get("url") or item.url, "feed": feed,
            "chunks": len(metas)}
