"""An opening that reports a meeting brings the next sentence when it goes on with what the two sides did
("According to the ministry, the two sides talked about …"), through the real pipeline (real embeddings,
embedded Chroma, BM25)."""

from __future__ import annotations

from tests.conftest import engine_fixture

DOCS = {
    "asiaplus-flights.md": (
        "Tajikistan and Türkiye plan more flights between Dushanbe and Istanbul", "Asia-Plus", None,
        "2022-06-23",
        "Tajikistan and Türkiye intend to make the flights between their capitals more frequent. The matter "
        "came up in Dushanbe on June 22, when Tajikistan's Deputy Foreign Minister, Sharaf Sheralizoda, met "
        "Türkiye's Ambassador to Tajikistan, Emre Zeki Karagul. According to the information department of "
        "the Tajik Foreign Ministry, the two sides talked about adding flights between Dushanbe and "
        "Istanbul. Somon Air flies the route on Tuesdays, Fridays and Sundays."),
}

engine = engine_fixture("goes_on", DOCS)


def test_the_sentence_saying_what_the_two_sides_did_follows(engine) -> None:
    answer = engine.ask("What did Sharaf Sheralizoda and Emre Zeki Karagul discuss when they met in "
                        "Dushanbe?")
    assert not answer.abstained, answer.notes
    texts = [st.text for st in answer.statements]
    assert any("the two sides talked about adding flights" in t for t in texts), texts
