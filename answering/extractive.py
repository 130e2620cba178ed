"""The default answer mode: choose the corpus sentences that answer the question and quote them, each
with its citation. No language model; every word of the answer is a word of a source."""

from __future__ import annotations

import itertools
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from corridor.records import Passage, Statement
from vectorstore.lexical import LexicalIndex, terms

from . import features as F
from . import interaction
from .attribution import speaker as speaker_of
from .attribution import speaker_from
from .coverage import counted, counts, dated_event
from .language import language
from .question import looks_like_instruction
from .ranker import Ranker, load
from .sentences import sentence_spans, sentences_before
from .speakers import NAMING_REACH

log = logging.getLogger(__name__)

# A next sentence that qualifies the one chosen ("… unrealistic in the short term. But over 10 years …").
_QUALIFIES = re.compile(r"^(?:but|however|yet|still|nevertheless|nonetheless)\b", re.I)
# An opening that names its speaker only as "he" or "she" ("He said …", "…, she added.", "In his view, …"):
# the sentence before it follows it, as the sentence a "This …" opening leans on does, or, when that one too
# says only "he", the nearest of the few before it that names a speaker (`_naming`).
_SPEECH_VERBS = (r"(?:said|says|added|noted|stressed|told|explained|recalled|proposed|suggested|argued|"
                 r"stated|underlined|emphasi[sz]ed|went\s+on|continued|insisted|admitted|warned|pointed\s+out)")
# A speaker named only by a post ("The ambassador also noted …", "The minister said …") is unnamed as well.
_POST_SPEAKER = (r"^\W*the\s+(?:[a-z-]+\s+)?(?:ambassador|envoy|minister|president|official|spokes\w+|"
                 r"diplomat|governor|akim|mayor|chair(?:man|woman|person)?|head|director|expert|deputy|secretary|speaker|"
                 r"premier|leader|chief|consul|representative)\s+(?:also\s+)?" + _SPEECH_VERBS + r"\b")
_POST_ONLY = re.compile(_POST_SPEAKER, re.I)  # "The official added …": names no one either
_UNNAMED_SPEAKER = re.compile(r"^(?:he|she)\b|\b(?:he|she)\s+" + _SPEECH_VERBS + r"\b|" + _POST_SPEAKER
                              + r"|^\W*(?:in\s+)?(?:his|her)\s+(?:view|words|opinion)\b", re.I)
# A sentence whose speaker is again only a pronoun ("He called …", "In his view, …", "…, he said, …",
# "Pointing to …, he said the two countries …").
_PRONOUN_SPEAKER = re.compile(r"^\W*(?:(?:he|she)\b|(?:in\s+)?(?:his|her)\s+(?:view|words|opinion)\b)"
                              r"|,\s*(?:he|she)\s+(?:said|says|added|noted|stressed|told|went\s+on|continued)\b",
                              re.I)
# A sentence that names a speaker: "Masimov stressed …", "Ahmet Haluk Dursun, Turkey's Deputy Minister …,
# spoke …", "According to Omuraliev, …", "In Kasseinov's words, …", or one that opens with a name as its
# subject: with a full name and post, whatever the verb ("Aktoty Raimkulova, Kazakhstan's Deputy Minister …,
# gave …"), or with a verb in the past tense ("Oktay congratulated …").
_NAMES_SPEAKER = re.compile(
    r"\b(?i:according\s+to)\s+[A-Z]|\b[A-Z][\w’'-]+[’']s\s+(?i:words|view)\b"
    r"|\b[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+)*(?:,[^,]{1,90},)?\s+(?:also\s+)?(?:said|says|told|stressed|noted|"
    r"added|spoke|explained|recalled|proposed|suggested|argued|stated|underlined|emphasi[sz]ed|insisted|"
    r"announced|called|described|praised|thanked|urged|pointed|went|put|welcomed|reported|believes|thinks)\b"
    r"|^\W*(?!(?:The|A|An|In|On|At|As|By|For|From|With|After|Before|During|This|That|Its|Their)\b)"
    r"(?:[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+)+,[^,]{1,90},\s+(?:also\s+)?[a-z]+"
    r"|[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+)*\s+(?:also\s+)?[a-z]+ed\b)")

# A next sentence that goes on about what the opening named ("… an aviation hub. Its main advantage …", "…
# met Türkiye's ambassador. According to the ministry, the two sides talked about …").
_GOES_ON = re.compile(r"^(?:its|they|their|both|(?:according\s+to\s+[^,]{1,80},\s+)?the\s+(?:two\s+)?"
                      r"(?:sides|parties|delegations|leaders|presidents|ministers))\b", re.I)
_CHROME = re.compile(r"^\W*(?:image|logo|map|caption|symbol|flag|coat)\b|\.(?:svg|png|jpe?g)\b", re.I)

PER_PASSAGE = 2  # each passage's best sentences are embedded, so paraphrases get a chance
INHERIT = 0.9  # an interview answer's first two sentences score at least this share of their question
TYPED_SHARE = 0.25  # a sentence of the asked-for type (a length, a date) joins at this share of the best


