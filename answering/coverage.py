"""Does the corpus cover a question at all? Checks that run before an answer is composed.

Similarity alone cannot tell "the population of Brazil" from "the population of the EAEU": both find the
EAEU infobox. Two plain facts can: the corpus never names Brazil, and no passage has (in its text or its
document's date) the year a question asks about. A question in another language meets an English-only
model with a clear pointer instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from corridor.records import Passage, parse_iso
from vectorstore.lexical import LexicalIndex, stopwords, terms

from .dates import RECENT_WORDS, YEAR_IN_TEXT, periods
from .features import (
    ANSWER_TYPES,
    DAY_OF_MONTH,
    HOW_MANY,
    MONTH_ABBREVIATIONS,
    MONTH_NAMES,
    NUMBER,
    WEEKDAY_NAMES,
    asked_value,
    finds_new,
    gives_new,
    is_dateline,
    opening,
)
from .language import language, name
from .sentences import (
    DATELINE_DAY_MONTH,
    DATELINE_MONTH_DAY,
    DATELINE_PLACE,
    DATELINE_TITLE_PLACE,
    DATELINE_YEAR,
)

_NAME = re.compile(r"(?<![\w.])[A-Z][\w’'-]*[a-z][\w’'-]*")  # capitalised words: names, places
_YEAR = re.compile(r"\b((?:19|20)\d\d)(?:\s*[/–-]\s*(\d\d))?\b")
_YEAR_RANGE = re.compile(r"\b(?:between\s+((?:19|20)\d\d)\s+and|((?:19|20)\d\d)\s*(?:[–—-]|to|until|till))\s*"
                         r"((?:19|20)\d\d)\b")
MULTILINGUAL_MODELS = {"e5-multilingual"}
def unknown_names(question: str, lexical: LexicalIndex, passages: list[Passage]) -> list[str]:
    """Names in the question (capitalised, not the first word) that no chunk in the store contains, in
    that form or another ("Afghan" for "Afghanistan", "Bosphorus" for "Bosporus"), and no found passage's
    document names in its title or publisher ("the Wikipedia revision")."""
    meta = set(terms(" ".join(f"{p.doc.title} {p.doc.publisher or ''}" for p in passages)))
    out = []
    for m in _NAME.finditer(question):
        if m.start() == 0 or question[: m.start()].rstrip().endswith(("?", ".", "!")):
            continue  # a sentence's first word is capitalised anyway
        word = re.sub(r"[’']s$", "", m.group(0))  # "Yerevan's": the note names "Yerevan"
        stems = [t for t in terms(word) if t not in stopwords()]
        if stems and not any(lexical.knows(t) or t in meta or lexical.knows_a_form_of(t) for t in stems):
            out.append(word)
    return out


def covered_years(passages: list[Passage]) -> set[int]:
    """The years these passages cover: named in their text (a range's years between), or their documents'."""
    return _covered_years(passages, " ".join(p.chunk.text for p in passages))


def _covered_years(passages: list[Passage], text: str) -> set[int]:
    """covered_years, given the passages' joined text (which missing_years reads for seasons too)."""
    have = {int(y) for y in YEAR_IN_TEXT.findall(text)}
    for between, since, until in _YEAR_RANGE.findall(text):  # "from 2011 to 2013", "2011–2013": 2012 too
        first, last = int(between or since), int(until)
        if first < last <= first + 50:
            have.update(range(first, last + 1))
    return have | {d.year for p in passages if (d := parse_iso(p.doc.date)) is not None}


def missing_years(question: str, passages: list[Passage], today: date | None = None) -> list[str]:
    """Periods the question names with a year (or seasons like 2024/25) that none of the passages covers.

    A period is covered by a passage whose text names one of its years, or whose document is dated in
    one of them: an article dated November 2024 covers "in November 2024" even when its text gives only
    the day and month. Relative periods ("last year") never refuse. Seasons match text only: a marketing
    year is not a publication date."""
    text = " ".join(p.chunk.text for p in passages)
    have = _covered_years(passages, text)
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


# Does a sentence state a value at all? Broader than the ranker's answer types (answering/features.py, which
# its fitted weights were measured on, and whose count reads cardinals in words but not "one", "dozens",
# "half" or a span of time): any number in words or a relative date ("on Tuesday", "last year") counts, so
# that a refusal never rests on a value written out. A year alone is a
# date, not a count or an amount ("It opened in 2017" says nothing of what it cost).
_NUMBER_WORD = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                          r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
                          r"sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|"
                          r"dozens?|half|a\s+third|a\s+quarter|double[ds]?|tripled?)\b", re.I)
# Number words that refer rather than count: "the two countries", "one of the largest", "one another".
_NOT_A_COUNT = re.compile(r"\bthe\s+two\b|\bone\s+(?:of|another|side)\b|\b(?:no|any|each|every)\s+one\b",
                          re.I)
_YEAR_ONLY = re.compile(r"(?:1[89]|20)\d\d")
# A day named without its date: a weekday, or yesterday, today, tomorrow.
_DAY_WORD = rf"\b(?-i:{WEEKDAY_NAMES})\b|\b(?:yesterday|today|tomorrow)\b"
# Dates the ranker's date type does not read (it reads a year or a month): a weekday, a relative date.
_WHEN_ELSE = re.compile(rf"{_DAY_WORD}|"
                        r"\b(?:(?:last|this|next|earlier\s+this|later\s+this)\s+"
                        r"(?:year|month|week|spring|summer|autumn|fall|winter)|in\s+the\s+(?:spring|summer|"
                        r"autumn|fall|winter)|(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|"
                        r"several|(?:a\s+)?few)\s+(?:years?|months?|weeks?|days?)\s+ago|the\s+(?:19|20)\d0s)\b",
                        re.I)


# "How long …?" is answered by a length or a span of time: "three days", "a 15-year term", "since 2012",
# "from 1994 to 1999" (figures alone are not: "signed on Thursday … $6 million" gives no grace period).
_SPAN = re.compile(r"\b(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
                   r"twenty|thirty|forty|fifty|a|an|half\s+a|several|a\s+few|many)[\s-]+(?:days?|hours?|weeks?|"
                   r"months?|years?|decades?|minutes?|nights?)\b|"
                   rf"\bsince\s+(?:(?:{MONTH_NAMES})\s+)?(?:1[89]|20)\d\d\b|"
                   r"\b(?:1[89]|20)\d\d\s*(?:[–-]|to|until)\s*(?:(?:1[89]|20)\d\d|\d\d)\b|"
                   + ANSWER_TYPES["length"][1].pattern, re.I)  # a length, as the length answer type reads it
