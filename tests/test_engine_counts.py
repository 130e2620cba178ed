""""How many <things>?" wants a number of those things: when the sentences chosen give numbers of something
else, the best candidate that counts the things asked about goes in (the same reading the refusal check
makes, answering.coverage.counted), through the real pipeline (real embeddings, embedded Chroma, BM25)."""

from __future__ import annotations

from tests.conftest import engine_fixture

DOCS = {
    "caspian-fleet.md": (
        "Kazakhstan plans a commercial fleet on the Caspian", "Caspian Herald", None, "2024-12-10",
        "Kazakhstan needs a commercial fleet of its own on the Caspian, to carry 5 million tonnes of cargo "
        "a year to Baku and beyond. Its ports at Aktau and Kuryk handled 2 million tonnes last year. Seven "
        "new vessels will be required, the minister said. A Turkish firm plans to build them at a yard in "
        "Kuryk."),
}

# one sentence per answer: the cap that left the counting sentence out is the whole answer here
engine = engine_fixture("counts", DOCS, max_answer_sentences=1)


def test_a_count_of_the_things_asked_about_goes_in(engine) -> None:
    answer = engine.ask("How many vessels does Kazakhstan need for its fleet on the Caspian?")
    assert not answer.abstained, answer.notes
    quoted = [st.text for st in answer.statements]
    assert any("Seven new vessels" in text for text in quoted), quoted


def test_a_question_it_does_not_count_is_still_refused(engine) -> None:
    """No sentence counts the yard's workers: the check still refuses (nothing is swapped in)."""
    answer = engine.ask("How many workers will the Turkish firm's yard in Kuryk employ?")
    assert answer.abstained