@dataclass(eq=False)  # identity: two sentences with equal text in two passages are two candidates
class Candidate:
    """A sentence of a passage, scored against each aspect of the question (the whole, then its parts)."""

    passage: Passage
    start: int  # span inside the passage text
    end: int
    text: str
    facts: F.SentenceFacts
    lexical: list[float] = field(default_factory=list)  # per aspect: IDF-weighted share of question terms
    rare: list[float] = field(default_factory=list)  # per aspect: the same with IDF² (rare names count most)
    # per aspect: IDF² coverage of the question by the sentence and its document's title together: how far
    # the sentence is on the question's subject (recency.chooser), which a title naming the subject says
    on_subject: list[float] = field(default_factory=list)
    predicate: list[float] = field(default_factory=list)  # per aspect: the same, its lower-case words only
    bigrams: list[float] = field(default_factory=list)  # per aspect: share of the question's term pairs
    semantic: list[float | None] = field(default_factory=list)  # per aspect; None until embedded
    rows: list[dict[str, float]] = field(default_factory=list)  # per aspect: the ranker's features
    score: list[float] = field(default_factory=list)  # per aspect: the ranker's probability
    opening: float = 0.0  # the ranker's opening model: how likely it is the sentence that answers

    @property
    def is_question(self) -> bool:
        return is_asked(self.text)


@dataclass
class Aspect:
    """One thing the question asks: the whole question, or one part of "X, and Y?"."""

    query: str
    embedding: np.ndarray
    weights: dict[str, float]
    types: list[str]
    predicate: frozenset[str] = frozenset()  # terms of its lower-case words: what it asks about the names


class SentenceEmbeddings:
    """An LRU cache of sentence vectors: corpus sentences recur across questions. Behind it, `stored` (the
    vectors `answering.sentence_vectors.prepare` kept in Chroma at ingest), then the model for the rest."""

    def __init__(self, embeddings, size: int = 20000, stored=None, passages: int = 4000) -> None:
        self.embeddings = embeddings
        self.size = size
        self.stored = stored  # a vectorstore.sentence_vectors.SentenceVectors, or None
        # (texts, their token vectors) → None: where the sentences this embeds send the token vectors their
        # forward pass computed anyway (the engine's late-interaction scorer), when the model gives them
        self.tokens_to: Callable[[list[str], list], None] | None = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        # each chunk's candidate sentences as unit vectors, stacked (None: no candidate): retrieval's fusion
        # reads them for all ~30 chunks of every question's pool, and splitting those chunks into candidate
        # sentences each time cost ~7 ms a question
        self.passages_size = passages
        self._passages: OrderedDict[tuple[str, str], np.ndarray | None] = OrderedDict()

    def _read_stored(self, texts: list[str]) -> dict:
        """The prepared vectors of these texts; none when there are none or they cannot be read (they only
        save time: a store that fails here fails its next search with a clear error anyway)."""
        if self.stored is None:
            return {}
        try:
            return self.stored.get(texts)
        except Exception as exc:  # an optimisation must not break an answer
            log.warning("stored sentence vectors not read (%s); embedding instead", exc)
            return {}

    def __call__(self, texts: list[str]) -> list[np.ndarray]:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            found = self._read_stored(missing)
            rest = [t for t in missing if t not in found]
            found.update(zip(rest, self._embed(rest) if rest else [], strict=True))
            with self._lock:
                for t in missing:
                    self._cache[t] = np.asarray(found[t], dtype=np.float32)
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        with self._lock:
            out = []
            for t in texts:
                self._cache.move_to_end(t)
                out.append(self._cache[t])
            return out

    def _embed(self, texts: list[str]) -> list[list[float]]:
        with_tokens = getattr(self.embeddings, "embed_with_tokens", None)
        if self.tokens_to is None or with_tokens is None:
            return self.embeddings.embed_documents(texts)
        vectors, tokens = with_tokens(texts)
        self.tokens_to(texts, tokens)
        return vectors

    def of_passages(self, passages: list[Passage]) -> list[np.ndarray | None]:
        """Each passage's candidate sentences (`_candidates`) as unit vectors, one row each; None for a
        passage with none. Cached per chunk and document version."""
        keys = [(p.chunk.chunk_id, p.doc.content_hash) for p in passages]
        with self._lock:
            todo = [(p, k) for p, k in zip(passages, keys, strict=True) if k not in self._passages]
        if todo:
            cands = _candidates([p for p, _ in todo])
            rows: dict[int, list[np.ndarray]] = {id(p): [] for p, _ in todo}
            for c, v in zip(cands, self([c.text for c in cands]) if cands else [], strict=True):
                rows[id(c.passage)].append(v / (np.linalg.norm(v) or 1.0))
            with self._lock:
                for p, key in todo:
                    found = rows[id(p)]
                    self._passages[key] = np.vstack(found) if found else None
                while len(self._passages) > max(self.passages_size, len(passages)):
                    self._passages.popitem(last=False)
        with self._lock:
            for k in keys:
                self._passages.move_to_end(k)
            return [self._passages[k] for k in keys]

    def best_similarity(self, q_emb: list[float], passages: list[Passage]) -> list[float]:
        """Each passage's best cosine of the question with one of its candidate sentences (0 for a passage
        with none): what the fitted fusion reads beside the chunk's own vector (vectorstore/fusion.py)."""
        q = np.asarray(q_emb, dtype=np.float32)
        q = q / (np.linalg.norm(q) or 1.0)
        return [0.0 if m is None else float((m @ q).max()) for m in self.of_passages(passages)]


@dataclass
class Extract:
    """The chosen sentences and how relevant the best one is (for abstention)."""

    statements: list[Statement]
    cited: list[Passage]  # citation n is cited[n-1]
    relevance: float
    scores: dict[str, float] = field(default_factory=dict)  # statement text → its sentence's probability
    detail: frozenset[str] = frozenset()  # statements added after the answer's own (`more`), by text


