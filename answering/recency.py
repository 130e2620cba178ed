"""Questions about time: "latest / now / current" wants the newest source first and says "as of" when;
"how has it changed / since 2022 / between 2022 and 2024" wants each source's figure in date order; "in
November 2024" is answered by a document of that month even when its text names only the day.

The extractive selector chooses by relevance alone. `chooser` adds, from sentences the ranker already
rates close to the best (and that cover at least half as much of the question's rare terms as the best
one), the newest source's sentence (latest questions), a sentence from a document dated in the asked
period when none is chosen, or one sentence per further dated source and, from the passages already quoted,
one per further year or month named (timelines), including the sentences just after a quoted one that the
ranker never read (`choose`'s `unranked`).
`order` then puts the statements newest first or in date order; `notes` says "as of" and that sources
differ.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from corridor.records import Passage, Statement, parse_iso

from . import features as F
from .dates import YEAR_IN_TEXT, Period, asks_latest, asks_timeline, periods
from .extractive import TYPED_SHARE, _figures, repeats
from .ranker import load

NUMERIC = {"length", "duration", "amount", "count", "share"}  # answer types that are figures
EXTRA = 2  # at most this many sentences added for dates
# a timeline's further event is read up to this many sentences after a quoted one, among the sentences the
# ranker never read (chosen on fresh-dev timelines, `corridor eval --split fresh-dev --kinds timeline`:
# 1 → must_include +2 −0, 2 → +4 −0, 3 → +4 −0 with one more answer less on point)
FOLLOWING = 2
RARE_SHARE = 0.5  # an added sentence covers at least this share of the best one's rare question terms


@dataclass(frozen=True)
class TimeAsk:
    """What a question asks about time."""

    periods: list[Period] = field(default_factory=list)
    latest: bool = False  # "now", "current", "latest", "as of"
    timeline: bool = False  # "how has … changed", "over the years", a range of years
    cap: date | None = None  # "as of March 2025": the newest source up to this day
    value: tuple[str, ...] = ()  # the answer types of a question that opens by asking for a value

    @property
    def any(self) -> bool:
        return bool(self.periods or self.latest or self.timeline)


def read(question: str, today: date | None = None) -> TimeAsk:
    found = periods(question, today)
    caps = [p.end for p in found if p.kind == "until"]
    asked = F.asked_value(question)
    return TimeAsk(found, asks_latest(question), asks_timeline(question, found), min(caps) if caps else None,
                   asked[0] if asked else ())


def _doc_date(passage: Passage, cap: date | None = None) -> date | None:
    d = parse_iso(passage.doc.date)
    return d if d is not None and (cap is None or d <= cap) else None


def chooser(ask: TimeAsk, question: str) -> Callable | None:
    """A `choose(chosen, ranked)` for `extractive.extract`, or None when the question is not about time."""
    if not ask.any:
        return None
    types = F.asked_types(question)
    numeric = [t for t in types if t in NUMERIC]

    def choose(chosen: list, ranked: list, unranked: Sequence = ()) -> list:
        """`ranked`: the sentences the ranker scored; `unranked`: the passages' other statements (score 0),
        read only for a timeline's further events."""
        if not ranked:
            return chosen
        ranker = load()
        top = max(ranked, key=lambda c: c.score[0])
        best = top.score[0]
        keep = ranker.keep_line(best)

        def about(c, subject: Callable = lambda c: c.rare[0]) -> bool:
            """On the question's subject as the best sentence is ("34 categories" is not, for "how many
            companies"): by the question's rare words, or (`on_subject`) with its document's title."""
            return subject(c) >= RARE_SHARE * subject(top)

        def eligible(c, subject: Callable = lambda c: c.rare[0], floor: float | None = None) -> bool:
            if not about(c, subject):
                return False
            if numeric:  # "the latest figure": a sentence with a figure of the asked kind
                return F.gives_type(c.text, numeric) and c.score[0] >= TYPED_SHARE * best
            return c.score[0] >= (keep if floor is None else floor)

        pool = sorted((c for c in ranked if eligible(c)), key=lambda c: -c.score[0])
        out = list(chosen)
        added: list = []

        def add(c) -> None:
            if len(added) < EXTRA and c not in out and not any(
                    repeats(c.text, o.text) for o in out):
                out.append(c)
                added.append(c)

        if ask.latest:
            # the newest source's sentence may name the subject only through its title ("An Uzbek-Turkish
            # industrial zone, Ostim, is launched": its lead repeats none of the question's rare words that
            # the title has), so its document's title counts for being on the subject
            dated = [c for c in ranked if eligible(c, lambda c: c.on_subject[0], TYPED_SHARE * best)
                     and _doc_date(c.passage, ask.cap) is not None]
            if dated:
                newest = max(dated, key=lambda c: (_doc_date(c.passage, ask.cap), c.score[0]))
                # a newer source quoted off the subject (a side remark the ranker kept) is no newer answer
                have = [d for c in out if about(c, lambda c: c.on_subject[0])
                        and (d := _doc_date(c.passage, ask.cap)) is not None]
                if not have or _doc_date(newest.passage, ask.cap) > max(have):
                    add(newest)
        by_score = sorted(ranked, key=lambda c: -c.score[0])
        bounded = [p for p in ask.periods if p.kind in ("point", "range")]
        if bounded:
            def in_period(c, periods: list[Period] = bounded) -> bool:
                return any(p.contains(parse_iso(c.passage.doc.date)) for p in periods)

            def names_year(c, periods: list[Period] = bounded) -> bool:
                return any(str(y) in c.text for p in periods for y in p.years())

            if not any(in_period(c) or names_year(c) for c in out):
                first = next((c for c in pool if in_period(c)), None)
                if first is not None:
                    add(first)
            if ask.timeline:  # "from November 2021 to February 2025": each end of the timeline, not only one
                for period in bounded:
                    if not any(in_period(c, [period]) or names_year(c, [period]) for c in out):
                        first = next((c for c in by_score if in_period(c, [period])), None)
                        if first is not None:
                            add(first)
        if ask.timeline:
            docs = {c.passage.doc.doc_id for c in out}
            for c in pool:
                if parse_iso(c.passage.doc.date) is not None and c.passage.doc.doc_id not in docs:
                    docs.add(c.passage.doc.doc_id)
                    add(c)
            # then, from the passages already quoted, a sentence for each further time they name: a timeline's
            # events sit together ("They were lifted in June 2024." after the restrictions), whatever the
            # ranker makes of a sentence that repeats none of the question's words. Such a sentence is often
            # one the ranker never read (only each passage's best few are embedded and scored): those join
            # when they stand just after a quoted sentence (fd127, fd1236: the event the answer's sentence
            # introduced; read anywhere in the passage they brought in other stories' years)
            seen = {t for c in out for t in _times(c.text)}
            quoted = {c.passage.chunk.chunk_id for c in out}
            near = _following(out, ranked + list(unranked), FOLLOWING)
            for c in by_score + [c for c in unranked if id(c) in near]:
                if c.passage.chunk.chunk_id in quoted and (times := _times(c.text)) and not times <= seen:
                    seen |= times
                    add(c)
        return out

    return choose


