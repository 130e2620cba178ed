"""What an answer opens with, and what follows its opening, through the real pipeline (real embeddings,
embedded Chroma, BM25): a question asking when something happened ("In which year was Azercosmos set up …?")
opens with the sentence that dates that event, not with another sentence that gives a date (a visit "on
February 18"); an opening that reports a meeting brings the next sentence when it goes on with what the two
sides did ("According to the ministry, the two sides talked about …")."""

from __future__ import annotations

from tests.conftest import engine_fixture

DOCS = {
    "azernews-azercosmos.md": (
        "Turkish Space Agency delegation visits Azercosmos", "Azernews", None, "2021-02-19",
        "The head of the Turkish Space Agency, Serdar Huseyin Yildirim, spoke during a visit that the "
        "agency's delegation paid on February 18 to Azercosmos, Azerbaijan's satellite operator. Azercosmos "
        "OJSC was set up in 2010. It was the South Caucasus's first satellite operator and is still its only "
        "one. It sells satellite services for telecommunications and geographic intelligence."),
    "asiaplus-flights.md": (
        "Tajikistan and Türkiye plan more flights between Dushanbe and Istanbul", "Asia-Plus", None,
        "2022-06-23",
        "Tajikistan and Türkiye intend to make the flights between their capitals more frequent. The matter "
        "came up in Dushanbe on June 22, when Tajikistan's Deputy Foreign Minister, Sharaf Sheralizoda, met "
        "Türkiye's Ambassador to Tajikistan, Emre Zeki Karagul. According to the information department of "
        "the Tajik Foreign Ministry, the two sides talked about adding flights between Dushanbe and "
        "Istanbul. Somon Air flies the route on Tuesdays, Fridays and Sundays."),
}

engine = engine_fixture("openings", DOCS)


def test_the_date_of_the_event_asked_about_opens(engine) -> None:
    answer = engine.ask("In which year was Azercosmos set up, and what place does it hold among the "
                        "satellite operators of the South Caucasus?")
    assert not answer.abstained, answer.notes
    assert "set up in 2010" in answer.statements[0].text, [st.text for st in answer.statements]


def test_the_sentence_saying_what_the_two_sides_did_follows(engine) -> None:
    answer = engine.ask("What did Sharaf Sheralizoda and Emre Zeki Karagul discuss when they met in "
                        "Dushanbe?")
    assert not answer.abstained, answer.notes
    texts = [st.text for st in answer.statements]
    assert any("the two sides talked about adding flights" in t for t in texts), texts