def _weights(query_terms: list[str], lexical: LexicalIndex) -> dict[str, float]:
    """IDF weight per query term; a term the corpus never uses weighs as the rarest, so a question
    about something absent loses coverage instead of being carried by its common words."""
    return {t: lexical.weight(t) for t in dict.fromkeys(query_terms)}


def _aspect(query: str, embedding: list[float], lexical: LexicalIndex) -> Aspect:
    q = np.asarray(embedding, dtype=np.float32)
    weights = _weights(terms(query), lexical)
    lower = " ".join(w for w in re.findall(r"[\w’'-]+", query) if w[:1].islower())
    return Aspect(query, q / (np.linalg.norm(q) or 1.0), weights, F.asked_types(query),
                  frozenset(terms(lower)))


def _candidates(passages: list[Passage]) -> list[Candidate]:
    """Every informative sentence of the passages, with where it stands (interview turn, intro)."""
    cands: list[Candidate] = []
    for p in passages:
        text = p.chunk.text
        question: int | None = None  # index in cands of the interviewer question we are under
        opening = 0
        paras = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
        who, speaks_from = speaker_of(p), speaker_from(p)  # an interviewee's, from their label on
        for pi, (a, b) in enumerate(paras):
            is_q = is_asked(text[a:b])
            if not is_q:
                opening = 0
            for s, e in sentence_spans(text[a:b]):
                s, e = a + s, a + e
                sent = text[s:e]
                facts = F.SentenceFacts(
                    asked=is_q, question_index=None if is_q else question,
                    answer_opening=(not is_q and question is not None and opening < 2),
                    intro=(p.chunk.ordinal <= 1 and pi <= 1 and p.chunk.kind is None and question is None
                           and not is_q),
                    position=min(1.0, (p.chunk.ordinal + s / max(len(text), 1)) / 10),
                    about=p.chunk.kind == "about",
                    speaker=None if is_q or s < speaks_from else who)
                if not is_q:
                    opening += 1
                if len(set(terms(sent))) < 2 or not _informative(sent, p.doc.title, p.chunk.kind == "about"):
                    continue
                cands.append(Candidate(p, s, e, sent, facts))
            if is_q:
                question = len(cands) - 1 if cands and cands[-1].passage is p and cands[-1].facts.asked \
                    else None
    return cands


def _lexical(cands: list[Candidate], aspects: list[Aspect]) -> None:
    """Lexical overlap of each sentence with each aspect. Question terms that stand in the sentence's
    document title (the interviewee's name, the railway a page is about) do not count: every sentence of
    that document has them, so they pick the document (the title_overlap feature), not the sentence."""
    pairs = [set(itertools.pairwise(terms(a.query))) for a in aspects]
    titles: dict[str, set[str]] = {}
    for c in cands:
        title = titles.setdefault(c.passage.doc.doc_id, set(terms(c.passage.doc.title)))
        sent = terms(c.text)
        sent_terms, sent_pairs = set(sent), set(itertools.pairwise(sent))
        c.lexical, c.rare, c.predicate, c.on_subject = [], [], [], []
        for a in aspects:
            weights = {t: w for t, w in a.weights.items() if t not in title} or a.weights
            c.lexical.append(sum(w for t, w in weights.items() if t in sent_terms)
                             / (sum(weights.values()) or 1.0))
            asked = {t: w for t, w in weights.items() if t in a.predicate}
            found = sum(w for t, w in asked.items() if t in sent_terms)
            c.predicate.append(found / sum(asked.values()) if asked else 0.0)
            c.rare.append(sum(w * w for t, w in weights.items() if t in sent_terms)
                          / (sum(w * w for w in weights.values()) or 1.0))
            c.on_subject.append(sum(w * w for t, w in a.weights.items() if t in sent_terms or t in title)
                                / (sum(w * w for w in a.weights.values()) or 1.0))
        c.bigrams = [len(p & sent_pairs) / len(p) if p else 0.0 for p in pairs]
        c.semantic = [None] * len(aspects)


def _rows(cands: list[Candidate], aspects: list[Aspect], passages: list[Passage],
          asked_sem: dict[int, list[float]] | None = None) -> None:
    """The ranker's feature rows, per candidate and aspect (semantic features 0 until embedded).
    `asked_sem`: per passage, the similarity of the interviewer question its chunk answers."""
    asked_sem = asked_sem or {}
    best_lex = max((p.lexical_score or 0.0) for p in passages) or 1.0
    title_terms = {id(p): set(terms(p.doc.title)) for p in passages}
    for i, a in enumerate(aspects):
        sem_order = sorted((c for c in cands if c.semantic[i] is not None), key=lambda c: -c.semantic[i])
        sem_rank = {id(c): r for r, c in enumerate(sem_order, 1)}
        lex_rank = {id(c): r for r, c in enumerate(sorted(cands, key=lambda c: -c.lexical[i]), 1)}
        sem_best = sem_order[0].semantic[i] if sem_order else 0.0
        lex_best = max(c.lexical[i] for c in cands)
        total = sum(a.weights.values()) or 1.0
        title = {id(p): sum(w for t, w in a.weights.items() if t in title_terms[id(p)]) / total
                 for p in passages}
        for c in cands:
            q = c.facts.question_index
            if q is not None:
                under = cands[q].semantic[i] or 0.0
            else:  # an answer whose question stands in an earlier chunk (the chunk records it)
                under = asked_sem.get(id(c.passage), [0.0] * len(aspects))[i] if not c.facts.asked else 0.0
            speaker = set(terms(c.facts.speaker)) if c.facts.speaker else set()
            row = F.vector(
                sem=c.semantic[i] or 0.0, sem_best=sem_best, sem_rank=sem_rank.get(id(c), 0),
                lex=c.lexical[i], lex_best=lex_best, lex_rank=lex_rank[id(c)], lex_rare=c.rare[i],
                lex_predicate=c.predicate[i],
                bigrams=c.bigrams[i],
                dense=max(c.passage.dense_score or 0.0, 0.0),
                passage_lex=(c.passage.lexical_score or 0.0) / best_lex, rank=c.passage.rank,
                types=a.types, sentence=c.text, facts=c.facts,
                under_question_sem=under, title_overlap=title.get(id(c.passage), 0.0),
                speaker_named=bool(speaker & a.weights.keys()))
            if len(c.rows) > i:
                c.rows[i] = row
            else:
                c.rows.append(row)


