"""The "about" block that opens a document's cleaned text: its byline, publisher and date as quotable facts.

"Who wrote it", "who interviewed whom", "who published it" and "when" then have an answer that is a real span
of Document.text, cited like any other passage. One fact per line, so each line is one sentence.
"""

from __future__ import annotations

from corridor.records import date_span

LABELS = ("Title", "Author", "Interviewer", "Interviewee", "Publisher", "Published")


def published(iso: str) -> str:
    """"2025-08-04" → "2025-08-04 (4 August 2025)", "2023-05" → "2023-05 (May 2023)": the ISO form and the
    words a question uses (a year alone is both)."""
    found = date_span(iso)
    if found is None or len(iso) == 4:
        return iso
    d = found[0]
    day = "" if len(iso) == 7 else f"{d.day} "
    return f"{iso} ({day}{d.strftime('%B')} {d.year})"


def about_block(*, title: str, author: str | None = None, interviewer: str | None = None,
                interviewee: str | None = None, publisher: str | None = None,
                iso_date: str | None = None) -> str:
    """The block's text, or "" when the source gives nothing beyond a title."""
    facts = [("Author", author), ("Interviewer", interviewer), ("Interviewee", interviewee),
             ("Publisher", publisher), ("Published", published(iso_date) if iso_date else None)]
    lines = [f"{label}: {' '.join(value.split())}" for label, value in facts if value and value.strip()]
    if not lines:
        return ""
    return "\n".join([f"Title: {' '.join(title.split())}", *lines])
