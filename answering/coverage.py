"""Does the corpus cover a question at all? Checks that run before an answer is composed.

Similarity alone cannot tell "the population of Brazil" from "the population of the EAEU": both find the
EAEU infobox. Two plain facts can: the corpus never names Brazil, and no passage has (in its text or its
document's date) the year a question asks about. A question in another language meets an English-only
model with a clear pointer instead.
"""

from __future__ import annotations

import re
from datetime import date

from corridor.records import Passage
from vectorstore.lexical import LexicalIndex, stopwords, terms

from .dates import parse_iso, periods
from .features import asked_value, gives_type
from .language import language, name

_NAME = re.compile(r"(?<![\w.])[A-Z][\w’'-]*[a-z][\w’'-]*")  # capitalised words: names, places
_YEAR = re.compile(r"\b((?:19|20)\d\d)(?:\s*[/–-]\s*(\d\d))?\b")
MULTILINGUAL_MODELS = {"e5-multilingual"}
def unknown_names(question: str, lexical: LexicalIndex, passages: list[Passage]) -> list[str]:
    """Names in the question (capitalised, not the first word) that no chunk in the store contains and
    no found passage's document names in its title or publisher ("the Wikipedia revision")."""
    meta = set(terms(" ".join(f"{p.doc.title} {p.doc.publisher or ''}" for p in passages)))
    out = []
    for m in _NAME.finditer(question):
        if m.start() == 0 or question[: m.start()].rstrip().endswith(("?", ".", "!")):
            continue  # a sentence's first word is capitalised anyway
        word = m.group(0)
        stems = [t for t in terms(word) if t not in stopwords()]
        if stems and not any(lexical.knows(t) or t in meta for t in stems):
            out.append(word)
    return out


def missing_years(question: str, passages: list[Passage], today: date | None = None) -> list[str]:
    """Periods the question names with a year (or seasons like 2024/25) that none of the passages covers.

    A period is covered by a passage whose text names one of its years, or whose document is dated in
    one of them: an article dated November 2024 covers "in November 2024" even when its text gives only
    the day and month. Relative periods ("last year") never refuse. Seasons match text only: a marketing
    year is not a publication date."""
    text = " ".join(p.chunk.text for p in passages)
    have = {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", text)}
    have |= {d.year for p in passages if (d := parse_iso(p.doc.date)) is not None}
    missing = []
    for m in _YEAR.finditer(question):
        year, tail = m.group(1), m.group(2)
        iso = re.match(r"-\d", question[m.end():])  # 2024-11-06 is a day, not a season
        if tail and not iso and not re.search(rf"{year}\s*[/–-]\s*(?:{year[:2]})?{tail}", text):
            missing.append(m.group(0))
    for period in periods(question, today):
        if period.literal and not period.years() & have:
            missing.append(period.label)
    return missing


def uncovered_reason(question: str, passages: list[Passage], lexical: LexicalIndex,
                     embedding_model: str, relevance: float, strong_match: float,
                     today: date | None = None) -> str | None:
    """Why the corpus cannot answer this question, or None when it may. `relevance` is the best
    sentence's score from the extractive scorer; at `strong_match` or above it outweighs an unknown name
    (a paraphrase such as "Yerevan" for Armenia)."""
    lang = language(question)
    if lang != "en" and embedding_model not in MULTILINGUAL_MODELS:
        return (f"This question looks {name(lang)}; this store has no multilingual index. Ask in English, or "
                f"turn on CORRIDOR_MULTILINGUAL_LANE and run `corridor ingest` again.")
    if lang == "en":
        names = unknown_names(question, lexical, passages)
        if names and relevance < strong_match:
            return f"No source here mentions {', '.join(names)}."
    years = missing_years(question, passages, today)
    if years:
        return f"No passage found here covers {', '.join(years)}."
    return None


def unstated_value(question: str, statements: list[str]) -> str | None:
    """A note when an English question asks for a value outright ("how many", "when", "how much") and no
    quoted sentence gives one: the answer stays (what the sources say about it), but says plainly that
    the value itself is not there. Not a refusal: refusing on this lost answerable questions on the held-out
    sets (docs/QUALITY.md)."""
    asked = asked_value(question) if language(question) == "en" else None
    if asked is None or any(gives_type(s, list(asked[0])) for s in statements):
        return None
    return f"None of the quoted passages states {asked[1]}: the sources here may not give it."
