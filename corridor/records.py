"""The typed records every stage speaks: document → chunk → passage → citation → answer.

ingest/ makes Documents and Chunks, vectorstore/ returns Passages, bot/ turns passages into an Answer
whose statements carry Citations. Front ends (CLI, Discord, eval) only read these records.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

SpeakerRole = Literal["interviewer", "interviewee"]
GONE_NOTE = "(no longer available at the source)"  # added to the citation title of a stale document


def date_span(iso: str | None) -> tuple[date, date] | None:
    """The first and last day a document's date covers: the day of "2025-08-04", the month of "2023-05", the
    year of "2019" (a source that gives no day); None for no date or another shape."""
    if not iso:
        return None
    try:
        if len(iso) == 4:
            return date(int(iso), 1, 1), date(int(iso), 12, 31)
        if len(iso) == 7:
            first = date.fromisoformat(f"{iso}-01")
            return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
        day = date.fromisoformat(iso)
    except ValueError:
        return None
    return day, day


def parse_iso(value: str | None) -> date | None:
    """A document's ISO date (YYYY-MM-DD; a month's or a year's first day for "2023-05" or "2019", which
    order and year checks read), or None when it has none or another shape."""
    found = date_span(value[:10]) if value else None
    return found[0] if found else None


class DocumentMeta(BaseModel):
    """What is known about one source document, without its text."""

    doc_id: str  # stable: derived from the source path (relative to the corpus) or the URL
    title: str
    source: str  # the path or URL it was read from
    url: str | None = None  # a public link for citations, when the document names one
    publisher: str | None = None
    author: str | None = None
    date: str | None = None  # ISO date (YYYY-MM-DD, or YYYY-MM / YYYY at the precision the source gives)
    licence: str | None = None
    content_hash: str  # sha256 of the cleaned text plus the metadata above
    stale: bool | None = None  # set by `corridor refresh` when the URL now answers 404/410 (not hashed)

    def chroma_metadata(self) -> dict[str, Any]:
        """The DocumentMeta fields as flat Chroma metadata (None values dropped; a Document's text and
        structure stay out)."""
        return {k: v for k in DocumentMeta.model_fields if (v := getattr(self, k)) is not None}


class Document(DocumentMeta):
    """A cleaned document: its text is what chunk spans and citations point into.

    The text opens with an "about" block of facts (Title, Author, Interviewer, Interviewee, Publisher,
    Published lines) when the source gives more than a title, so bylines and dates can be quoted and cited.
    """

    text: str
    about_end: int = 0  # text[:about_end] is the about block (0: none)
    page_starts: list[int] = Field(default_factory=list)  # PDFs: where each page starts in text
    interviewer: str | None = None  # interviews: who asks (from front matter or the text)
    interviewee: str | None = None  # interviews: who answers


class Chunk(BaseModel):
    """A span of one document's cleaned text, the unit that is embedded and retrieved."""

    chunk_id: str  # stable: the same document id, position and text give the same id
    doc_id: str
    ordinal: int  # 0-based position among the document's chunks
    text: str
    start: int  # character span in Document.text: text == document.text[start:end]
    end: int
    heading: str | None = None  # the nearest heading above the chunk
    kind: str | None = None  # "about" (the facts block), "turn" (an interview question and answer), "byline"
    page: int | None = None  # 1-based PDF page the chunk starts on
    speaker: str | None = None  # interviews: who says the chunk's answer (or asks, for a bare question)
    speaker_role: SpeakerRole | None = None
    question: str | None = None  # interviews: the interviewer's question this chunk answers


class Passage(BaseModel):
    """A chunk found for a question, with its document's metadata and how it was found."""

    chunk: Chunk
    doc: DocumentMeta
    score: float  # the fused score that ordered the results (higher is better)
    dense_score: float | None = None  # cosine similarity to the question, when dense search saw it
    lexical_score: float | None = None  # BM25 score, when lexical search saw it
    rerank_score: float | None = None
    rank: int = 0  # 1-based position in the final list


