"""A question with nothing to search (an empty store, filters that match no document) is refused with the
reason, not with "No source here mentions …" about the question's own words; a date filter never admits an
undated document in one search and not in the other. Real Chroma, real embeddings, the real CLI code."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from answering.engine import EMPTY_STORE, Engine
from bot import cli
from corridor.settings import get_settings
from vectorstore.retrieval import Filters
from vectorstore.store import ChunkStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine(ingested) -> Engine:
    settings, store = ingested
    return Engine(settings, store)


def test_a_question_to_an_empty_store_says_the_store_is_empty(tmp_path, settings_factory, embeddings) -> None:
    settings = settings_factory(tmp_path)
    engine = Engine(settings, ChunkStore(settings, embeddings=embeddings))
    try:
        answer = engine.ask("What did Engin Ozer say about the Middle Corridor?")
    finally:
        engine.close()
    assert answer.abstained and not answer.citations and not answer.closest_sources
    assert answer.notes == [EMPTY_STORE] and "ingest command" in EMPTY_STORE
    assert "closest sources" not in answer.text  # none are listed, so none are promised


def test_ask_on_an_empty_store_in_the_cli_prints_the_reason(tmp_path, monkeypatch) -> None:
    for name in ("CHROMA_HOST", "DISCORD_TOKEN", "CORRIDOR_PRESET", "CORRIDOR_COLLECTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CORRIDOR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CORRIDOR_STORE_DIR", str(tmp_path / "store"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli.app, ["ask", "Who is Engin Ozer?"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "The store is empty" in result.stdout and "mentions" not in result.stdout


def test_filters_that_match_no_document_say_so(engine) -> None:
    answer = engine.ask("What does the Middle Corridor connect?", filters=Filters(doc_ids=("no-such-doc",)))
    assert answer.abstained and not answer.citations
    assert answer.notes == ["No document here matches the documents or dates asked for."]


def test_until_admits_no_undated_document(engine) -> None:
    """The bundled Wikipedia texts are undated: Chroma's date filter leaves them out, and so does BM25 now
    (it kept them for an "until" date, so `--until 1990-01-01` quoted undated Wikipedia)."""
    until = Filters(date_to="1990-01-01")
    assert engine.retriever.lexical.search("Middle Corridor railway", 10, date_range=until.date_range()) == []
    answer = engine.ask("What does the Middle Corridor connect?", filters=until)
    assert answer.abstained and not answer.citations
    assert answer.notes == ["No document here matches the documents or dates asked for."]
    dated = engine.ask("What does the Middle Corridor connect?", filters=Filters(date_to="2030-01-01"))
    assert {c.doc_id for c in dated.citations} and all(c.date for c in dated.citations)
