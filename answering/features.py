"""Features of a candidate sentence for one aspect of a question: what the fitted ranker reads.

Each feature is a plain number from signals the engine already has (retrieval scores, IDF overlap, the
sentence's embedding, where the sentence stands in its document, whether the question's expected answer
type appears in it). `answering/ranker.py` weighs them with coefficients fitted on the dev split by
`scripts/fit_ranker.py`; nothing here is tuned by hand beyond choosing what to measure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from vectorstore.lexical import terms

from .sentences import DATELINE, LEAD_DATELINE

# A figure in digits: "4,300", "6.5", "2024" (one pattern for every module that reads figures).
NUMBER = r"\d(?:[\d,.]*\d)?"

# What a question asks for, and what a sentence that gives it contains.
MONTH_NAMES = "January|February|March|April|May|June|July|August|September|October|November|December"
MONTH_ABBREVIATIONS = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"  # "Sept. 8", as some papers write it
WEEKDAY_NAMES = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"


# The day of a date ("Feb. 6", "July 5", "7 April"): no count (`_CountPattern`, `coverage.counts`).
DAY_OF_MONTH = re.compile(rf"\b(?:(?:{MONTH_NAMES})|(?:{MONTH_ABBREVIATIONS})\.?)\s+\d{{1,2}}\b|"
                          rf"\b\d{{1,2}}\s+(?:{MONTH_NAMES}|(?:{MONTH_ABBREVIATIONS})\b)")


class _CountPattern:
    """A number that counts: not a year alone and not the day of a date ("Feb. 6", "7 April": "How many
    people did the teams save?" is not answered by the day they set out). Ordinals stay ("its 20th
    anniversary" says how many years). Written as a class because the day of a date needs a look-behind of
    varying width, which `re` lacks; it offers the two methods the answer types are read with."""

    _NUMBER = re.compile(r"\b(?!(?:1[89]|20)\d\d\b)\d")
    # A cardinal in words, as news style writes those under ten ("six founding states"); not "one" (mostly
    # "one of", a pronoun) nor the vague "dozens", "hundreds"; not "the two countries", which refers, nor a
    # span of time ("two weeks after"), which says when, not how many.
    _WORD = re.compile(r"(?<!\bthe\s)\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                       r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
                       r"sixty|seventy|eighty|ninety)\b(?!\s+(?:days?|weeks?|months?|years?|decades?|hours?|"
                       r"minutes?)\b)", re.I)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        masked = DAY_OF_MONTH.sub(lambda m: " " * len(m.group()), text)  # same length: spans stay the text's
        found = [*self._NUMBER.finditer(masked), *self._WORD.finditer(masked)]
        return iter(sorted(found, key=lambda m: m.start()))

    def search(self, text: str) -> re.Match[str] | None:
        return next(self.finditer(text), None)


_COUNT = _CountPattern()
ANSWER_TYPES: dict[str, tuple[re.Pattern[str], re.Pattern[str] | _CountPattern]] = {
    "length": (re.compile(r"\bhow\s+long\s+(?:is|are|was|were)\b|\bhow\s+far\b|\b(?:length|distance)\b",
                          re.I),
               re.compile(r"\d[\d,.]*\s*(?:km|kilomet\w*|miles?|metres?|meters?)\b", re.I)),
    "duration": (re.compile(r"\bhow\s+long\b(?!\s+(?:is|are|was|were)\b)", re.I),
                 re.compile(r"\d[\d,.]*\s*(?:days?|hours?|weeks?|months?|years?|decades?)\b", re.I)),
    "amount": (re.compile(r"\bhow\s+much\b|\b(?:value|cost|worth|volume|capacity|amount|turnover|budget|"
                          r"target|goal|figure)\b", re.I),
               re.compile(r"[$€£]\s*\d|\d[\d,.]*\s*(?:(?:billion|million|trillion|tonnes?|tons?|MMT|percent|"
                          r"USD|bn|TEU|containers?|(?:cubic|square)\s+met(?:re|er)s?|hectares?|litres?|liters?|"
                          r"barrels?|(?:kilo|mega|giga)watts?|[kMG]Wh?)\b|%)|\d-fold\b|"
                          r"\b(?:two|three|four|five|ten)fold\b|\b(?:doubled|tripled)\b", re.I)),
    # a count is a number that is not a year alone ("Energy Week 2025" counts nothing) or the day of a date
    # (_CountPattern)
    "count": (re.compile(r"\bhow\s+many\b|\bnumber\s+of\b|\bpopulation\b", re.I), _COUNT),
    "date": (re.compile(r"\bwhen\b|\b(?:what|which)\s+(?:year|date|month|day)\b|\bsince\s+when\b|"
                        r"\bfor\s+(?:what|which)\s+(?:period|term|years?)\b", re.I),
             re.compile(rf"\b(?:1[89]|20)\d\d\b|\b(?:\d{{1,2}}\s+)?(?:{MONTH_NAMES})\b(?:\s+\d{{1,2}}\b)?|"
                        rf"\b(?:{MONTH_ABBREVIATIONS})\.(?:\s+\d{{1,2}}\b)?")),
    "share": (re.compile(r"\b(?:percent\w*|share|rate)\b", re.I),
              re.compile(r"\d[\d,.]*\s*(?:%|percent)", re.I)),
    "definition": (re.compile(r"^\W*(?:what|who)\s+(?:is|are|was|were)\s+(?:the\s+)?"
                              r"[\w’'–-]+(?:\s+[\w’'–-]+){0,5}\s*\?\W*$", re.I),
                   re.compile(r"\b(?:is|are|was|were)\s+(?:a|an|the|one)\b|\b(?:also\s+)?(?:called|known\s+as)\b",
                              re.I)),
    "place": (re.compile(r"\bwhere\b|\bwhich\s+(?:city|country|countries|port|region)\b", re.I),
              re.compile(r"\b(?:in|at|from|to|through|via|across)\s+(?:the\s+)?[A-Z][a-z]")),
    "reason": (re.compile(r"\bwhy\b|\breasons?\b|\bwhat\s+(?:drives|explains|caused?)\b", re.I),
               re.compile(r"\b(?:because|due\s+to|owing\s+to|as\s+a\s+result|since|given|amid|risks?|"
                          r"driven\s+by|so\s+that|in\s+order\s+to|reason|thanks\s+to|for\s+fear)\b", re.I)),
    "person": (re.compile(r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich\s+(?:expert|official|minister|author|"
                          r"person)\b", re.I),
               re.compile(r"\b[A-Z][a-z]+(?:[-\s][A-Z][a-z]+)+\b|\b(?:President|Minister|expert|said|told|"
                          r"author|interview\w*|according)\b")),
}
# Questions that ask for a value outright — their opening, after a leading "According to X," — the answer
# types that give it, and how a note names it. Narrower than asked_types on purpose: "Whom did he meet when
# he said …?" asks for a person, not a date.
# "How many …", "By how many …", "For how many years …": a count asked for at the question's start.
# … with a preposition or a hedge before it: "On how many hectares …?", "About how many …?"
HOW_MANY = (r"^\W*(?:(?:and|about|around|roughly|approximately|some|by|for|in|into|on|onto|with|from|to|at|"
            r"within|after|over|across|among|between)\s+)?how\s+many")
_VALUE_QUESTIONS = (
    (re.compile(r"^\W*how\s+(?:long|far\s+(?:is|are|was|were))\b", re.I), ("length", "duration"),
     "a length or duration"),
    # "How much …?", "How large / how big …?" (a size); "What was the value in dollars of …?"
    (re.compile(r"^\W*(?:(?:for|by|at)\s+)?how\s+(?:much|large|big)\b|"
                r"^\W*what\s+(?:is|was|will\s+be)\s+the\s+(?:[\w-]+\s+){0,2}"
                r"(?:value|cost|price|budget|capacity|turnover)\s+"
                r"(?:in\s+(?:US\s+)?(?:dollars|euros|tenge|liras|manats)\s+)?of\b|"
                # "What is the project worth?", "What were exports worth in 2024?"
                r"^\W*what\s+(?:is|was|are|were|will\s+be)\b[^?]*\bworth(?:\s+(?:in|by|during|over|last|"
                r"this)\b[^?]*)?\W*$|"
                r"^\W*(?:at\s+)?what\s+(?:price|tariff|fee|fare)\b|"  # "At what tariff per kWh …?"
                r"^\W*what\s+(?:(?:total|annual)\s+)?(?:budget|sum|amount)\s+(?:has|had|have|is|was|were|will|would|"
                r"did|does|do|of|for)\b|"  # "What budget has been set aside …?", not "What budget priorities"
                # "What would the pipeline cost (, according to X)?"
                r"^\W*what\s+(?:does|did|will|would)\b[^?]*\bcost(?:\s*,\s*according\s+to\b[^?]*)?\W*$",
                re.I),
     ("amount",), "an amount"),
    (re.compile(rf"{HOW_MANY}\b|^\W*what\s+(?:is|was)\s+the\s+(?:total\s+)?number\s+of\b", re.I),
     ("count",), "a number"),
    (re.compile(r"^\W*(?:by\s+)?what\s+(?:percentage|share|stake)\b", re.I), ("share",), "a percentage"),
    (re.compile(r"^\W*(?:when\s+(?:did|does|do|is|are|was|were|will|would|has|have|had|can|could)|(?:(?:in|on|by|until|"
                r"till|since|from|before|after)\s+)?(?:what|which)\s+(?:year|date|month|day)s?|since\s+when|"
                r"for\s+(?:what|which)\s+(?:period|term|years?))\b", re.I), ("date",), "a date"),
)
_LEADING_CLAUSE = re.compile(r"^\W*(?:according\s+to|in\s+the\s+view\s+of|in\s+your\s+view)[^,?]*,\s*", re.I)


def opening(question: str) -> str:
    """The question without a leading "According to X," / "In the view of X,": where it says what it asks."""
    return _LEADING_CLAUSE.sub("", question)


def asked_value(question: str) -> tuple[tuple[str, ...], str] | None:
    """(answer types, what a note calls it) when the question opens by asking for a value ("How many …",
    "When did …", "According to X, how much …"); None otherwise."""
    start = opening(question)
    return next(((types, what) for asks, types, what in _VALUE_QUESTIONS if asks.search(start)), None)


# Sentences that lean on the one before them ("This includes …", "Against this backdrop, …").
LEANS_BACK = re.compile(
    r"^(?:against this backdrop|in this context|this|these|that|those|such|it|however|therefore|"
    r"thus|as a result|in addition|also|but)\b", re.I)
_FIELD = re.compile(r"^[\w()’' /-]{1,40}:\s+\S")  # "Linelength: 826 km", "Author: …"

# The order is the order of the coefficients in ranker_weights.json.
FEATURES = (
    "sem", "sem_rel", "sem_rank", "lex", "lex_rel", "lex_rank", "lex_rare", "bigrams", "dense", "passage_lex",
    "inv_rank", "type_match", "type_miss", "asked", "under_question_sem", "answer_opening", "intro",
    "leans_back", "log_words", "has_digit", "field_line", "title_overlap", "position", "about",
    "speaker_named", "lex_predicate",
)
# Features known before a sentence is embedded: the first stage ranks on these to choose what to embed.
STAGE1 = tuple(f for f in FEATURES if f not in {"sem", "sem_rel", "sem_rank", "under_question_sem"})


def asked_types(query: str) -> list[str]:
    """The answer types the question asks for ("how long" → length, "why" → reason)."""
    return [name for name, (asks, _) in ANSWER_TYPES.items() if asks.search(query)]


# "What did they discuss when they met in Baku?": a "when" that opens a clause inside the question asks for
# no date; one that opens the question or follows "and", "or", "since", "about" … does ("Who signed it, and
# when?", "When and where …?", "What did he say about when the plant would open?")
_ASKING_WHEN = frozenset({"and", "or", "since", "from", "until", "till", "by", "about"})
_WHEN_CLAUSE = re.compile(r"\b(\w+)(\s+)when\b", re.I)


def asks_date(query: str) -> bool:
    """Whether the question asks for a date (the "date" answer type), not counting a "when" clause in it."""
    bare = _WHEN_CLAUSE.sub(lambda m: m.group(0) if m.group(1).lower() in _ASKING_WHEN
                            else m.group(1) + m.group(2), query)
    return "date" in asked_types(bare)


def gives_type(sentence: str, types: list[str]) -> bool:
    return any(ANSWER_TYPES[t][1].search(sentence) for t in types)


def gives_new(sentence: str, kind: str, question: str) -> bool:
    """Whether the sentence gives a value of this type that the question does not already name: "in April
    2019" answers no "When did the week start in April 2019?", "on 7 April 2019" does."""
    return finds_new(ANSWER_TYPES[kind][1], sentence, question)


def finds_new(pattern: re.Pattern[str] | _CountPattern, sentence: str, question: str) -> bool:
    """Whether the pattern finds in the sentence something (a word or a figure) the question does not say."""
    known = set(terms(question)) | set(re.findall(NUMBER, question))
    return any((set(terms(m.group())) | set(re.findall(NUMBER, m.group()))) - known
               for m in pattern.finditer(sentence))


# "Who wrote …?", "Who is the author of …?", "Which journalist wrote …?", "Whose article …?": the question
# asks for a piece's author. A sentence that states one is a byline ("By Nargiz Sadikhova – Trend:"), the
# about block's "Author: …", a "written by …" or an editor's note on the author.
_AUTHOR_QUESTION = re.compile(
    r"^\W*(?:who\s+(?:wrote|authored|penned|(?:is|was)\s+the\s+(?:author|writer)\s+of)"
    r"|(?:which|what)\s+(?:journalist|reporter|correspondent|author|writer)\s+(?:wrote|authored|penned)"
    r"|whose\s+(?:article|piece|report|column|op-?ed)\b)", re.I)
# "AzerNews, by Kamila Aliyeva.": a publisher's byline line, the whole sentence
_PUBLISHER_BY = (r"^\W*[A-Z][\w’'.&-]*(?:\s+[A-Z][\w’'.&-]*){0,3},\s+by\s+"
                 r"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+\W*$")
# "By Kazinform | 1 October 2015", "By 24.kg | 14 April 2020": a news page's byline line, its source and date
# set apart by a bar. The bar tells it from prose ("By 2050 …", "By his estimate, …"), so the source may be
# one word or lower-case here.
_BAR_BYLINE = r"^\W*By\s+[^\s|][^|]{0,50}?\s*\|\s*\S"
_AUTHORSHIP = re.compile(r"(?<![\w-])By\s+[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+|^\W*Author:"
                         r"|\b(?i:written|authored)\s+by\b|\b(?i:editor)(?:’s|'s)\s+(?i:note)\b"
                         r"|" + _PUBLISHER_BY + "|" + _BAR_BYLINE)


def asks_author(query: str) -> bool:
    """Whether an English question opens by asking who wrote a piece."""
    return bool(_AUTHOR_QUESTION.search(query))


# A byline or the about block's author line, not prose ("a book written by Abai"): "By Kamila Aliyeva, 25
# December 2017", "BAKU, Azerbaijan, Oct. 27. By Nargiz Sadikhova – Trend:", "AzerNews, by Kamila Aliyeva.",
# "Author: Kazinform", "By Kazinform | 1 October 2015".
_BYLINE = re.compile(r"(?:^\W*|[.|–—:]\s+)By\s+[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+|^\W*Author:"
                     r"|" + _PUBLISHER_BY + "|" + _BAR_BYLINE)


def is_byline(sentence: str) -> bool:
    """Whether a sentence is a piece's byline or author line (what `states_author` finds, less prose)."""
    return bool(_BYLINE.search(sentence))


# A dateline on a line of its own, maybe with its agency ("ASTANA, 4 September 2015. Kazinform.", "BAKU,
# Azerbaijan, June 12. Trend."): it states nothing but where and when the piece was filed.
_AGENCY_TAIL = re.compile(r"[.,]?\s*(?:[–—-]\s*)?\(?[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*){0,3}\)?\s*[.:]?$")


# A date on a line of its own, without a place ("27 November 2021.", "Saturday 23 July 2011.", "EastFruit,
# February 2023.", "Qazaq TV, 2017.", "Baku, October 24, AZERTAC."): a piece's date line, which its citation's
# date already shows.
_WEEKDAY = rf"(?:{WEEKDAY_NAMES})"
_MONTH = rf"(?:{MONTH_NAMES}|(?:{MONTH_ABBREVIATIONS})\.?)"
_DATE_ONLY = re.compile(rf"(?:{_WEEKDAY},?\s+)?(?:\d{{1,2}}\s+{_MONTH}(?:,?\s+\d{{4}})?|"
                        rf"{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|{_MONTH}\s+\d{{4}}|\d{{4}})(?:,?\s+{_WEEKDAY})?")
# An agency or a place around that date ("nCa (News Central Asia)", "AKTAU – Kazinform"), not a byline's "By".
_SOURCE = r"(?!By\b)\(?(?:[A-Z]|[a-z]+[A-Z])[\w&'’.-]*\)?(?:\s+(?:[–—-]\s+)?\(?[A-Z][\w&'’.-]*\)?){0,4}"
_DATE_LINE = re.compile(rf"(?:{_SOURCE}\s*[,–—-]\s*)?(?:{_DATE_ONLY.pattern})(?:\s*[.,]?\s*{_SOURCE})?")


def is_dateline(sentence: str) -> bool:
    """Whether a sentence is only a news agency's dateline (and the agency's name), or only a date with, at
    most, its agency or place."""
    text = sentence.strip().strip("*_").rstrip(" .:*_")
    bare = _AGENCY_TAIL.sub("", text).rstrip(" .:,")
    return bool(any(d.fullmatch(t) for d in (DATELINE, LEAD_DATELINE) for t in (text, bare))
                or _DATE_LINE.fullmatch(text))


def states_author(sentence: str) -> bool:
    """Whether a sentence states a piece's author: a byline, "Author: …", "written by …", an editor's note."""
    return bool(_AUTHORSHIP.search(sentence))


@dataclass
class SentenceFacts:
    """What is known about one candidate sentence independently of the question."""

    asked: bool  # an interviewer's question
    question_index: int | None  # the candidate index of the interviewer question this sentence answers
    answer_opening: bool  # one of the first two sentences of an interview answer
    intro: bool  # in the first paragraph of the document
    position: float  # 0 at the document's start, 1 at its end (by chunk ordinal and place in chunk)
    about: bool = False  # a line of the document's about block (title, author, publisher, date)
    speaker: str | None = None  # interviews: who says it


def vector(*, sem: float, sem_best: float, sem_rank: int, lex: float, lex_best: float, lex_rank: int,
           lex_rare: float, lex_predicate: float, bigrams: float, dense: float, passage_lex: float, rank: int,
           types: list[str],
           sentence: str, facts: SentenceFacts, under_question_sem: float,
           title_overlap: float, speaker_named: bool) -> dict[str, float]:
    """The feature values of one sentence for one aspect."""
    words = len(sentence.split())
    typed = bool(types)
    match = typed and gives_type(sentence, types)
    return {
        "sem": sem,
        "sem_rel": sem - sem_best,
        "sem_rank": 1.0 / sem_rank if sem_rank else 0.0,  # ranks hold across embedding models' scales
        "lex": lex,
        "lex_rel": lex - lex_best,
        "lex_rank": 1.0 / max(lex_rank, 1),
        "lex_rare": lex_rare,
        # the share of the question's lower-case words (the predicate: "rise", "describe", "percentage")
        # the sentence has: a lead sentence that shares only the names does not answer
        "lex_predicate": lex_predicate,
        "bigrams": bigrams,
        "dense": dense,
        "passage_lex": passage_lex,
        "inv_rank": 1.0 / max(rank, 1),
        "type_match": float(match),
        "type_miss": float(typed and not match),
        "asked": float(facts.asked),
        "under_question_sem": under_question_sem,
        "answer_opening": float(facts.answer_opening),
        "intro": float(facts.intro),
        "leans_back": float(bool(LEANS_BACK.match(sentence.lstrip("–—- ")))),
        "log_words": math.log1p(words),
        "has_digit": float(bool(re.search(r"\d", sentence))),
        "field_line": float(bool(_FIELD.match(sentence.strip()))),
        "title_overlap": title_overlap,
        "position": facts.position,
        "about": float(facts.about),
        "speaker_named": float(speaker_named),  # the question names who says this sentence
    }


def as_array(rows: list[dict[str, float]], names: tuple[str, ...] = FEATURES) -> np.ndarray:
    return np.asarray([[r[n] for n in names] for r in rows], dtype=np.float64)
