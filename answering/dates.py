"""Dates in questions: the periods a question asks about ("in November 2024", "since 2022", "last year",
"between 2023 and 2024", "as of March 2025"), relative to today, and whether it asks for the latest state
("now", "current", "latest") or for a change over time ("how has … changed", "over the years").

Hand-written on purpose: dateparser (on PyPI) turns one expression into one datetime with the missing
parts filled in, so "November 2024" or "2025" would not come back as a month or a year, and it has no
"since"/"between" ranges; the few shapes a question uses are a handful of patterns.
"""

from __future__ import annotations

import calendar
import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

EARLIEST = date(1900, 1, 1)  # the open start of "before 2020" / "as of March 2025"

_MONTHS = {name: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
     ("nov", "november"), ("dec", "december")], 1) for name in names}
_M = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|" \
     r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_Y = r"(?:19|20)\d\d"
YEAR_IN_TEXT = re.compile(rf"(?<!\d)({_Y})(?!\d)")  # a year anywhere in running text ("in 2019", "2019/20")
# The months in the other languages the engine answers (Turkish, Russian, Kazakh), as stems that take their
# case endings; next to a year they read as that month ("Temmuz 2025", "в июле 2025", "2025 жылғы шілдеде").
_FOREIGN_MONTHS = (
    ("ocak", "январ", "қаңтар"), ("şubat", "феврал", "ақпан"), ("mart", "март", "наурыз"),
    ("nisan", "апрел", "сәуір"), ("mayıs", "ма[йяе]", "мамыр"), ("haziran", "июн", "маусым"),
    ("temmuz", "июл", "шілде"), ("ağustos", "август", "тамыз"), ("eylül", "сентябр", "қыркүйек"),
    ("ekim", "октябр", "қазан"), ("kasım", "ноябр", "қараша"), ("aralık", "декабр", "желтоқсан"))
_FOREIGN_STEM = [re.compile(rf"^(?:{'|'.join(stems)})", re.I) for stems in _FOREIGN_MONTHS]
_FM = "|".join(stem for stems in _FOREIGN_MONTHS for stem in stems)
_FOREIGN_MONTH_YEAR = re.compile(
    rf"\b(?P<m>(?:{_FM})\w*)(?:['’]\w+)?\s+(?P<y>{_Y})\b"  # Turkish and Russian: month, year
    rf"|\b(?P<y2>{_Y})(?:['’]\w+)?\s+(?:жыл\w*\s+)?(?P<m2>(?:{_FM})\w*)",  # Kazakh: year, month
    re.I)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "a few": 3, "few": 3, "several": 3}
# One point in time, longest shapes first. A year followed by /25 or -25 is a season ("2024/25
# marketing year"), not a period: it is left to the text checks.
_POINT = re.compile(
    rf"(?P<iso>\b(?P<iy>{_Y})-(?P<im>[01]\d)-(?P<id>[0-3]\d)\b)"
    rf"|(?P<dmy>\b(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_M})\.?,?\s+(?P<y1>{_Y})\b)"
    rf"|(?P<mdy>\b(?P<m2>{_M})\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y2>{_Y})\b)"
    rf"|(?P<mm>\b(?P<ma>{_M})\.?\s*(?:[-–—]|to|and|through|until)\s*(?P<mb>{_M})\.?,?\s+(?P<ym>{_Y})\b)"
    rf"|(?P<my>\b(?P<m3>{_M})\.?,?\s+(?:of\s+)?(?P<y3>{_Y})\b)"
    rf"|(?P<part>\b(?:the\s+)?(?P<nth>first|second|third|fourth|last|1st|2nd|3rd|4th)\s+(?P<size>half|quarter)"
    rf"\s+(?:of\s+)?(?P<yp>{_Y})\b|\b(?P<hq>[HQ])(?P<hqn>[1-4])\s+(?P<yq>{_Y})\b)"
    rf"|(?P<decade>\b(?:the\s+)?(?P<dy>(?:19|20)\d)0s\b)"
    r"|(?P<lastn>\b(?:the\s+)?(?:last|past|previous)\s+(?P<n>\d{1,2}|one|two|three|four|five|six|seven|"
    r"eight|nine|ten|a\s+few|few|several)\s+(?P<units>years?|months?)\b)"
    r"|(?P<rel>\b(?P<which>last|this|past|previous|current)\s+(?P<unit>year|month)\b)"
    rf"|(?P<year>(?<![\w/.,$£€])(?P<y4>{_Y})(?!\s*[/–-]\s*\d\d(?!\d))(?![\d,.]\d)"
    r"(?!\s*(?:km|kilomet|miles?|tons?|tonnes?|people|units|containers|TEU|MW|m\b|USD|\$)))",
    re.I)
