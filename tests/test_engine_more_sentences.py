"""`more_sentences`: after the answer's own sentences, a few more the ranker rates above its keep line (a
timeline's other points, another source's figure); the refusal checks read only the answer's own. Through
the real pipeline (real embeddings, embedded Chroma, BM25)."""

from __future__ import annotations

from answering import recency
from corridor.records import Statement
from tests.conftest import engine_fixture

DOCS = {
    "ferries-2022.md": (
        "Kazakhstan wants Caspian ferries", "Caspian Herald", None, "2022-07-12",
        "Kazakhstan wants a Caspian ferry fleet of its own. In the long run the country would like some ten "
        "ferries on the Caspian. The ferries would carry cargo from the port of Kuryk to Baku."),
    "ferries-2025.md": (
        "Kuryk ferries arrive", "Steppe Post", None, "2025-12-20",
        "Two new Caspian ferries for Kazakhstan are already in Caspian waters. From next year six ferries "
        "are to run between Kuryk and Alat. Two more ferries will join each year until 2028. The Caspian "
        "ferries were built by a Chinese yard."),
}

question = "How have Kazakhstan's plans for Caspian ferries changed?"

# one sentence of the answer's own, so that what `more_sentences` adds is plain to see
short = engine_fixture("more-none", DOCS, max_answer_sentences=1, more_sentences=0)
longer = engine_fixture("more-two", DOCS, max_answer_sentences=1, more_sentences=2)


def test_more_sentences_follow_the_answers_own(short, longer) -> None:
    """The same question with two more sentences allowed: the answer keeps what it quoted and says more."""
    few, more = short.ask(question), longer.ask(question)
    assert not few.abstained and not more.abstained, (few.notes, more.notes)
    quoted_few, quoted_more = [st.text for st in few.statements], [st.text for st in more.statements]
    assert set(quoted_few) <= set(quoted_more), (quoted_few, quoted_more)
    assert len(quoted_more) > len(quoted_few), quoted_more


def test_the_refusal_checks_read_only_the_answers_own_sentences(longer) -> None:
    """"How many ferries …?" answered by a sentence without a number is refused even when a sentence added
    after it gives one: an aside never makes an unanswered question look answered."""
    asked = "How many ferries will run between Kuryk and Alat?"
    _, retrieval, _ = longer.prepare(asked)
    passages = retrieval.passages
    cited = next(p for p in passages if "six ferries" in p.chunk.text)
    own = Statement(text="The Caspian ferries were built by a Chinese yard.",
                    citations=[1])
    aside = Statement(text="From next year six ferries are to run between Kuryk and Alat.", citations=[1])

    def verified(detail: frozenset[str]):
        return longer._verified(asked, asked, [own, aside], [cited], passages, "extractive", [],
                                recency.read(asked), {}, detail)

    assert not verified(frozenset()).abstained  # read as the answer's own, the count answers
    refused = verified(frozenset({aside.text}))
    assert refused.abstained, [st.text for st in refused.statements]
