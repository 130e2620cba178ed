"""A question asking when something happened ("In which year was Azercosmos set up …?") opens with the
sentence that dates that event, not with another sentence that gives a date (a visit "on February 18"),
through the real pipeline (real embeddings, embedded Chroma, BM25)."""

from __future__ import annotations

from tests.conftest import engine_fixture

DOCS = {
    "azernews-azercosmos.md": (
        "Turkish Space Agency delegation visits Azercosmos", "Azernews", None, "2021-02-19",
        "The head of the Turkish Space Agency, Serdar Huseyin Yildirim, spoke during a visit that the "
        "agency's delegation paid on February 18 to Azercosmos, Azerbaijan's satellite operator. Azercosmos "
        "OJSC was set up in 2010. It was the South Caucasus's first satellite operator and is still its only "
        "one. It sells satellite services for telecommunications and geographic intelligence."),
}

engine = engine_fixture("event_dates", DOCS)


def test_the_date_of_the_event_asked_about_opens(engine) -> None:
    answer = engine.ask("In which year was Azercosmos set up, and what place does it hold among the "
                        "satellite operators of the South Caucasus?")
    assert not answer.abstained, answer.notes
    assert "set up in 2010" in answer.statements[0].text, [st.text for st in answer.statements]