# A rate's time unit ("14 million passengers a year", "once every ten days", "three flights per week") says
# how often, not how long: no span for "How long does the flight take?", no count for "For how many years …?".
_RATE = re.compile(r"\b(?:a|an|per|each|every|(?:once|twice)\s+(?:a|an|every))\s+(?:(?:\d+|one|two|three|"
                   r"four|five|six|seven|eight|nine|ten|other|few)\s+)?(?:years?|months?|weeks?|days?|hours?|"
                   r"minutes?)\b", re.I)
# "What share / percentage / stake …?" is answered by a share: a percentage, a fraction or a ratio ("half",
# "two-thirds", "threefold", "doubled", "wholly owned"); another figure is none ("a warehouse of 250 tons"
# gives no share of a province's harvest).
_PERCENTAGE = r"\d[\d,.]*\s*(?:%|percent\b|per\s+cent\b)"  # "50%", "40 per cent"
_SHARE = re.compile(rf"{_PERCENTAGE}|\d[\d,.]*\s*(?:-?fold\b|times\b)|\b\d+\s*/\s*\d+\b|"
                    r"\b(?:half|halve[ds]?|thirds?|quarters?|fifths?|tenths?|majority|minority|"
                    r"(?:(?:two|three|four|five|six|seven|eight|nine|ten)-?|\w+-)?fold|double[ds]?|tripled?|"
                    r"quadrupled?|whol(?:e|ly)|fully|entire(?:ly)?|all\s+of)\b",
                    re.I)
# "In which month …?" is answered by a month, or a season or a month said relatively; "this year" is no month.
_MONTH = re.compile(rf"\b(?:{MONTH_NAMES})\b|\b(?:{MONTH_ABBREVIATIONS})\.|\b(?:spring|summer|autumn|fall|"
                    r"winter)\b|\b(?:last|this|next|earlier\s+this|later\s+this)\s+month\b", re.I)
_ASKS_MONTH = re.compile(r"\b(?:what|which)\s+month\b", re.I)
# "On what date …?", "Which day …?" is answered by a day: a day of a month, a month at least, a weekday or a
# relative day; a year alone is no date ("in 2020" answers no "From what date did they recognise …?").
_ASKS_DAY = re.compile(r"\b(?:what|which)\s+(?:exact\s+)?(?:date|day)\b", re.I)
_DAY = re.compile(rf"{DAY_OF_MONTH.pattern}|{_MONTH.pattern}|{_DAY_WORD}|"
                  r"\b\d{1,2}[./]\d{1,2}[./](?:19|20)?\d\d\b|\b(?:19|20)\d\d-\d\d-\d\d\b", re.I)


# The date a text was reported on ("…, Trend reported on Aug. 13"): it dates the report, not the event
# reported, so it answers no "On what date did the firefighters arrive?", only a question about the telling.
# (Not "said on Tuesday": a speaker is often reported on the day of the event asked about.)
_REPORTED_ON = re.compile(r"\b(?:reported|reports|wrote)\s+(?:on\s+)?(?:"
                          rf"(?-i:{WEEKDAY_NAMES})|"
                          rf"(?:(?:{MONTH_ABBREVIATIONS})\.|{MONTH_NAMES})\s+\d{{1,2}}(?:,\s*(?:19|20)\d\d)?|"
                          rf"\d{{1,2}}\s+(?:{MONTH_NAMES})(?:\s+(?:19|20)\d\d)?)\b", re.I)
_ASKS_TELLING = re.compile(r"\b(?:say|said|report\w*|announc\w*|tell|told|wr[io]te|stated?|spoke|"
                           r"publish\w*)\b", re.I)


def _states(kind: str, sentence: str, question: str) -> bool:
    """Whether the sentence states a value of this kind that the question does not already give: "a
    50-megawatt plant" answers no "How much will the 50-megawatt plant cost?"; the date of a report answers
    no question about the event reported (`_REPORTED_ON`), nor does a dateline quoted alone ("6 December 2017.
    TURKMENISTAN.RU."): the day the piece was filed."""
    if kind == "date":
        if not _ASKS_TELLING.search(question):
            if is_dateline(sentence):
                return False
            sentence = _REPORTED_ON.sub(" ", sentence)
        if _ASKS_MONTH.search(question):
            return finds_new(_MONTH, sentence, question)
        if _ASKS_DAY.search(question):
            return finds_new(_DAY, sentence, question)
        return gives_new(sentence, "date", question) or bool(_WHEN_ELSE.search(sentence))
    if kind in ("length", "duration"):
        return finds_new(_SPAN, _RATE.sub(" ", sentence), question)
    if kind == "share":
        return finds_new(_SHARE, sentence, question)
    given = set(re.findall(NUMBER, question))
    numbers = [n for n in re.findall(NUMBER, sentence) if n not in given]
    return any(not _YEAR_ONLY.fullmatch(n) for n in numbers) or bool(
        _NUMBER_WORD.search(_NOT_A_COUNT.sub(" ", sentence)))


# "How much … cost / pay / spend / invest / worth / offer / lend …?" asks for money, and a sum of money is in
# a currency.
_PRICE_QUESTION = re.compile(r"\b(?:cost(?:s|ing)?|pay(?:s|ing)?|paid|spend(?:s|ing)?|spent|"
                             r"invest(?:s|ing|ed)?|price|budget|financ\w*|"
                             r"worth|money|funds?|funding|tariff|fee|fare|offer(?:s|ed)?|bid|sold|sell|bought|"
                             r"buy|lend|lent|loans?|grant(?:s|ed)?|allocat\w*|earn(?:s|ed)?|revenue|profit)\b",
                             re.I)
# A whole sum ("US$62,000", "$1.2 billion", "USD 40", "300 million US dollars"): read for a price, and masked
# where a count is read (a sum counts nothing).
_MONEY = re.compile(r"(?:(?:\bUS)?[$€£₸₺]|\b(?:USD|EUR|KZT|TRY)\s*)\s*\d[\d,.]*"
                    r"(?:\s*(?:trillion|billion|million|thousand|bn|mln)\b)?|"
                    r"\d[\d,.]*\s*(?:(?:trillion|billion|million|thousand|bn|mln)\s+)?"
                    # "300 million US dollars", "200,000 Azerbaijani manat", "120 million Turkish liras"
                    r"(?:(?:US|U\.S\.|American|Turkish|Azerbaijani|Kazakh(?:stani)?|Uzbek|Kyrgyz|Tajik|Turkmen|"
                    r"Georgian|Russian|Chinese)\s+)?"
                    r"(?:tenge|dollars?|USD|euros?|EUR|KZT|TRY|TL|manats?|liras?|lari|rubles?|roubles?|soms?|"
                    r"soums?|yuan)\b", re.I)