_RANGE_OPEN = re.compile(r"\b(?:between|from)\s+(?:the\s+(?:start|beginning|end)\s+of\s+)?"
                         r"(?:early\s+|mid-?\s*|late\s+)?$", re.I)
_RANGE_JOIN = re.compile(r"^\s*(?:and|to|until|till|through|thru|[-–—])\s*(?:the\s+end\s+of\s+)?"
                         r"(?:early\s+|mid-?\s*|late\s+)?$", re.I)
_SINCE = re.compile(r"\b(?:since|starting(?:\s+in)?|beginning(?:\s+in)?)\s+(?:the\s+(?:start|beginning|"
                    r"end)\s+of\s+)?(?:early\s+|mid-?\s*|late\s+)?$", re.I)
_AFTER = re.compile(r"\bafter\s+(?:early\s+|mid-?\s*|late\s+)?$", re.I)
_BEFORE = re.compile(r"\b(?:before|prior\s+to|earlier\s+than)\s+(?:early\s+|mid-?\s*|late\s+)?$", re.I)
_UNTIL = re.compile(r"\b(?:until|till|through|up\s+to|as\s+of|as\s+at)\s+(?:the\s+end\s+of\s+)?"
                    r"(?:early\s+|mid-?\s*|late\s+)?$", re.I)
_ONWARDS = re.compile(r"^\s*(?:on(?:wards?)?|and\s+(?:later|after))\b", re.I)

# The words of a latest question that ask for the newest state and say nothing of its subject (question.py
# leaves them out of what a sentence is matched against); "in recent years" is a span of years, not that.
RECENT_WORDS = (r"latest|newest|most\s+recent(?:ly)?|recent(?:ly)?(?!\s+(?:years|decades|months|weeks))|"
                r"current(?:ly)?(?!\s+account)|nowadays|at\s+present|presently|these\s+days|to\s+date|"
                r"up[\s-]to[\s-]date")
_FROM = re.compile(r"\bfrom\b", re.I)
_TO = re.compile(r"\b(?:to|through|until|till)\b", re.I)
_LATEST = re.compile(rf"\b(?:{RECENT_WORDS}|now|today|so\s+far|as\s+of)\b", re.I)
_TIMELINE = re.compile(
    r"\bhow\s+(?:has|have|did|do|does)\b.{0,80}?\b(?:chang|evolv|grow|grew|develop|shift|rise|rose|risen|fall|"
    r"fell|declin|increas|decreas|progress)\w*"
    r"|\bover\s+(?:the|recent|past|these)\s+(?:\w+\s+)?(?:years|decades?|months)\b|\bover\s+time\b"
    r"|\btimeline\b|\bhistory\s+of\b|(?-i:\btrends?\b)|\byear\s+(?:by|after|on)\s+year\b|\bchronolog\w*"
    r"|\b(?:changes?|evolution|development)\s+(?:of|in)\b",
    re.I)

# "The latest change in …", "the most recent development of …": one change, the newest, not how things
# changed.
_LATEST_CHANGE = re.compile(
    r"\b(?:latest|newest|most\s+recent|recent)\s+(?:changes?|evolution|developments?)\s+(?:of|in)\b", re.I)

Kind = Literal["point", "since", "until", "range"]


