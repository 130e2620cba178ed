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
from .features import ANSWER_TYPES

_NAME = re.compile(r"(?<![\w.])[A-Z][\w’'-]*[a-z][\w’'-]*")  # capitalised words: names, places
_YEAR = re.compile(r"\b((?:19|20)\d\d)(?:\s*[/–-]\s*(\d\d))?\b")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_TURKISH = {"ve", "bir", "bu", "ile", "için", "nedir", "ne", "mi", "mı", "mu", "mü", "hangi", "neden",
            "nasıl", "kadar", "olarak", "göre", "hakkında", "nelerdir", "midir", "mıdır", "ise", "da", "de",
            "neydi", "zaman", "kaç", "kim", "nerede", "daha", "fazla", "çok", "hangisi", "nedeni", "var",
            "yok"}
_TURKISH_LETTERS = re.compile(r"[ığşçöüİĞŞÇÖÜ]")
MULTILINGUAL_MODELS = {"e5-multilingual"}

# Questions whose answer is a value: a date, a number, a length. Stricter than the ranker's answer types
# ("the goal of the corridor" is no figure; "discuss when they met" asks no date), since here a miss refuses.
_ASKS_VALUE: dict[str, re.Pattern[str]] = {
    "date": re.compile(r"^\W*when\b|\bsince\s+when\b|\b(?:what|which)\s+(?:year|date|month|day)\b", re.I),
    "length": ANSWER_TYPES["length"][0],
    "duration": re.compile(r"\bhow\s+long\b(?!\s+(?:is|are|was|were)\b)", re.I),
    "count": re.compile(r"\bhow\s+many\b|\bnumber\s+of\b|\bpopulation\b", re.I),
    "amount": re.compile(r"\bhow\s+much\b|\b(?:capacity|turnover|tariff|price|cost|budget)\b", re.I),
    "share": re.compile(r"\bwhat\s+(?:percentage|share|proportion)\b", re.I),
}
_MONTH = ("January|February|March|April|May|June|July|August|September|October|November|December|"
          "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec")
_NUMBER = re.compile(r"(?<![\w.,])\d[\d,.]*")
_NUMBER_WORD = re.compile(r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                          r"forty|fifty|hundreds?|thousands?|dozens?|millions?)\b", re.I)
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTH})\.?\s*$")
_MONTH_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s*(?:of\s+)?(?:{_MONTH})\b")
_RELATIVE_DAY = re.compile(r"\b(?:today|yesterday|(?:this|last|next)\s+(?:year|month|week)|"
                           r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\b", re.I)
_MULTIPLE = re.compile(r"\b(?:doubled|tripled|quadrupled|halved|(?:two|three|four|ten)fold)\b", re.I)
_VALUE_NAMES = {"date": "date", "length": "length", "duration": "duration", "count": "number",
                "amount": "figure", "share": "share"}


def language(text: str) -> str:
    """'ru', 'tr' or 'en': a rough guess, enough to route a question."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(bool(_CYRILLIC.match(c)) for c in letters) / len(letters) > 0.3:
        return "ru"
    words = re.findall(r"\w+", text.lower())
    function_words = sum(w in _TURKISH for w in words)
    # "Erdoğan" or "Türkiye" alone leave a question English; Turkish grammar words with them do not.
    letters_tr = len(_TURKISH_LETTERS.findall(re.sub(r"(?i)türkiye|erdoğan|özer|bakü", "", text)))
    if function_words >= 2 or (function_words and letters_tr) or letters_tr >= 3:
        return "tr"
    return "en"


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


def _counts(sentence: str, m: re.Match[str]) -> bool:
    """A number that counts: not a year, not the day of a month ("February 6", "6 February")."""
    number = m.group(0).rstrip(".,")
    if re.fullmatch(r"(?:19|20)\d\d", number):
        return False
    return not (_MONTH_BEFORE.search(sentence[: m.start()]) or _MONTH_AFTER.match(sentence[m.end():]))


def gives_value(kind: str, sentence: str, dated: bool = False) -> bool:
    """Whether a sentence states a value of this kind (a dated source's "today" gives a date)."""
    if kind == "count":
        return bool(_NUMBER_WORD.search(sentence)) or \
            any(_counts(sentence, m) for m in _NUMBER.finditer(sentence))
    if kind == "date" and dated and _RELATIVE_DAY.search(sentence):
        return True
    if kind == "date":
        return bool(re.search(r"\b(?:1[89]|20)\d\d(?:s\b|\b)", sentence)) or \
            bool(re.search(rf"\b(?:{_MONTH})\b", sentence))
    if kind in ("amount", "share") and _MULTIPLE.search(sentence):
        return True  # "cargo doubled" answers "how much did cargo grow"
    return bool(ANSWER_TYPES[kind][1].search(sentence))


def missing_value(question: str, quoted: list[tuple[str, bool]]) -> str | None:
    """The value a question asks for ("how long", "when", "how many") that none of the quoted sentences
    (text, from a dated source) states: the sources name the subject, not the fact asked about."""
    kinds = [k for k, asks in _ASKS_VALUE.items() if asks.search(question)]
    if not kinds or any(gives_value(k, text, dated) for k in kinds for text, dated in quoted):
        return None
    what = " or ".join(dict.fromkeys(_VALUE_NAMES[k] for k in kinds))
    return f"The closest passages mention this but give no {what}."


def uncovered_reason(question: str, passages: list[Passage], lexical: LexicalIndex,
                     embedding_model: str, relevance: float, strong_match: float,
                     today: date | None = None) -> str | None:
    """Why the corpus cannot answer this question, or None when it may. `relevance` is the best
    sentence's score from the extractive scorer; at `strong_match` or above it outweighs an unknown name
    (a paraphrase such as "Yerevan" for Armenia)."""
    lang = language(question)
    if lang != "en" and embedding_model not in MULTILINGUAL_MODELS:
        name = {"ru": "Russian", "tr": "Turkish"}[lang]
        return (f"This question looks {name}; the default model reads English only. Ask in English, "
                f"or run corridor with CORRIDOR_PRESET=multilingual.")
    if lang == "en":
        names = unknown_names(question, lexical, passages)
        if names and relevance < strong_match:
            return f"No source here mentions {', '.join(names)}."
    years = missing_years(question, passages, today)
    if years:
        return f"No passage found here covers {', '.join(years)}."
    return None