def _asked_similarity(passages: list[Passage], aspects: list[Aspect],
                      sent_emb: SentenceEmbeddings) -> dict[int, list[float]]:
    """For chunks of an interview answer: how close the interviewer's question is to each aspect."""
    asked = [p for p in passages if p.chunk.question]
    out: dict[int, list[float]] = {}
    for p, v in zip(asked, sent_emb([p.chunk.question for p in asked]), strict=True):
        out[id(p)] = [float(a.embedding @ v / (np.linalg.norm(v) or 1.0)) for a in aspects]
    return out


def score(query: str, q_emb: list[float], passages: list[Passage], lexical: LexicalIndex,
          sent_emb: SentenceEmbeddings, embed_top: int = 12,
          parts: list[tuple[str, list[float]]] | None = None, ranker: Ranker | None = None,
          embed_all: bool = False) -> tuple[list[Candidate], list[Aspect]]:
    """Every candidate sentence scored by the fitted ranker for each aspect of the question.

    Stage 1 ranks all sentences on features known without embedding them; the best `embed_top` (each
    passage's best two, each part's best three, and every interviewer question) are embedded and ranked
    by stage 2. Candidates that were not embedded keep score 0 (`embed_all` embeds every one, for fitting).
    """
    ranker = ranker or load()
    cands = _candidates(passages)
    if not cands:
        return [], []
    aspects = [_aspect(query, q_emb, lexical)] + [_aspect(t, e, lexical) for t, e in parts or []]
    _lexical(cands, aspects)
    _rows(cands, aspects, passages)
    for i in range(len(aspects)):
        first = ranker.score([c.rows[i] for c in cands], stage=1)
        for c, p in zip(cands, first, strict=True):
            c.score.append(float(p))
    top = cands if embed_all else _preselect(cands, passages, len(aspects), embed_top)
    if F.asks_author(query):  # "Who wrote …?": a byline shares no word with the question, so stage 1 skips it
        top += [c for c in cands if F.states_author(c.text) and c not in top]
    for c, v in zip(top, sent_emb([c.text for c in top]), strict=True):
        norm = np.linalg.norm(v) or 1.0
        c.semantic = [float(a.embedding @ v / norm) for a in aspects]
    _rows(cands, aspects, passages, _asked_similarity(passages, aspects, sent_emb))
    embedded = [c for c in cands if c.semantic[0] is not None]
    for c in cands:
        c.score = [0.0] * len(aspects)
    for i in range(len(aspects)):
        for c, p in zip(embedded, ranker.score([c.rows[i] for c in embedded]), strict=True):
            c.score[i] = float(p)
    if ranker.opening is not None and not ranker.opening_reads_late:  # else: rate_openings, for the chosen
        for c, p in zip(embedded, ranker.opening.probability([c.rows[0] for c in embedded]), strict=True):
            c.opening = float(p)
    for c in cands:  # an interview answer's opening carries what its question matched
        question = _inherits_from(c, cands)
        if question is not None:
            c.score = [max(own, INHERIT * asked) for own, asked in zip(c.score, question.score, strict=True)]
            c.opening = max(c.opening, INHERIT * question.opening)
    return cands, aspects


def _inherits_from(c: Candidate, cands: list[Candidate]) -> Candidate | None:
    """The interviewer question whose scores an embedded interview answer's first sentences carry (at
    `INHERIT` of them), or None."""
    q = c.facts.question_index
    return cands[q] if q is not None and c.facts.answer_opening and c.semantic[0] is not None else None


# (question, sentences) → each sentence's late-interaction score (interaction.Scorer)
LateScorer = Callable[[str, list[str]], list[float]]


def rate_openings(chosen: list[Candidate], cands: list[Candidate], query: str, ranker: Ranker,
                  late: LateScorer) -> None:
    """The opening model's probability for each chosen sentence, read with the late-interaction features
    (answering/interaction.py), which only the chosen sentences get: they are scored at question time. An
    interview answer's opening carries what its question matched, as in `score`."""
    assert ranker.opening is not None
    asked = {id(c): q for c in chosen if (q := _inherits_from(c, cands)) is not None}
    questions = list({id(q): q for q in asked.values()}.values())
    scores = late(query, [c.text for c in chosen + questions])
    best = max(scores[: len(chosen)])
    group = chosen + questions
    rows = [{**c.rows[0], **f} for c, f in zip(group, interaction.features(scores, best), strict=True)]
    rated = {id(c): float(p) for c, p in zip(group, ranker.opening.probability(rows), strict=True)}
    for c in chosen:
        c.opening = rated[id(c)]
        if id(c) in asked:
            c.opening = max(c.opening, INHERIT * rated[id(asked[id(c)])])


