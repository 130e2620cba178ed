"""The fresh sets' stores (real embeddings, real Chroma, a real loopback HTTP server): Markdown fixtures
ingested as files, HTML fixtures by URL; doc ids that do not depend on the server's port; fixture stems in
a gold file matched to the URL doc ids; fixtures removed from the folder leave the store."""

from __future__ import annotations

import json
import shutil
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from answering.sentence_vectors import candidate_texts
from bot.evaluate.fixture_server import FIXTURE_PORT, FixtureServer, html_doc_ids
from bot.evaluate.gold import load_gold
from bot.evaluate.runner import run_eval
from bot.evaluate.sets import EvalSet, build_set_store, set_settings
from ingest.fetch import url_doc_id
from vectorstore.sentence_vectors import SentenceVectors

DEV_FIXTURES = Path(__file__).resolve().parents[1] / "data" / "eval" / "fresh" / "dev"
PAGE = "2024-05-trend-tokayev-kurtulmus-trade"
NOTE = "2024-07-newsaz-middle-corridor-cargo"
QUOTE = ("Kazakh exports to Türkiye fell by 16.4 percent to $4 billion in 2023, "
         "down from $4.7 billion in 2022.")


def test_fixture_server_prefers_its_port_and_falls_back(tmp_path) -> None:
    (tmp_path / "a.html").write_text("<html><body><p>hello</p></body></html>", encoding="utf-8")
    with FixtureServer(tmp_path) as first, FixtureServer(tmp_path) as second:
        assert first.port != second.port  # the preferred port was taken (by the first, or by a peer run)
        for server in (first, second):
            with urllib.request.urlopen(server.url("a.html"), timeout=10) as resp:
                assert b"hello" in resp.read()
        assert first.html_urls() == {"a": first.url("a.html")}
    # the doc id a URL gets depends on the host and path, never the port
    assert url_doc_id(first.url("a.html")) == url_doc_id(second.url("a.html")) == html_doc_ids(tmp_path)["a"]
    assert html_doc_ids(tmp_path) == {"a": "127.0.0.1-a.html"}


@pytest.fixture
def fresh_folder(tmp_path) -> Path:
    folder = tmp_path / "fixtures"
    folder.mkdir()
    for name in (f"{PAGE}.html", f"{NOTE}.md"):
        shutil.copy(DEV_FIXTURES / name, folder / name)
    return folder


@pytest.mark.slow
def test_fresh_store_ingests_pages_by_url_with_stable_ids(fresh_folder, small_corpus, settings_factory,
                                                         tmp_path) -> None:
    gold = tmp_path / "fresh.jsonl"
    gold.write_text(json.dumps({
        "id": "t1", "question": "By how much did Kazakh exports to Türkiye fall in 2023?",
        "evidence": [QUOTE], "evidence_docs": [PAGE], "must_include": [["16.4"]], "kind": "numeric",
        "split": "fresh-dev"}) + "\n")
    eval_set = EvalSet("fresh-dev", gold, None, fresh_folder, gated=False)
    base = settings_factory(tmp_path, corpus_dir=small_corpus)
    settings = set_settings(base, eval_set)
    assert settings.collection == f"{base.collection}_eval_fresh_dev"
    assert settings.allow_private_urls and not base.allow_private_urls  # loopback for this eval only

    built = build_set_store(settings, eval_set)
    page_id = f"127.0.0.1-{PAGE}.html"
    sources = built.store.doc_sources()
    assert set(sources) == {p.stem for p in small_corpus.iterdir()} | {NOTE, page_id}
    assert sources[page_id].startswith("http://127.0.0.1:") and sources[page_id].endswith(f"/{PAGE}.html")
    assert Path(sources[NOTE]).name == f"{NOTE}.md"  # Markdown: ingested as a file
    assert built.doc_aliases == {PAGE: page_id}
    chunks = built.store.count()
    # the sentence vectors `corridor ingest` leaves: the eval's answers read them, as a user's store's do
    assert SentenceVectors(built.store).count() and not SentenceVectors(built.store).missing(
        candidate_texts(built.store))

    # the same fixtures on another port (the preferred one taken): the same doc ids, nothing duplicated
    with FixtureServer(fresh_folder) as squatter:
        again = build_set_store(settings, eval_set)
        if squatter.port == FIXTURE_PORT:  # so the eval's server had another port: another URL, same id
            assert again.store.doc_sources()[page_id] != sources[page_id]
    assert set(again.store.doc_sources()) == set(sources)
    assert again.store.count() == chunks
    assert not again.report.added and page_id in again.report.updated + again.report.unchanged

    # the gold file names the page by its file stem; the eval finds the quote in the URL document
    from answering.engine import Engine

    engine = Engine(again.settings, again.store)
    try:
        run = run_eval(engine, load_gold(gold), name="fresh-dev", doc_aliases=again.doc_aliases)
    finally:
        engine.close()
    result = run.results["corridor"][0]
    assert not run.warnings, run.warnings
    assert [loc.split(":")[0] for loc in result.evidence_located[QUOTE]] == [page_id]
    assert result.metrics["hit_at_5"] == 1.0  # retrieval found the page's passage

    # a fixture removed from the folder leaves the store on the next build
    (fresh_folder / f"{NOTE}.md").unlink()
    third = build_set_store(settings, eval_set)
    assert third.report.removed == [NOTE]
    assert NOTE not in third.store.doc_sources() and page_id in third.store.doc_sources()


