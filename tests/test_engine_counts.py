""""How many <things>?" wants a number of those things: when the sentences chosen give numbers of something
else, the best candidate that counts the things asked about goes in (the same reading the refusal check
makes, answering.coverage.counted), through the real pipeline (real embeddings, embedded Chroma, BM25)."""

from __future__ import annotations

from tests.conftest import engine_fixture

DOCS = {
    "caspian-fleet.md": (
        "Kazakhstan plans a commercial fleet on the Caspian", "Caspian Herald", None, "2024-12-10",
        "Kazakhstan needs a commercial fleet of its own on the Caspian, to carry 5 million tonnes of cargo "
        "a year to Baku and beyond. Its ports at Aktau and Kuryk handled 2 million tonnes last year. Seven "
        "new vessels will be required, the minister said. A Turkish firm plans to build them at a yard in "
        "Kuryk."),
}

# one sentence per answer: the cap that left the counting sentence out is the whole answer here
engine = engine_fixture("counts", DOCS, max_answer_sentences=1)


def test_a_count_of_the_things_asked_about_goes_in(engine) -> None:
    answer = engine.ask("How many vessels does Kazakhstan need for its fleet on the Caspian?")
    assert not answer.abstained, answer.notes
    quoted = [st.text for st in answer.statements]
    assert any("Seven new vessels" in text for text in quoted), quoted


def test_a_question_it_does_not_count_is_still_refused(engine) -> None:
    """No sentence counts the yard's workers: the check still refuses (nothing is swapped in)."""
    answer = engine.ask("How many workers will the Turkish firm's yard in Kuryk employ?")
    assert answer.abstained


# Two projects in two documents: a count of one project's jobs is no count of the other's.
PROJECTS = {
    "kayaturk.md": (
        "A Turkish group plans a textile plant in Astana", "Steppe Post", None, "2021-03-02",
        "Kayaturk Group, a Turkish company, wants to build a textile plant and a food store in Astana. Its "
        "founder said the two projects would set up the manufacturing of goods in the city. The plans came "
        "up when the company's leaders met the city's mayor."),
    "windfarm.md": (
        "A wind farm for Zhanatas", "Caspian Wire", None, "2022-06-14",
        "The Zhanatas wind farm in the Zhambyl region is to be built by a Chinese and Kazakh venture. The "
        "regional governor said the wind farm would create 300 jobs for local people once it runs."),
}
projects = engine_fixture("count-anchor", PROJECTS)


def test_a_count_of_another_projects_jobs_is_no_answer(projects) -> None:
    """"How many jobs will Kayaturk Group's projects create?": the only count of jobs is the wind farm's, in a
    passage that never names Kayaturk, so the answer is a refusal that says so."""
    answer = projects.ask("How many jobs will Kayaturk Group's two projects in Astana create?")
    assert answer.abstained, [st.text for st in answer.statements]
    assert any("Kayaturk" in note for note in answer.notes), answer.notes


def test_a_count_of_the_named_projects_jobs_answers(projects) -> None:
    answer = projects.ask("How many jobs will the Zhanatas wind farm create?")
    assert not answer.abstained, answer.notes
    assert any("300 jobs" in st.text for st in answer.statements)


# A hospital named once, in the passage before the one that counts its operations ("the hospital").
HOSPITAL = {
    "heart-hospital.md": (
        "A Turkish heart hospital opens in Almaty", "Steppe Post", None, "2011-10-05",
        "The Sema Hospital, a Turkish clinic that specialises in heart disease, was officially opened in "
        "Almaty on Tuesday by the health ministers of both countries. The building has five floors and 120 "
        "beds, and its doctors trained in Istanbul and Ankara before they came to Kazakhstan. Its owners "
        "said they had chosen the city because patients from all over Central Asia travel there for "
        "treatment, and that a second branch could follow in the capital within a few years.\n\n"
        "Every month the hospital intends to perform 3,000 physical examinations, 300 angiographies and 100 "
        "bypass operations. So far its surgeons have carried out 150 procedures, most of them on patients "
        "who would otherwise have gone abroad. The clinic will also train local nurses and technicians in "
        "a programme that runs for two years, and it plans to work with the city's medical university on "
        "research into cardiac care, its director told reporters after the opening ceremony."),
    "windfarm.md": PROJECTS["windfarm.md"],
}
hospital = engine_fixture("count-anchor-doc", HOSPITAL)


def test_a_count_is_anchored_by_another_passage_of_its_document(hospital) -> None:
    """The passage that counts bypass operations says "the hospital"; another passage found in the same
    document names the Sema Hospital, so the count answers "How many … does the Sema Hospital …?"."""
    answer = hospital.ask("How many bypass operations a month does the Sema Hospital in Almaty intend to "
                          "perform?")
    assert not answer.abstained, answer.notes
    assert any("100 bypass operations" in st.text for st in answer.statements)
    counting = [c.quote for c in answer.citations if "100 bypass" in c.quote]
    assert counting and not any("Sema" in quote for quote in counting)  # the check had to look beside it


# A value asked "according to the <publisher> report": the publisher stands in no passage, only in the
# document's metadata.
ENVOYS = {
    "envoys.md": (
        "Armenian and Turkish envoys hold their first meeting", "ARKA", None, "2022-01-14",
        "The special envoys of Armenia and Turkey for normalising relations held their first meeting in "
        "Moscow. Turkey closed its border with Armenia in 1993 to show its solidarity with Azerbaijan. The "
        "envoys agreed to go on with the talks without preconditions."),
    "windfarm.md": PROJECTS["windfarm.md"],
}
envoys = engine_fixture("value-anchor-publisher", ENVOYS)


def test_a_value_is_anchored_by_its_documents_publisher(envoys) -> None:
    """"In what year did Turkey close its border with Armenia, according to the ARKA report …?": ARKA is a
    rare name of the question, named by the document's publisher, not its text (fresh-dev fd3320 was refused:
    "No passage found here states a date in a passage on ARKA")."""
    answer = envoys.ask("In what year did Turkey close its border with Armenia, according to the ARKA report "
                        "on the envoys' first meeting?")
    assert not answer.abstained, answer.notes
    assert any("1993" in st.text for st in answer.statements)
