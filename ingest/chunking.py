"""Split a cleaned document into overlapping chunks that respect its structure, paragraphs and sentences.

The document is first cut into units: the about block (byline, publisher, date), each interview turn (a
question with its answer: one chunk when it fits, else answer pieces that all carry the question and the
speaker), a closing byline, and running text. Running text is split by paragraphs, then sentences.
Each chunk records its exact span in the document text (text == document.text[start:end]), its ordinal,
the nearest Markdown heading above it and, for PDFs, its page; its id is a hash of (doc_id, ordinal, text),
so it is stable.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from corridor.records import Chunk, Document, SpeakerRole

from .clean import headings, speaker_name
from .interview import find_turns, labelled_answers

# Paragraphs first, then lines, then sentence ends, then words (regexes: the sentence one is a lookbehind).
# A sentence may end in footnote markers: "…exclave.[12][13] This route…"; "U.S." and "J." end none.
SEPARATORS = [r"\n\n", r"\n", r"(?<=[.!?…])(?<!\.[A-Z]\.)(?<![\s(][A-Z]\.)\s+",
               r"(?<=[.!?…]\])\s+|(?<=\d\])\s+(?=[A-Z])", r"(?<=[;:])\s+",
              r" ", r""]


def chunk_id(doc_id: str, ordinal: int, text: str) -> str:
    return hashlib.sha256(f"{doc_id}\x00{ordinal}\x00{text}".encode()).hexdigest()[:32]


def splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        chunk_size=chunk_size, chunk_overlap=min(chunk_overlap, max(0, chunk_size - 1)),
        separators=SEPARATORS, is_separator_regex=True, keep_separator="start", strip_whitespace=True,
    )


MIN_CHUNK_CHARS = 80  # a shorter piece (a lone heading, a title line) is folded into the next one


def _fold_short(text: str, pieces: list[str]) -> list[str]:
    """Join a piece that is only a heading or a few words to the piece after it, as the document has it
    (text[start of the short piece : end of the next]): alone it would be retrieved for its title and
    answer nothing."""
    out: list[str] = []
    carry: str | None = None
    cursor = 0
    for piece in pieces:
        if carry is not None:
            start = text.find(carry, cursor)
            nxt = text.find(piece, start + 1) if start >= 0 else -1
            if start >= 0 and nxt >= 0:
                piece = text[start:nxt + len(piece)]
                cursor = start
            else:
                out.append(carry)
            carry = None
        if len(piece) < MIN_CHUNK_CHARS:
            carry = piece
            continue
        out.append(piece)
        found = text.find(piece, cursor)
        cursor = found + 1 if found >= 0 else cursor
    if carry is not None:
        out.append(carry)
    return out


@dataclass
class Unit:
    """A stretch of the document chunked on its own, with what its chunks carry."""

    start: int
    end: int
    kind: str | None = None
    answer_start: int | None = None  # turns: where the answer begins (the question comes before)
    speaker: str | None = None
    speaker_role: SpeakerRole | None = None
    question: str | None = None


def units(doc: Document) -> list[Unit]:
    """The about block, interview turns, a closing byline and the running text between them, in order."""
    out: list[Unit] = []
    if doc.about_end:
        out.append(Unit(0, doc.about_end, kind="about"))
    body = doc.about_end + 2 if doc.about_end else 0
    cursor = body
    for t in find_turns(doc.text[body:], interview_hint=bool(doc.interviewee)):
        if doc.text[cursor:body + t.start].strip():
            out.append(Unit(cursor, body + t.start))
        out.append(Unit(body + t.start, body + t.end, kind="turn", answer_start=body + t.answer_start,
                        speaker=speaker_name(t.answerer, doc.interviewee), speaker_role="interviewee",
                        question=t.question))
        cursor = body + t.end
    if doc.text[cursor:].strip():
        closing = any(u.kind == "turn" for u in out) and len(doc.text[cursor:].strip()) < MIN_CHUNK_CHARS
        out.append(Unit(cursor, len(doc.text), kind="byline" if closing else None))
    return _by_page(out, doc.page_starts)


def _by_page(found: list[Unit], page_starts: list[int]) -> list[Unit]:
    """Running text cut at PDF page starts, so every chunk lies on the one page it cites."""
    out: list[Unit] = []
    for u in found:
        if u.kind is not None:
            out.append(u)
            continue
        cuts = [p for p in page_starts if u.start < p < u.end]
        out.extend(Unit(a, b) for a, b in zip([u.start, *cuts], [*cuts, u.end], strict=True))
    return out


def _locate(text: str, pieces: list[str], offset: int) -> list[tuple[int, int]]:
    """Each piece's span in text, shifted by offset (the splitter keeps separators: each is a substring)."""
    spans = []
    cursor = 0
    for piece in pieces:
        start = text.find(piece, cursor)
        if start < 0:  # the splitter can repeat a piece at the very end of a text: take its last place
            start = text.rfind(piece)
        if start < 0:  # cannot happen with keep_separator; refuse rather than store a wrong span
            raise RuntimeError("chunk not found in its text")
        spans.append((offset + start, offset + start + len(piece)))
        cursor = start + 1
    return spans