# "When will …?", "On what date is it to / expected to …?" asks for a date still to come: a sentence that
# gives one says what is planned or expected ("will", "is to", "expected", "scheduled", "by 2026").
_FUTURE_WHEN = re.compile(r"^\W*(?:when|(?:(?:in|on|by)\s+)?(?:what|which)\s+(?:year|date|month|day))\s+"
                          r"(?:will|is\s+\S+(?:\s+\S+){0,6}?\s+(?:to|going\s+to|expected|due|set|planned|scheduled)|"
                          r"are\s+\S+(?:\s+\S+){0,6}?\s+(?:to|expected|due)|"
                          # "By what year do they aim / plan / hope to …?"
                          r"(?:do|does)\s+\S+(?:\s+\S+){0,6}?\s+(?:aim|plan|intend|hope|want|expect|mean)\s+to)\b",
                          re.I)
# "Where will the ninth meeting be held?" asks for a place still to come, in the same way: a sentence naming
# where the eighth was held does not give it. Only "where will": "Where is the produce supposed to be sold?"
# is answered by "It is meant for export to Russia".
_FUTURE_WHERE = re.compile(r"^\W*where\s+(?:will|shall)\b", re.I)
_PLACE = re.compile(r"\b(?i:in|at|to|near|outside)\s+(?:(?i:the)\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*")


def _names_place(sentence: str, question: str) -> bool:
    """Whether the sentence names a place ("in Ankara", "at the National Museum") the question does not."""
    known = set(terms(question))
    return any(set(terms(m.group())) - known for m in _PLACE.finditer(sentence))
_FUTURE = re.compile(r"\b(?:will|would|shall|is\s+to|are\s+to|was\s+to|were\s+to|to\s+be|plan(?:s|ned|ning)?|"
                     r"schedul\w*|expect\w*|due|next|upcoming|by\s+(?:the\s+end\s+of\s+)?(?:\d{4}|[A-Z][a-z]+)|set\s+to|"
                     r"aim\w*|intend\w*|target\w*|until)\b", re.I)


# A news lead's dateline ("23 Feb. WARBOOTS …", "BAKU, Azerbaijan, June 12. Trend. …"): when the piece was
# filed, which is no planned date ("When will the factory open?" is not answered by the day it was reported).
# The place is optional here, and a month after the day may be cut short ("23 Feb.").
_DATELINE_LEAD = re.compile(rf"^\s*(?:{DATELINE_PLACE}|{DATELINE_TITLE_PLACE})?"
                            rf"(?:{DATELINE_MONTH_DAY}|{DATELINE_DAY_MONTH}\.?){DATELINE_YEAR}\s*[.:–—-]+\s*(?:\(?[A-Z]\w*\)?\s*[.:–—-]+\s*)?")


# "When was X founded / signed / joined …?" asks the date of that event: a sentence that dates something else
# about X (its 15th meeting, a later ratification) does not give it. Each event word, and the words a sentence
# dating that event may use ("set up" for "founded", "began" for "started").
# "found" not in "Foundation": a name ("the Science Development Foundation") dates no founding.
_ORIGIN = (r"(?-i:found|Found(?!ation))|establish|set\s+up|creat|launch|open|buil[dt]|form|start|beg[aiu]n|"
           r"inaugurat|introduc|came\s+into|operational|commission|r[au]ns?\s+from|went\s+into|entered\s+service|"
           r"since|first")
# "an agreement on military education of 8 August 1993": a document named by its day, the day it was signed.
_DOCUMENT_OF_DAY = (r"\b(?:agreement|treaty|memorandum|accord|protocol|convention|declaration|contract)s?\b"
                    rf"[^.;]{{0,80}}?\b(?:of|dated)\s+(?:{DAY_OF_MONTH.pattern})")
_EVENTS = (
    (re.compile(r"\b(?:found(?:ed)?|establish(?:ed)?|set\s+up|creat(?:e|ed)|launch(?:ed)?|open(?:ed)?|buil[dt]|"
                r"form(?:ed)?|start(?:ed)?|beg[aiu]n|inaugurat(?:e|ed))\b", re.I),
     re.compile(rf"\b(?:{_ORIGIN})", re.I)),
    (re.compile(r"\bsign(?:ed)?\b", re.I), re.compile(rf"\b(?:sign|conclud|ink)|{_DOCUMENT_OF_DAY}", re.I)),
    (re.compile(r"\bjoin(?:ed)?\b", re.I),
     re.compile(r"\b(?:join|accession|became\s+a\s+member|admitted)", re.I)),
    (re.compile(r"\b(?:die|died)\b", re.I), re.compile(r"\b(?:die[ds]?|death|passed\s+away)", re.I)),
    # "When was X appointed deputy rector?": not the day of a graduation he attended
    (re.compile(r"\b(?:appoint(?:ed)?|elect(?:ed)?)\b", re.I),
     re.compile(r"\b(?:appoint|elect|named|took\s+(?:up\s+)?(?:office|the\s+post)|assumed|sworn\s+in)",
                re.I)),
    # "When did the agreement enter into force?": not the day a chamber adopted it or the Senate approved it
    (re.compile(r"\b(?:enter(?:ed|s)?\s+into\s+force|c[oa]mes?\s+into\s+(?:force|effect)|"
                r"t(?:ake|akes|ook|aken)\s+effect|(?:go|goes|went)\s+into\s+effect|bec[oa]me\s+effective)\b",
                re.I),
     re.compile(r"\b(?:enter\w*\s+into\s+force|in\s+force|c[oa]m(?:es?|ing)\s+into\s+(?:force|effect)|"
                r"t(?:ake|akes|ook|aken|aking)\s+effect|(?:go|goes|went|gone|going)\s+into\s+effect|effective|"
                r"valid)", re.I)),
)


def dated_event(question: str) -> tuple[str, re.Pattern] | None:
    """For "When was X founded?", "In what year did Y join Z?": the event asked about and the pattern of the
    words that date it; None for other questions."""
    start = opening(question)
    for asks, dates in _EVENTS:
        if m := asks.search(start):
            return m.group().lower(), dates
    return None


# "What is the name / title of …?", "What are the names of …?", "What is the venture called?" asks for a name:
# a capitalised word the question does not give (not a sentence's first word), or a quoted title.
_ASKS_NAME = re.compile(r"^\W*(?:what|which)\s+(?:is|was|are|were|will\s+be)\s+(?:the\s+)?(?:name|title)s?\s+"
                        r"of\b|^\W*what\s+(?:is|was|are|were)\b[^?]*\b(?:called|named|titled)\W*$", re.I)
_A_NAME = re.compile(r"(?<=\w[\s,(])[A-ZÇĞİÖŞÜ][\w’'-]*|[“\"«][^”\"»]{2,80}[”\"»]")


