"""Who wrote it: a question for a piece's author is answered with its byline or its "Author:" field, through
the real pipeline (real embeddings, embedded Chroma, BM25), not with the piece's lead."""

from __future__ import annotations

import pytest

from answering.features import asks_author, states_author
from tests.conftest import engine_fixture

DOCS = {
    # the byline is in the text only: no author in the front matter
    "trend-textile.md": ("Turkish group looks at a textile plant in Kazakhstan's capital", "Trend", None,
                         "2020-10-27",
                         "BAKU, Azerbaijan, Oct. 27. By Nargiz Sadikhova – Trend:\n\n"
                         "Kayaturk Group, a Turkish company, wants to build a textile plant and a food store "
                         "in Nur-Sultan, the capital of Kazakhstan, Trend reports, citing the city "
                         "administration. The plans came up when the company's leaders met the head of the "
                         "city. The textile plant would make uniforms and workwear for local buyers."),
    "herald-grain.md": ("Kazakh grain heads south", "Caspian Herald", "Dana Sultan", "2021-03-02",
                        "Kazakhstan exports most of its wheat to Central Asia and Afghanistan. Grain moves "
                        "by rail to the Caspian ports of Aktau and Kuryk. A Turkish company plans a flour "
                        "mill near Kostanay."),
}


engine = engine_fixture("authors", DOCS)


def test_who_wrote_opens_with_the_byline_in_the_text(engine) -> None:
    answer = engine.ask("Who wrote Trend's report on Kayaturk Group's textile plant in Nur-Sultan?")
    assert not answer.abstained, answer.notes
    first = answer.statements[0]
    assert "By Nargiz Sadikhova" in first.text  # not the lead, "Kayaturk Group … wants to build …"
    assert answer.citations[first.citations[0] - 1].doc_id == "trend-textile"


@pytest.mark.parametrize("question", ["Who wrote the Caspian Herald piece on Kazakh grain exports?",
                                      "Who is the author of the article on Kazakh wheat going south?"])
def test_who_wrote_opens_with_the_author_field(engine, question) -> None:
    """Three words, "Author: Dana Sultan", were too short to be a candidate sentence, and the ranker's
    first stage, which reads words shared with the question, never chose it to embed."""
    answer = engine.ask(question)
    assert not answer.abstained, answer.notes
    first = answer.statements[0]
    assert first.text == "Author: Dana Sultan"
    assert answer.citations[first.citations[0] - 1].doc_id == "herald-grain"


def test_other_questions_do_not_open_with_a_byline(engine) -> None:
    answer = engine.ask("What does Kayaturk Group want to build in Nur-Sultan?")
    assert not answer.abstained and "Sadikhova" not in answer.statements[0].text


@pytest.mark.parametrize(("question", "asks"), [
    ("Who wrote the News.Az opinion piece?", True),
    ("who authored the report on the summit?", True),
    ("Who is the author of the interview with Engin Ozer?", True),
    ("Which journalist wrote the Trend report?", True),
    ("Whose article says the trade target is $15 billion?", True),
    ("Who said the trade target is $15 billion?", False),
    ("Who interviewed Engin Ozer?", False),  # an interviewer, not an author: the "Interviewer:" field
    ("What did the author of the report say about grain?", False),  # the author's words, not who
])
def test_author_questions(question, asks) -> None:
    assert asks_author(question) is asks


@pytest.mark.parametrize(("sentence", "states"), [
    ("BAKU, Azerbaijan, Oct. 27. By Nargiz Sadikhova – Trend:", True),
    ("By Tural Heybatov", True),
    ("Author: Dana Sultan", True),
    ("The report was written by two analysts of the institute.", True),
    ("Editor’s note: Teymur Atayev is an Azerbaijani publicist.", True),
    ("By 2050 Kazakhstan aims to raise the share of green energy.", False),
    ("By Feb. 20 the teams had saved seven people.", False),
    ("By his estimate, mining makes up 40% of the cost.", False),
    ("Trade grew by 12 percent, the ministry said.", False),
])
def test_sentences_that_state_an_author(sentence, states) -> None:
    assert states_author(sentence) is states