def opening_rater(cands: list[Candidate], query: str, ranker: Ranker,
                  late: LateScorer | None) -> Callable[[list[Candidate]], None] | None:
    """What `_select` calls to rate its chosen sentences' openings when the opening model reads the
    late-interaction features and a scorer is there; None otherwise (the openings `score` gave stand)."""
    if not ranker.opening_reads_late or late is None:
        return None
    return lambda chosen: rate_openings(chosen, cands, query, ranker, late)


# (chosen, ranked, unranked) → the selection: the engine's date-aware additions (recency.chooser)
Chooser = Callable[[list[Candidate], list[Candidate], list[Candidate]], list[Candidate]]


def extract(query: str, q_emb: list[float], passages: list[Passage], lexical: LexicalIndex,
            sent_emb: SentenceEmbeddings, max_sentences: int, embed_top: int = 12,
            parts: list[tuple[str, list[float]]] | None = None, ranker: Ranker | None = None,
            choose: Chooser | None = None,
            said: str = "", chunk_before: Callable[[Passage], Passage | None] | None = None,
            more: int = 0, differ: bool = False, late: LateScorer | None = None) -> Extract:
    """The sentences that answer the question, best first, each with its citation.

    `parts` (text, embedding) are the pieces of a question that asks several things; each part gets its
    best sentence into the answer. `relevance` is the best statement's probability (for abstention).
    `choose(chosen, ranked, unranked)` may add to the selection (the engine's date-aware additions;
    `unranked`: the passages' other statements, which stage 2 did not score). `said`: what the
    conversation's earlier answers said (a follow-up's answer does not open with a sentence of it).
    `chunk_before(passage)`: the chunk before a passage in its document (where an opening's "he said" may name
    its speaker), or None. `more`: at most this many further sentences the ranker rates above its keep line
    follow the answer's own (`Extract.detail` names them). `differ`: the question says its sources differ
    (`question.asks_sources_differ`): an answer quoting one document only adds the best sentence of another.
    `late`: the late-interaction scorer (interaction.scorer) when the opening model reads it; without one,
    such a model is not used and stage 2's order stands.
    """
    ranker = ranker or load()
    cands, aspects = score(query, q_emb, passages, lexical, sent_emb, embed_top, parts, ranker)
    dated = F.asks_date(query)  # a dateline line is quoted only when a date is asked for
    statements = [c for c in cands if not c.is_question and c.semantic[0] is not None
                  and (not F.is_byline(c.text) or _byline_may_answer(query))
                  and (dated or not F.is_dateline(c.text))]
    if not statements:
        return Extract([], [], 0.0)
    relevance = max(c.score[0] for c in statements)
    chosen = _select(statements, aspects, max_sentences, ranker, differ,
                     opening_rater(cands, aspects[0].query, ranker, late))
    if choose is not None:
        unranked = [c for c in cands if not c.is_question and c.semantic[0] is None
                    and not F.is_byline(c.text) and not F.is_dateline(c.text)]
        chosen = choose(chosen, statements, unranked)
    extra = _more(chosen, statements, more, ranker) if more else []
    if said:
        _open_with_news(chosen, said)
    _open_with_reason(query, chosen, cands)
    _open_with_question(chosen, cands)
    return _compose(chosen + extra, relevance, chunk_before, extra)


def _more(chosen: list[Candidate], top: list[Candidate], more: int, ranker: Ranker) -> list[Candidate]:
    """Up to `more` sentences, best first, that the ranker rates above its keep line and the answer does not
    quote yet (nor repeats): where a timeline's other points, another source's figure or a second part's
    detail stand when the answer's own sentences are full."""
    best = max(c.score[0] for c in top)
    keep = ranker.keep_line(best)
    extra: list[Candidate] = []
    for c in sorted(top, key=lambda c: -c.score[0]):
        if len(extra) >= more or c.score[0] < keep:
            break
        if c not in chosen and not any(repeats(c.text, o.text) for o in chosen + extra):
            extra.append(c)
    return extra


# A question that asks for a person or a body ("Who interviewed …?", "Which correspondent …?").
_ASKS_WHO = re.compile(r"^\W*(?:who|whom|whose|which)\b", re.I)


def _byline_may_answer(query: str) -> bool:
    """A byline ("By Kamila Aliyeva, 25 December 2017") is quoted only when it may answer: the question asks
    who wrote the piece or for a person or a body, or is not in English (the patterns are English). Otherwise
    its date or words made the ranker rate it near the best sentence of a "December 2017" question, and it
    went into the answer as a statement about nothing asked."""
    return F.asks_author(query) or bool(_ASKS_WHO.search(F.opening(query))) or language(query) != "en"


def _open_with_question(chosen: list[Candidate], cands: list[Candidate]) -> None:
    """An interview answer's opening whose interviewer question matched the question better: the question is
    quoted first, as the interviewer's, so the answer reads in its context."""
    opening = chosen[0]
    q = opening.facts.question_index
    if q is not None and opening.facts.answer_opening and cands[q].score[0] > opening.score[0]:
        chosen.insert(0, cands[q])


_WHY = re.compile(r"^\W*why\b", re.I)
RESTATES_NEW = 3  # at most this many terms the question lacks: the sentence only says what was asked


