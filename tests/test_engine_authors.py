"""Who wrote it: a question for a piece's author is answered with its byline or its "Author:" field, through
the real pipeline (real embeddings, embedded Chroma, BM25), not with the piece's lead."""

from __future__ import annotations

import pytest

from answering.features import asks_author, is_byline, states_author
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
    # a byline that carries the date a question names
    "azernews-forum.md": ("Uzbek-Turkish business forum held in Tashkent", "AzerNews", None, "2017-12-25",
                          "By Kamila Aliyeva, 25 December 2017\n\n"
                          "An Uzbek-Turkish business forum took place in Tashkent on December 25. "
                          "Uzbekistan is now home to 700 companies with Turkish capital, and 100 of these "
                          "are representative offices. In Turkey, for their part, there are 114 companies "
                          "with Uzbek capital."),
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


@pytest.mark.parametrize("question", [
    "How many companies with Uzbek capital were there in Turkey in December 2017?",
    "What was said about companies with Turkish capital in Uzbekistan in December 2017?",
])
def test_a_byline_is_no_answer_to_a_question_that_names_its_date(engine, question) -> None:
    """The byline names the date asked about, and the ranker rated it near the best sentence: it was quoted as
    a statement about nothing asked. Only questions that ask who (wrote, said, interviewed) may quote one."""
    answer = engine.ask(question)
    assert not answer.abstained, answer.notes
    assert not any("Aliyeva" in st.text for st in answer.statements), [st.text for st in answer.statements]
    assert "companies" in answer.statements[0].text


def test_a_who_question_may_still_quote_the_byline(engine) -> None:
    answer = engine.ask("Which AzerNews correspondent reported on the Tashkent business forum?")
    assert not answer.abstained, answer.notes
    assert any("By Kamila Aliyeva" in st.text for st in answer.statements)


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
    ("By Kazinform | 1 October 2015", True),  # a news page's byline: one word, a bar, the date
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


@pytest.mark.parametrize(("sentence", "byline"), [
    ("BAKU, Azerbaijan, Oct. 27. By Nargiz Sadikhova – Trend:", True),
    ("By Kamila Aliyeva, 25 December 2017", True),
    ("By Ulviyya Shahin | 6 August 2024 | AzerNews", True),
    ("By Kazinform | 1 October 2015", True),
    ("By 24.kg | 14 April 2020", True),
    ("By Feb. 20 the teams had saved seven people.", False),
    ("Author: Dana Sultan", True),
    ("AzerNews, by Kamila Aliyeva.", True),  # a publisher's byline line
    ("The Astana Times, by Aidana Yergaliyeva", True),
    ("Trade grew, by 12 percent.", False),
    ("Kazakhstan, by President Tokayev's decree, set up a fund.", False),
    ("The report was written by two analysts of the institute.", False),  # prose: it may answer
    ("Editor’s note: Teymur Atayev is an Azerbaijani publicist.", False),  # it says who he is
    ("By 2050 Kazakhstan aims to raise the share of green energy.", False),
])
def test_bylines(sentence, byline) -> None:
    assert is_byline(sentence) is byline