# "Which Turkish company is building the clinic?" asks for a company: a quoted sentence must name one the
# question does not — a capitalised name ending in a company word ("Ronesans International", "TAV Airport
# Holding"), a quoted name ("Tynys"), or a capitalised name within a few words of "company", "firm",
# "operator" … ("the Turkish defence company ASELSAN", "Veon's Beeline as the only operator"). Countries,
# peoples, capitals, posts and months are no company's name (`_NOT_COMPANY`).
_COMPANY_WORD = (r"compan(?:y|ies)|firms?|banks?|operators?|contractors?|carriers?|airlines?|holdings|"
                 r"manufacturers?|producers?|investors?|suppliers?|developers?|builders?|enterprises?|"
                 r"corporations?|conglomerates?")
_ASKS_COMPANY = re.compile(rf"^\W*(?:which|what)\s+(?!(?:kind|type|sort)\s+of\b)(?:[\w-]+\s+){{0,2}}?"
                           rf"(?:{_COMPANY_WORD})\b(?!\s+(?:executives?|officials?|representatives?|chiefs?|heads?|"
                           r"directors?|managers?|delegations?|staff|employees?|workers?|projects?|plants?|"
                           r"shares?|stakes?|names?)\b)", re.I)
_CAP = r"[A-ZÇĞİÖŞÜ][\w’'&.-]*"
_COMPANY_NAME = re.compile(
    rf"(?:{_CAP}\s+){{1,4}}(?:Holdings?|Bank|Bankası|Group|Grup|Company|Corporation|Corp\.?|Inc\.?|LLC|Ltd\.?|"
    r"JSC|PJSC|A\.Ş\.?|AŞ|Energy|Enerji|International|Airlines|Airways|Air|Telecom|Systems|Industries|Sanayi|"
    r"Technologies|Motors|Railways|Logistics|Petroleum|Construction|İnşaat|Mining|Shipyard|Partners|Fund|"
    r"Engineering|Lojistik|Ticaret|Co\.)(?![\w])")
_QUOTED_NAME = re.compile(r"[“\"«]([A-ZÇĞİÖŞÜ][^”\"»]{1,60})[”\"»]")
_CAP_RUN = re.compile(rf"{_CAP}(?:\s+(?:of\s+|and\s+|&\s+)?{_CAP})*")
_NEAR_COMPANY = re.compile(rf"\b(?:{_COMPANY_WORD}|group|concern|maker|plants?|factory|factories)\b", re.I)
_COMPANY_NEAR = 60  # characters between a name and the company word that makes it one
_NOT_COMPANY = frozenset(terms(
    "Turkey Türkiye Turkish Turks Kazakhstan Kazakh Azerbaijan Azerbaijani Uzbekistan Uzbek Turkmenistan "
    "Turkmen Kyrgyzstan Kyrgyz Tajikistan Tajik Georgia Georgian Russia Russian China Chinese Iran Iranian "
    "Europe European Caspian Central Asia Asian Turkic Black Sea Middle East West Western Soviet Ankara "
    "Istanbul Astana Almaty Baku Tashkent Bishkek Ashgabat Dushanbe Tbilisi Moscow Beijing Japan Japanese "
    "Korea Korean America American United States Arab Germany German France French Italy Italian Britain "
    "British Ukraine Ukrainian Republic Region Province City President Minister Ministry Prime Deputy "
    "Ambassador Government Council Parliament Organization Organisation States "
    + MONTH_NAMES.replace("|", " ") + " " + WEEKDAY_NAMES.replace("|", " ")))


def _names_company(sentence: str, question: str) -> bool:
    """Whether a sentence names a company the question does not (see `_ASKS_COMPANY`)."""
    asked = question.lower()
    if any(m.group().lower() not in asked for m in _COMPANY_NAME.finditer(sentence)):
        return True
    if any(m.group(1).lower() not in asked for m in _QUOTED_NAME.finditer(sentence)):
        return True
    known = set(terms(question)) | _NOT_COMPANY
    near = [m.start() for m in _NEAR_COMPANY.finditer(sentence)]
    return any(sentence[:m.start()].strip() and not set(terms(m.group())) <= known
               and any(abs(n - m.start()) < _COMPANY_NEAR for n in near) for m in _CAP_RUN.finditer(sentence))


# "What was the turnover for the whole of 2021?" asks for a year's figure: one for its first eight months, its
# first half or January to November does not give it; a sentence naming that year (or "last year") without a
# part does.
_WHOLE_YEAR = re.compile(r"\b(?:whole|full|entire)\s+(?:of\s+)?(?:the\s+)?(?:year\s+)?(?:of\s+)?"
                         r"((?:19|20)\d\d)\b|\b((?:19|20)\d\d)\s+as\s+a\s+whole\b|\ball\s+of\s+((?:19|20)\d\d)\b",
                         re.I)
_PART_OF_YEAR = re.compile(rf"\b(?:first|last)\s+(?:\w+\s+)?(?:months?|quarters?|half|weeks?)\b|\bquarter\b|"
                           rf"\bhalf\s+of\b|\b(?:{MONTH_NAMES})\s*(?:[–-]|to|through|and)\s*(?:{MONTH_NAMES})\b",
                           re.I)
_THE_YEAR = r"\b(?:last|past|that|the\s+whole)\s+year\b"


def _whole_year(question: str, types: tuple[str, ...]) -> str | None:
    """The year whose whole a question asking for a figure names ("for the whole of 2021"), or None."""
    m = _WHOLE_YEAR.search(opening(question)) if types != ("date",) else None
    return next(g for g in m.groups() if g) if m else None


def missing_value(question: str, statements: list[str]) -> str | None:
    """What an English question asks for outright ("how many" → "a number", "when did …" → "a date") when
    no quoted sentence states one (a number in figures or words, a date): the sources name the subject, not
    the fact asked about. A "how many <things>" question also needs a number set before the things counted
    ("4,000 Turkish companies", "1 million tonnes of copper ore" is no count of lentils). None when the
    question asks for no value or a sentence states it. The engine refuses on it (docs/QUALITY.md, ninth and
    tenth sessions: what it refused on the tuning sets and blind batches)."""
    if language(question) != "en":
        return None
    if _FUTURE_WHERE.search(opening(question)) and not any(
            _names_place(s, question) and _FUTURE.search(s) for s in statements):
        return "a planned place"
    if _ASKS_NAME.search(opening(question)) and not any(finds_new(_A_NAME, s, question) for s in statements):
        return "a name"  # "What is the name of the joint venture …?" against "a joint venture in petroleum …"
    if _ASKS_COMPANY.search(opening(question)) and not any(_names_company(s, question) for s in statements):
        return "a company's name"  # "Which Turkish company will make drones?" against "joint work on drones"
    asked = asked_value(question)
    if asked is None:
        return None
    if not any(_states(t, s, question) for s in statements for t in asked[0]):
        return asked[1]
    if asked[0] == ("date",) and _FUTURE_WHEN.search(opening(question)) and not any(
            _states("date", body, question) and _FUTURE.search(body)
            for s in statements if (body := _DATELINE_LEAD.sub("", s))):
        return "a planned date"  # "When will the sixth meeting be held?" against the fifth one's date
    event = dated_event(question) if asked[0] == ("date",) else None
    if event is not None and not any(_states("date", s, question) and event[1].search(s) for s in statements):
        return f"a date for “{event[0]}”"  # "In which year was X set up?" against X's 15th meeting
    if (year := _whole_year(question, asked[0])) is not None and not any(
            _states(t, s, question) and not _PART_OF_YEAR.search(s)
            and re.search(rf"\b{year}\b|{_THE_YEAR}", s, re.I) for s in statements for t in asked[0]):
        return f"a figure for the whole of {year}"  # "… for the whole of 2021" against its first nine months
    # "How much did the railway cost?" against its freight capacity in tonnes; "how many tourists" against a
    # count of flights (for other values the first check above has said it)
    giver = _value_giver(question, asked)
    if giver is None or any(giver[0](s) for s in statements):
        return None
    return giver[1]


