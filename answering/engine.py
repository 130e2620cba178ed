"""The answer engine: a question in, an Answer out whose every statement cites a verified passage, or an
honest abstention. It knows nothing about Discord; the CLI, the bot and `corridor eval` all call it."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import date
from typing import TypeVar

from corridor.errors import CorridorError, StoreUnavailable
from corridor.records import Answer, Citation, IngestReport, Passage, SourceInfo, Statement, Turn, parse_iso
from corridor.settings import Settings, get_settings
from prompts import load
from vectorstore.embeddings import QUESTIONS_FIRST
from vectorstore.retrieval import Filters, HybridRetriever, Retrieval, load_reranker
from vectorstore.sentence_vectors import SentenceVectors

from . import extractive, interaction, llm, recency, sentence_vectors
from .attribution import attribute
from .citations import verify
from .coverage import covered_years, not_answered, rare_names, uncovered_reason, words_first
from .dates import span
from .features import asked_value
from .language import language
from .model_queue import Ticket
from .progress import OnProgress, Progress
from .question import (
    asked_part,
    asks_sources_differ,
    clean_question,
    rewrite_follow_up,
    split_question,
)
from .ranker import load as load_ranker
from .speakers import reported

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# Said in the asker's language: the quotes that follow are English sentences of English sources.
SOURCES_IN_ENGLISH = {
    "tr": "Kaynaklar İngilizce; alıntılar özgün dilinde verilmiştir. "
          "(The sources are in English; quoted as written.)",
    "ru": "Источники на английском языке; цитаты приведены без перевода. "
          "(The sources are in English; quoted as written.)",
    "kk": "Дереккөздер ағылшын тілінде; дәйексөздер түпнұсқа күйінде берілген. "
          "(The sources are in English; quoted as written.)",
}
INJECTION_NOTE = "Instructions inside the question were ignored: corridor answers only from its sources."
DATED_EXTRA = 3  # passages a date-restricted search adds for a question naming a period
PER_PERIOD = 2  # passages each of several named periods' own search adds ("in May 2024 and in May 2025")
NEWER_EXTRA = 2  # passages from newer documents a "latest" question's second search adds


_CITATION_MARK = re.compile(r"\s\[\d+\]")  # "[2]" after a statement of Answer.text


def _opening(answer: str) -> str:
    """An earlier answer's opening statement (its text up to the first citation mark): what it answered. A
    follow-up's answer does not open with it again; a sentence the earlier answer quoted in passing may open
    it (fresh-dev follow-ups: opens +22 −17 against reading the whole earlier answer)."""
    return _CITATION_MARK.split(answer, maxsplit=1)[0]


# Said by every front end, each of which has an `ingest` command (`corridor ingest`, Discord's /ingest).
EMPTY_STORE = ("The store is empty: no document has been ingested yet. "
               "The ingest command adds documents.")


class Engine:
    """Retrieval + answering over one ChunkStore. Thread-safe for concurrent questions."""

    def __init__(self, settings: Settings | None = None, store=None) -> None:
        self.settings = settings or get_settings()
        self._owns_store = store is None  # a store handed in is its caller's to close
        if store is None:
            from vectorstore.store import ChunkStore

            store = ChunkStore(self.settings)
        self.store = store
        self.retriever = HybridRetriever(store, self.settings, reranker=load_reranker(self.settings))
        self.sentence_embeddings = extractive.SentenceEmbeddings(
            store.embeddings, stored=SentenceVectors(store) if self.settings.sentence_vectors else None)
        self.retriever.sentence_similarity = self.sentence_embeddings.best_similarity
        # the opening model's late-interaction scores: the bundled MiniLM's token vectors and a fitted head
        self.late = interaction.scorer(store.embeddings)
        if self.late is not None:  # sentences the model embeds here hand it their token vectors on the way
            self.sentence_embeddings.tokens_to = self.late.offer
        self._pool = ThreadPoolExecutor(max_workers=max(2, self.settings.max_concurrent_answers),
                                        thread_name_prefix="corridor-engine")
        self._ingest_lock = threading.Lock()
        self.today: Callable[[], date] = date.today  # what "last year" and "since 2022" count from
        self._lane: Engine | None = None
        self._lane_lock = threading.Lock()

    # -- questions ---------------------------------------------------------------------------------------
    def ask(self, question: str, history: list[Turn] | None = None, *, k: int | None = None,
            mode: str | None = None, filters: Filters | None = None, on_progress: OnProgress | None = None,
            ticket: Ticket | None = None) -> Answer:
        """Answer one question (raises InputError for an unusable one, StoreUnavailable when the
        store cannot be reached). In llm mode the question takes its place in the model's line (or uses
        `ticket`, taken earlier), and `on_progress` hears its place, the draft and verification."""
        mode = mode or self.settings.answer_mode
        if mode != "llm":
            # an ingest in this process pauses its embedding meanwhile; the question reads one generation
            with QUESTIONS_FIRST.question(), self._one_generation():
                return self._ask(question, history, k, mode, filters, None, None)
        if ticket is None:
            ticket = llm.QUEUE.join(self._placer(on_progress))
        try:
            with QUESTIONS_FIRST.question(), self._one_generation():
                return self._ask(question, history, k, mode, filters, on_progress, ticket)
        finally:
            ticket.leave()

    @contextmanager
    def _one_generation(self) -> Iterator[None]:
        """store.one_generation(); a store that cannot be read (a server or disk gone) fails as any search."""
        stack = ExitStack()
        self._searching(lambda: stack.enter_context(self.store.one_generation()))
        with stack:
            yield

    def lane_for(self, question: str) -> Engine | None:
        """The engine over the multilingual lane (settings.multilingual_lane) for a question that is not in
        English, when the lane holds chunks; None: this engine answers (an English question, no lane, or
        a lane not yet built, which the coverage check then explains)."""
        if language(question) == "en" or self.store.lane is None:
            return None
        with self._lane_lock:
            if self._lane is None:
                if self.store.lane.count() == 0:
                    return None
                lane = Engine(self.store.lane.settings, store=self.store.lane)
                lane.today = lambda: self.today()
                lane.retriever.lexical.background = self.retriever.lexical.background
                self._lane = lane
            return self._lane

    def lexical_indexes(self) -> list:
        """The BM25 indexes questions read: this engine's, and the multilingual lane's once a question has
        opened it (a refresh prepares each, so no Turkish question waits for a rebuild)."""
        with self._lane_lock:
            lane = self._lane
        return [self.retriever.lexical] + ([lane.retriever.lexical] if lane is not None else [])

    @staticmethod
    def _placer(on_progress: OnProgress | None):
        return (lambda place: on_progress(Progress("queued", place=place))) if on_progress else None

    def join_line(self, on_progress: OnProgress | None = None) -> Ticket:
        """A place at the end of the model's line, for a question that will be asked with `ticket=`."""
        return llm.QUEUE.join(self._placer(on_progress))

    def _ask(self, question: str, history: list[Turn] | None, k: int | None, mode: str,
             filters: Filters | None, on_progress: OnProgress | None, ticket: Ticket | None) -> Answer:
        t0 = time.perf_counter()
        s = self.settings
        clean = clean_question(question, s.max_question_chars)
        notes: list[str] = [INJECTION_NOTE] if clean.injection else []
        if not clean.query:  # nothing but instructions aimed at the bot
            answer = self._abstain(clean.text, clean.text, [], notes, mode)
            answer.latency_ms = round((time.perf_counter() - t0) * 1000, 1)
            return answer
        lane = self.lane_for(clean.query)
        if lane is not None:  # a Turkish or Russian question: the multilingual index answers it
            return lane._ask(question, history, k, mode, filters, on_progress, ticket)
        standalone, retrieval, parts = self.prepare(clean.query, history, k=k, mode=mode, filters=filters,
                                                    notes=notes, ticket=ticket)
        if not retrieval.passages and (why := self._nothing_to_search(filters)):
            answer = self._abstain(clean.text, standalone, [], [*notes, why], mode, "abstain_empty")
            answer.latency_ms = round((time.perf_counter() - t0) * 1000, 1)
            return answer
        said = " ".join(_opening(t.answer) for t in (history or [])[-s.history_turns:])
        answer = self._answer(clean.text, standalone, retrieval, mode, notes, parts, on_progress, ticket,
                              said)
        answer.latency_ms = round((time.perf_counter() - t0) * 1000, 1)
        answer.retrieved = [p.chunk for p in retrieval.found or []]
        return answer

    def _nothing_to_search(self, filters: Filters | None) -> str | None:
        """Why a search found no passage at all, when the reason is the store's or the filters' rather than
        the question's: said plainly instead of "no source mentions …" about every word of the question."""
        if self._searching(self.store.count) == 0:
            return EMPTY_STORE
        if filters is not None and (filters.doc_ids or filters.date_range()):
            return "No document here matches the documents or dates asked for."
        return None

    def prepare(self, query: str, history: list[Turn] | None = None, *, k: int | None = None,
                mode: str = "extractive", filters: Filters | None = None, notes: list[str] | None = None,
                ticket: Ticket | None = None) -> tuple[str, Retrieval, list[tuple[str, list[float]]]]:
        """The stand-alone question, its passages and its parts ("X, and Y?": each part also searched for
        on its own, its passages added); the answer is composed from these."""
        history = (history or [])[-self.settings.history_turns:]
        standalone = self._standalone(query, history, mode, notes if notes is not None else [], ticket)
        timing = recency.read(standalone, self.today())  # read once, for every search
        newer = self.settings.newer_per_year if timing.latest else 0.0  # "the latest …": newer sources first
        retrieval = self._retrieve(standalone, k, filters, newer=newer)
        if standalone != query:  # a follow-up, rewritten: its own words also order what was found
            self._order_by_asked(query, retrieval, filters)
        retrieval.found = list(retrieval.passages)
        self._add_dated(standalone, timing, retrieval, filters)
        self._add_newer(standalone, timing, retrieval, filters)
        parts = []
        for part in split_question(standalone):
            found = self._retrieve(part, 3, filters)
            parts.append((part, found.query_embedding))
            have = {p.chunk.chunk_id for p in retrieval.passages}
            retrieval.passages.extend(p for p in found.passages if p.chunk.chunk_id not in have)
        for rank, p in enumerate(retrieval.passages, 1):
            p.rank = rank
        return standalone, retrieval, parts

    async def aask(self, question: str, history: list[Turn] | None = None, **kw) -> Answer:
        """ask() in the engine's worker threads, so an event loop never blocks on model work. In llm mode
        the question joins the model's line now, in arrival order; cancelling the awaiting task takes it
        out of line or stops its generation."""
        loop = asyncio.get_running_loop()
        ticket = kw.get("ticket")
        if (kw.get("mode") or self.settings.answer_mode) == "llm" and ticket is None:
            ticket = kw["ticket"] = self.join_line(kw.get("on_progress"))
        future = loop.run_in_executor(self._pool, lambda: self.ask(question, history, **kw))
        try:
            return await future
        except asyncio.CancelledError:
            if ticket is not None:
                ticket.cancel()
            raise

    def retrieve(self, question: str, k: int | None = None, filters: Filters | None = None,
                 dense_only: bool = False, asked: str | None = None) -> Retrieval:
        """Passages only, for evaluation and benchmarks; `asked`: the follow-up as the user wrote it, when
        `question` is its rewritten form (its passages are then ordered as an answer's are)."""
        clean = clean_question(question, self.settings.max_question_chars)
        retrieval = self._retrieve(clean.query or clean.text, k, filters, dense_only=dense_only)
        if asked and not dense_only:
            asked_clean = clean_question(asked, self.settings.max_question_chars)
            if asked_clean.query and asked_clean.query != clean.query:
                self._order_by_asked(asked_clean.query, retrieval, filters)
        return retrieval

    def _order_by_asked(self, asked: str, retrieval: Retrieval, filters: Filters | None) -> None:
        self._searching(lambda: self.retriever.order_by_asked(asked, retrieval.passages, filters))

    def _add_dated(self, query: str, timing: recency.TimeAsk, retrieval: Retrieval,
                   filters: Filters | None) -> None:
        """A question naming a period ("in November 2024") gets a second search restricted to that period
        (an article of that month may name only the day), and when the period is a month, the passages
        dated in it go first. Not a timeline ("between 2022 and 2024"): its sources are dated at each end and
        after, and a search within the span crowded out the later points (docs/QUALITY.md); a timeline's
        period that no passage found covers gets its own search, lest a document of that date go unread and
        the question be refused as uncovered."""
        found = timing.periods
        if not found:
            return
        if timing.timeline:
            have = covered_years(retrieval.passages)
            for p in found:
                if p.literal and not p.years() & have:
                    self._search_more(query, retrieval, filters, PER_PERIOD, p.start.isoformat(),
                                      p.end.isoformat())
            return
        start, end = span(found)
        if not self._search_more(query, retrieval, filters, DATED_EXTRA, start.isoformat(), end.isoformat()):
            return
        points = [p for p in found if p.kind == "point"]
        if len(points) > 1:  # "in January 2024 and in August 2024": each period's own documents, not one's
            for p in points:
                self._search_more(query, retrieval, filters, PER_PERIOD, p.start.isoformat(),
                                  p.end.isoformat())
        months = [p for p in points if p.start.replace(day=1) == p.end.replace(day=1)]
        if months:  # "in April 2024": what was reported that month first (a stable sort keeps the rest)
            retrieval.passages.sort(key=lambda x: not any(p.contains(parse_iso(x.doc.date)) for p in months))

    def _add_newer(self, query: str, timing: recency.TimeAsk, retrieval: Retrieval,
                   filters: Filters | None) -> None:
        """A question about the latest or current state ("the latest target") gets a second search among
        documents as new as the newest one found, or newer: the newest source may word the subject less
        like the question than older ones do (fresh-dev fd16)."""
        if not timing.latest:
            return
        dates = [d for p in retrieval.passages if (d := parse_iso(p.doc.date)) is not None]
        if dates:
            self._search_more(query, retrieval, filters, NEWER_EXTRA, max(dates).isoformat())

    def _search_more(self, query: str, retrieval: Retrieval, filters: Filters | None, k: int,
                     date_from: str, date_to: str | None = None) -> bool:
        """A second, lexical search between these dates (within the user's documents), its passages added
        after those found; False, and nothing searched, when the user chose the dates."""
        if filters is not None and filters.date_range() is not None:
            return False
        dated = Filters(doc_ids=filters.doc_ids if filters else None, date_from=date_from, date_to=date_to)
        extra = self._retrieve(query, k, dated, query_embedding=retrieval.query_embedding, lexical_only=True)
        have = {p.chunk.chunk_id for p in retrieval.passages}
        retrieval.passages.extend(p for p in extra.passages if p.chunk.chunk_id not in have)
        return True

    def _standalone(self, query: str, history: list[Turn], mode: str, notes: list[str],
                    ticket: Ticket | None = None) -> str:
        if not history:
            return query
        if mode == "llm":
            try:
                return llm.condense(self.settings, query, history, ticket)
            except llm.LLMUnavailable as exc:
                notes.append(f"{exc} The follow-up was rewritten by rule instead.")
        return rewrite_follow_up(query, history)

    def _retrieve(self, query: str, k: int | None, filters: Filters | None,
                  dense_only: bool = False, query_embedding: list[float] | None = None,
                  lexical_only: bool = False, newer: float = 0.0) -> Retrieval:
        return self._searching(lambda: self.retriever.retrieve(
            query, k=k, filters=filters, dense_only=dense_only, query_embedding=query_embedding,
            lexical_only=lexical_only, newer=newer))

    def _searching(self, search: Callable[[], _T]) -> _T:
        """Run one search of the store: a store that fails (a server or disk gone) becomes one short
        StoreUnavailable, whichever search it was."""
        try:
            return search()
        except CorridorError:
            raise
        except Exception as exc:  # chromadb raises many types when a server or disk goes away
            log.exception("retrieval failed")
            raise StoreUnavailable(
                f"the knowledge base is unavailable right now ({self.settings.chroma_location}).") from exc

    def _answer(self, question: str, standalone: str, retrieval: Retrieval, mode: str,
                notes: list[str], parts: list[tuple[str, list[float]]] | None = None,
                on_progress: OnProgress | None = None, ticket: Ticket | None = None,
                said: str = "") -> Answer:
        """`said`: the openings of the conversation's earlier answers (a follow-up's answer does not open
        with what they answered)."""
        passages = retrieval.passages
        s = self.settings
        today = self.today()
        timing = recency.read(standalone, today)
        ranker = load_ranker(s.embedding_model)
        asked, q_emb = asked_part(standalone), retrieval.query_embedding
        if asked != standalone:  # matched without its sentences about the sources or words on when
            q_emb = self._searching(lambda: self.retriever.store.embeddings.embed_query(asked))
        found = extractive.extract(asked, q_emb, passages, self.retriever.lexical,
                                   self.sentence_embeddings, s.max_answer_sentences, s.sentence_candidates,
                                   parts=parts, ranker=ranker, choose=recency.chooser(timing, standalone),
                                   said=said, chunk_before=lambda p: self._chunk_before(p, passages),
                                   more=s.more_sentences, differ=asks_sources_differ(standalone),
                                   late=self.late)
        strong = s.abstain_strong_match if s.abstain_strong_match is not None else ranker.strong_match
        reason = uncovered_reason(standalone, passages, self.retriever.lexical, s.embedding_model,
                                  found.relevance, strong, today)
        if reason:
            notes.append(reason)
            return self._abstain(question, standalone, passages, notes, mode)
        floor = s.abstain_threshold if s.abstain_threshold is not None else ranker.abstain_below
        if not found.statements or found.relevance < floor:
            return self._abstain(question, standalone, passages, notes, mode)
        statements, cited = found.statements, found.cited
        if mode != "llm":
            return self._verified(question, standalone, statements, cited, passages, mode, notes, timing,
                                  found.scores, found.detail)
        figures: dict = {}
        try:
            produced, gen = llm.answer(
                self.settings, question if question == standalone else standalone, passages, ticket=ticket,
                on_text=(lambda text: on_progress(Progress("writing", text=text))) if on_progress else None)
        except llm.LLMUnavailable as exc:
            notes.append(f"{exc} This is the extractive answer instead.")
            return self._verified(question, standalone, statements, cited, passages, "extractive", notes,
                                  timing, found.scores, found.detail)
        figures = {"model": gen.model, "ttft_ms": round(gen.ttft_s * 1000, 1) if gen.ttft_s is not None
                   else None, "tokens_per_s": gen.tokens_per_s}
        if ticket is not None:
            ticket.leave()  # the model is free for the next question while this one is verified
        if on_progress:
            on_progress(Progress("verifying"))
        if produced is None:
            return self._abstain(question, standalone, passages, notes, mode).model_copy(update=figures)
        numbered = {i: p for i, p in enumerate(passages, 1)}
        kept, check_notes = verify(produced, numbered, weight=self.retriever.lexical.weight)
        notes.extend(check_notes)
        if kept:
            kept = reported(recency.order(attribute(kept, numbered), timing), numbered)
            answer = self._renumber(question, standalone, kept, numbered, mode, notes)
            return answer.model_copy(update=figures)
        notes.append("None of the model's sentences was supported by the passages it cited; "
                     "this is the extractive answer instead.")
        fallback = self._verified(question, standalone, statements, cited, passages, "extractive", notes,
                                  timing, found.scores, found.detail)
        return fallback.model_copy(update=figures)

    def _chunk_before(self, passage: Passage, passages: list[Passage]) -> Passage | None:
        """The chunk before this passage's in its document, when it is body text (not the facts block of
        byline and date): one of the passages found, else read from the store."""
        chunk, doc = passage.chunk, passage.doc
        key = (chunk.doc_id, chunk.ordinal - 1, doc.content_hash)
        earlier = next((p for p in passages
                        if (p.chunk.doc_id, p.chunk.ordinal, p.doc.content_hash) == key), None)
        if earlier is None:
            found = self._searching(lambda: self.retriever.store.chunk_before(chunk, doc))
            earlier = Passage(chunk=found[0], doc=found[1], score=0.0) if found is not None else None
        return earlier if earlier is not None and earlier.chunk.kind not in ("about", "byline") else None

    def _verified(self, question: str, standalone: str, statements: list[Statement], cited: list[Passage],
                  passages: list[Passage], mode: str, notes: list[str], timing: recency.TimeAsk,
                  scores: dict[str, float], detail: frozenset[str] = frozenset()) -> Answer:
        numbered = {i: p for i, p in enumerate(cited, 1)}
        kept, check_notes = verify(statements, numbered, weight=self.retriever.lexical.weight)
        notes.extend(check_notes)
        if not kept:
            return self._abstain(question, standalone, passages, notes, mode)
        kept = attribute(kept, numbered)  # the speakers "What did X say?" is checked against
        texts, speakers = [s.text for s in kept], [s.speaker for s in kept]
        docs = [numbered[s.citations[0]].doc.doc_id if s.citations else None for s in kept]
        # each statement's passage under its title, publisher and author ("according to the ARKA report"),
        # with the other passages found in its document ("the hospital" in the quoted one, "the Sema Hospital"
        # in another found beside it)
        contexts = []
        for s in kept:
            quoting = [numbered[n] for n in s.citations]
            own = {p.doc.doc_id for p in quoting}
            quoted = [" ".join(filter(None, (p.doc.title, p.doc.publisher, p.doc.author, p.chunk.text)))
                      for p in quoting]
            contexts.append(" ".join([*quoted, *(p.chunk.text for p in passages if p.doc.doc_id in own)]))
        # only a question asking for a value ("how many", "how much", "when") reads where its value stands
        names = rare_names(question, self.retriever.lexical) if asked_value(question) is not None else None
        # the refusal checks read the answer's own sentences, not those added after them (`more_sentences`)
        mine = [i for i, st in enumerate(kept) if st.text not in detail] or list(range(len(kept)))
        checked = [[xs[i] for i in mine] for xs in (texts, speakers, docs, contexts)]
        if (missing := not_answered(question, *checked, names)) is not None:
            if not split_question(standalone):
                notes.append(f"No passage found here {missing} in answer to this question.")
                return self._abstain(question, standalone, passages, notes, mode)
            # a several-part question keeps what answers its other parts, and says what is not there
            notes.append(f"None of the quoted passages {missing}: the sources here may not give it.")
        words = words_first(question, speakers)
        if words:  # "What did Ozer say …?": his words open the answer, not the article's introduction of him
            kept.insert(0, kept.pop(words))
        kept = recency.order(kept, timing, scores, detail)
        notes.extend(recency.notes(kept, timing, standalone, scores, detail))
        kept = reported(kept, numbered)  # news speakers, after the checks (they read interview speakers)
        lang = language(question)
        if lang != "en" and mode == "extractive":
            notes.append(SOURCES_IN_ENGLISH[lang])
        return self._renumber(question, standalone, kept, numbered, mode, notes)

    @staticmethod
    def _renumber(question: str, standalone: str, statements: list[Statement],
                  numbered: dict[int, Passage], mode: str, notes: list[str]) -> Answer:
        """Number the citations 1..n in order of first use, and keep only cited passages."""
        new: dict[int, int] = {}
        for st in statements:
            for n in st.citations:
                new.setdefault(n, len(new) + 1)
        out = [st.model_copy(update={"citations": [new[n] for n in st.citations]}) for st in statements]
        citations = [Citation.from_passage(m, numbered[n]) for n, m in new.items()]
        return Answer(question=question, standalone_question=standalone, statements=out,
                      citations=citations, mode=mode, notes=notes)

    def _abstain(self, question: str, standalone: str, passages: list[Passage], notes: list[str],
                 mode: str, prompt: str = "abstain") -> Answer:
        """A refusal listing the closest sources ("abstain_empty": there was nothing to search)."""
        closest = []
        for p in passages:
            if p.doc.doc_id not in {d.doc_id for d in closest}:
                closest.append(p.doc)
        return Answer(question=question, standalone_question=standalone,
                      statements=[Statement(text=load(prompt).strip(), citations=[])],
                      abstained=True, closest_sources=closest[:3], mode=mode, notes=notes)

    # -- the store ---------------------------------------------------------------------------------------
    def sources(self) -> list[SourceInfo]:
        try:
            return self.store.documents()
        except CorridorError:
            raise
        except Exception as exc:
            raise StoreUnavailable(
                f"the knowledge base is unavailable right now ({self.settings.chroma_location}).") from exc

    def ingest(self, inputs: list[str], prune: bool = False) -> IngestReport:
        """Ingest files, folders or URLs into this engine's store; the next question sees them."""
        from ingest.pipeline import ingest

        with self._ingest_lock:
            report = ingest(inputs, self.settings, store=self.store, prune=prune, progress=False)
            sentence_vectors.after_ingest(self.store, report)
            return report

    async def aingest(self, inputs: list[str], prune: bool = False) -> IngestReport:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, lambda: self.ingest(inputs, prune))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._lane is not None:
            self._lane.close()
        if self._owns_store:
            self.store.close()
