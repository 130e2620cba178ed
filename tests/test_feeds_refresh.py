"""Feeds and refresh against a real local web site, with real Chroma and real embeddings."""

from __future__ import annotations

import gzip
import itertools
import tracemalloc

import pytest

from corridor.errors import InputError
from corridor.records import GONE_NOTE, Citation, Passage
from ingest.feeds import SEEN_LIMIT, Feeds, parse_every, poll
from ingest.fetch import url_doc_id
from ingest.polite import PoliteFetcher
from ingest.refresh import _Reader, refresh
from ingest.state import StateStore
from tests.feedsite import Page, Site, article, rss, serve
from vectorstore.store import ChunkStore

TEXT = ("Freight on the Middle Corridor grew again this month, operators in Aktau said, as shippers kept "
        "avoiding northern routes. The port plans a new container terminal.")


@pytest.fixture
def site():
    s = Site()
    httpd = serve(s)
    yield s
    httpd.shutdown()


@pytest.fixture
def settings(tmp_path, settings_factory):
    return settings_factory(tmp_path, allow_private_urls=True, fetch_delay_s=0.0, url_timeout_s=1.0,
                            feed_max_items_per_poll=50)


@pytest.fixture
def store(settings, embeddings):
    return ChunkStore(settings, embeddings=embeddings)


def add_feed(store, settings, url: str, every: str = "1h") -> Feeds:
    feeds = Feeds(StateStore(store), settings)
    feeds.add(url, every)
    return feeds


def publish(site: Site, n: int, start: int = 0) -> list[tuple[str, str]]:
    items = []
    for i in range(start, start + n):
        path = f"/news/{i}.md"
        site.routes[path] = Page(article(f"Aktau report {i}", f"Report {i}. {TEXT}"), etag=f'"a{i}-v1"')
        items.append((f"Aktau report {i}", site.url(path)))
    return items


def test_durations_and_due_feeds() -> None:
    assert parse_every("30m") == 1800 and parse_every("1d") == 86400 and parse_every("90s") == 90
    with pytest.raises(InputError, match="bad duration"):
        parse_every("soon")
    record = {"every_s": 3600, "last_poll_ts": 1000.0}
    assert not Feeds.is_due(record, 1000.0 + 3599) and Feeds.is_due(record, 1000.0 + 3600)
    assert Feeds.is_due({"every_s": 60}, 0.0)  # never polled


def test_robots_txt_rules_and_user_agent(site, settings) -> None:
    site.routes["/robots.txt"] = Page(b"User-agent: corridor\nDisallow: /drafts/\n", "text/plain")
    site.routes["/drafts/a.md"] = Page(article("Draft", TEXT))
    site.routes["/ok.md"] = Page(article("Ok", TEXT))
    fetcher = PoliteFetcher(settings)
    with pytest.raises(InputError, match=r"robots\.txt"):
        fetcher.get(site.url("/drafts/a.md"))
    assert fetcher.get(site.url("/ok.md")).status == 200
    assert not site.hits("/drafts/a.md") and len(site.hits("/robots.txt")) == 1
    assert site.hits("/ok.md")[0].headers["user-agent"].startswith("corridor/")
    site.routes["/robots.txt"] = Page(b"down", "text/plain", 503)  # RFC 9309: unreachable = disallowed
    with pytest.raises(InputError, match=r"robots\.txt"):
        PoliteFetcher(settings).get(site.url("/ok.md"))
    site.routes["/robots.txt"] = Page(b"none", "text/plain", 404)  # no robots.txt: all allowed
    assert PoliteFetcher(settings).get(site.url("/ok.md")).status == 200


