"""A dateline on a line of its own ("ASTANA, 4 September 2015. Kazinform.") says only where and when a piece
was filed: it is not quoted as a statement, except when the question asks for a date; a date line without a
place ("27 November 2021.", "Qazaq TV, 2017.") is a dateline too, through the real
pipeline (real embeddings, embedded Chroma, BM25)."""

from __future__ import annotations

import pytest

from answering.features import asks_date, is_dateline
from tests.conftest import engine_fixture

DOCS = {
    "kazinform-commission.md": (
        "Kazakh-Turkish defence industry commission meets in Astana", "Kazinform", None, "2015-09-04",
        "ASTANA, 4 September 2015. Kazinform.\n\n"
        "The 8th meeting of the Kazakh-Turkish commission on cooperation in the defence industry has taken "
        "place in Astana. Experts of the two countries went through a draft roadmap for cooperation in the "
        "military-industrial sector in 2016-2018."),
    "trend-plan.md": (
        "Kazakhstan and Türkiye sign a military cooperation plan", "Trend", None, "2023-11-10",
        "Kazakhstan and Türkiye signed a plan of military cooperation for 2024. The plan covers joint "
        "exercises, military education and the defence industry."),
    "ncA-health.md": (
        "Uzbek and Turkish health ministers sign a roadmap", "nCa", None, "2019-02-20",
        "20 February 2019.\n\n"
        "Uzbekistan's health minister and his Turkish counterpart signed a roadmap on medical cooperation in "
        "Istanbul. The roadmap covers joint clinics and the training of doctors."),
    "azertac-park.md": (
        "Azerbaijani and Turkish ministers discuss a joint technology park", "AZERTAC", None, "2022-05-28",
        "Baku, May 28. Rashad Nabiyev, Azerbaijan's Minister of Digital Development and Transport, met "
        "Mustafa Varank, Türkiye's Minister of Industry and Technology. The ministers discussed a joint "
        "technology park and training for engineers."),
}

engine = engine_fixture("datelines", DOCS)


@pytest.mark.parametrize("sentence", ["ASTANA, 4 September 2015. Kazinform.",
                                      "BAKU, Azerbaijan, June 12. Trend.", "ALMATY, May 3 (Kazinform).",
                                      "ANKARA, Dec. 4 - Anadolu Agency"])
def test_a_dateline_alone_is_a_dateline(sentence) -> None:
    assert is_dateline(sentence)


def test_a_title_case_dateline_dates_its_lead(engine) -> None:
    """"Baku, May 28." opens the lead in title case: it stays with the sentence it dates, so "On what day
    …?" is answered by the lead (fd2566 was refused: the lead alone named no day, and a dateline quoted
    alone is the day the piece was filed)."""
    answer = engine.ask("On what day in May did Rashad Nabiyev meet Mustafa Varank?")
    assert not answer.abstained, answer.notes
    assert answer.statements[0].text.startswith("Baku, May 28. Rashad Nabiyev"), answer.statements[0].text


@pytest.mark.parametrize("sentence", ["Baku, May 28.", "Ankara, 24 April 2024. OTS Secretariat."])
def test_a_title_case_dateline_alone_is_a_dateline(sentence) -> None:
    assert is_dateline(sentence)


@pytest.mark.parametrize("sentence", ["ASTANA, April 9. On Tuesday the health ministers met in Astana.",
                                      "The meeting was held in Astana on 4 September 2015.",
                                      "Kazakhstan, Turkey."])
def test_a_sentence_with_content_is_not(sentence) -> None:
    assert not is_dateline(sentence)


@pytest.mark.parametrize("sentence", ["27 November 2021.", "*Qazaq TV, 2017.*", "Saturday 23 July 2011.",
                                      "EastFruit, February 2023.", "7 April 2025. nCa (News Central Asia).",
                                      "Baku, October 24, AZERTAC.", "AKTAU – Kazinform, 1 October 2025."])
def test_a_date_alone_is_a_date_line(sentence) -> None:
    assert is_dateline(sentence)


@pytest.mark.parametrize("sentence", ["By Kamila Aliyeva, 25 December 2017", "Kazakhstan 2030",
                                      "The roadmap was signed on 20 February 2019.", "It cost $44 million.",
                                      "In 2017."])
def test_a_byline_or_a_sentence_is_no_date_line(sentence) -> None:
    assert not is_dateline(sentence)


def test_a_timeline_does_not_quote_a_date_line(engine) -> None:
    """A piece's date line without a place ("20 February 2019.") opened timeline answers as a statement of
    nothing asked (fd1672); the signing's own sentence is quoted, its date shown by its citation."""
    answer = engine.ask("How did health cooperation between Uzbekistan and Türkiye develop from 2019 to "
                        "2023?")
    assert not answer.abstained, answer.notes
    assert not any(is_dateline(st.text) for st in answer.statements), [st.text for st in answer.statements]
    assert any("signed a roadmap" in st.text for st in answer.statements)


def test_a_timeline_does_not_quote_the_dateline(engine) -> None:
    """The timeline's chooser adds a sentence for each further year a quoted passage names; the dateline
    names 2015 and was quoted, and opened the answer, as a statement about nothing asked."""
    answer = engine.ask("How did the documents guiding Kazakh-Turkish military cooperation change from 2015 "
                        "to 2023?")
    assert not answer.abstained, answer.notes
    assert not any(is_dateline(st.text) for st in answer.statements), [st.text for st in answer.statements]
    assert any("2016-2018" in st.text for st in answer.statements)


@pytest.mark.parametrize(("question", "asks"), [
    ("When did the commission meet?", True),
    ("When and where did the commission meet?", True),
    ("Who signed the plan, and when?", True),
    ("What did the minister say about when the park would open?", True),
    ("In which year was the roadmap signed?", True),
    ("What did the mayors discuss when they met at the end of September 2015?", False),
    ("Who met Tokayev at the airport when he arrived in Türkiye?", False),
])
def test_a_when_clause_inside_a_question_asks_for_no_date(question, asks) -> None:
    assert asks_date(question) is asks


def test_a_question_with_a_when_clause_does_not_quote_the_dateline(engine) -> None:
    """"What did they discuss when they met …?" asks what, not when: its "when" let the dateline in, and it
    opened a fresh-dev answer (fd4866) as a statement of nothing asked."""
    answer = engine.ask("What did the experts of the Kazakh-Turkish defence industry commission go through "
                        "when they met in Astana in September 2015?")
    assert not answer.abstained, answer.notes
    assert not any(is_dateline(st.text) for st in answer.statements), [st.text for st in answer.statements]
    assert any("roadmap" in st.text for st in answer.statements)
