"""PDF page text as paragraphs: lines that wrap a sentence are joined, line-end hyphens undone.

pypdf returns a page's text one printed line per line, so a sentence that wraps would otherwise be quoted from
its second line on. A line break is kept where a paragraph plausibly ends (a short line closing a sentence),
before a list item, and after a short heading-like line; every other break becomes a space, and
"trans-\\nport" becomes "transport" (unless the document spells the word with its hyphen elsewhere).
Hand-written: pypdf's layout mode keeps columns, not paragraphs, and no offline library reflows plain text.
"""

from __future__ import annotations

import re
import statistics

_LIST_ITEM = re.compile(r"^\s*(?:[•▪◦●■\-–*]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s+")
_ENDS_SENTENCE = re.compile(r"[.!?:;…][\"'”’)\]]*$")
_HYPHENATED = re.compile(r"\b[A-Za-z]+-[A-Za-z]+\b")


def _width(lines: list[str]) -> float:
    """The page's usual full line length (median of the longer lines)."""
    long = [len(ln) for ln in lines if len(ln) >= 30]
    return statistics.median(long) if long else max((len(ln) for ln in lines), default=0)


def unwrap(page: str, hyphenated: set[str] | None = None) -> str:
    """One page's text with wrapped lines joined; paragraphs separated by a blank line."""
    lines = [ln.strip() for ln in page.replace("\r", "").split("\n")]
    width = _width([ln for ln in lines if ln])
    hyphenated = hyphenated or set()
    out = ""
    prev = ""
    for line in lines:
        if not line:
            if out and not out.endswith("\n\n"):
                out = out.rstrip("\n") + "\n\n"
            prev = ""
            continue
        if not prev:
            out += line
        elif _LIST_ITEM.match(line):
            out += "\n" + line
        elif _ENDS_SENTENCE.search(prev) and len(prev) < 0.8 * width:
            out += "\n\n" + line  # a short line ending a sentence ends its paragraph
        elif re.search(r"[A-Za-z]-$", prev) and line[:1].islower():
            head = re.search(r"([A-Za-z]+)-$", prev).group(1)
            word = re.match(r"[A-Za-z]+", line)
            if f"{head}-{word.group(0) if word else ''}".lower() in hyphenated:
                out += line  # the document writes this word with a hyphen: keep it
            else:
                out = out[:-1] + line  # "trans-" + "port" → "transport"
        elif re.search(r"\S[-–]$", prev):
            out += line  # "Aktau-" + "Baku": keep the hyphen, no space
        elif not _ENDS_SENTENCE.search(prev) and len(prev) < 0.5 * width and line[:1].isupper():
            out += "\n\n" + line  # a heading
        else:
            out += " " + line
        prev = line
    return out.strip()


def hyphenated_words(pages: list[str]) -> set[str]:
    """Words the document itself writes with a hyphen inside a line ("well-known"), lower-cased."""
    return {w.lower() for page in pages for line in page.split("\n") for w in _HYPHENATED.findall(line)}


def unwrap_pages(pages: list[str]) -> list[str]:
    """Every page unwrapped, sharing the document's own hyphenated spellings."""
    known = hyphenated_words(pages)
    return [unwrap(p, known) for p in pages]
