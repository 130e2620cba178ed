"""The offline, deterministic metrics: pure functions of records, so each can be tested by hand.

Per question a metric is a number in 0..1, or None when it does not apply (no evidence to find, no
citation to judge); a kind's or the whole set's value is the mean over the questions where it applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from answering.citations import support
from answering.sentences import sentences
from corridor.records import Answer, Chunk, Citation

from .evidence import Span, contains, holds_quote, normalise

SUPPORTED = 0.6  # answering.citations.support at or above this: the passage backs the sentence


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    pass_min: float | None  # a question passes this metric at or above this value (None: not pass/fail)
    help: str


METRICS: list[Metric] = [
    Metric("hit_at_1", "hit@1", None, "an evidence passage is ranked first"),
    Metric("hit_at_5", "hit@5", 1.0, "an evidence passage is among the top 5 retrieved"),
    Metric("mrr", "MRR", None, "1 / rank of the first evidence passage (0 when none in the top 5)"),
    Metric("citation_precision", "citation precision", 1.0,
           "cited passages that contain evidence or support their sentence (support ≥ 0.6)"),
    Metric("citation_recall", "citation recall", 0.5, "evidence quotes that a cited passage contains"),
    Metric("evidence_cited", "evidence cited", 1.0,
           "answerable questions whose answer cites at least one passage containing an evidence quote"),
    Metric("opens_with_evidence", "opens with evidence", None,
           "answerable questions whose answer's first sentence holds (a sentence of) an evidence quote"),
    Metric("on_point", "sentences on point", None,
           "sentences holding an evidence quote or a must_include item (the rest is off the question)"),
    Metric("must_include_recall", "must_include recall", 1.0, "must_include groups found in the answer"),
    Metric("must_not_include_ok", "no must_not_include", 1.0, "the answer contains no forbidden text"),
    Metric("abstention_accuracy", "abstention accuracy", 1.0, "abstains exactly when it should"),
    Metric("faithfulness", "faithfulness", 1.0, "statements whose cited passage supports them (≥ 0.6)"),
]
METRIC_KEYS = [m.key for m in METRICS]
LATENCY_KEYS = ["latency_p50_ms", "latency_p95_ms"]


def citation_chunk(c: Citation) -> Chunk:
    """The chunk a citation points at, as a Chunk (the citation quotes the whole chunk text)."""
    return Chunk(chunk_id=c.chunk_id, doc_id=c.doc_id, ordinal=0, text=c.quote, start=c.start, end=c.end)


def has_evidence(chunk: Chunk, evidence: dict[str, list[Span]]) -> bool:
    return any(contains(chunk, quote, spans) for quote, spans in evidence.items())


def retrieval(chunks: list[Chunk], evidence: dict[str, list[Span]],
              depth: int = 5) -> dict[str, float | None]:
    """hit@1, hit@5 and reciprocal rank of the first passage (in rank order) that contains evidence."""
    if not evidence:
        return {"hit_at_1": None, "hit_at_5": None, "mrr": None}
    first = next((r for r, ch in enumerate(chunks[:depth], 1) if has_evidence(ch, evidence)), None)
    return {"hit_at_1": float(first == 1), "hit_at_5": float(first is not None),
            "mrr": 1.0 / first if first else 0.0}


def statement_support(answer: Answer) -> dict[int, float]:
    """For each citation number, the best support it gives a statement that cites it."""
    quotes = {c.number: c.quote for c in answer.citations}
    best: dict[int, float] = {}
    for st in answer.statements:
        for n in st.citations:
            if n in quotes:
                best[n] = max(best.get(n, 0.0), support(st.text, quotes[n]))
    return best


def citation_precision(answer: Answer, evidence: dict[str, list[Span]], expect_abstain: bool) -> float | None:
    """Share of cited passages that contain evidence or support their sentence. When the question should
    have been refused, every citation is imprecise: it backs an answer that should not exist."""
    if not answer.citations or answer.abstained:
        return None
    if expect_abstain:
        return 0.0
    sup = statement_support(answer)
    good = sum(1 for c in answer.citations
               if has_evidence(citation_chunk(c), evidence) or sup.get(c.number, 0.0) >= SUPPORTED)
    return good / len(answer.citations)


def citation_recall(answer: Answer, evidence: dict[str, list[Span]]) -> float | None:
    """Share of evidence quotes that some citation of the answer contains (None: no evidence expected)."""
    if not evidence:
        return None
    chunks = [] if answer.abstained else [citation_chunk(c) for c in answer.citations]
    found = sum(1 for quote, spans in evidence.items() if any(contains(ch, quote, spans) for ch in chunks))
    return found / len(evidence)


def evidence_cited(answer: Answer, evidence: dict[str, list[Span]], expect_abstain: bool) -> float | None:
    """1 when some citation of the answer contains some evidence quote, else 0 (an abstention is 0); None for
    questions that should be refused or have no evidence. Unlike citation_recall (the share of quotes
    covered), one cited quote is enough: did the answer cite what answers the question at all?"""
    if expect_abstain or not evidence:
        return None
    if answer.abstained:
        return 0.0
    chunks = [citation_chunk(c) for c in answer.citations]
    return float(any(contains(ch, quote, spans) for ch in chunks for quote, spans in evidence.items()))


def opens_with_evidence(answer: Answer, evidence: dict[str, list[Span]],
                        expect_abstain: bool) -> float | None:
    """1 when the answer's first sentence is (or holds) an evidence quote or one sentence of it: the answer
    opens with what answers, not with background. The baseline's answer is a whole passage: its first
    sentence counts. None as for evidence_cited."""
    if expect_abstain or not evidence:
        return None
    if answer.abstained or not answer.statements:
        return 0.0
    return float(holds_quote((sentences(answer.statements[0].text) or [""])[0], evidence))


def on_point(answer: Answer, evidence: dict[str, list[Span]], groups: list[list[str]],
             expect_abstain: bool) -> float | None:
    """Share of the answer's sentences that hold an evidence quote (or one sentence of it) or an item of a
    must_include group: how much of what the answer says is on the question. The other metrics reward what
    an answer holds and never charge it for what it adds (citation precision is 1 for any quoted sentence,
    since a quote supports itself). The baseline's answer is a whole passage: each of its sentences counts.
    None for refusals and for questions that should be refused or have neither evidence nor must_include."""
    if expect_abstain or answer.abstained or not answer.statements or not (evidence or groups):
        return None
    said = [s for st in answer.statements for s in (sentences(st.text) or [st.text])]
    on = [s for s in said if holds_quote(s, evidence) or len(missing_groups(s, groups)) < len(groups)]
    return len(on) / len(said)


def missing_groups(text: str, groups: list[list[str]]) -> list[list[str]]:
    """The must_include groups none of whose alternatives occurs in the text (case-insensitive)."""
    hay = normalise(text)
    return [g for g in groups if not any(normalise(alt) in hay for alt in g if normalise(alt))]


def must_include_recall(text: str, groups: list[list[str]]) -> float | None:
    if not groups:
        return None
    return 1.0 - len(missing_groups(text, groups)) / len(groups)


def violations(text: str, forbidden: list[str]) -> list[str]:
    """The must_not_include strings that occur in the text (case-insensitive)."""
    hay = normalise(text)
    return [f for f in forbidden if normalise(f) and normalise(f) in hay]


def statement_supports(answer: Answer) -> list[float]:
    """For each statement, the best support one of its cited passages gives it (0 when it cites none)."""
    quotes = {c.number: c.quote for c in answer.citations}
    return [max((support(st.text, quotes[n]) for n in st.citations if n in quotes), default=0.0)
            for st in answer.statements]


def faithfulness(answer: Answer) -> float | None:
    """Share of statements that at least one of their cited passages supports (support ≥ 0.6)."""
    if answer.abstained or not answer.statements:
        return None
    return sum(1 for b in statement_supports(answer) if b >= SUPPORTED) / len(answer.statements)


def percentile(values: Iterable[float], q: float) -> float | None:
    vals = list(values)
    return round(float(np.percentile(vals, q)), 1) if vals else None


def aggregate(rows: list[dict]) -> dict[str, float | int | None]:
    """Mean of each metric over the rows where it applies, latency percentiles, and the count.
    Each row is {"metrics": {...}, "latency_ms": float}."""
    out: dict[str, float | int | None] = {"n": len(rows)}
    for key in METRIC_KEYS:
        vals = [r["metrics"][key] for r in rows if r["metrics"].get(key) is not None]
        out[key] = round(sum(vals) / len(vals), 4) if vals else None
    out["latency_p50_ms"] = percentile((r["latency_ms"] for r in rows), 50)
    out["latency_p95_ms"] = percentile((r["latency_ms"] for r in rows), 95)
    return out


def by_kind(rows: list[dict]) -> dict[str, dict[str, float | int | None]]:
    """aggregate() per kind (in first-seen order) plus "overall"."""
    kinds: dict[str, list[dict]] = {}
    for r in rows:
        kinds.setdefault(r["kind"], []).append(r)
    return {"overall": aggregate(rows), **{k: aggregate(v) for k, v in kinds.items()}}
