"""Who said it, and when: each statement of an answer gets the speaker, source and date of the passage it
cites ("Engin Ozer (News.Az, 2025-08-04)"), so a reader sees whose words they are and how old."""

from __future__ import annotations

import re

from corridor.records import DocumentMeta, Passage, Statement

SOURCE_CHARS = 60  # a source label longer than this is clipped


def _clip(text: str, limit: int = SOURCE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def short_source(doc: DocumentMeta) -> str | None:
    """The document's publisher without its qualifiers ("Wikipedia (English), Wikimedia Foundation; …"
    → "Wikipedia"), else its author, else its title."""
    if doc.publisher:
        head = re.split(r"\s+\(|;|,\s", doc.publisher, maxsplit=1)[0].strip()
        return _clip(head or doc.publisher)
    if doc.author:
        return _clip(doc.author)
    return _clip(doc.title) if doc.title else None


def speaker(passage: Passage) -> str | None:
    """The person speaking in the passage, when ingest recorded one (an interview's answer)."""
    value = getattr(passage.chunk, "speaker", None)  # set by ingest's document structure, when present
    return _clip(value) if isinstance(value, str) and value.strip() else None


def attribute(statements: list[Statement], numbered: dict[int, Passage]) -> list[Statement]:
    """The statements with speaker, source and date filled from their first cited passage (a speaker the
    statement already names, such as the interviewer of a quoted question, stays)."""
    out = []
    for st in statements:
        passage = next((numbered[n] for n in st.citations if n in numbered), None)
        if passage is None:
            out.append(st)
            continue
        out.append(st.model_copy(update={
            "speaker": st.speaker or speaker(passage), "source": short_source(passage.doc),
            "date": passage.doc.date}))
    return out
