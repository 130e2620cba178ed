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


_LABEL = re.compile(r"^[ \t]*(?:\*\*|__)?(?P<label>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3})(?:\*\*|__)?:",
                    re.MULTILINE)


def speaker_from(passage: Passage) -> int:
    """Where in the chunk its speaker starts speaking: at their own "Name:" label line when the chunk holds
    one (what stands before it, an introduction or the question, is not theirs), else at its start."""
    who = passage.chunk.speaker
    if not who:
        return 0
    names = set(who.lower().split())
    for m in _LABEL.finditer(passage.chunk.text):
        if all(w in names for w in m.group("label").lower().split()):
            return m.start()
    return 0


def speaker(passage: Passage, at: int | None = None) -> str | None:
    """The person speaking in the passage (an interview's answer), when ingest recorded one; with `at`, the
    speaker of the text at that offset of the chunk (none before the speaker's label)."""
    value = getattr(passage.chunk, "speaker", None)  # set by ingest's document structure, when present
    if at is not None and 0 <= at < speaker_from(passage):
        return None
    return _clip(value) if isinstance(value, str) and value.strip() else None


def cited_passage(statement: Statement, numbered: dict[int, Passage]) -> Passage | None:
    """The first passage the statement cites, or None (it cites none of these)."""
    return next((numbered[n] for n in statement.citations if n in numbered), None)


def attribute(statements: list[Statement], numbered: dict[int, Passage]) -> list[Statement]:
    """The statements with speaker, source and date filled from their first cited passage (a speaker the
    statement already names, such as the interviewer of a quoted question, stays)."""
    out = []
    for st in statements:
        passage = cited_passage(st, numbered)
        if passage is None:
            out.append(st)
            continue
        at = passage.chunk.text.find(st.text[:40])  # -1 (not quoted verbatim): the chunk's speaker
        out.append(st.model_copy(update={
            "speaker": st.speaker or speaker(passage, at), "source": short_source(passage.doc),
            "date": passage.doc.date}))
    return out
