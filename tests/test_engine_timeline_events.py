"""A timeline's further events sit beside the sentence that introduced them, often without a word of the
question ("They were lifted in June 2024." after the restrictions): the answer quotes them even though the
sentence ranker never read them, through the real pipeline (real embeddings, embedded Chroma, BM25)."""

from __future__ import annotations

from tests.conftest import engine_fixture

DOCS = {
    "nca-saparov.md": (
        "Kazakhstan and Türkiye sign agriculture documents", "News Central Asia", None, "2024-08-23",
        "In 1998 the two ministries first signed a plant-health protocol. Kazakhstan's agriculture minister "
        "Aidarbek Saparov visited Ankara this week. Trade in agricultural "
        "products between the two countries reached $325 million by the end of 2023. Most Kazakh livestock "
        "products, however, were shut out of the Turkish market because of restrictions related to animal "
        "diseases. Some of these restrictions had been in force for about 20 years. They were lifted in June "
        "2024 after active negotiations. Kazakh companies that fatten and process cattle met Turkish buyers "
        "on August 12. Supplies can start once the Kazakh plants pass a veterinary inspection. The minister "
        "also visited a seed farm near Konya. Kazakh livestock farmers expect the Turkish market to take "
        "more beef. Turkish buyers of Kazakh livestock products prefer chilled meat. Access to the Turkish "
        "market matters to Kazakh exporters of wool and hides as well. Kazakh livestock products also go "
        "to China and Russia."),
    "localread-food.md": (
        "Kazakhstan wants to enter the European market through Turkey", "The Local Read", None, "2022-05-26",
        "Since the events in Ukraine, Turkish demand for Kazakh food products has gone up, the head of the "
        "exporters' association said. Turkey traditionally buys rice, buckwheat, beans and pasta from "
        "Kazakhstan. There is also demand for meat products, but that trade cannot be fully opened up "
        "without an agreed veterinary certificate. Kazakh livestock products could reach the Turkish market "
        "through new logistics hubs. Turkish access to Kazakh grain has changed little over the years."),
}

engine = engine_fixture("timeline-events", DOCS)

QUESTION = "How has access to the Turkish market for Kazakh livestock products changed over the years?"


def test_a_timeline_quotes_the_event_told_beside_the_quoted_sentence(engine) -> None:
    answer = engine.ask(QUESTION)
    assert not answer.abstained, answer.notes
    said = [st.text for st in answer.statements]
    assert any("shut out of the Turkish market" in t for t in said), said
    assert any("lifted in June 2024" in t for t in said), said


def test_an_event_far_from_every_quoted_sentence_is_not_quoted(engine) -> None:
    """Only the sentences just after a quoted one join: the 1998 protocol, before them in the passage, is
    another story, however new its year is to the answer."""
    said = [st.text for st in engine.ask(QUESTION).statements]
    assert not any("1998" in t for t in said), said
