"""`corridor remove`: documents and every chunk go; an unknown id changes nothing; BM25 follows."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot import cli
from corridor.errors import InputError
from corridor.settings import get_settings
from ingest.pipeline import ingest
from ingest.remove import remove_docs
from vectorstore.lexical import LexicalIndex
from vectorstore.store import ChunkStore

pytestmark = pytest.mark.slow


@pytest.fixture
def filled(tmp_path, settings_factory, small_corpus, embeddings):
    settings = settings_factory(tmp_path)
    store = ChunkStore(settings, embeddings=embeddings)
    ingest([str(small_corpus)], settings, store=store, progress=False)
    return settings, store


def test_remove_takes_out_a_document_and_every_chunk(filled, tmp_path) -> None:
    settings, store = filled
    lexical = LexicalIndex(store, tmp_path / "bm25")
    gone = set(store.doc_chunks("04-wikipedia-zangezur-corridor")["ids"])
    assert {cid for cid, _ in lexical.search("Zangezur corridor", 10)} & gone
    before = {d.doc_id: d.chunks for d in store.documents()}
    report = remove_docs(["04-wikipedia-zangezur-corridor"], settings, store=store)
    assert report.removed == ["04-wikipedia-zangezur-corridor"]
    after = {d.doc_id: d.chunks for d in store.documents()}
    assert "04-wikipedia-zangezur-corridor" not in after
    assert after == {k: v for k, v in before.items() if k != "04-wikipedia-zangezur-corridor"}
    assert store.count() == sum(after.values())
    hits = {cid for cid, _ in lexical.search("Zangezur corridor", 10)}  # the cached BM25 index follows
    assert not hits & gone


def test_an_unknown_id_is_a_short_error_and_removes_nothing(filled) -> None:
    settings, store = filled
    count, generation = store.count(), store.generation()
    with pytest.raises(InputError, match="no such document: nope"):
        remove_docs(["00-news-az-engin-ozer-interview", "nope"], settings, store=store)
    assert store.count() == count and store.generation() == generation


def test_remove_from_the_command_line(filled, monkeypatch) -> None:
    settings, _ = filled
    monkeypatch.setenv("CORRIDOR_STORE_DIR", str(settings.store_dir))
    monkeypatch.delenv("CHROMA_HOST", raising=False)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        bad = runner.invoke(cli.app, ["remove", "nope"])
        assert bad.exit_code != 0 and "no such document" in str(bad.exception)
        ok = runner.invoke(cli.app, ["remove", "13-usda-fas-kazakhstan-grain-and-feed-update-2014", "--json"])
        assert ok.exit_code == 0, ok.output
        assert json.loads(ok.stdout)["removed"] == ["13-usda-fas-kazakhstan-grain-and-feed-update-2014"]
        listed = runner.invoke(cli.app, ["sources", "--json"])
        assert "13-usda" not in listed.stdout and "00-news-az" in listed.stdout
    finally:
        get_settings.cache_clear()