def _value_giver(question: str,
                 asked: tuple[tuple[str, ...], str]) -> tuple[Callable[[str], bool], str] | None:
    """Which sentence gives the value a question asks for (`asked`: its `asked_value`), and what a refusal
    calls that value: a count of what is counted, a sum of money for a cost, else a value of an asked type.
    None for a "how many" question that names nothing counted. missing_value and unanchored_value read it."""
    if asked[0] == ("count",):
        what = counted(question)
        if what is None:
            return None
        return (lambda s: counts(what, s)), f"a number for “how many {' '.join(what[2])}”"
    if asked[0] == ("amount",) and _PRICE_QUESTION.search(opening(question)):
        return (lambda s: bool(_MONEY.search(s))), "a sum of money"
    return (lambda s: any(_states(t, s, question) for t in asked[0])), asked[1]


# "How many <what> (of <kind>) …": the words naming what is counted, up to the first stop word (at most three:
# "Kazakh tourists", "civil passenger aircraft"), and a lower-case "of" complement ("tonnes of lentils").
_HOW_MANY = re.compile(rf"{HOW_MANY}\s+(.*)$", re.I | re.S)
_ORDINAL_FIGURE = r"\d+(?:st|nd|rd|th)"  # "2nd", "10th": one thing of a series, in figures
_TOKEN = re.compile(rf"{_ORDINAL_FIGURE}\b|{NUMBER}(?:-\w+)?|[\w’'-]+")  # "2nd" whole: an ordinal
# Units written either way: "826 km" counts "how many kilometres".
_UNIT = {"km": "kilometr", "kilometr": "kilometr", "kilomet": "kilometr", "t": "tonn", "ton": "tonn",
         "tonn": "tonn", "ha": "hectar", "hectar": "hectar", "m": "metr", "metr": "metr"}


def _stem(word: str) -> str:
    stems = terms(word)
    return _UNIT.get(stems[0], stems[0]) if stems else ""


def counted(question: str) -> tuple[set[str], str | None, list[str]] | None:
    """For "how many …" questions: the stems of the words naming what is counted, the stem of its "of"
    complement (None when there is none) and the words as asked; None for other questions."""
    m = _HOW_MANY.match(opening(question))
    if m is None:
        return None
    tokens = _TOKEN.findall(m.group(1))
    words: list[str] = []
    for t in tokens[:3]:
        if not _stem(t):  # a stop word ends the phrase: "how many days did …", "how many tonnes of …"
            break
        words.append(t)
    if not words:
        return None
    rest = tokens[len(words):]
    of = _stem(rest[1]) if len(rest) > 1 and rest[0].lower() == "of" and rest[1].islower() else None
    if of:
        words += ["of", rest[1]]
    return {_stem(w) for w in words if w != "of"} - {of}, of or None, words


def counts(what: tuple[set[str], str | None, list[str]], sentence: str, window: int = 4) -> bool:
    """Does the sentence set a number (in figures or words, not a year alone) at most `window` words before
    one of the counted words, and name the "of" complement if the question has one?"""
    names, of, _ = what
    ordinals = "year" in names  # "its 20th anniversary" counts years; "the 2nd Karabakh War" counts no war
    # "since July 5 every truck": a day; "US$62,000 to train Tajik personnel": a sum of money; "about 50% of
    # Turkish banks": a share, no count of Turkish companies
    sentence = _PERCENT.sub(" ", sentence)
    sentence = _RATE.sub(" ", _MONEY.sub(" ", DAY_OF_MONTH.sub(" ", _NOT_A_COUNT.sub(" ", sentence))))
    tokens = [part for t in _TOKEN.findall(sentence) for part in _count_compound(t)]
    stems = [_stem(t) for t in tokens]
    if of and of not in stems:
        return False
    for i, s in enumerate(stems):
        if s in names and any(_counts_at(tokens, j, ordinals) for j in range(max(0, i - window), i)):
            return True
        # "the number of Uzbek-Turkish enterprises has grown threefold … to 1.9 thousand": the count follows
        # (nothing follows when the sentence ends with the things counted)
        if (s == "number" and tokens[i + 1:i + 2] == ["of"] and names & set(stems[i + 2:i + 2 + window])
                and any(_counts_at(tokens, j) for j in range(i + 3, len(tokens)))):
            return True
    return False


def _counts_at(tokens: list[str], j: int, ordinals: bool = False) -> bool:
    """Is tokens[j] a count, not a ratio ("three times more firms", "twenty percent of Turkish firms", "rose
    33-fold")? The word after it tells."""
    return _is_count(tokens[j], ordinals) and not _RATIO.match(tokens[j + 1] if j + 1 < len(tokens) else "")


_PERCENT = re.compile(_PERCENTAGE, re.I)  # a share, which the count check reads past
_RATIO = re.compile(r"fold$|times$|percent$|per$", re.I)  # the word after a number that makes it a ratio
_ORDINAL_NUMBER = re.compile(_ORDINAL_FIGURE, re.I)


def _count_compound(token: str) -> list[str]:
    """"two-storey", "24-room", "380-km": a count joined to what it counts, as two tokens; others whole."""
    head, _, rest = token.partition("-")
    return [head, rest] if rest and head and _is_count(head) else [token]


def _is_count(token: str, ordinals: bool = False) -> bool:
    if _ORDINAL_NUMBER.fullmatch(token):
        return ordinals
    if token[0].isdigit():
        return not _YEAR_ONLY.fullmatch(token)
    return bool(_NUMBER_WORD.fullmatch(token))