def _open_with_reason(query: str, chosen: list[Candidate], cands: list[Candidate]) -> None:
    """"Why is Kazakhstan building four pharmaceutical plants?": when the opening sentence only restates
    the question ("Kazakhstan is to build four new plants for making medicines": half the question's terms
    or more, at most RESTATES_NEW terms besides), the sentence after it in its passage opens instead, which
    is where a news text gives the reason ("The step follows directives …"). Not when the opening leans back
    ("Against this backdrop, Kazakhstan is seen as …"): the reason came before it, in sentences that often
    lean back in turn, and the opening itself is the answer's summary (dev d02 lost its opening to both the
    sentence after and the one before)."""
    if not chosen or not _WHY.search(F.opening(query)):
        return
    first = chosen[0]
    asked, said = set(terms(query)) - {"why"}, set(terms(first.text))
    if not asked or len(asked & said) * 2 < len(asked) or len(said - asked) > RESTATES_NEW:
        return
    if F.LEANS_BACK.search(first.text.lstrip()):  # "Against this backdrop, …": it points back at its reason
        return
    after = [c for c in cands if c.passage is first.passage and c.start >= first.end and not c.is_question]
    if not after:
        return
    nxt = min(after, key=lambda c: c.start)
    if nxt in chosen:
        chosen.remove(nxt)
    chosen.insert(0, nxt)


def _open_with_news(chosen: list[Candidate], said: str) -> None:
    """A follow-up asks for something new ("Where was he born?" after "Who is Tokayev?"): when the best
    sentence was already quoted in an earlier answer, the best chosen one that was not opens instead. The
    sentences chosen stay the same (scaling the quoted ones down instead lost evidence that an earlier
    answer had quoted in passing: docs/QUALITY.md)."""
    said = " ".join(said.split())
    quoted = [" ".join(_tidy(c.text).split()) in said for c in chosen]
    if quoted and quoted[0] and not all(quoted):
        chosen.insert(0, chosen.pop(quoted.index(False)))


def _preselect(cands: list[Candidate], passages: list[Passage], n_aspects: int,
               embed_top: int) -> list[Candidate]:
    """The sentences worth embedding: every interviewer question (its answer's sentences read its
    similarity), each passage's best two, each aspect's best three, then the best overall."""
    ranked = sorted(cands, key=lambda c: c.score[0], reverse=True)
    top: list[Candidate] = []
    for p in passages:
        top.extend([c for c in ranked if c.passage is p][:PER_PASSAGE])
    for i in range(1, n_aspects):
        top.extend(sorted(cands, key=lambda c: c.score[i], reverse=True)[:3])
    top.extend(ranked)
    chosen = list(dict.fromkeys(top))[: embed_top + 3 * (n_aspects - 1)]
    return list(dict.fromkeys([c for c in cands if c.facts.asked] + chosen))


def _select(top: list[Candidate], aspects: list[Aspect], max_sentences: int,
            ranker: Ranker, differ: bool = False,
            rate: Callable[[list[Candidate]], None] | None = None) -> list[Candidate]:
    """The answer's sentences: the best for the whole question, those the ranker rates close to it, the
    best for each part of a several-part question, and, where sources differ, the other source."""
    top.sort(key=lambda c: c.score[0], reverse=True)
    best = top[0].score[0]
    chosen: list[Candidate] = []

    def add(c: Candidate) -> None:
        if c not in chosen and not any(repeats(c.text, o.text) for o in chosen):
            chosen.append(c)

    keep = ranker.keep_line(best)
    for c in top:
        if len(chosen) >= max_sentences or c.score[0] < keep:
            break
        add(c)
    if not chosen:
        add(top[0])
    for i in range(1, len(aspects)):  # each part of "X, and Y?" gets its best sentence
        part_best = max(top, key=lambda c: c.score[i])
        add(part_best)
        types = aspects[i].types
        if types and not F.gives_type(part_best.text, types):  # "… and how many?" wants a number too
            typed_part = _typed(top, types, i)
            if typed_part:
                add(typed_part[0])
    if aspects[0].types:
        typed = _typed(top, aspects[0].types, 0)
        shown = [c for c in chosen if c in typed]
        if typed and not shown:  # "how long" wants a length: the best sentence that gives one goes in
            if len(chosen) >= max_sentences:
                chosen.pop()
            add(typed[0])
            shown = [typed[0]]
        other = next((c for c in typed if c not in chosen and all(
            _figures(c.text) != _figures(o.text) and c.passage.doc.doc_id != o.passage.doc.doc_id
            for o in shown)), None)
        if shown and other is not None:
            add(other)  # a second, different figure from another source: where sources disagree, show both
        what = counted(aspects[0].query) if "count" in aspects[0].types else None
        if what is not None and not any(counts(what, c.text) for c in chosen):
            # "how many vessels" wants a number of vessels, as the refusal check reads it (coverage.counted):
            # a chosen "six ferries by 2028" beside "two more vessels" left out by the cap was refused
            counting = next((c for c in typed if counts(what, c.text)), None)
            if counting is not None:
                if len(chosen) >= max_sentences:
                    chosen.pop()
                add(counting)
    docs = {c.passage.doc.doc_id for c in chosen}
    if len(docs) == 1:
        # when the asker says the sources differ, the other source joins however the ranker rates it
        floor = 0.0 if differ else ranker.other_source * best
        other_doc = next((c for c in top if c.passage.doc.doc_id not in docs
                          and c.score[0] >= floor), None)
        if other_doc is not None:
            add(other_doc)  # what another source says about the same question
    chosen = chosen[:max_sentences + len(aspects)]
    # stage 2 chose the sentences; the opening model says which answers first (`rate` gives a model that
    # reads the late-interaction features its probabilities; without it such a model is not used)
    if ranker.opening is not None and (rate is not None or not ranker.opening_reads_late):
        if rate is not None:
            rate(chosen)
        chosen.insert(0, chosen.pop(max(range(len(chosen)), key=lambda i: chosen[i].opening)))
    # "how long", "when", "how much": the answer opens with the sentence that gives the length, date or figure
    # (the rule; the ranker alone opened "How long is the BTK railway?" with a sentence about 2017).
    # Only when the question opens by asking for the value (F.asked_value): not for who/where/why/what-is,
    # whose type patterns (any capitalised name, "in X") put an intro sentence first, nor for a "when" or
    # "how many" inside a longer question (docs/QUALITY.md).
    _open_with_value(chosen, aspects[0].query)
    if F.asks_author(aspects[0].query):
        _open_with_author(chosen, top)
    return chosen