@dataclass(frozen=True)
class Period:
    """An inclusive span of days a question asks about, and how it was written."""

    start: date
    end: date
    text: str  # the words of the question it came from ("November 2024", "since 2022")
    kind: Kind = "point"
    literal: bool = True  # written with a year ("2024"), not relative ("last year")

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def years(self) -> set[int]:
        """The calendar years the period touches (an open start counts from the earliest year named)."""
        return set(range(self.start.year, self.end.year + 1))

    @property
    def label(self) -> str:
        """How a note names it: "2024", "November 2024", "the period since 2022"."""
        return self.text if self.kind == "point" else f"the period {self.text[:1].lower()}{self.text[1:]}"


@dataclass(frozen=True)
class _Point:
    start: date
    end: date
    a: int  # span in the question
    b: int
    literal: bool
    relative_to_now: bool = False  # "the past 3 years": already runs to today


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _day(y: str, m: str, d: str) -> tuple[date, date] | None:
    try:
        day = date(int(y), _MONTHS[m.lower().rstrip(".")] if not m.isdigit() else int(m), int(d))
    except (ValueError, KeyError):
        return None
    return day, day


def _point(m: re.Match[str], today: date) -> _Point | None:
    g = m.groupdict()
    span: tuple[date, date] | None
    literal, now = True, False
    if g["iso"]:
        span = _day(g["iy"], g["im"], g["id"])
    elif g["dmy"]:
        span = _day(g["y1"], g["m1"], g["d1"])
    elif g["mdy"]:
        span = _day(g["y2"], g["m2"], g["d2"])
    elif g["mm"]:
        y, a, b = int(g["ym"]), _MONTHS[g["ma"].lower()], _MONTHS[g["mb"].lower()]
        if a > b:
            return None
        span = date(y, a, 1), _month_end(y, b)
    elif g["part"]:
        if g["hq"]:
            size, n, y = ("half" if g["hq"].upper() == "H" else "quarter"), int(g["hqn"]), int(g["yq"])
        else:
            size, y = g["size"].lower(), int(g["yp"])
            n = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
                 "last": 2 if size == "half" else 4}[g["nth"].lower()]
        months = 6 if size == "half" else 3
        if n * months > 12:
            return None
        span = date(y, (n - 1) * months + 1, 1), _month_end(y, n * months)
    elif g["my"]:
        y, mo = int(g["y3"]), _MONTHS[g["m3"].lower()]
        span = date(y, mo, 1), _month_end(y, mo)
    elif g["decade"]:
        y = int(g["dy"]) * 10
        span = date(y, 1, 1), date(y + 9, 12, 31)
    elif g["lastn"]:
        raw = " ".join(g["n"].lower().split())
        n = int(raw) if raw.isdigit() else _NUMBERS[raw]
        months = n * 12 if g["units"].lower().startswith("year") else n
        span, literal, now = (_add_months(today, -months), today), False, True
    elif g["rel"]:
        which, unit = g["which"].lower(), g["unit"].lower()
        literal = False
        if unit == "year":
            if which in ("last", "previous"):
                span = date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
            elif which == "past":
                span, now = (_add_months(today, -12), today), True
            else:
                span = date(today.year, 1, 1), date(today.year, 12, 31)
        else:
            first = today.replace(day=1)
            if which in ("last", "previous", "past"):
                prev = first - timedelta(days=1)
                span = prev.replace(day=1), prev
            else:
                span = first, _month_end(today.year, today.month)
    else:
        y = int(g["y4"])
        span = date(y, 1, 1), date(y, 12, 31)
    if span is None:
        return None
    return _Point(span[0], span[1], m.start(), m.end(), literal, now)


def _english_months(question: str) -> str:
    """A Turkish, Russian or Kazakh month next to a year written as "<Month> <year>" in English."""
    def english(m: re.Match[str]) -> str:
        word, year = (m["m"], m["y"]) if m["m"] else (m["m2"], m["y2"])
        month = next(i for i, stem in enumerate(_FOREIGN_STEM, 1) if stem.match(word))
        return f"{calendar.month_name[month]} {year}"
    return _FOREIGN_MONTH_YEAR.sub(english, question)