@pytest.mark.slow
def test_a_part_of_the_articles_is_all_its_store_holds(fresh_folder, small_corpus, settings_factory,
                                                        tmp_path) -> None:
    """`--articles N`: the part's own collection holds the corpus and the part's fixtures (here the page,
    served by URL, without the note), and the whole set's store is left as it was."""
    whole = EvalSet("fresh-dev", tmp_path / "fresh.jsonl", None, fresh_folder, gated=False)
    base = settings_factory(tmp_path, corpus_dir=small_corpus)
    full = build_set_store(set_settings(base, whole), whole)
    part = replace(whole, only=frozenset({PAGE}))
    built = build_set_store(set_settings(base, part), part)
    corpus = {p.stem for p in small_corpus.iterdir()}
    assert built.settings.collection == f"{base.collection}_eval_fresh_dev_part1"
    assert set(built.store.doc_sources()) == corpus | {f"127.0.0.1-{PAGE}.html"}
    assert set(full.store.doc_sources()) == corpus | {f"127.0.0.1-{PAGE}.html", NOTE}
    assert set(build_set_store(set_settings(base, whole), whole).store.doc_sources()) == set(
        full.store.doc_sources())


def test_a_set_goes_to_the_lane_when_a_question_or_an_earlier_turn_is_not_english() -> None:
    from bot.evaluate.gold import GoldItem
    from bot.evaluate.sets import goes_to_lane

    def item(question: str, *turns: str) -> GoldItem:
        return GoldItem(id="x", question=question, conversation=list(turns), kind="single_doc")

    english = item("What did Engin Ozer say about the Middle Corridor?")
    assert not goes_to_lane([english], 2000)
    assert goes_to_lane([english, item("Türkiye ile Kazakistan arasındaki ticaret hacmi ne kadar?")], 2000)
    assert goes_to_lane([item("And what about grain?", "Каков объём торговли между Казахстаном и Турцией?")],
                        2000)
    assert not goes_to_lane([], 2000)


@pytest.mark.slow
def test_a_fixture_removed_while_the_lane_was_off_leaves_the_lane_too(fresh_folder, small_corpus,
                                                                      settings_factory, tmp_path) -> None:
    gold = tmp_path / "fresh.jsonl"
    gold.write_text("")
    eval_set = EvalSet("fresh-dev", gold, None, fresh_folder, gated=False)
    base = settings_factory(tmp_path, corpus_dir=small_corpus, multilingual_lane=True)
    with_lane = build_set_store(set_settings(base, eval_set), eval_set)
    assert NOTE in with_lane.store.lane.doc_sources()
    # the store's sentences are prepared, the lane's left to answer time (e5 is dear; few questions use it)
    assert SentenceVectors(with_lane.store).count() and not SentenceVectors(with_lane.store.lane).count()
    (fresh_folder / f"{NOTE}.md").unlink()
    without = build_set_store(set_settings(base, eval_set, lane=False), eval_set)
    assert without.store.lane is None and without.report.removed == [NOTE]
    again = build_set_store(set_settings(base, eval_set), eval_set)
    assert set(again.store.lane.doc_sources()) == set(again.store.doc_sources())
    assert NOTE not in again.store.lane.doc_sources()