# A name of the question is "rare" when few chunks use it: its IDF is at least this share of the IDF of a term
# only one chunk uses ("Kokomeren", "Kayaturk", not "Turkish" or "Kazakhstan"). Chosen on fresh-dev (0.6–0.8
# refuse the same out-of-scope questions; 0.7 refuses the fewest answerable ones), docs/QUALITY.md.
RARE_NAME_SHARE = 0.7


# a whole name as the question writes it: "National Bank of Kazakhstan", "Dauren Kossanov"
_NAME_RUN = re.compile(r"(?<![\w.])[A-Z][\w’'-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w’'-]*)*")


def rare_names(question: str, lexical: LexicalIndex, share: float = RARE_NAME_SHARE) -> dict[str, set[str]]:
    """The question's names that few chunks use, each as the question writes the whole name ("the National
    Bank of Kazakhstan" for "Bank"), with the stems of its rare words; not the question's first word."""
    top = lexical.max_idf()
    out: dict[str, set[str]] = {}
    for m in _NAME_RUN.finditer(opening(question)):
        name = m.group(0)
        if m.start() == 0:  # a sentence's first word is capitalised anyway
            name = name.partition(" ")[2].removeprefix("of ").removeprefix("the ")
        # "I", "I've": the asker, not a name; a stem of one or two letters ("ve") names nothing either
        stems = {t for t in terms(re.sub(r"\bI(?:['’]\w+)?\b", " ", name))
                 if len(t) > 2 and t not in stopwords() and lexical.idf(t) >= share * top}
        if stems:
            out[name] = stems
    return out


def unanchored_value(question: str, statements: list[str], docs: list[str | None],
                     contexts: list[str], names: dict[str, set[str]]) -> str | None:
    """"How many jobs will Kayaturk Group's projects create?", "How much will YDA Holding's hospital in
    Petropavlovsk cost?": a sentence giving the value asked for (a count of what is counted, a sum, a date …)
    answers it only when its passage (`contexts`: each statement's passage text with its document's title and
    the other passages found in that document) or another quoted sentence of its document names each of the
    question's rare names (`rare_names`); a count of another project's jobs does not, nor another hospital's
    cost or another checkpoint's date. None when the question asks for no value, names no rare name, or a
    value is anchored. The engine refuses on it, as on a missing value. Counts only until the thirty-sixth
    session (docs/QUALITY.md)."""
    asked = asked_value(question) if names and language(question) == "en" else None
    giver = _value_giver(question, asked) if asked is not None else None
    if giver is None:
        return None
    gives, value = giver
    giving = [i for i, s in enumerate(statements) if gives(s)]
    if not giving:
        return None  # missing_value's to say
    for i in giving:
        near = [contexts[i]] + [s for j, s in enumerate(statements)
                                if docs[j] is not None and docs[j] == docs[i]]
        named = set(terms(" ".join(near)))
        if all(_named(stems, named) for stems in names.values()):
            return None
    return f"{value} in a passage on {' or '.join(names)}"


def _named(stems: set[str], named: set[str]) -> bool:
    """Whether a name's stems are among these terms, a stem of four letters or more also as the start of one:
    "Eurasia" is named by "the Eurasian region" (fresh-dev fd229)."""
    return bool(stems & named) or any(t.startswith(s) for s in stems if len(s) >= 4 for t in named)


# Questions that ask who holds a role ("Who is Türkiye's ambassador to …?", "Who chairs …?", "What is the name
# of the company that operates …?"), and the words a sentence that names the holder uses for that role. A
# role word outside these groups must appear itself. Broad groups on purpose: "Who heads X?" is answered by
# "X's chief executive Y", so any word of the group counts.
_ROLE_QUESTION = re.compile(
    r"^\W*(?:who\s+(?:is|was|will\s+be|has\s+been|became|is\s+now|is\s+currently)\s+(?:the\s+)?"
    r"(?:appointed\s+|named\s+|elected\s+)?(?:the\s+)?(?:[\w’'-]+(?:’s|'s)\s+)?"
    r"(?:(?:new|current|first|acting|permanent|deputy)\s+)?"
    r"(?P<role>(?:(?:general|chief|managing|executive)\s+)?[a-z-]+(?:\s+general)?)\s+(?:of|to|at|for|in)\b"
    r"|who\s+(?:(?:will|would)\s+)?(?P<verb>(?:co-)?chair(?:s|ed)?|head(?:s|ed)?|leads?|led|runs?|ran|"
    r"operate[sd]?|manage[sd]?|builds?|built|owns?|owned|represent(?:s|ed)?)\b"
    r"|(?:what\s+is\s+the\s+name\s+of\s+the|which)\s+(?:company|companies|firm|firms|operator|contractor)\s+"
    r"(?:that\s+|will\s+|would\s+|is\s+to\s+)*(?P<verb2>operates?|runs?|manages?|builds?|owns?|construct\w*)\b)",
    re.I)
# "Who was appointed / elected to …" asks for an appointment (a sentence saying "appointed"); "Who was
# expected / due / going to …": a participle or an adjective before "to" names no role
_CHOSEN = re.compile(r"(?:appoint|elect|nam|chos|select)ed")
_NO_ROLE = re.compile(r"[a-z-]+(?:ed|ing)|due|able|likely|about|set")
_BYLINE = ("author", "writ", "wrote", "by")  # a byline: "written by", "by Y"
_NOT_A_ROLE = re.compile(r"\bgovern(?:ment|ance|ing)\w*|\bleading\b")  # "the government", "leading companies"
_PAST = {"led": "lead", "ran": "run", "built": "build"}  # past forms whose stem is not their start
_ROLE_GROUPS = (
    ("head", "lead", "chair", "chief", "director", "president", "ceo", "executive", "manag", "boss",
     "govern"),
    ("ambassador", "envoy", "embass"),
    ("operat", "run", "manag"),
    ("build", "built", "construct", "contractor"),
    ("own",),
    ("represent", "envoy", "took part", "taking part", "take part", "takes part", "attend", "delegat",
     "sent ", "send"),  # "Who represented X at …?" is answered by who took part, attended or was sent
    ("secretary",),
    ("minister",),
    ("spokes",),
    _BYLINE,
)


# What a role question's "of / to / at …" names, up to a clause, a date, a comma or the source asked for
# ("… of Industry and Technology in the most recent dated text"): "the Turkic Academy".
_HOLDER = re.compile(r"\s*(?P<holder>[^?,;]+?)(?=\s+(?:whose|which|who|that|when|where|in\s+place|since|"
                     r"during|after|before|in\s+(?:\d+|(?-i:[A-Z][a-z]+\s+\d+))|according\s+to|as\s+of|"
                     rf"(?:in|by)\s+the\s+(?:{RECENT_WORDS}))\b|[?,;]|$)", re.I)


