"""One question's outcome for one system: what it answered, what it cited, and each metric's verdict."""

from __future__ import annotations

from pydantic import BaseModel, Field

from corridor.records import Answer, Chunk

from . import metrics as m
from .evidence import Span
from .gold import GoldItem


class CitedPassage(BaseModel):
    number: int
    doc_id: str
    title: str
    chunk_id: str
    quote: str
    contains_evidence: bool
    support: float  # best support it gives a statement citing it


class StatementResult(BaseModel):
    text: str
    citations: list[int]
    support: float  # best support (answering.citations.support) from a passage it cites
    attribution: str | None = None  # who said it and when, as the answer shows it ("Engin Ozer (News.Az, …)")


class Retrieved(BaseModel):
    rank: int
    doc_id: str
    chunk_id: str
    has_evidence: bool


class QuestionResult(BaseModel):
    id: str
    kind: str
    lang: str
    system: str  # "corridor" or "baseline"
    question: str
    conversation: list[str] = Field(default_factory=list)
    standalone_question: str = ""
    answer: str = ""
    abstained: bool = False
    expect_abstain: bool = False
    statements: list[StatementResult] = Field(default_factory=list)
    citations: list[CitedPassage] = Field(default_factory=list)
    retrieved: list[Retrieved] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    evidence_located: dict[str, list[str]] = Field(default_factory=dict)  # quote → ["doc_id:start-end"]
    missing_groups: list[list[str]] = Field(default_factory=list)
    violations: list[str] = Field(default_factory=list)
    metrics: dict[str, float | None] = Field(default_factory=dict)
    passed: dict[str, bool] = Field(default_factory=dict)  # only metrics that apply and are pass/fail
    failed: bool = False
    latency_ms: float = 0.0
    notes: list[str] = Field(default_factory=list)
    error: str | None = None


def score(item: GoldItem, system: str, answer: Answer, retrieved: list[Chunk],
          evidence: dict[str, list[Span]], latency_ms: float) -> QuestionResult:
    """Every metric for one answered gold question."""
    text = answer.text
    values: dict[str, float | None] = {
        **m.retrieval(retrieved, evidence),
        "citation_precision": m.citation_precision(answer, evidence, bool(item.expect_abstain)),
        "citation_recall": m.citation_recall(answer, evidence),
        "evidence_cited": m.evidence_cited(answer, evidence, bool(item.expect_abstain)),
        "opens_with_evidence": m.opens_with_evidence(answer, evidence, bool(item.expect_abstain)),
        "on_point": m.on_point(answer, evidence, item.must_include, bool(item.expect_abstain)),
        "must_include_recall": m.must_include_recall(text, item.must_include),
        "must_not_include_ok": (0.0 if m.violations(text, item.must_not_include) else 1.0)
        if item.must_not_include else None,
        "abstention_accuracy": float(answer.abstained == bool(item.expect_abstain)),
        "faithfulness": m.faithfulness(answer),
    }
    passed = {x.key: values[x.key] >= x.pass_min for x in m.METRICS
              if x.pass_min is not None and values[x.key] is not None}
    sup = m.statement_support(answer)
    cited = [CitedPassage(number=c.number, doc_id=c.doc_id, title=c.title, chunk_id=c.chunk_id, quote=c.quote,
                          contains_evidence=m.has_evidence(m.citation_chunk(c), evidence),
                          support=round(sup.get(c.number, 0.0), 3))
             for c in answer.citations]
    return QuestionResult(
        id=item.id, kind=item.kind, lang=item.lang, system=system, question=item.question,
        conversation=item.conversation, standalone_question=answer.standalone_question, answer=text,
        abstained=answer.abstained, expect_abstain=bool(item.expect_abstain), citations=cited,
        statements=[] if answer.abstained else [
            StatementResult(text=st.text, citations=st.citations, support=round(s, 3),
                            attribution=st.attribution)
            for st, s in zip(answer.statements, m.statement_supports(answer), strict=True)],
        retrieved=[Retrieved(rank=r, doc_id=ch.doc_id, chunk_id=ch.chunk_id,
                             has_evidence=m.has_evidence(ch, evidence)) for r, ch in enumerate(retrieved, 1)],
        evidence=item.evidence,
        evidence_located={q: [f"{s.doc_id}:{s.start}-{s.end}" for s in spans]
                          for q, spans in evidence.items()},
        missing_groups=m.missing_groups(text, item.must_include),
        violations=m.violations(text, item.must_not_include),
        metrics=values, passed=passed, failed=not all(passed.values()),
        latency_ms=round(latency_ms, 1), notes=list(answer.notes),
    )


def errored(item: GoldItem, system: str, error: str) -> QuestionResult:
    """A question the system could not answer at all (it raised): every applicable metric fails."""
    values = {k: 0.0 for k in m.METRIC_KEYS}
    return QuestionResult(id=item.id, kind=item.kind, lang=item.lang, system=system, question=item.question,
                          conversation=item.conversation, evidence=item.evidence, metrics=values,
                          passed={k: False for k, x in zip(m.METRIC_KEYS, m.METRICS, strict=True)
                                  if x.pass_min is not None},
                          failed=True, expect_abstain=bool(item.expect_abstain), error=error)
