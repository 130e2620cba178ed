"""Text cleaning and the small normalisations every loader shares: dates, slugs, titles, content hashes."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import date, datetime
from typing import Any

from corridor.records import Document

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


def iso_date(value: Any) -> str | None:
    """An ISO date (YYYY-MM-DD) when the value is one; free text such as 'revision date not shown' → None."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    raw = value.strip()
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
                  licence: Any = None) -> Document:
    """Clean the text and build the Document with its content hash (text plus metadata)."""
    cleaned = clean_text(text)
    fields = {
        "doc_id": doc_id, "title": _text_or_none(title) or first_heading(cleaned) or doc_id, "source": source,
        "url": url, "publisher": _text_or_none(publisher), "author": _text_or_none(author),
        "date": iso_date(date_value), "licence": _text_or_none(licence),
    }
    digest = hashlib.sha256(json.dumps([cleaned, fields], sort_keys=True).encode("utf-8")).hexdigest()
    return Document(text=cleaned, content_hash=digest, **fields)