def _open_with_value(chosen: list[Candidate], query: str) -> None:
    """A question that opens by asking for a value ("How long …?") opens with a chosen sentence giving one;
    for the date of an event ("In which year was X set up?"), with one dating that event where one is chosen
    (as the refusal check reads it, `coverage.dated_event`), not a visit's "on February 18"."""
    asked = F.asked_value(query)
    typed = next((c for c in chosen if F.gives_type(c.text, list(asked[0]))), None) if asked else None
    event = dated_event(query) if asked and asked[0] == ("date",) else None
    if event is not None:
        typed = next((c for c in chosen if F.gives_type(c.text, ["date"]) and event[1].search(c.text)), typed)
    if typed is not None:
        chosen.remove(typed)
        chosen.insert(0, typed)


def _open_with_author(chosen: list[Candidate], top: list[Candidate]) -> None:
    """"Who wrote …?": the answer opens with a chosen sentence that states an author (a byline, "Author: …");
    when none was chosen, with one from the best sentence's document, which the ranker scores low because it
    shares no word with the question. The piece's lead no longer answers alone."""
    byline = next((c for c in chosen if F.states_author(c.text)), None)
    if byline is None:
        doc = chosen[0].passage.doc.doc_id
        byline = next((c for c in top if c.passage.doc.doc_id == doc and F.states_author(c.text)), None)
    if byline is not None:
        if byline in chosen:
            chosen.remove(byline)
        chosen.insert(0, byline)


def _typed(top: list[Candidate], types: list[str], i: int) -> list[Candidate]:
    """The sentences giving an answer of these types ("how long": a length) that score at least TYPED_SHARE
    of the best score for aspect i, best first."""
    best = max(c.score[i] for c in top)
    return sorted((c for c in top if F.gives_type(c.text, types) and c.score[i] >= TYPED_SHARE * best),
                  key=lambda c: -c.score[i])


def _figures(text: str) -> frozenset[str]:
    return frozenset(re.findall(F.NUMBER, text))


def _informative(sentence: str, title: str, field: bool = False) -> bool:
    """Not a heading, the title again, image chrome, a bare label, or an instruction to the bot. A `field`
    line of a document's about block ("Author: Tural Heybatov") is a fact however short it is."""
    bare = sentence.strip().lstrip("-*• ").strip()
    if bare.startswith("#") or bare.rstrip(".").lower() == title.lower() or _CHROME.search(bare):
        return False
    if len(bare.split()) < 4 and not re.search(r"\d", bare) and not field:
        return False  # "Status: Active", "Baku–Tbilisi–Kars Railway"
    return not looks_like_instruction(bare)


def _overlap(a: str, b: str) -> float:
    ta, tb = set(terms(a)), set(terms(b))
    return len(ta & tb) / min(len(ta), len(tb)) if ta and tb else 0.0


# Words that deny what a sentence states: "still has no fleet of its own" is no repeat of "has a fleet".
_NEGATION = re.compile(r"\b(?:no|not|never|none|nor|neither|without|yet\s+to)\b|n[’']t\b", re.I)


# Two or more capitalised words after a sentence's first: the full names a sentence gives ("Adylbek
# Kasymaliev", "Eurasian Economic Union"), not a capitalised word alone ("Chairman", "Cabinet").
_NAMED = re.compile(r"(?<=\S)\s+([A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)+)")


def _names(text: str) -> set[str]:
    return {t for m in _NAMED.finditer(text) for t in terms(m.group(1))}


def repeats(a: str, b: str) -> bool:
    """Does sentence a repeat b? Most of the shorter one's terms shared, the same figures, the same
    polarity and no name that the other lacks on both sides: a sentence with other figures is another claim
    ("1,500 volunteers" beside "about 1,000 volunteers"), so is one that denies what the other states ("still
    has no national fleet of its own" beside "also has a commercial fleet of its own"), and so is one about
    other people ("Adylbek Kasymaliev, Chairman of Kyrgyzstan's Cabinet" beside "Akylbek Japarov, Chairman of
    the Cabinet"; "President Tokayev" beside "Tokayev" is the same); the answer shows it beside the first
    (docs/QUALITY.md, eleventh, twenty-eighth and twenty-ninth sessions)."""
    na, nb = _names(a), _names(b)
    return (_overlap(a, b) >= 0.6 and _figures(a) == _figures(b)
            and bool(_NEGATION.search(a)) == bool(_NEGATION.search(b)) and (na <= nb or nb <= na))