def _following(quoted: list, sentences: list, window: int) -> set[int]:
    """The ids of the sentences standing at most `window` sentences after a quoted one in its passage."""
    by_chunk: dict[str, list] = {}
    for c in sentences:
        by_chunk.setdefault(c.passage.chunk.chunk_id, []).append(c)
    near: set[int] = set()
    for c in quoted:
        row = sorted(by_chunk.get(c.passage.chunk.chunk_id, []), key=lambda s: s.start)
        later = [s for s in row if s.start >= c.end]
        near |= {id(s) for s in later[:window]}
    return near


_MONTH = re.compile(rf"\b(?:{F.MONTH_NAMES})\b")


def _times(text: str) -> set[str]:
    """The years and months a sentence names: what a timeline's events are told apart by."""
    return set(YEAR_IN_TEXT.findall(text)) | set(_MONTH.findall(text))


_RELATIVE_YEAR = re.compile(r"\b(?:(?:last|previous|past)\s+year|a\s+year\s+(?:earlier|before)"
                            r"|(?P<this>this)\s+year)\b", re.I)


def _years(st: Statement) -> list[int]:
    """The years a statement names: written out, or "last year", "a year earlier", "this year" counted from
    its source's date ("Trade reached $6.3 billion last year" in a 2023 report names 2022)."""
    years = list(map(int, YEAR_IN_TEXT.findall(st.text)))
    d = parse_iso(st.date)
    if d is not None:
        years += [d.year if m.group("this") else d.year - 1 for m in _RELATIVE_YEAR.finditer(st.text)]
    return years


def _groups(statements: list[Statement]) -> list[list[Statement]]:
    """Runs of statements citing the same passage first (one passage's sentences stay together)."""
    return [list(g) for _, g in itertools.groupby(statements, key=lambda s: s.citations[:1])]