def _holder_of(rest: str) -> tuple[str, set[str]] | None:
    """The entity a role question names after its role ("… president of the Turkic Academy?"), with its
    terms; None unless it is a name (a capital: "head of government" names no one's office)."""
    m = _HOLDER.match(rest)
    if m is None or not re.search(r"[A-Z]", m.group("holder")):
        return None
    words = {t for t in terms(m.group("holder")) if not YEAR_IN_TEXT.fullmatch(t)}
    return (m.group("holder").strip(), words) if words else None


def _role_stem(word: str) -> str:
    """"interviewer" → "interview", "founder" → "found": what a sentence naming the holder shares."""
    for suffix in ("ers", "ors", "er", "or", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def missing_role(question: str, statements: list[str], docs: list[str | None] | None = None) -> str | None:
    """What an English question asks for when it asks who holds a role ("the ambassador", "who operates it")
    and no quoted sentence uses a word for that role; None when the question asks for no role holder or a
    sentence names the role. When the question says whose role ("the president of the Turkic Academy"), a
    sentence naming the role needs a sentence of the same document (`docs`: each statement's; itself when
    not given) naming at least half of whose: a president of something else is no answer. The engine refuses
    on it, as on a missing value (docs/QUALITY.md, ninth and twelfth sessions)."""
    m = _ROLE_QUESTION.search(opening(question)) if language(question) == "en" else None
    if m is None:
        return None
    role = (m.group("role") or m.group("verb") or m.group("verb2")).lower()
    rest, is_role = opening(question)[m.end():], bool(m.group("role"))
    chosen = is_role and bool(_CHOSEN.fullmatch(role))  # "Who was appointed to head …?": an appointment
    if is_role and not chosen and _NO_ROLE.fullmatch(role):  # "Who was expected to take part …?": no role
        return None
    word = role.split()[0] if role.endswith(" general") else role.split()[-1]
    word = _PAST.get(word, word).removeprefix("co-")  # "Who led …?" asks for a leader, "co-chaired" a chair
    stems = next((g for g in _ROLE_GROUPS if any(word.startswith(s) for s in g)), (_role_stem(word),))
    def names_role(sentence: str) -> bool:
        text = _NOT_A_ROLE.sub(" ", sentence.lower())
        return any(re.search(rf"\b{re.escape(s)}", text) for s in stems)

    # whose byline: the piece itself, which a byline never names (its citation does)
    # "Who heads WARBOOTS …?" names whose head too, as "the president of …" does
    holder = _holder_of(rest) if stems != _BYLINE else None
    past = role.endswith("ed") or role in _PAST
    verb = role if past or role.endswith("s") else role + "s"  # "who operates it", "who led it"
    if holder is not None:  # "the president of the Turkic Academy": the role and whose it is, in one sentence
        docs = docs or [None] * len(statements)
        named = {i for i, s in enumerate(statements) if len(holder[1] & set(terms(s))) * 2 >= len(holder[1])}
        if any(names_role(s) and any(j == i or (docs[i] is not None and docs[j] == docs[i]) for j in named)
               for i, s in enumerate(statements)):
            return None
        if not is_role:
            return f"who {verb} {holder[0]}"
        prep = opening(question)[:m.end()].split()[-1].lower()  # "ambassador to Kazakhstan"
        return f"{'who was' if chosen else 'the'} {role} {prep} {holder[0]}"
    if any(names_role(s) for s in statements):
        return None
    if is_role:
        return f"{'who was' if chosen else 'the'} {role}"
    return f"who {verb} it"


# "What did <Name> say / tell / think …?", "How does <Name> describe …?": the question asks for that person's
# words. A sentence that answers reports speech (a verb of saying, "according to", "in his view") by that
# person, named or as "he"/"she", or is that person's own answer in an interview.
# The person may come after what they are ("Türkiye's interior minister Ali Yerlikaya", "Istanbul mayor Ekrem
# İmamoğlu", "Kazakhstan's Minister of Culture and Information Aida Balayeva"), and a name may open with a
# Turkish capital ("Şahap Kavcıoğlu"); not after "the" ("the head of the Turkish Space Agency" names a body)
# nor after "in", "of", "at", "to" or "for" ("Turkey's embassy in Ashgabat": a body, named by its place).
_UPPER = "A-ZÇĞİÖŞÜ"
_SPEECH_QUESTION = re.compile(
    r"^\W*(?i:what|how)\s+(?i:did|does|do|has|have|had|will|would)\s+"
    rf"(?:[{_UPPER}][\w’'.-]*(?:’s|'s)?\s+(?:[A-Za-z-]+\s+){{1,5}}?)??"  # the name alone first
    r"(?<!\sin\s)(?<!\sof\s)(?<!\sat\s)(?<!\sto\s)(?<!\sfor\s)"  # "Turkey's embassy in Ashgabat": a place
    rf"(?P<name>[{_UPPER}][\w’'.-]*(?:\s+[{_UPPER}][\w’'.-]*){{0,4}})"
    r"(?:\s+(?:of|from|at)\s+(?:the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*|\s*,[^,?]{1,80},)?\s+"
    r"(?:say|tell|stress|note|add|propose|promise|think|describe|call|urge|announce|suggest|believe|expect|"
    r"warn|explain|argue|recall|hope|mean)\b")
_SPEECH = re.compile(
    r"\b(?:said|says|saying|told|tells|stress\w*|not(?:ed|es)|add(?:ed|s)|stat(?:ed|es)|explain\w*|"
    r"describ\w*|call(?:ed|s)|argu\w*|believ\w*|think\w*|thought|according\s+to|in\s+(?:his|her|their)\s+"
    r"(?:view|words|opinion)|emphasi[sz]\w*|remark\w*|pointed\s+out|warn\w*|urg\w*|announc\w*|promis\w*|"
    r"propos\w*|suggest\w*|mention\w*|sp(?:oke|eaking)|express\w*|hop(?:ed|es)|expect\w*|recall\w*|"
    r"assur\w*|confirm\w*|insist\w*|prais\w*|welcom\w*|thank\w*|congratulat\w*|commend\w*|consider\w*|"
    r"sees|saw|views?|regard\w*|calling|asked|answered|replied|voiced|underlin\w*|highlight\w*)\b", re.I)
_PRONOUN_START = re.compile(r"^\W*(?:he|she|they)\b", re.I)
_NOT_NAMES = {"The", "This", "That", "These", "Those", "It", "Its"}


def missing_speech(question: str, statements: list[str], speakers: list[str | None]) -> str | None:
    """Whose words an English question asks for ("What did Bektenov say …?") when no quoted sentence reports
    speech by that person (named, or as "he"/"she") and none is that person's interview answer; None when
    the question asks for no one's words or a sentence gives them. The engine refuses on it, as on a missing
    value (docs/QUALITY.md, tenth session)."""
    name = _speech_asked(question)
    if name is None:
        return None
    surname = _surname(name)
    if any(_own_words(surname, sp) for sp in speakers):
        return None
    for text in statements:
        if _SPEECH.search(text) and (surname in text.lower() or _PRONOUN_START.match(text)):
            return None
    return name


def words_first(question: str, speakers: list[str | None]) -> int | None:
    """For a question asking for a person's words, the first quoted sentence (by `speakers`, who speaks in
    each one's passage) of that person's own interview answer: the engine opens the answer with it, not with
    the introduction that only names the person ("… Engin Ozer shared his insights on …"). None when the
    question asks for no one's words or none of the quoted sentences is theirs. Not for "According to X, how
    many …?": that asks a fact in X's account. A sentence reporting the speech by name ("Tokayev said …") is
    left where the opening model puts it: since that model (forty-ninth session) promoting it cost openings,
    +0 −3 on unseen fresh-dev questions, where the sentence that answers says only "He said …"
    (docs/QUALITY.md)."""
    name = _speech_asked(question)
    if name is None:
        return None
    surname = _surname(name)
    return next((i for i, sp in enumerate(speakers) if _own_words(surname, sp)), None)


def _speech_asked(question: str) -> str | None:
    """The person whose words an English question asks for, or None."""
    m = _SPEECH_QUESTION.search(opening(question)) if language(question) == "en" else None
    if m is None or m.group("name").split()[0] in _NOT_NAMES:
        return None
    return m.group("name")


def _surname(name: str) -> str:
    return re.sub(r"(?:’s|'s)$", "", name.split()[-1]).lower()


def _own_words(surname: str, speaker: str | None) -> bool:
    return bool(speaker) and surname in speaker.lower()


# "the 9th meeting", "its sixth summit", "the III Meeting": an event named by its number in a series.
_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                  "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
                  "seventeenth", "eighteenth", "nineteenth", "twentieth")
