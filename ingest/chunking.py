"""Split a cleaned document into overlapping chunks that respect paragraphs and sentences.

Each chunk records its exact span in the document text (text == document.text[start:end]), its ordinal
and the nearest Markdown heading above it; its id is a hash of (doc_id, ordinal, text), so it is stable.
"""

from __future__ import annotations

import bisect
import hashlib

from langchain_text_splitters import RecursiveCharacterTextSplitter

from corridor.records import Chunk, Document

from .clean import headings

# Paragraphs first, then lines, then sentence ends, then words (regexes: the sentence one is a lookbehind).
# A sentence may end in footnote markers: "…exclave.[12][13] This route…".
SEPARATORS = [r"\n\n", r"\n", r"(?<=[.!?…])\s+", r"(?<=[.!?…]\])\s+|(?<=\d\])\s+(?=[A-Z])", r"(?<=[;:])\s+",
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


def chunk_document(doc: Document, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """The document's chunks, in order, with spans into doc.text."""
    pieces = _fold_short(doc.text, splitter(chunk_size, chunk_overlap).split_text(doc.text))
    marks = headings(doc.text)
    positions = [p for p, _ in marks]
    chunks: list[Chunk] = []
    cursor = 0
    spans: set[tuple[int, int]] = set()
    for piece in pieces:
        # The splitter keeps separators, so every piece is a substring; search from the previous start.
        start = doc.text.find(piece, cursor)
        if start < 0:  # the splitter can repeat a piece at the very end of a text: take its last place
            start = doc.text.rfind(piece)
        if start < 0:  # cannot happen with keep_separator; refuse rather than store a wrong span
            raise RuntimeError(f"chunk of {doc.doc_id} not found in its text")
        end = start + len(piece)
        if (start, end) in spans:
            continue
        spans.add((start, end))
        i = bisect.bisect_right(positions, start) - 1
        ordinal = len(chunks)
        chunks.append(Chunk(chunk_id=chunk_id(doc.doc_id, ordinal, piece), doc_id=doc.doc_id, ordinal=ordinal,
                            text=piece, start=start, end=end, heading=marks[i][1] if i >= 0 else None))
        cursor = start + 1
    return chunks
