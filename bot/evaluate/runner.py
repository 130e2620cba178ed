"""Running a gold set: the eval store, each question through corridor (and the baseline), scored."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from corridor.errors import CorridorError
from corridor.records import IngestReport, Turn
from corridor.settings import Settings

from .baseline import NaiveRAG
from .evidence import MIN_QUOTE_WORDS, DocTexts, Span
from .gold import GoldItem
from .metrics import by_kind
from .results import QuestionResult, errored, score
from .sets import SETS, build_set_store

log = logging.getLogger(__name__)
RETRIEVAL_DEPTH = 5  # hit@5 and MRR look at this many retrieved passages


def eval_settings(settings: Settings, store_dir=None) -> Settings:
    """The settings of the eval store: the same store folder (or store_dir), collection `<name>_eval`."""
    update: dict = {"collection": f"{settings.collection}_eval"}
    if store_dir is not None:
        update["store_dir"] = store_dir
    return settings.model_copy(update=update)


def build_eval_store(settings: Settings, progress: bool = False):
    """Ingest the bundled corpus plus data/eval/fixtures into the eval collection (incremental: an
    unchanged corpus costs nothing) and return (store, report): the dev and test sets' store, as
    `build_set_store` builds it."""
    built = build_set_store(settings, SETS["test"], progress)
    return built.store, built.report


@dataclass
class EvalRun:
    """Everything one `corridor eval` run measured."""

    gold: str
    mode: str
    k: int
    results: dict[str, list[QuestionResult]]  # system → one result per gold question
    name: str = "gold"  # the set's name (dev, test, fresh-dev, fresh, or gold for --gold FILE)
    warnings: list[str] = field(default_factory=list)
    ingest: IngestReport | None = None
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    seconds: float = 0.0
    config: dict = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, dict[str, dict]]:
        """system → scope ("overall" or a kind) → aggregated metrics."""
        return {system: by_kind([r.model_dump() for r in rows]) for system, rows in self.results.items()}


def locate_evidence(texts: DocTexts, item: GoldItem,
                    aliases: dict[str, str] | None = None) -> tuple[dict[str, list[Span]], list[str]]:
    """Each evidence quote's spans in the store, and a warning for each quote found nowhere. `aliases` maps
    a doc id named in the gold file (a fixture's file stem) to the id it has in the store."""
    evidence: dict[str, list[Span]] = {}
    warnings = []
    docs = [(aliases or {}).get(d, d) for d in item.evidence_docs]
    for quote in item.evidence:
        spans = texts.locate(quote, docs)
        if not spans:
            warnings.append(f"{item.id}: evidence quote not found in the store: {quote[:70]!r}")
        elif len(quote.split()) < MIN_QUOTE_WORDS:  # too short for evidence.holds_quote to match a sentence
            warnings.append(f"{item.id}: evidence quote {quote!r} has fewer than {MIN_QUOTE_WORDS} words: "
                            f"evidence cited reads it, opens with evidence and sentences on point cannot")
        evidence[quote] = spans
    return evidence, warnings


def ask_corridor(engine, item: GoldItem, evidence: dict[str, list[Span]], mode: str,
                 k: int) -> QuestionResult:
    """The earlier turns first (building the history as the chat does), then the question, then the
    retrieval its stand-alone form gets from the index that answered it, for the retrieval metrics."""
    history: list[Turn] = []
    for turn in item.conversation:
        earlier = engine.ask(turn, history, k=k, mode=mode)
        history.append(Turn(question=turn, standalone=earlier.standalone_question, answer=earlier.text))
    answer = engine.ask(item.question, history, k=k, mode=mode)
    if answer.retrieved is not None and k >= RETRIEVAL_DEPTH:  # what the answer's own search found
        chunks = answer.retrieved[:RETRIEVAL_DEPTH]
    else:  # searched again (an answer refused before any search, or k under the depth scored)
        answering = engine.lane_for(item.question) or engine  # a Turkish question's retrieval is the lane's
        retrieval = answering.retrieve(answer.standalone_question, k=max(k, RETRIEVAL_DEPTH),
                                       asked=item.question if item.conversation else None)
        chunks = [p.chunk for p in retrieval.passages][:RETRIEVAL_DEPTH]
    return score(item, "corridor", answer, chunks, evidence, answer.latency_ms)


def ask_baseline(naive: NaiveRAG, item: GoldItem, evidence: dict[str, list[Span]]) -> QuestionResult:
    answer, passages = naive.ask(item.question)
    return score(item, "baseline", answer, [p.chunk for p in passages], evidence, answer.latency_ms)


def _warm_up(engine, naive: NaiveRAG | None, question: str, mode: str, k: int) -> None:
    """One unscored question first, so loading the model and the BM25 index stays out of the latencies."""
    try:
        engine.ask(question, k=k, mode=mode)
        if naive is not None:
            naive.ask(question)
    except CorridorError:
        pass  # the scored run reports it


def run_eval(engine, items: list[GoldItem], *, mode: str = "extractive", k: int | None = None,
             baseline: bool = False, gold_name: str = "", name: str = "gold",
             doc_aliases: dict[str, str] | None = None,
             on_result: Callable[[QuestionResult], None] | None = None, jobs: int = 1) -> EvalRun:
    """Ask every gold question (corridor, and the baseline when asked) and score the answers.
    `doc_aliases`: gold doc id (fixture stem) → stored doc id, for fixtures ingested by URL. `jobs`: questions
    asked at once, in threads (the engine is thread-safe and its answers do not depend on it; the results
    keep the questions' order, and the latencies are taken under that load)."""
    t0 = time.perf_counter()
    k = k or engine.settings.k
    texts = DocTexts(engine.store.collection)
    aliases = doc_aliases or {}
    run = EvalRun(gold=gold_name, mode=mode, k=k, results={"corridor": []}, name=name)
    naive = NaiveRAG(engine.store) if baseline else None
    if naive is not None:
        run.results["baseline"] = []
    _warm_up(engine, naive, items[0].question, mode, k)
    located = []
    for item in items:
        fixture = aliases.get(item.requires_fixture or "", item.requires_fixture)
        if fixture and fixture not in texts.texts:
            run.warnings.append(f"{item.id}: fixture {item.requires_fixture!r} is not in the eval store")
        evidence, warnings = locate_evidence(texts, item, aliases)
        run.warnings.extend(warnings)
        located.append((item, evidence))

    def ask_all(pair: tuple[GoldItem, dict[str, list[Span]]]) -> list[tuple[str, QuestionResult]]:
        item, evidence = pair
        systems = [("corridor", lambda: ask_corridor(engine, item, evidence, mode, k))]
        if naive is not None:
            systems.append(("baseline", lambda: ask_baseline(naive, item, evidence)))
        out = []
        for system, ask in systems:
            try:
                out.append((system, ask()))
            except CorridorError as exc:  # a gold question the system cannot take: it fails, the run goes on
                out.append((system, errored(item, system, str(exc))))
        return out

    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="corridor-eval") as pool:
        for answered in pool.map(ask_all, located):  # in the questions' order, as each is done
            for system, result in answered:
                run.results[system].append(result)
                if on_result:
                    on_result(result)
    run.seconds = round(time.perf_counter() - t0, 1)
    s = engine.settings
    run.config = {"embedding_model": s.embedding_model, "collection": s.collection, "k": k, "mode": mode,
                  "fetch_k": s.fetch_k, "abstain_threshold": s.abstain_threshold,
                  "reranker": bool(s.reranker_model), "questions": len(items)}
    return run


@dataclass
class MultiRun:
    """One `corridor eval` over several sets: each set's run, in the order asked, and what was skipped."""

    runs: dict[str, EvalRun]
    mode: str
    k: int
    notes: list[str] = field(default_factory=list)  # sets skipped, and why
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    seconds: float = 0.0
    against: dict | None = None  # --against: the earlier report compared with, and what changed since

    @property
    def systems(self) -> list[str]:
        return list(next(iter(self.runs.values())).results) if self.runs else ["corridor"]