_ROMAN = {"II": 2, "III": 3, "IV": 4, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "XI": 11, "XII": 12, "XIII": 13,
          "XIV": 14, "XV": 15, "XX": 20}  # "the III Meeting" (one letter alone is too often a word or a name)
_ORDINAL = re.compile(rf"\b(?:{_ORDINAL_FIGURE}|(?i:{'|'.join(_ORDINAL_WORDS)})|(?-i:[IVX]{{2,4}}))\b")
# The event word of a numbered event ("the 9th meeting", "the inaugural summit", "the 2nd Space Camp", "the
# fourth General Assembly").
_EVENT_WORD = (r"(?P<what>(?i:meeting|summit|session|forum|congress|council|conference|round|edition|games|"
               r"assembly|camp|festival|kurultai|olympiad|championship|tournament|exhibition|expo|fair|"
               r"symposium|workshop|convention|plenum))\b")
_ORDINAL_EVENT = re.compile(
    rf"\b(?P<n>{_ORDINAL_FIGURE}|(?i:{'|'.join(_ORDINAL_WORDS)})|(?-i:[IVX]{{2,4}}))\s+"
    r"(?:(?:[A-Z][\w’'-]*|annual|joint|plenary|regular|informal|extraordinary)\s+){0,4}" + _EVENT_WORD)


# "the inaugural meeting", "its founding summit": the first of a series, without the word.
_FIRST_EVENT = re.compile(
    r"\b(?i:inaugural|founding|first-ever)\s+(?:(?:[A-Z][\w’'-]*|annual|joint|plenary|regular|informal)\s+){0,4}"
    + _EVENT_WORD)


def _ordinal_events(text: str) -> set[tuple[int, str]]:
    """(number, event word) of every event the text names by its place in a series."""
    out = {(1, m.group("what").lower()) for m in _FIRST_EVENT.finditer(text)}
    for m in _ORDINAL_EVENT.finditer(text):
        n = m.group("n")
        num = (int(re.match(r"\d+", n).group()) if n[0].isdigit()
               else _ROMAN.get(n) if n.isupper() else _ORDINAL_WORDS.index(n.lower()) + 1)
        if num:
            out.add((num, m.group("what").lower()))
    return out


def missing_ordinal(question: str, statements: list[str], contexts: list[str] | None = None) -> str | None:
    """The numbered event a question asks about ("the 9th meeting") when the quoted sentences name another
    event of that series ("the 8th meeting") and never this one: they report a different meeting. None when
    the question names no numbered event, or several of one kind ("from its third meeting to its fifth"), or
    the quotes name no other of the kind. "The first meeting" counts like any other (an "inaugural" or
    "founding" one in the quotes is the first): until the twenty-third session it was left alone, and three
    out-of-scope questions on the tuning sets were answered with the second meeting's or the tenth summit's
    sentences and no answerable one needed the exception (docs/QUALITY.md). A quote whose passage or document
    title (`contexts`) names the asked event speaks of it ("It is held to mark …" under "II Forum …")."""
    asked = _ordinal_events(question)
    if len(asked) != 1 or len(_ORDINAL.findall(question)) != 1 or language(question) != "en":
        return None  # "from its third meeting to its fifth": a span of the series
    [(num, what)] = asked
    quoted = _ordinal_events(" ".join(statements))
    if (num, what) in quoted or not any(w == what for _, w in quoted):
        return None
    if any((num, what) in _ordinal_events(context) for context in contexts or []):
        return None
    return f"the {_ORDINAL_WORDS[num - 1] if num <= len(_ORDINAL_WORDS) else _suffixed(num)} {what}"


def _suffixed(num: int) -> str:
    """21 → "21st", 112 → "112th": an ordinal past the words."""
    last = {1: "st", 2: "nd", 3: "rd"}.get(num % 10, "th") if num % 100 not in (11, 12, 13) else "th"
    return f"{num}{last}"


def not_answered(question: str, statements: list[str], speakers: list[str | None] | None = None,
                 docs: list[str | None] | None = None, contexts: list[str] | None = None,
                 names: dict[str, set[str]] | None = None) -> str | None:
    """What the quoted sentences leave out of what the question asks outright ("states a number", "names
    the ambassador", "reports what Bektenov said"), or None: the engine refuses a one-part question on it.
    `speakers`: who speaks in each quoted sentence's passage, where ingest knows (interviews); `docs`: the
    document each comes from; `contexts`: each one's passage text and document title, with the other passages
    found in its document; `names`: the question's rare names (`rare_names`)."""
    if (value := missing_value(question, statements)) is not None:
        return f"states {value}"
    if contexts is not None and (value := unanchored_value(
            question, statements, docs or [None] * len(statements), contexts, names or {})) is not None:
        return f"states {value}"
    if (role := missing_role(question, statements, docs)) is not None:
        return f"names {role}"
    if (who := missing_speech(question, statements, speakers or [])) is not None:
        return f"reports what {who} said"
    if (event := missing_ordinal(question, statements, contexts)) is not None:
        return f"mentions {event}"
    return None