@pytest.mark.slow  # tracemalloc makes parsing 10,000 items slow
def test_polling_a_10000_item_feed_takes_the_cap_in_bounded_memory(site, settings) -> None:
    capped = settings.model_copy(update={"feed_max_items_per_poll": 5})
    body = rss([(f"item {i}", site.url(f"/bulk/{i}.md")) for i in range(10_000)])
    site.routes["/big.xml"] = Page(body, "application/rss+xml")
    record = {"url": site.url("/big.xml"), "every_s": 60}
    tracemalloc.start()
    try:
        items = poll(record, PoliteFetcher(capped), capped, lambda _: False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [i.url for i in items] == [site.url(f"/bulk/{i}.md") for i in range(5)]
    assert len(record["seen"]) == 5 and record["items_seen"] == 5
    # Parsing is bounded by the fetch size cap (url_max_bytes); measured ~15x the feed's size.
    assert peak < 60 * len(body), (peak, len(body))
    more = poll(record, PoliteFetcher(capped), capped, lambda _: False)
    assert [i.url for i in more] == [site.url(f"/bulk/{i}.md") for i in range(5, 10)]


@pytest.mark.slow
def test_a_feed_grows_an_article_changes_304_and_410(site, settings, store) -> None:
    items = publish(site, 2)
    site.routes["/feed.xml"] = Page(rss(items), "application/rss+xml", etag='"f1"')
    feeds = add_feed(store, settings, site.url("/feed.xml"))

    first = refresh(settings, store=store)
    assert sorted(first.added) == sorted(url_doc_id(u) for _, u in items) and not first.failed
    assert first.chunks_embedded > 0 and len(first.new_items) == 2
    assert {i["title"] for i in first.new_items} == {"Aktau report 0", "Aktau report 1"}
    assert all(i["chunks"] >= 1 and i["date"] == "2026-11-20" for i in first.new_items)
    assert feeds.list()[0]["items_seen"] == 2 and feeds.list()[0]["etag"] == '"f1"'
    ua = site.hits("/feed.xml")[0].headers["user-agent"]
    assert "corridor" in ua.lower()

    # Not due yet: the feed is not polled; the two pages are re-checked with If-None-Match and answer 304.
    mark = len(site.log)
    second = refresh(settings, store=store)
    assert second.feeds_polled == [] and second.chunks_embedded == 0 and not second.added
    assert sorted(second.unchanged) == sorted(first.added)
    page_hits = [h for h in site.log[mark:] if h.path.startswith("/news/")]
    assert [h.status for h in page_hits] == [304, 304]
    assert all(h.headers.get("if-none-match", "").startswith('"a') for h in page_hits)

    # The feed grows, one article changes (new ETag), one is gone (410).
    items += publish(site, 1, start=2)
    site.routes["/feed.xml"] = Page(rss(items), "application/rss+xml", etag='"f2"')
    site.routes["/news/0.md"] = Page(article("Aktau report 0", "Report 0, revised. " + TEXT + " Extra line."),
                                     etag='"a0-v2"')
    site.routes["/news/1.md"] = Page(b"gone", "text/plain", 410)
    third = refresh(settings, store=store, all_feeds=True)
    new_id, changed_id, gone_id = (url_doc_id(site.url(f"/news/{i}.md")) for i in (2, 0, 1))
    assert third.added == [new_id] and third.updated == [changed_id] and third.stale == [gone_id]
    assert [i["doc_id"] for i in third.new_items] == [new_id]
    assert third.chunks_embedded > 0 and not third.failed
    assert store.doc_chunks(gone_id)["ids"], "a gone page keeps its chunks"
    # its citations say so
    cid = store.doc_chunks(gone_id)["ids"][0]
    chunk, doc = store.get_passages([cid])[cid]
    assert doc.stale is True
    citation = Citation.from_passage(1, Passage(chunk=chunk, doc=doc, score=1.0))
    assert citation.title.endswith(GONE_NOTE)

    # Nothing new: the fourth refresh embeds nothing; --prune-gone removes the gone page.
    fourth = refresh(settings, store=store, all_feeds=True, prune_gone=True)
    assert fourth.chunks_embedded == 0 and not fourth.added and fourth.removed == [gone_id]
    assert not store.doc_chunks(gone_id)["ids"]
    assert site.hits("/feed.xml")[-1].status == 304


@pytest.mark.slow
def test_a_page_back_from_410_is_no_longer_stale(site, settings, store) -> None:
    items = publish(site, 1)
    site.routes["/feed.xml"] = Page(rss(items), "application/rss+xml")
    add_feed(store, settings, site.url("/feed.xml"))
    refresh(settings, store=store)
    doc_id = url_doc_id(items[0][1])
    body = site.routes["/news/0.md"]
    site.routes["/news/0.md"] = Page(b"", "text/plain", 404)
    assert refresh(settings, store=store).stale == [doc_id]
    site.routes["/news/0.md"] = body
    back = refresh(settings, store=store)
    assert doc_id in back.unchanged and not back.stale and back.chunks_embedded == 0
    cid = store.doc_chunks(doc_id)["ids"][0]
    assert store.get_passages([cid])[cid][1].stale is False


@pytest.mark.slow
def test_a_sitemap_index_brings_its_pages_in(site, settings, store) -> None:
    publish(site, 3)
    urlset = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
              + "".join(f"<url><loc>{site.url(f'/news/{i}.md')}</loc><lastmod>2026-11-2{i}</lastmod></url>"
                        for i in range(3)) + "</urlset>")
    site.routes["/pages.xml"] = Page(urlset.encode(), "application/xml")
    site.routes["/sitemap.xml"] = Page(
        ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
         f"<sitemap><loc>{site.url('/pages.xml')}</loc></sitemap></sitemapindex>").encode(), "text/xml")
    add_feed(store, settings, site.url("/sitemap.xml"))
    report = refresh(settings, store=store)
    assert sorted(report.added) == sorted(url_doc_id(site.url(f"/news/{i}.md")) for i in range(3))
    assert not report.failed


