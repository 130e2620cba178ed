"""Where evidence quotes sit in the stored documents, and whether a passage contains one.

A passage contains a quote when the whitespace-normalised quote is a substring of its text, or when at
least OVERLAP_SHARE of the quote's characters fall inside the passage's span of the document (a quote
that straddles two chunks counts for the chunk holding most of it).
"""

from __future__ import annotations

from dataclasses import dataclass

from answering.sentences import sentences
from corridor.records import Chunk

OVERLAP_SHARE = 0.6
MIN_QUOTE_WORDS = 3  # a shorter quote ("826 km") is in too many sentences to say which one answers
# Typographic quotes and dashes fold to ASCII, so a quote typed with ' matches a source written with ’.
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def normalise(text: str) -> str:
    """Lower-cased, typographic marks folded, whitespace runs collapsed to one space, trimmed."""
    return " ".join(text.translate(_FOLD).lower().split())


def holds_quote(sentence: str, quotes) -> bool:
    """Does this sentence hold an evidence quote or one sentence of it (a quote may run across two
    sentences), or is it itself a substantial part of a quote? What "opens with evidence" asks of an
    answer's first sentence, and what scripts/fit_ranker.py labels an evidence sentence."""
    s = normalise(sentence)
    for quote in quotes:
        pieces = [normalise(quote)] + [normalise(p) for p in sentences(quote)]
        if any(p and len(p.split()) >= MIN_QUOTE_WORDS and p in s for p in pieces) or \
                (len(s) >= 20 and s in normalise(quote)):
            return True
    return False


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """normalise(text) and, for each of its characters, the index of the source character it came from."""
    out: list[str] = []
    where: list[int] = []
    pending_space = False
    for i, ch in enumerate(text):
        if ch.isspace() or ch == "\u00a0":
            pending_space = bool(out)
            continue
        if pending_space:
            out.append(" ")
            where.append(i - 1)
            pending_space = False
        for c in ch.translate(_FOLD).lower():
            out.append(c)
            where.append(i)
    return "".join(out), where


@dataclass(frozen=True)
class Span:
    """A quote's place in a document's cleaned text."""

    doc_id: str
    start: int
    end: int


class DocTexts:
    """Every stored document's cleaned text, rebuilt from its chunks (chunk.text == doc.text[start:end])."""

    def __init__(self, collection) -> None:
        pieces: dict[str, list[tuple[int, int, str]]] = {}
        offset = 0
        while True:
            got = collection.get(include=["documents", "metadatas"], limit=5000, offset=offset)
            if not got["ids"]:
                break
            for text, meta in zip(got["documents"], got["metadatas"], strict=True):
                pieces.setdefault(meta["doc_id"], []).append((int(meta["start"]), int(meta["end"]), text))
            offset += len(got["ids"])
        self.texts: dict[str, str] = {}
        self._norm: dict[str, tuple[str, list[int]]] = {}
        for doc_id, parts in pieces.items():
            chars = [" "] * max(end for _, end, _ in parts)  # gaps between chunks (if any) read as spaces
            for start, end, text in parts:
                chars[start:end] = list(text[: end - start])
            self.texts[doc_id] = "".join(chars)

    def locate(self, quote: str, doc_ids: list[str] | None = None) -> list[Span]:
        """Every place the quote occurs (whitespace- and case-insensitively) in the given documents
        (all documents when none are given or none of the given ones is stored)."""
        needle = normalise(quote)
        if not needle:
            return []
        wanted = [d for d in (doc_ids or []) if d in self.texts] or sorted(self.texts)
        spans: list[Span] = []
        for doc_id in wanted:
            if doc_id not in self._norm:
                self._norm[doc_id] = normalise_with_map(self.texts[doc_id])
            hay, where = self._norm[doc_id]
            pos = hay.find(needle)
            while pos >= 0:
                spans.append(Span(doc_id, where[pos], where[pos + len(needle) - 1] + 1))
                pos = hay.find(needle, pos + 1)
        return spans


def contains(chunk: Chunk, quote: str, spans: list[Span]) -> bool:
    """Does this chunk contain the quote (as text, or ≥ OVERLAP_SHARE of one of its located spans)?"""
    needle = normalise(quote)
    if needle and needle in normalise(chunk.text):
        return True
    for sp in spans:
        if sp.doc_id != chunk.doc_id or sp.end <= sp.start:
            continue
        inside = min(sp.end, chunk.end) - max(sp.start, chunk.start)
        if inside / (sp.end - sp.start) >= OVERLAP_SHARE:
            return True
    return False