def periods(question: str, today: date | None = None) -> list[Period]:
    """The periods a question names, in order. "between 2023 and 2024" is one range; "in 2022 and 2024"
    two years; "since 2022" runs to today; "before 2020" and "as of March 2025" are open at the start.
    Months in Turkish, Russian or Kazakh next to a year count too (and are named in English)."""
    today = today or date.today()
    question = _english_months(question)
    points = [p for m in _POINT.finditer(question) if (p := _point(m, today)) is not None]
    out: list[Period] = []
    i = 0
    while i < len(points):
        p = points[i]
        before = question[points[i - 1].b if i else 0:p.a]
        if i + 1 < len(points):
            q = points[i + 1]
            between = question[p.b:q.a]
            if _RANGE_JOIN.match(between) and (_RANGE_OPEN.search(before) or re.search(r"[-–—]", between)):
                opened = _RANGE_OPEN.search(before)
                a = p.a - len(opened.group(0)) if opened else p.a
                out.append(Period(min(p.start, q.start), max(p.end, q.end), question[a:q.b], "range",
                                  p.literal or q.literal))
                i += 2
                continue
        text, after = question[p.a:p.b], question[p.b:]
        since, later, until = _SINCE.search(before), _AFTER.search(before), _UNTIL.search(before)
        earlier = _BEFORE.search(before)
        if p.relative_to_now:
            out.append(Period(p.start, p.end, text, "since", p.literal))
        elif since or _ONWARDS.match(after):
            words = f"{since.group(0)}{text}" if since else f"{text}{_ONWARDS.match(after).group(0)}"
            out.append(Period(p.start, max(today, p.end), words.strip(), "since", p.literal))
        elif later:
            out.append(Period(p.end + timedelta(days=1), max(today, p.end), f"{later.group(0)}{text}",
                              "since", p.literal))
        elif earlier:
            out.append(Period(EARLIEST, p.start - timedelta(days=1), f"{earlier.group(0)}{text}", "until",
                              p.literal))
        elif until:
            out.append(Period(EARLIEST, p.end, f"{until.group(0)}{text}", "until", p.literal))
        else:
            opened = _RANGE_OPEN.search(before)  # "between January and April 2025" is one point
            out.append(Period(p.start, p.end, f"{opened.group(0)}{text}" if opened else text, "point",
                              p.literal))
        i += 1
    return out


def asks_latest(question: str) -> bool:
    """Does the question ask for the present or newest state ("now", "current", "latest", "as of")?"""
    return bool(_LATEST.search(question))


def asks_timeline(question: str, found: list[Period] | None = None) -> bool:
    """Does the question ask how something changed over time ("how has … changed", "over the years",
    "between 2022 and 2024")? Its answer reads best in date order."""
    if _TIMELINE.search(_LATEST_CHANGE.sub(" ", question)):
        return True
    return any(p.kind == "range" or (p.kind == "since" and p.literal) for p in found or []) or \
        _from_to(question, found or [])


def _from_to(question: str, found: list[Period]) -> bool:
    """"from the memorandum of May 2024 through the joint venture of December 2024 to March 2026": two dated
    points, the first after "from" and the next after "to" or "through", are the ends of a timeline even
    when each names an event (periods() makes a range only of dates written side by side)."""
    text = _english_months(question)
    at, ends = 0, []  # each literal point's (start, end) in the question and its first day
    for p in found:
        if p.kind == "point" and p.literal and (i := text.find(p.text, at)) >= 0:
            ends.append((i, i + len(p.text), p.start))
            at = i + len(p.text)
    before = 0  # "from" is looked for since the point before the first end
    for (a, b, day), (c, _, then) in itertools.pairwise(ends):
        if day != then and _FROM.search(text[before:a]) and _TO.search(text[b:c]):
            return True
        before = b
    return False


def span(found: list[Period]) -> tuple[date, date] | None:
    """The smallest span holding all the periods, for one date-filtered search."""
    if not found:
        return None
    return min(p.start for p in found), max(p.end for p in found)