def _unit_spans(doc: Document, unit: Unit, chunk_size: int, chunk_overlap: int) -> list[tuple[int, int]]:
    text = doc.text[unit.start:unit.end]
    if unit.kind in ("about", "byline") or (unit.kind == "turn" and len(text.strip()) <= chunk_size):
        lead = len(text) - len(text.lstrip())
        return [(unit.start + lead, unit.start + len(text.rstrip()))]
    if unit.kind == "turn":  # too long: split the answer; the first piece keeps the question in front
        answer = doc.text[unit.answer_start:unit.end]
        room = max(chunk_size - (unit.answer_start - unit.start), chunk_size // 2)
        first = splitter(room, 0).split_text(answer)[0]
        first_end = answer.find(first) + len(first)
        rest = answer[first_end:]
        pieces = _fold_short(rest, splitter(chunk_size, chunk_overlap).split_text(rest)) if rest.strip() \
            else []
        return [(unit.start, unit.answer_start + first_end),
                *_locate(rest, pieces, unit.answer_start + first_end)]
    pieces = _fold_short(text, splitter(chunk_size, chunk_overlap).split_text(text))
    return _locate(text, pieces, unit.start)


def chunk_document(doc: Document, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """The document's chunks, in order, with spans into doc.text and the structure they belong to."""
    marks = headings(doc.text)
    positions = [p for p, _ in marks]
    chunks: list[Chunk] = []
    spans: set[tuple[int, int]] = set()
    for unit in units(doc):
        for start, end in _unit_spans(doc, unit, chunk_size, chunk_overlap):
            if (start, end) in spans or end <= start:
                continue
            spans.add((start, end))
            piece = doc.text[start:end]
            i = bisect.bisect_right(positions, start) - 1
            ordinal = len(chunks)
            chunks.append(Chunk(
                chunk_id=chunk_id(doc.doc_id, ordinal, piece), doc_id=doc.doc_id, ordinal=ordinal, text=piece,
                start=start, end=end, heading=marks[i][1] if i >= 0 else None, kind=unit.kind,
                page=bisect.bisect_right(doc.page_starts, start) or None,  # None: no pages, or the about
                speaker=unit.speaker, speaker_role=unit.speaker_role, question=unit.question))
    return _spoken(doc, chunks)


def _spoken(doc: Document, chunks: list[Chunk]) -> list[Chunk]:
    """Running-text chunks where an interviewee speaks under a one-off "Name:" label get that speaker; the
    chunks stay as cut (attribution must not move retrieval). A chunk that starts before the label (the
    introduction and the question) carries the speaker too: answering gives it only from the label on."""
    if not doc.interviewee or any(c.kind == "turn" for c in chunks):
        return chunks
    body = doc.about_end + 2 if doc.about_end else 0
    spans = [(body + t.start, body + t.end, t) for t in labelled_answers(doc.text[body:], doc.interviewee)]
    out = []
    for c in chunks:
        t = next((t for a, b, t in spans if c.kind is None and c.start < b and c.end > a), None)
        if t is not None:
            inside = c.start >= body + t.start
            c = c.model_copy(update={"speaker": speaker_name(t.answerer, doc.interviewee),
                                     "speaker_role": "interviewee",
                                     "question": (t.question or None) if inside else None})
        out.append(c)
    return out
