"""Late interaction (answering/interaction.py): MaxSim over the bundled MiniLM's token vectors through the
fitted head, and the token vectors themselves against sentence-transformers'."""

from __future__ import annotations

import numpy as np
import pytest

from answering.interaction import Interaction, features, load, scorer
from vectorstore.embeddings import get_sentence_transformer

pytestmark = pytest.mark.slow


def test_token_vectors_are_sentence_transformers_token_embeddings(embeddings, settings_factory,
                                                                   tmp_path) -> None:
    """`MiniLMEmbeddings.token_vectors` is `encode(output_value="token_embeddings")` without [CLS] and
    [SEP], also when texts of different lengths share a padded batch."""
    raw = get_sentence_transformer(settings_factory(tmp_path))
    texts = ["Who represented Azerbaijan at the meeting?", "x",
             "Shirin Malikova, the director of the National Art Museum, represented Azerbaijan."]
    ours = embeddings.token_vectors(texts)
    theirs = raw.encode(texts, output_value="token_embeddings", convert_to_numpy=False)
    for a, b in zip(ours, theirs, strict=True):
        assert a.shape == (b.shape[0] - 2, 384)
        assert float((a - b[1:-1]).abs().max()) < 1e-4


def test_maxsim_reads_word_by_word() -> None:
    """Each question token's best match counts once: a sentence holding the question's tokens scores 1
    whatever else it holds or their order; one holding half of them scores less."""
    head = Interaction(np.eye(3, dtype=np.float32))
    q = head.project(np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float32))
    both = head.project(np.array([[0, 0, 1], [0, 1, 0], [2, 0, 0]], dtype=np.float32))
    half = head.project(np.array([[1, 0, 0], [0, 0, 1]], dtype=np.float32))
    assert head.score(q, both) == pytest.approx(1.0)
    assert head.score(q, half) == pytest.approx(0.5)
    assert head.score(q, head.project(np.zeros((0, 3), dtype=np.float32))) == 0.0
    assert features([0.4, 0.7]) == [{"late": 0.4, "late_rel": pytest.approx(-0.3)},
                                    {"late": 0.7, "late_rel": 0.0}]


def test_the_bundled_head_scores_with_real_token_vectors(embeddings) -> None:
    """The fitted head is bundled; through it a sentence that repeats the question scores 1, above one
    about something else, and a second call (the sentences' projected tokens cached) gives the same."""
    head = load()
    assert head is not None and head.projection.shape[1] == 384
    late = scorer(embeddings)
    question = "Who represented Azerbaijan at the meeting of the museums' union?"
    sentences = [question, "Wheat exports from Kazakhstan fell sharply in 2014."]
    first = late(question, sentences)
    assert first[0] == pytest.approx(1.0, abs=1e-5) and first[1] < first[0]
    assert late(question, sentences) == pytest.approx(first)


def test_no_token_vectors_no_scorer() -> None:
    """An embeddings object without token vectors (e5, a model folder) gets no scorer."""
    assert scorer(object()) is None


def test_a_question_is_run_through_the_model_once(embeddings) -> None:
    """`embed_query` keeps the question's vector and token vectors: asked again (retrieval, the baseline,
    the scorer), the same vector and the same tokens come back without a forward pass, and forgetting them
    gives the same again from the model."""
    question = "Which orchestra played the anniversary concert in Aksaray?"
    embeddings.forget_queries()
    first = embeddings.embed_query(question)
    runs = []
    real = embeddings._hidden_states
    embeddings._hidden_states = lambda texts: runs.append(texts) or real(texts)
    try:
        assert embeddings.embed_query(question) == first
        cached = embeddings.token_vectors([question])[0]
        assert runs == []
        embeddings.forget_queries()
        again = embeddings.token_vectors([question])[0]
        assert runs == [[question]]
    finally:
        del embeddings._hidden_states
    assert float((cached - again).abs().max()) < 1e-5


def test_sentences_embedded_for_ranking_hand_their_token_vectors_to_the_scorer(embeddings) -> None:
    """`embed_with_tokens` gives `embed_documents`' vectors and each text's token vectors from one pass;
    offered to the scorer, they score as the scorer's own forward pass does, and the scorer runs only the
    question through the model."""
    sentences = ["Shirin Malikova, the director of the National Art Museum, represented Azerbaijan.",
                 "Wheat exports from Kazakhstan fell sharply in 2014.", "x"]
    vectors, tokens = embeddings.embed_with_tokens(sentences)
    assert np.allclose(vectors, embeddings.embed_documents(sentences), atol=1e-6)
    for t, ref in zip(tokens, embeddings.token_vectors(sentences), strict=True):
        assert t.shape == ref.shape and float((t - ref).abs().max()) < 1e-4
    question = "Who represented Azerbaijan at the meeting?"
    own = scorer(embeddings)(question, sentences)
    late = scorer(embeddings)
    late.offer(sentences, tokens)
    asked = []
    real = embeddings.token_vectors
    late._tokens = lambda texts: asked.append(texts) or real(texts)
    assert late(question, sentences) == pytest.approx(own, abs=1e-5)
    assert asked == [[question]]
