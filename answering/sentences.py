"""Sentence spans inside a passage, so an extractive answer can quote exact text.

Hand-written on purpose: the usual splitters (nltk punkt, spaCy) need data downloads, which this offline
project cannot make; the corpus needs only abbreviations, initials, decimals and list/infobox lines handled.
"""

from __future__ import annotations

import re

_ABBREV = {
    "u.s", "u.k", "u.n", "e.g", "i.e", "mr", "mrs", "ms", "dr", "st", "no", "vs", "etc", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "mt", "est", "inc",
    "corp", "co", "ltd", "gen", "col", "gov", "sen", "rep", "prof", "fig", "al",
}
# A news agency's dateline ("ASTANA, November 15." before the first sentence): not a sentence of its own, so
# never quoted alone as an answer; it stays with the sentence it opens. On a line of its own it is a sentence,
# which `features.is_dateline` tells the answer not to quote.
# Its parts, which coverage's dateline lead ("23 Feb. WARBOOTS …") also reads: the place, the day either way
# round, the year.
DATELINE_PLACE = r"[A-ZÇĞİÖŞÜ][A-ZÇĞİÖŞÜ .'-]+,\s+(?:[A-Z][a-z]+,\s+)?"  # "BAKU, Azerbaijan, "
DATELINE_MONTH_DAY = r"[A-Z][a-z]+\.?\s+\d{1,2}"  # "Oct. 27"
DATELINE_DAY_MONTH = r"\d{1,2}\s+[A-Z][a-z]+"  # "4 September"
DATELINE_YEAR = r"(?:,?\s+\d{4})?"
DATELINE = re.compile(rf"{DATELINE_PLACE}(?:{DATELINE_MONTH_DAY}|{DATELINE_DAY_MONTH}){DATELINE_YEAR}")
# At a line's start the place may be written in title case, or be a weekday ("Baku, May 28.", "Wednesday,
# 19 July 2017."): mid-line, such a pair reads like a sentence's own words, so only the opening one is joined.
# "Baku", "New York", "Wednesday"; not a byline ("By Kamila Aliyeva, 25 December 2017")
_TITLE_WORDS = r"(?!By\s)[A-ZÇĞİÖŞÜ][^\W\d_]*(?:[ '-][A-ZÇĞİÖŞÜ][^\W\d_]*)*"
DATELINE_TITLE_PLACE = rf"{_TITLE_WORDS},\s+(?:[A-Z][a-z]+,\s+)?"
LEAD_DATELINE = re.compile(rf"{DATELINE_TITLE_PLACE}(?:{DATELINE_MONTH_DAY}|{DATELINE_DAY_MONTH})"
                           rf"{DATELINE_YEAR}")
# A candidate boundary: end punctuation (maybe closed by a quote or bracket), space, a likely start.
_BOUNDARY = re.compile(r"([.!?…](?:\[\w{1,3}\])*[\"'”’)\]]*)\s+(?=[\"“‘'(\[–—-]?\s*[A-Z0-9ÇĞİÖŞÜА-Я])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in text; lines (list items, headings, infobox rows) end sentences."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        line_start, body = pos, line.rstrip("\n")
        pos += len(line)
        start = 0
        for m in _BOUNDARY.finditer(body):
            end = m.end(1)
            before = body[start:m.start(1)].rsplit(None, 1)
            word = before[-1].lower().strip("(\"'“") if before else ""
            if word in _ABBREV or re.fullmatch(r"[a-z]", word) or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
                continue  # "U.S. companies", "J. Smith": not a boundary
            head = body[start:m.start(1)].strip()
            if DATELINE.fullmatch(head) or (start == 0 and LEAD_DATELINE.fullmatch(head)):
                continue
            spans.append((line_start + start, line_start + end))
            start = m.end()
        if body[start:].strip():
            spans.append((line_start + start, line_start + len(body.rstrip())))
    return [(s + (len(text[s:e]) - len(text[s:e].lstrip())), e) for s, e in spans if text[s:e].strip()]


def sentences(text: str) -> list[str]:
    """The sentences of text, stripped."""
    return [text[s:e] for s, e in sentence_spans(text)]


def sentences_before(text: str, spans: list[tuple[int, int]], end: int) -> list[str]:
    """The sentences of `text` (at `spans`) that end by offset `end`, nearest first, heading lines skipped
    (they name a section, not a speaker)."""
    return [text[a:b] for a, b in reversed(spans) if b <= end and not text[a:b].lstrip().startswith("#")]
