"""`corridor feeds add/list/remove`, `refresh --json` and `gaps` from the command line (typer's runner)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot import cli
from bot.gaps import GapStore
from corridor.records import DocumentMeta
from corridor.settings import get_settings
from tests.feedsite import Page, Site, article, rss, serve
from vectorstore.sentence_vectors import SentenceVectors

pytestmark = pytest.mark.slow
runner = CliRunner()
SUMMARY_KEYS = {"added", "updated", "unchanged", "removed", "failed", "chunks_written", "chunks_embedded",
                "seconds"}


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in ("CHROMA_HOST", "DISCORD_TOKEN", "CORRIDOR_PRESET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CORRIDOR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CORRIDOR_ALLOW_PRIVATE_URLS", "true")
    monkeypatch.setenv("CORRIDOR_FETCH_DELAY_S", "0")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def site():
    s = Site()
    httpd = serve(s)
    yield s
    httpd.shutdown()


def run(*args: str):
    result = runner.invoke(cli.app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_refresh_with_nothing_to_refresh_says_so(env) -> None:
    assert "nothing to refresh: no feed is due" in run("refresh").stdout


def test_feeds_add_then_refresh_brings_articles_in_and_a_second_refresh_embeds_nothing(env, site) -> None:
    text = "Ferries between Kuryk and Alat run twice a week."
    site.routes["/a.md"] = Page(article("Caspian ferries", text))
    site.routes["/feed.xml"] = Page(rss([("Caspian ferries", site.url("/a.md"))]), "application/rss+xml")
    assert "every 30m" in run("feeds", "add", site.url("/feed.xml"), "--every", "30m").stdout
    bad = runner.invoke(cli.app, ["feeds", "add", site.url("/x.xml"), "--every", "soon"])
    assert bad.exit_code != 0 and "bad duration" in str(bad.exception)

    first = json.loads(run("refresh", "--json").stdout)
    assert set(first) >= SUMMARY_KEYS and first["added"] == ["127.0.0.1-a.md"]
    assert first["chunks_embedded"] > 0
    assert text in SentenceVectors(cli.open_store()).get([text])  # its sentences prepared for answers
    second = json.loads(run("refresh", "--json").stdout)
    assert second["chunks_embedded"] == 0 and second["unchanged"] == ["127.0.0.1-a.md"]

    listed = json.loads(run("feeds", "list", "--json").stdout)
    assert listed[0]["url"] == site.url("/feed.xml") and listed[0]["every"] == "30m"
    assert listed[0]["items_seen"] == 1 and listed[0]["last_poll"] and "seen" not in listed[0]
    human = run("refresh").stdout
    assert "unchanged 1" in human and "nothing to refresh" not in human
    run("feeds", "remove", site.url("/feed.xml"))
    assert json.loads(run("feeds", "list", "--json").stdout) == []
    gone = runner.invoke(cli.app, ["feeds", "remove", site.url("/feed.xml")])
    assert gone.exit_code != 0 and "no such feed" in str(gone.exception)
    assert "127.0.0.1-a.md" in run("sources", "--json").stdout  # its articles stay


def test_gaps_lists_similar_questions_together(env) -> None:
    gaps = GapStore(get_settings().gaps_path)
    src = DocumentMeta(doc_id="04-zangezur", title="Zangezur corridor", source="x", content_hash="h")
    gaps.record("abstained", "How long is the Zangezur corridor railway?", [src])
    gaps.record("not_helpful", "how long is the zangezur railway corridor", [])
    gaps.record("abstained", "What did Erdogan say about grain exports in 2031?", [])
    groups = json.loads(run("gaps", "--json").stdout)
    assert [g["count"] for g in groups] == [2, 1]
    assert groups[0]["kinds"] == {"abstained": 1, "not_helpful": 1}
    assert groups[0]["sources"][0]["doc_id"] == "04-zangezur" and "grain" in groups[1]["questions"][0]
    assert "Zangezur" in run("gaps").stdout
