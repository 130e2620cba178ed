"""A dateline on a line of its own ("ASTANA, 4 September 2015. Kazinform.") says only where and when a piece
was filed: it is not quoted as a statement, except when the question asks for a date, through the real
pipeline (real embeddings, embedded Chroma, BM25)."""

from __future__ import annotations

import pytest

from answering.features import is_dateline
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
}

engine = engine_fixture("datelines", DOCS)


@pytest.mark.parametrize("sentence", ["ASTANA, 4 September 2015. Kazinform.",
                                      "BAKU, Azerbaijan, June 12. Trend.", "ALMATY, May 3 (Kazinform).",
                                      "ANKARA, Dec. 4 - Anadolu Agency"])
def test_a_dateline_alone_is_a_dateline(sentence) -> None:
    assert is_dateline(sentence)


@pytest.mark.parametrize("sentence", ["ASTANA, April 9. On Tuesday the health ministers met in Astana.",
                                      "The meeting was held in Astana on 4 September 2015.",
                                      "Kazakhstan, Turkey."])
def test_a_sentence_with_content_is_not(sentence) -> None:
    assert not is_dateline(sentence)


def test_a_timeline_does_not_quote_the_dateline(engine) -> None:
    """The timeline's chooser adds a sentence for each further year a quoted passage names; the dateline
    names 2015 and was quoted, and opened the answer, as a statement about nothing asked."""
    answer = engine.ask("How did the documents guiding Kazakh-Turkish military cooperation change from 2015 "
                        "to 2023?")
    assert not answer.abstained, answer.notes
    assert not any(is_dateline(st.text) for st in answer.statements), [st.text for st in answer.statements]
    assert any("2016-2018" in st.text for st in answer.statements)