def order(statements: list[Statement], ask: TimeAsk,
          scores: dict[str, float] | None = None, detail: frozenset[str] = frozenset()) -> list[Statement]:
    """Newest source first for latest questions, oldest first for timelines, in both among the sources whose
    best sentence the ranker rates close to the best one (by `scores`, statement text → probability: a source
    quoted for a side remark comes after them, at the fitted other_source share; fresh-dev timelines: opens
    +10 −0); for timelines by the earliest year a
    passage's sentences name within the years asked about ("In 2019 it handled 6.4 million passengers" in a
    2024 report comes before a 2023 report), then the passages that name no such year by their sources'
    dates, then undated ones, each kind in its original order, and the first passage's sentence naming the
    earliest year opens (a timeline opens with an event, not with background such as "He described the fund
    as a milestone"); "last year" and "this year" count from the source's date. Latest questions put
    undated sources after the dated ones. Other questions keep the relevance order. The answer still opens
    with a sentence that gives the value asked for ("How much … now?"), when the first source has one, as
    extractive._select opens it for any question. A passage quoted only for `detail` (statements added after
    the answer's own) comes after the others, so it never opens the answer."""
    if not (ask.latest or ask.timeline):
        return statements
    groups = _groups(statements)
    dates = [parse_iso(g[0].date) for g in groups]
    if len({d for d in dates if d is not None}) < 2 and not ask.timeline:
        return statements

    asked = {y for p in ask.periods if p.literal for y in p.years()}  # years outside them are background
    last = _last(groups, scores, detail)  # far sources, then those quoted only for detail, after the rest

    def named(st: Statement) -> list[int]:
        return [y for y in _years(st) if not asked or y in asked]

    def key(i: int) -> tuple:
        d = dates[i]
        off = last[i]
        if ask.timeline:  # by the earliest year the passage's sentences name, else by the source's date
            years = [y for st in groups[i] for y in named(st)]
            if years:
                return (off, 0, min(years), d.toordinal() if d is not None else 0)
            return (off, 2, 0, 0) if d is None else (off, 1, d.year, d.toordinal())
        if d is None:
            return (off, 2, 0)
        late = ask.cap is not None and d > ask.cap  # after "as of March 2025": not what was asked
        return (off, 1 if late else 0, -d.toordinal())

    groups = [groups[i] for i in sorted(range(len(groups)), key=key)]
    first = groups[0]
    events = [(min(years), st) for st in first if (years := named(st))] if ask.timeline else []
    if events:  # a timeline opens with its earliest event: a sentence that names its year
        event = min(events, key=lambda e: e[0])[1]
        first.remove(event)
        first.insert(0, event)
    typed = next((st for st in first if F.gives_type(st.text, list(ask.value))), None) if ask.value else None
    if typed is not None:
        first.remove(typed)
        first.insert(0, typed)
    return [st for g in groups for st in g]


def _last(groups: list[list[Statement]], scores: dict[str, float] | None,
          detail: frozenset[str]) -> list[int]:
    """Per group, how far back `order` puts it: 0 among the sources close to the question; +1 when its best
    sentence is under the ranker's fitted other_source share of the best one (`scores`: statement text →
    probability; none without scores, as in llm mode); +2 when it was quoted only for `detail` (last)."""
    rel = [max((scores.get(st.text, 0.0) for st in g), default=0.0) for g in groups] if scores else []
    close = load().other_source * max(rel, default=0.0)  # the fitted share at which another source joins
    return [2 * all(st.text in detail for st in g) + int(bool(rel) and rel[i] < close)
            for i, g in enumerate(groups)]


def notes(statements: list[Statement], ask: TimeAsk, question: str, scores: dict[str, float] | None = None,
          detail: frozenset[str] = frozenset()) -> list[str]:
    """"As of <date>" for latest questions, and a word when the sources give different figures; a
    timeline's note says when `order` put sources far from the question (by `scores`) or quoted only for
    `detail` last."""
    out: list[str] = []
    moved = ask.timeline and any(_last(_groups(statements), scores, detail))
    last = "; sources further from the question come last" if moved else ""
    dated = [(d, st) for st in statements if (d := parse_iso(st.date)) is not None
             and (ask.cap is None or d <= ask.cap)]
    if ask.latest:
        if dated:
            newest, st = max(dated, key=lambda x: x[0])
            where = f" ({st.source})" if st.source else ""
            place = "comes first" if not ask.timeline else "is last, in date order"
            lead, first = dated[0]
            if not ask.timeline and lead < newest:  # order() put a newer source far from the question after
                there = f" ({first.source})" if first.source else ""
                out.append(f"As of {lead.isoformat()}: the newest source quoted here that answers closely"
                           f"{there} comes first; a newer one{where}, of {newest.isoformat()}, is further "
                           "from the question.")
            else:
                out.append(f"As of {newest.isoformat()}: the newest dated source quoted here{where} {place}.")
        else:
            out.append("None of the sources quoted here is dated, so this may not be the latest state.")
    numeric = [t for t in F.asked_types(question) if t in NUMERIC]
    if not numeric and (ask.latest or ask.timeline):
        numeric = sorted(NUMERIC)  # "how has trade changed": any quantity counts
    figures: dict[str, set] = {}
    for st in statements:
        f = _figures(st.text)
        if numeric and f and F.gives_type(st.text, numeric):
            figures.setdefault(st.attribution or "", set()).add(f)
    ordered = ask.timeline and len({d for d, _ in dated}) >= 2
    if len(figures) >= 2 and len({f for fs in figures.values() for f in fs}) >= 2:
        how = " in date order" if ask.timeline else " newest first" if ask.latest else ""
        out.append(f"The sources give different figures; each is shown with its source and date{how}{last}.")
    elif ordered:
        out.append("The statements are in date order: by the years they name, then those naming none by "
                   f"their sources' dates{last}.")
    return out
