"""A "when" question asks the date of an event: through the real pipeline (a small corpus ingested with real
embeddings into embedded Chroma, asked through the Engine), the date of another event of the same body does
not answer it, and a dated sentence that says "They" answers with the sentence before it naming the event."""

from __future__ import annotations

from datetime import date

from tests.conftest import engine_fixture

DOCS = {
    "elders-ashgabat.md": ("Council of Elders meets in Ashgabat", "Steppe Post", None, "2024-03-13",
                           "The Council of Elders of the Organization of Turkic States held its 15th meeting "
                           "in Ashgabat on 12 March 2024. The elders discussed cultural heritage and "
                           "cooperation among the member states. The next meeting is planned in Budapest."),
    "business-forum.md": ("A forum for Turkic business", "Asia Wire", None, "2022-05-02",
                          "The heads of the chambers of commerce agreed to set up a Turkic Business Forum. "
                          "They did so at a meeting in Baku in September 2019. The forum brings together "
                          "companies from Azerbaijan, Kazakhstan, Kyrgyzstan, Türkiye and Uzbekistan."),
}

engine = engine_fixture("events", DOCS, date(2026, 12, 2))


def test_the_date_of_another_event_does_not_say_when_a_body_was_set_up(engine) -> None:
    refused = engine.ask("In which year was the Council of Elders of the Turkic States set up?")
    assert refused.abstained and not refused.citations
    assert "No passage found here states a date for “set up” in answer to this question." in refused.notes
    answered = engine.ask("When did the Council of Elders hold its 15th meeting?")
    assert not answered.abstained and "12 March 2024" in answered.text


def test_a_dated_sentence_is_read_with_the_sentence_before_it(engine) -> None:
    answer = engine.ask("When was the Turkic Business Forum set up?")
    assert not answer.abstained, answer.notes
    assert "September 2019" in answer.text
