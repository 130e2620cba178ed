"""Text cleaning and the small normalisations every loader shares: dates, slugs, titles, content hashes.

make_document also gives the text its structure: infobox rows become one fact per line (ingest/infobox.py),
an interview's interviewer and interviewee are named (ingest/interview.py), and an "about" block with the
byline, publisher and date opens the text (ingest/about.py).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import date, datetime
from typing import Any

from corridor.records import Document

from .about import about_block
from .infobox import clean_infoboxes
from .interview import byline, find_names, find_turns, person

# Part of every content hash: bump it when cleaning or chunking changes what a document's chunks are (their
# text, spans or structure fields), so the next `corridor ingest` rebuilds stores made by older versions.
STRUCTURE_VERSION = 3
_GENERIC_ASKERS = {"q", "question", "interviewer", "journalist", "host", "moderator", "reporter"}

# Patterns stay linear in the text's length: no run of whitespace is scanned again from each of its positions
# (`^\s*…` and `[ \t]+$` took 19 s on 100 KB of spaces or blank lines, quadratically more on larger files).
_MARKER = re.compile(r"^[^\S\n]*\[(?:Excerpt ends here|Text ends here|Excerpt truncated)[^\]\n]*\][^\S\n]*$",
                     re.IGNORECASE | re.MULTILINE)
_MANY_BLANKS = re.compile(r"\n{3,}")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+)$", re.MULTILINE)


def clean_text(text: str) -> str:
    """Conservative cleaning: unify newlines, drop excerpt-end markers, trailing spaces and extra blank lines.

    The result is the text that chunk spans and citations point into.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = unicodedata.normalize("NFC", text)
    text = _MARKER.sub("", text)
    text = "\n".join(line.rstrip(" \t\u00a0") for line in text.split("\n"))  # trailing spaces, linearly
    text = clean_infoboxes(text)
    text = _MANY_BLANKS.sub("\n\n", text)
    return text.strip()


def headings(text: str) -> list[tuple[int, str]]:
    """(position, heading text) of every Markdown heading line, in order."""
    # The heading text without closing #s (`## Title ##` → Title); a heading of only #s keeps its first.
    return [(m.start(), (m.group(1).rstrip(" \t#") or m.group(1)[:1]).strip())
            for m in _HEADING.finditer(text)]


def first_heading(text: str) -> str | None:
    found = headings(text)
    return found[0][1] if found else None


# a source giving only the month or the year ("2023-05", "2019"): kept at that precision, no day made up
_PARTIAL_DATE = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2]))?")


def iso_date(value: Any) -> str | None:
    """An ISO 8601 date: YYYY-MM-DD, or YYYY-MM / YYYY when the source gives only the month or the year;
    free text such as 'revision date not shown' → None."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 2999:
        return str(value)  # YAML reads `date: 2019` as a number
    if not isinstance(value, str):
        return None
    raw = value.strip()
    if _PARTIAL_DATE.fullmatch(raw):
        return raw
    for parse in (date.fromisoformat, lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).date()):
        try:
            return parse(raw).isoformat()
        except ValueError:
            continue
    return None


def slugify(text: str) -> str:
    """Lower-case ASCII slug: letters, digits, dots and single dashes."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9.]+", "-", text)).strip("-.")


def public_url(value: Any) -> str | None:
    """Keep a front-matter URL only when it is one ('not given in the seed file' is not)."""
    if isinstance(value, str) and re.match(r"https?://\S+$", value.strip()):
        return value.strip()
    return None


def _text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    value = str(value).strip()
    return value or None


def make_document(*, doc_id: str, text: str, source: str, title: str | None = None, url: str | None = None,
                  publisher: Any = None, author: Any = None, date_value: Any = None,
                  licence: Any = None, interviewer: Any = None, interviewee: Any = None,
                  pages: list[str] | None = None) -> Document:
    """Clean the text (or each PDF page of `pages`, then join them), name an interview's speakers, open the
    text with its about block, and build the Document with its content hash (text plus metadata)."""
    if pages is not None:
        cleaned_pages = [c for c in (clean_text(p) for p in pages) if c]
        body = "\n\n".join(cleaned_pages)
        offsets, pos = [], 0
        for page in cleaned_pages:
            offsets.append(pos)
            pos += len(page) + 2
    else:
        body, offsets = clean_text(text), []
    author, publisher = _text_or_none(author), _text_or_none(publisher)
    interviewer, interviewee = _text_or_none(interviewer), _text_or_none(interviewee)
    named = find_names(body)
    interviewee = interviewee or named.interviewee
    turns = find_turns(body, interview_hint=bool(interviewee))
    is_interview = bool(interviewee) or bool(turns)
    labels = [(t.asker, t.answerer) for t in turns]  # "Name:" speaker labels, when the text uses them
    interviewee = interviewee or next((b for _, b in labels if b and b.lower() not in ("a", "answer")), None)
    interviewer = interviewer or next((a for a, _ in labels if a and a.lower() not in _GENERIC_ASKERS), None)
    author = author or byline(body)
    if is_interview:
        interviewer = interviewer or named.interviewer or author
        publisher = publisher or named.outlet
    fields = {
        "doc_id": doc_id, "title": _text_or_none(title) or first_heading(body) or doc_id, "source": source,
        "url": url, "publisher": publisher, "author": author,
        "date": iso_date(date_value), "licence": _text_or_none(licence),
    }
    about = about_block(title=fields["title"], author=author, interviewer=interviewer,
                        interviewee=interviewee, publisher=publisher, iso_date=fields["date"]) if body else ""
    shift = len(about) + 2 if about else 0
    cleaned = f"{about}\n\n{body}" if about else body
    structure = {"interviewer": interviewer, "interviewee": interviewee, "pages": offsets}
    digest = hashlib.sha256(json.dumps([STRUCTURE_VERSION, cleaned, fields, structure], sort_keys=True)
                            .encode("utf-8")).hexdigest()
    return Document(text=cleaned, content_hash=digest, about_end=len(about), interviewer=interviewer,
                    interviewee=interviewee, page_starts=[o + shift for o in offsets], **fields)


def speaker_name(label: str | None, interviewee: str | None) -> str | None:
    """A turn's speaker: the interviewee's name for an "A:" label or none, the full name for a surname."""
    full = person(interviewee)
    if not label or label.lower() in ("a", "answer"):
        return full
    if full and re.search(rf"\b{re.escape(label)}\b", full):
        return full
    return label