@pytest.mark.slow
def test_a_malformed_feed_is_reported_and_the_others_go_on(site, settings, store) -> None:
    items = publish(site, 1)
    site.routes["/good.xml"] = Page(rss(items), "application/rss+xml")
    site.routes["/bad.xml"] = Page(b"<rss><channel><item><title>broken", "application/rss+xml")
    site.routes["/html"] = Page(b"<html><body>just a page</body></html>", "text/html")
    feeds = add_feed(store, settings, site.url("/good.xml"))
    feeds.add(site.url("/bad.xml"))
    feeds.add(site.url("/html"))
    report = refresh(settings, store=store)
    assert report.added == [url_doc_id(items[0][1])]
    assert "not a readable" in report.failed[site.url("/bad.xml")]
    assert "not a readable" in report.failed[site.url("/html")]
    states = {r["url"]: r for r in feeds.list()}
    assert states[site.url("/bad.xml")]["errors"] == 1 and states[site.url("/good.xml")]["error"] is None


@pytest.mark.slow
def test_a_10000_item_feed_costs_bounded_work_per_poll(site, settings, store) -> None:
    capped = settings.model_copy(update={"feed_max_items_per_poll": 3})
    site.routes["/big.xml"] = Page(rss([(f"item {i}", site.url(f"/bulk/{i}.md")) for i in range(10_000)]),
                                   "application/rss+xml")
    site.default = Page(article("Bulk", "Bulk item. " + TEXT))
    feeds = add_feed(store, capped, site.url("/big.xml"))
    first = refresh(capped, store=store)
    assert len(first.added) == 3
    assert len([h for h in site.log if h.path.startswith("/bulk/")]) == 3
    second = refresh(capped, store=store, all_feeds=True)
    assert len(second.added) == 3 and not set(first.added) & set(second.added)
    record = feeds.list()[0]
    assert record["items_seen"] == 6 and len(record["seen"]) <= SEEN_LIMIT


