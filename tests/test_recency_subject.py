"""recency.chooser on a latest question: the newest source's sentence joins when it is on the question's
subject, and its document's title counts for that ("An Uzbek-Turkish industrial zone, Ostim, is launched":
its lead repeats none of the question's rare words that the title already has, which the ranker's own
coverage leaves out), while a newer sentence on another subject still does not."""

from __future__ import annotations

from datetime import date

from answering import recency
from answering.extractive import Candidate
from answering.features import SentenceFacts
from corridor.records import Chunk, DocumentMeta, Passage

QUESTION = "What is the most recent step toward a Turkish OSTIM-style industrial zone in Central Asia?"


def _candidate(doc: str, day: str, title: str, text: str, score: float, rare: float,
               on_subject: float) -> Candidate:
    meta = DocumentMeta(doc_id=doc, title=title, source=f"{doc}.md", date=day, content_hash=doc)
    chunk = Chunk(chunk_id=doc, doc_id=doc, ordinal=0, text=text, start=0, end=len(text))
    facts = SentenceFacts(asked=False, question_index=None, answer_opening=False, intro=True, position=0.0)
    return Candidate(Passage(chunk=chunk, doc=meta, score=1.0), 0, len(text), text, facts, rare=[rare],
                     on_subject=[on_subject], score=[score])


def _chosen_and_ranked() -> tuple[list[Candidate], list[Candidate]]:
    old = _candidate("bishkek", "2021-06-12", "Kyrgyzstan plans an OSTIM-style zone",
                     "A system like Turkey's OSTIM industrial zone is to be set up in Bishkek.", 0.94, 0.4,
                     0.6)
    new = _candidate("tashkent", "2024-11-29", "An Uzbek-Turkish industrial zone, Ostim, is launched",
                     "The cluster was launched in the Zangiata district, the press service said.", 0.80, 0.0,
                     0.6)
    other = _candidate("flights", "2025-05-01", "New flights to Antalya",
                       "Weekly flights to Antalya rose to eleven this spring, the airline said.", 0.78, 0.0,
                       0.05)
    return [old], [old, new, other]


def test_the_newest_source_on_the_subject_by_its_title_joins_a_latest_answer() -> None:
    ask = recency.read(QUESTION, date(2026, 12, 2))
    assert ask.latest
    chosen, ranked = _chosen_and_ranked()
    out = recency.chooser(ask, QUESTION)(chosen, ranked)
    assert [c.passage.doc.doc_id for c in out] == ["bishkek", "tashkent"]  # not the newer flights item


def test_without_the_title_the_newest_source_is_off_the_subject() -> None:
    """The same sentence with no title to put it on the subject (on_subject as low as its own coverage)."""
    ask = recency.read(QUESTION, date(2026, 12, 2))
    chosen, ranked = _chosen_and_ranked()
    ranked[1].on_subject = [0.0]
    out = recency.chooser(ask, QUESTION)(chosen, ranked)
    assert [c.passage.doc.doc_id for c in out] == ["bishkek"]


def test_a_newer_side_remark_does_not_hide_the_newest_source_on_the_subject() -> None:
    """fd1790: the answer had kept a 2024 sentence on another subject (a side remark the ranker rated close),
    so the 2019 text naming Garibashvili, newer than the 2013 opening, was taken for older than what was
    quoted; and its sentence scored under the ranker's share for a further sentence, though on the subject."""
    question = "What office does Irakli Garibashvili hold in the most recent text that names him?"
    ask = recency.read(question, date(2026, 12, 2))
    assert ask.latest
    old = _candidate("messenger", "2013-12-12", "Georgia and Turkey connect their grids",
                     "On December 11 Georgia's Prime Minister, Irakli Garibashvili, opened the line.",
                     0.77, 0.48, 0.48)
    aside = _candidate("azernews", "2024-07-07", "The Garabagh Declaration",
                       "According to the author, the new text widens the spirit of the Shusha Declaration.",
                       0.28, 0.15, 0.15)
    new = _candidate("trend", "2019-12-25", "Turkey helps Georgia's military logistics",
                     "Georgia's Defence Minister, Irakli Garibashvili, signed the agreement in Ankara.",
                     0.21, 0.48, 0.48)
    out = recency.chooser(ask, question)([old, aside], [old, aside, new])
    assert [c.passage.doc.doc_id for c in out] == ["messenger", "azernews", "trend"]
