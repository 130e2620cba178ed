""""How did X develop from <a time> to <another time>?": each end of the timeline is quoted from a document of
its time, even when the later document's sentence shares few of the question's words, through the real
pipeline (real embeddings, embedded Chroma, BM25)."""

from __future__ import annotations

from datetime import date

from tests.conftest import engine_fixture

DOCS = {
    "visit-2021.md": (
        "Turkish investors look at Kyrgyzstan", "Bishkek Wire", None, "2021-06-12",
        "Many Turkish business people are interested in investing in Kyrgyzstan, the Kyrgyz investment "
        "minister said after President Japarov's official visit to Turkey. Turkish investors are "
        "interested in light industry, agriculture, logistics and hydropower, he said. Japarov called "
        "economic cooperation a priority of Kyrgyz-Turkish relations."),
    "deal-2025.md": (
        "Orta Asya signs for two plants", "Caspian Wire", None, "2025-08-11",
        "Orta Asya Investment Holding signed definitive agreements with the Ministry of Energy in Bishkek on "
        "two large plants on the Naryn river. The agreements are worth up to $10 billion. The state "
        "guarantees to buy the electricity the plants produce."),
    "solar-2024.md": (
        "Kyrgyz solar plans", "Steppe Post", None, "2024-03-03",
        "Kyrgyzstan plans its first large solar farms near Issyk-Kul with Chinese investors, the energy "
        "ministry said. Turkish firms were not among the bidders for the solar tender this year."),
}
engine = engine_fixture("timeline-ends", DOCS, date(2026, 12, 2))


def test_each_end_of_a_timeline_is_quoted_from_a_document_of_its_time(engine) -> None:
    answer = engine.ask("How did Turkish involvement in Kyrgyzstan's hydropower develop from Japarov's visit "
                        "to Turkey in 2021 to August 2025?")
    assert not answer.abstained, answer.notes
    dates = {s.date for s in answer.statements}
    assert any(d and d.startswith("2021") for d in dates), [(s.date, s.text) for s in answer.statements]
    assert any(d and d.startswith("2025-08") for d in dates), [(s.date, s.text) for s in answer.statements]