@pytest.mark.slow
def test_slow_pages_robots_txt_and_pacing(site, settings, store) -> None:
    paced = settings.model_copy(update={"fetch_delay_s": 0.2, "url_timeout_s": 0.5})
    site.routes["/robots.txt"] = Page(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    site.routes["/slow.md"] = Page(article("Slow", TEXT), delay_s=2.0)
    site.routes["/private/secret.md"] = Page(article("Secret", TEXT))
    items = [*publish(site, 2), ("slow", site.url("/slow.md")), ("secret", site.url("/private/secret.md"))]
    site.routes["/feed.xml"] = Page(rss(items), "application/rss+xml")
    add_feed(store, paced, site.url("/feed.xml"))
    report = refresh(paced, store=store)
    assert len(report.added) == 2
    assert "timed out" in report.failed[site.url("/slow.md")]
    assert "robots.txt" in report.failed[site.url("/private/secret.md")]
    assert not site.hits("/private/secret.md"), "a disallowed page is never requested"
    assert len(site.hits("/robots.txt")) == 1
    arrivals = [h.at for h in site.log]
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert min(gaps) >= 0.2 - 0.01, gaps  # one request at a time per host, fetch_delay_s apart


@pytest.mark.slow
def test_private_addresses_are_refused_without_the_setting(site, tmp_path, settings_factory, settings,
                                                            store, embeddings) -> None:
    closed = settings_factory(tmp_path / "closed", fetch_delay_s=0.0)
    items = [*publish(site, 1), ("metadata", "http://169.254.169.254/latest/meta-data")]
    site.routes["/feed.xml"] = Page(rss(items), "application/rss+xml")
    # The feed itself on 127.0.0.1: refused before any request.
    closed_store = ChunkStore(closed, embeddings=embeddings)
    add_feed(closed_store, closed, site.url("/feed.xml"))
    report = refresh(closed, store=closed_store)
    assert "non-public" in report.failed[site.url("/feed.xml")] and not report.added and not site.log
    # Items read from an allowed feed still go through the guard when private URLs are not allowed.
    record = Feeds(StateStore(store), settings).add(site.url("/feed.xml"))
    got = poll(record, PoliteFetcher(settings), settings, lambda _: False)
    from ingest.pipeline import ingest

    reader = _Reader(PoliteFetcher(closed), {}, set())
    result = ingest([i.url for i in got], closed, store=closed_store, progress=False, reader=reader)
    assert len(result.failed) == 2 and all("non-public" in r for r in result.failed.values())
    assert not result.added and not site.hits("/news/0.md") and closed_store.count() == 0


@pytest.mark.slow
def test_a_gzip_sitemap_and_its_gzip_children_bring_their_pages_in(site, settings, store) -> None:
    publish(site, 2)
    urlset = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
              + "".join(f"<url><loc>{site.url(f'/news/{i}.md')}</loc></url>" for i in range(2)) + "</urlset>")
    site.routes["/pages.xml.gz"] = Page(gzip.compress(urlset.encode()), "application/x-gzip")
    index = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f"<sitemap><loc>{site.url('/pages.xml.gz')}</loc></sitemap></sitemapindex>")
    site.routes["/sitemap.xml.gz"] = Page(gzip.compress(index.encode()), "application/gzip")
    add_feed(store, settings, site.url("/sitemap.xml.gz"))
    report = refresh(settings, store=store)
    assert sorted(report.added) == sorted(url_doc_id(site.url(f"/news/{i}.md")) for i in range(2))
    assert not report.failed


def test_a_gzip_bomb_or_broken_gzip_sitemap_is_refused(site, settings, store) -> None:
    big = b"<urlset>" + b" " * (settings.url_max_bytes + 10) + b"</urlset>"
    site.routes["/bomb.xml.gz"] = Page(gzip.compress(big), "application/gzip")
    site.routes["/broken.xml.gz"] = Page(gzip.compress(b"<urlset></urlset>")[:12], "application/gzip")
    feeds = add_feed(store, settings, site.url("/bomb.xml.gz"))
    feeds.add(site.url("/broken.xml.gz"))
    report = refresh(settings, store=store)
    assert "larger than" in report.failed[site.url("/bomb.xml.gz")]
    assert "gzip" in report.failed[site.url("/broken.xml.gz")]
    assert not report.added and store.count() == 0