class Citation(BaseModel):
    """A numbered pointer from an answer to the exact passage that supports it."""

    number: int
    doc_id: str
    title: str
    url: str | None = None
    date: str | None = None
    chunk_id: str
    start: int
    end: int
    heading: str | None = None
    quote: str  # the passage text as stored (chunk text)
    publisher: str | None = None
    author: str | None = None  # the document's author (an interview's interviewer)
    speaker: str | None = None  # who says the quoted passage (interviews), when known
    speaker_role: SpeakerRole | None = None
    page: int | None = None  # 1-based PDF page

    @classmethod
    def from_passage(cls, number: int, passage: Passage) -> Citation:
        c, d = passage.chunk, passage.doc
        title = f"{d.title} {GONE_NOTE}" if d.stale else d.title
        return cls(
            number=number, doc_id=d.doc_id, title=title, url=d.url, date=d.date,
            chunk_id=c.chunk_id, start=c.start, end=c.end, heading=c.heading, quote=c.text,
            publisher=d.publisher, author=d.author, speaker=c.speaker, speaker_role=c.speaker_role,
            page=c.page,
        )


class Statement(BaseModel):
    """One sentence of an answer and the citation numbers that back it."""

    text: str
    citations: list[int] = Field(default_factory=list)
    support: float = 1.0  # how well the cited passage supports the sentence (0..1)
    flagged: bool = False  # kept, but the check found weak support
    # Who said it and when, from the first cited passage (None when unknown):
    speaker: str | None = None  # whose words: an interviewee, or whom a news sentence reports (speakers.py)
    source: str | None = None  # the document's publisher, else its author, else its title (short)
    date: str | None = None  # the document's ISO date

    @property
    def attribution(self) -> str | None:
        """"Engin Ozer (News.Az, 2025-08-04)", "News.Az (2025-08-04)", "Wikipedia" — or None."""
        who = self.speaker or self.source
        where = self.source if self.speaker and self.source != self.speaker else None
        inner = ", ".join(x for x in (where, self.date) if x)
        if who:
            return f"{who} ({inner})" if inner else who
        return self.date


class Turn(BaseModel):
    """One exchange in a conversation, kept for follow-up questions."""

    question: str
    standalone: str
    answer: str


class Answer(BaseModel):
    """What the engine returns: statements with verified citations, or an honest abstention."""

    question: str
    standalone_question: str  # the question as retrieved, after follow-up rewriting
    statements: list[Statement] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    abstained: bool = False
    closest_sources: list[DocumentMeta] = Field(default_factory=list)  # shown when abstaining
    mode: str = "extractive"
    notes: list[str] = Field(default_factory=list)  # e.g. "the LLM timed out; extractive answer"
    latency_ms: float = 0.0
    # llm mode only: which model wrote (or was asked to write) the answer, and how fast it was
    model: str | None = None
    ttft_ms: float | None = None  # request sent → first token
    tokens_per_s: float | None = None  # generation speed after the first token
    # the chunks the question's own search found, in its order (before the engine added dated, newer or
    # part passages): what `corridor eval` scores retrieval on; not serialised
    retrieved: list[Chunk] | None = Field(default=None, exclude=True, repr=False)

    @property
    def text(self) -> str:
        """The answer as prose with [n] markers after each statement."""
        if self.abstained:
            return self.statements[0].text if self.statements else ""
        parts = []
        for s in self.statements:
            marks = "".join(f"[{n}]" for n in s.citations)
            parts.append(f"{s.text} {marks}".strip())
        return " ".join(parts)


class IngestReport(BaseModel):
    """The summary every ingest run ends with."""

    added: list[str] = Field(default_factory=list)  # doc ids
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    failed: dict[str, str] = Field(default_factory=dict)  # source → short reason
    chunks_written: int = 0
    chunks_embedded: int = 0  # chunks whose embedding had to be computed (reused ones excluded)
    multilingual_chunks_embedded: int = 0  # the same, for the multilingual lane (settings.multilingual_lane)
    seconds: float = 0.0


class SourceInfo(BaseModel):
    """One document in the store, as `corridor sources` lists it."""

    doc_id: str
    title: str
    date: str | None = None
    url: str | None = None
    source: str
    chunks: int
