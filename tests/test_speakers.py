"""Whose words a news sentence reports (answering.speakers): the name a sentence gives its speaker, "he"
resolved through the sentences before, and a surname given in full as the text first gives it."""

from __future__ import annotations

import pytest

from answering.speakers import full_name, named, reported, resolve
from corridor.records import Chunk, DocumentMeta, Passage, Statement


@pytest.mark.parametrize(("sentence", "name"), [
    ("Er stressed how much weight the agency gives to its work in Kyrgyzstan's health sector.", "Er"),
    ("Besides the competitions, a show programme will present ten ethnic sports, Kondybayev said.",
     "Kondybayev"),
    ("According to Raimkulova, the two states' ties are growing.", "Raimkulova"),
    ("Ali Hasanov, an adviser to Azerbaijan's president, said the deal was signed.", "Ali Hasanov"),
    ("In Kacır's view, working together could open new prospects.", "Kacır"),
    ("Prof. Dr. Ali Veli said that the course would start in May.", "Prof. Dr. Ali Veli"),
    ("The agreement was signed, said Aliyev.", "Aliyev"),
    ("Georgia's Finance Minister, Dimitry Kumsishvili, said trucks had problems.", "Dimitry Kumsishvili"),
    ("Talking to reporters after his speech, Bayraktar said the stake was 30 percent.", "Bayraktar"),
    ("A contract is ready, according to Ahmet Türkoğlu, chief executive of TPAO.", "Ahmet Türkoğlu"),
    ("Two agreements were signed, Transport Minister Ilkhom Makhkamov told Trend.",
     "Transport Minister Ilkhom Makhkamov"),
    ("Turkish construction companies, Erdoğan said, have finished more than 90 projects.", "Erdoğan"),
    ("Alnazarova then said that Kazakhstan was ready.", "Alnazarova"),
    ("In Astana, officials said the talks went well.", None),
    ("Kazakhstan, Türkiye and Azerbaijan said they would cooperate.", None),
    ("According to the ministry, Turkey received more tourists.", None),
    ("The minister said the talks went well.", None),  # a post names no one
    ("Both sides stressed the importance of transport links.", None),
    ("Kazakhstan and Türkiye stressed the importance of transport links.", None),  # two subjects
    ("On May 27 in Astana, Tokayev chaired the meeting.", None),  # no verb of saying
    ("He said the bridge would open in summer.", None),
    ("Wednesday Tokayev said the line would open.", "Tokayev"),  # a weekday is no given name
])
def test_the_name_a_sentence_gives_its_speaker(sentence: str, name: str | None) -> None:
    assert named(sentence) == name


def test_he_said_is_resolved_through_a_chain_of_he() -> None:
    before = ["He said work was moving fast.", "Masimov noted that the survey had begun."]
    assert resolve("He said the cable would be ready soon.", before) == "Masimov"


@pytest.mark.parametrize("before", [
    ["The weather was fine.", "Tokayev noted that trade had grown."],  # a sentence on something else between
    ["What did the minister say about the port?", "Tokayev noted that trade had grown."],  # a question
    [],
])
def test_he_said_stays_unresolved_when_no_safe_name(before: list[str]) -> None:
    assert resolve("He said the port would grow.", before) is None


@pytest.mark.parametrize(("name", "text", "full"), [
    ("Er", "The ceremony was attended by Mehmet Süreyya Er, TİKA's vice president.", "Mehmet Süreyya Er"),
    ("Fırat", "Turkey's ambassador to Bishkek Cengiz Kamil Fırat opened the hall.", "Cengiz Kamil Fırat"),
    ("Balayeva", "The Minister of Culture and Information Aida Balayeva came.", "Aida Balayeva"),
    ("Tokayev", "Kazakh President Kassym-Jomart Tokayev spoke.", "Kassym-Jomart Tokayev"),
    ("Dzhumatayeva", "It was paid by the Social Fund. Dzhumatayeva said so.", "Dzhumatayeva"),  # 2 sentences
    ("Demirok", "## Flights\nDemirok said more was to come.", "Demirok"),  # a heading line
    ("Aliyev", "Ilham Aliyev and Recep Tayyip Erdoğan met.", "Ilham Aliyev"),
    ("Ali Hasanov", "Ali Hasanov said so.", "Ali Hasanov"),  # already in full
    ("Erdoğan", "On Thursday Erdoğan opened the bridge.", "Erdoğan"),  # a weekday is no given name
    ("Tokayev", "In March President Tokayev came.", "Tokayev"),  # nor a month
])
def test_a_surname_is_given_as_the_text_first_gives_it_in_full(name: str, text: str, full: str) -> None:
    assert full_name(name, text) == full


def _passage(text: str, publisher: str) -> Passage:
    doc = DocumentMeta(doc_id="d", title="t", source="s", publisher=publisher, content_hash="h")
    return Passage(chunk=Chunk(chunk_id="c", doc_id="d", ordinal=1, text=text, start=0, end=len(text)),
                   doc=doc, score=1.0)


@pytest.mark.parametrize(("publisher", "speaker"), [
    ("Turkish Cooperation and Coordination Agency", "Mehmet Süreyya Er"),  # "er" inside "Cooperation"
    ("Trend News Agency", None),  # "Trend said" is the publisher speaking: its label already says so
])
def test_a_statement_gets_its_speaker_unless_it_is_the_publisher(publisher: str, speaker: str | None) -> None:
    text = ("The ceremony was attended by Mehmet Süreyya Er, the agency's vice president. Er stressed the "
            "agency's work. Trend said the talks went well.")
    sentence = "Er stressed the agency's work." if speaker else "Trend said the talks went well."
    [out] = reported([Statement(text=sentence, citations=[1])], {1: _passage(text, publisher)})
    assert out.speaker == speaker


def test_an_interview_speaker_stays() -> None:
    st = Statement(text="Er stressed the agency's work.", citations=[1], speaker="Engin Ozer")
    [out] = reported([st], {1: _passage("Er stressed the agency's work.", "News.Az")})
    assert out.speaker == "Engin Ozer"