def _compose(chosen: list[Candidate], relevance: float,
             chunk_before: Callable[[Passage], Passage | None] | None = None,
             extra: list[Candidate] | None = None) -> Extract:
    """The best sentence first; then the passages in order of their best sentence, each passage's
    sentences in source order. A sentence that leans on the one before it ("This includes …") brings that
    sentence along, after it when it opens the answer (so the answer opens with what answers). The `extra`
    candidates' statements (and what they bring along) are the Extract's `detail`."""
    order: dict[int, int] = {}
    for c in chosen:  # chosen is best first
        order.setdefault(id(c.passage), len(order))
    opening = chosen[0]
    rest = sorted(chosen[1:], key=lambda c: (order[id(c.passage)], c.start))
    cited: list[Passage] = []
    statements: list[Statement] = []

    scores: dict[str, float] = {}
    detail: set[str] = set()
    extras = {id(c) for c in extra or []}

    def say(sentence: str, n: int, speaker: str | None = None) -> None:
        if not any(sentence == st.text for st in statements):
            statements.append(Statement(text=sentence, citations=[n], speaker=speaker))
            scores.setdefault(sentence, c.score[0])  # a sentence brought along counts as the one it serves
            if id(c) in extras:
                detail.add(sentence)

    for c in [opening, *rest]:
        if c.passage not in cited:
            cited.append(c.passage)
        n = cited.index(c.passage) + 1
        text = c.passage.chunk.text
        spans = sentence_spans(text)
        i = next((i for i, (s, _) in enumerate(spans) if s == c.start), None)
        previous = sentences_before(text, spans[:i or 0], c.start)[:NAMING_REACH]
        before = previous[0] if previous else ""
        after = _tidy(text[spans[i + 1][0]:spans[i + 1][1]]) if i is not None and i + 1 < len(spans) else ""
        quotable = bool(before) and not is_asked(before)  # an interviewer's question is not
        leans = quotable and bool(F.LEANS_BACK.match(c.text.lstrip("–—- ")))
        if leans and c is not opening:
            say(_tidy(before), n)  # "Against this backdrop, …" needs the sentence it leans on
        say(_tidy(c.text), n, _asker(c))
        if c is opening and leans:
            say(_tidy(before), n)
        elif c is opening and _UNNAMED_SPEAKER.search(c.text):
            named, where = _naming(previous), n
            if named is None and chunk_before is not None and _reaches_back(previous):
                earlier = chunk_before(c.passage)  # "He said …" opens its chunk: the name stands before
                more = []
                if earlier is not None:  # chunks overlap: only what ends before this chunk starts
                    prior = earlier.chunk
                    more = sentences_before(prior.text, sentence_spans(prior.text),
                                             c.passage.chunk.start - prior.start)
                named = _naming(previous + more[:NAMING_REACH - len(previous)])
                if named is not None and named not in previous:
                    if earlier not in cited:
                        cited.append(earlier)
                    where = cited.index(earlier) + 1
            if named is not None:
                say(_tidy(named), where)
        if _QUALIFIES.match(after) or (c is opening and (F.LEANS_BACK.match(after) or _GOES_ON.match(after))):
            say(after, n)  # "… unrealistic in the short term. But over 10 years …"
    return Extract(statements, cited, relevance, scores, frozenset(detail))


def is_asked(text: str) -> bool:
    """Whether a sentence or paragraph is a question (in an interview: the interviewer's, where the speaker
    changes)."""
    return text.rstrip().endswith("?")


def _naming(previous: list[str]) -> str | None:
    """The sentence to quote after an opening that says only "he said", from the sentences before it
    (nearest first, headings aside): the one just before, unless it too says only "he"; then the nearest
    of the others that names a speaker ("Masimov stressed …. He said …. He said …"). None past an
    interviewer's question (the speaker changes there)."""
    for k, sentence in enumerate(previous):
        if is_asked(sentence):
            return None
        if _PRONOUN_SPEAKER.search(sentence) or _POST_ONLY.search(sentence):
            continue
        if k == 0 or _NAMES_SPEAKER.search(sentence):
            return sentence
    return None


def _reaches_back(previous: list[str]) -> bool:
    """May the search for a speaker's name go on into the chunk before? Only when this chunk's sentences
    before the opening are fewer than NAMING_REACH and hold no interviewer's question."""
    return len(previous) < NAMING_REACH and not any(is_asked(p) for p in previous)


def _asker(c: Candidate) -> str | None:
    """Who asks an interviewer's question: the interview's author, else "the interviewer"."""
    if not c.facts.asked or c.passage.chunk.speaker_role != "interviewee":
        return None
    return c.passage.doc.author or "the interviewer"


def _tidy(sentence: str) -> str:
    """Drop list bullets, interview dashes and a bold speaker label ("**Kubanychbek Omuraliev:**": the
    attribution names the speaker) in front of a quoted sentence, and the source's footnote markers
    ("[9][10]", "[a]"), which would read as corridor's own citations; the citation keeps them."""
    sentence = re.sub(r"\[(?:\d{1,3}|[a-z])\]", "", sentence)
    sentence = re.sub(r"^\s*(?:\*\*|__)[^*_\n:]{1,60}:(?:\*\*|__)\s+", "", sentence)
    return re.sub(r"^[\s–—\-•*]+", "", sentence).strip()
