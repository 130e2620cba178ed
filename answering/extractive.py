"""The default answer mode: choose the corpus sentences that answer the question and quote them, each
with its citation. No language model; every word of the answer is a word of a source."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from corridor.records import Passage, Statement
from vectorstore.lexical import LexicalIndex, terms

from .question import looks_like_instruction
from .sentences import sentence_spans

# Sentences that lean on the one before them; the previous sentence is quoted too, as context.
_LEANS_BACK = re.compile(
    r"^(?:against this backdrop|in this context|this|these|that|those|such|it|however|therefore|"
    r"thus|as a result|in addition|also|but)\b", re.I)
# A next sentence that qualifies the one chosen ("… unrealistic in the short term. But over 10 years …").
_QUALIFIES = re.compile(r"^(?:but|however|yet|still|nevertheless|nonetheless)\b", re.I)
_CHROME = re.compile(r"^\W*(?:image|logo|map|caption|symbol|flag|coat)\b|\.(?:svg|png|jpe?g)\b", re.I)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# Expected answer types: what a question asks for, and what a sentence that gives it contains.
ANSWER_TYPES: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (re.compile(r"\bhow\s+long\s+(?:is|are|was|were)\b|\bhow\s+far\b|\b(?:length|distance)\b", re.I),
     re.compile(r"\d[\d,.]*\s*(?:km|kilomet\w*|miles?|metres?|meters?)\b", re.I)),
    (re.compile(r"\bhow\s+long\b(?!\s+(?:is|are|was|were)\b)", re.I),
     re.compile(r"\d[\d,.]*\s*(?:days?|hours?|weeks?|months?|years?|decades?)\b", re.I)),
    (re.compile(r"\bhow\s+much\b|\b(?:value|cost|worth|volume|capacity|amount|turnover|budget)\b", re.I),
     re.compile(r"[$€£]\s*\d|\d[\d,.]*\s*(?:billion|million|trillion|tonnes?|tons?|MMT|%|percent|USD|bn)\b",
                re.I)),
    (re.compile(r"\bhow\s+many\b|\bnumber\s+of\b|\bpopulation\b", re.I), re.compile(r"\d")),
    (re.compile(r"\bwhen\b|\b(?:what|which)\s+(?:year|date|month)\b|\bsince\s+when\b", re.I),
     re.compile(rf"\b(?:1[89]|20)\d\d\b|\b(?:{_MONTHS})\b")),
    (re.compile(r"\b(?:percent\w*|share|rate)\b", re.I), re.compile(r"\d[\d,.]*\s*(?:%|percent)", re.I)),
]
ANSWER_TYPE_BONUS = 0.3


def _answer_types(query: str) -> list[re.Pattern[str]]:
    return [answer for asks, answer in ANSWER_TYPES if asks.search(query)]


PER_PASSAGE = 2  # each passage's best sentences are embedded first, so paraphrases get a chance


@dataclass(eq=False)  # identity: two sentences with equal text in two passages are two candidates
class Candidate:
    """A sentence of a passage, scored against each aspect of the question (the whole, then its parts)."""

    passage: Passage
    start: int  # span inside the passage text
    end: int
    text: str
    lexical: list[float] = field(default_factory=list)  # per aspect; includes the answer-type bonus
    bonus: list[float] = field(default_factory=list)  # per aspect: answer-type bonus (not coverage evidence)
    semantic: list[float] = field(default_factory=list)
    score: list[float] = field(default_factory=list)
    asked: bool = False  # part of an interviewer's question
    answers: tuple[int, int] | None = None  # for an answer's opening sentences: the question's span


@dataclass
class Aspect:
    """One thing the question asks: the whole question, or one part of "X, and Y?"."""

    query: str
    embedding: np.ndarray
    weights: dict[str, float]
    wanted: list[re.Pattern[str]]


class SentenceEmbeddings:
    """An LRU cache of sentence vectors: corpus sentences recur across questions."""

    def __init__(self, embeddings, size: int = 20000) -> None:
        self.embeddings = embeddings
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> list[np.ndarray]:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vectors = self.embeddings.embed_documents(missing)
            with self._lock:
                for t, v in zip(missing, vectors, strict=True):
                    self._cache[t] = np.asarray(v, dtype=np.float32)
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        with self._lock:
            out = []
            for t in texts:
                self._cache.move_to_end(t)
                out.append(self._cache[t])
            return out


@dataclass
class Extract:
    """The chosen sentences and how relevant the best one is (for abstention)."""

    statements: list[Statement]
    cited: list[Passage]  # citation n is cited[n-1]
    relevance: float


def _weights(query_terms: list[str], lexical: LexicalIndex) -> dict[str, float]:
    """IDF weight per query term; a term the corpus never uses weighs as the rarest, so a question
    about something absent loses coverage instead of being carried by its common words."""
    return {t: lexical.weight(t) for t in dict.fromkeys(query_terms)}


def _aspect(query: str, embedding: list[float], lexical: LexicalIndex) -> Aspect:
    q = np.asarray(embedding, dtype=np.float32)
    weights = _weights(terms(query), lexical)
    return Aspect(query, q / (np.linalg.norm(q) or 1.0), weights, _answer_types(query))


def _candidates(passages: list[Passage]) -> list[Candidate]:
    cands = []
    for p in passages:
        text = p.chunk.text
        questions = _interview_questions(text)
        for s, e in sentence_spans(text):
            sent = text[s:e]
            if len(set(terms(sent))) < 2 or not _informative(sent, p.doc.title):
                continue
            c = Candidate(p, s, e, sent)
            c.asked = any(a <= s < b for a, b, _ in questions)
            c.answers = next(((a, b) for a, b, ans in questions if ans and ans[0] <= s < ans[1]), None)
            cands.append(c)
    return cands


def extract(query: str, q_emb: list[float], passages: list[Passage], lexical: LexicalIndex,
            sent_emb: SentenceEmbeddings, max_sentences: int, embed_top: int = 12,
            parts: list[tuple[str, list[float]]] | None = None) -> Extract:
    """Score every sentence of the passages against the question and keep the best few.

    Lexical overlap (IDF-weighted, plus a bonus for the expected answer type) ranks all sentences; the
    best `embed_top` are embedded for semantic similarity. `parts` (text, embedding) are the pieces of a
    question that asks several things; each part gets its best sentence into the answer.
    """
    cands = _candidates(passages)
    if not cands:
        return Extract([], [], 0.0)
    aspects = [_aspect(query, q_emb, lexical)] + [_aspect(t, e, lexical) for t, e in parts or []]
    for c in cands:
        sent_terms = set(terms(c.text))
        for a in aspects:
            total = sum(a.weights.values()) or 1.0
            bonus = ANSWER_TYPE_BONUS if any(w.search(c.text) for w in a.wanted) else 0.0
            c.lexical.append(sum(w for t, w in a.weights.items() if t in sent_terms) / total + bonus)
            c.bonus.append(bonus)
    _inherit(cands, "lexical")
    for c in cands:
        dense = max(c.passage.dense_score or 0.0, 0.0)
        c.score = [0.6 * lex + 0.4 * dense for lex in c.lexical]
        c.semantic = [0.0] * len(aspects)
    top = _preselect(cands, passages, len(aspects), embed_top)
    for c, v in zip(top, sent_emb([c.text for c in top]), strict=True):
        norm = np.linalg.norm(v) or 1.0
        c.semantic = [float(a.embedding @ v / norm) for a in aspects]
    _inherit(top, "semantic")
    relevance = 0.0
    for c in top:
        restates = 0.6 if c.asked else 1.0  # an interviewer's question restates; the answer informs
        dense = max(c.passage.dense_score or 0.0, 0.0)
        c.score = [restates * (0.45 * sem + 0.35 * lex + 0.20 * dense)
                   for sem, lex in zip(c.semantic, c.lexical, strict=True)]
        relevance = max(relevance, c.score[0] - restates * 0.35 * c.bonus[0])
    return _compose(_select(top, aspects, max_sentences), relevance)


def _preselect(cands: list[Candidate], passages: list[Passage], n_aspects: int,
               embed_top: int) -> list[Candidate]:
    """The sentences worth embedding: each passage's best two, each aspect's best, then the best overall."""
    ranked = sorted(cands, key=lambda c: c.score[0], reverse=True)
    top: list[Candidate] = []
    for p in passages:
        top.extend([c for c in ranked if c.passage is p][:PER_PASSAGE])
    for i in range(1, n_aspects):
        top.extend(sorted(cands, key=lambda c: c.score[i], reverse=True)[:3])
    top.extend(ranked)
    return list(dict.fromkeys(top))[: embed_top + 3 * (n_aspects - 1)]


def _select(top: list[Candidate], aspects: list[Aspect], max_sentences: int) -> list[Candidate]:
    """The answer's sentences: the best for the whole question, then what a good answer must not miss."""
    top.sort(key=lambda c: c.score[0], reverse=True)
    best = top[0].score[0]
    chosen: list[Candidate] = []

    def add(c: Candidate) -> None:
        if c.text.rstrip().endswith("?"):
            return  # a question answers nothing (its score has passed to the answer after it)
        if c not in chosen and not any(_overlap(c.text, o.text) >= 0.6 for o in chosen):
            chosen.append(c)

    for c in top:
        if len(chosen) >= max_sentences or c.score[0] < 0.75 * best:
            break
        add(c)
    if not chosen:  # the best were all questions: take the best statement, if it is close enough
        statement = next((c for c in top if not c.text.rstrip().endswith("?")), None)
        if statement is not None and statement.score[0] >= 0.6 * best:
            add(statement)
    extra_room = max_sentences + 1
    for i in range(len(aspects)):
        by_aspect = sorted(top, key=lambda c: c.score[i], reverse=True)
        if i > 0 and len(chosen) < extra_room + i:  # each part of "X, and Y?" gets its best sentence
            add(by_aspect[0])
        typed = [c for c in by_aspect if c.bonus[i] and c.score[i] >= 0.5 * by_aspect[0].score[i]]
        if typed and not any(c in typed for c in chosen):
            # A question that asks "how long" wants a length: the best sentence that gives one goes in.
            if len(chosen) >= max_sentences:
                chosen.pop()
            add(typed[0])
        if i == 0 and typed:
            shown = [c for c in chosen if c in typed]
            other = next((c for c in typed if c not in chosen and all(
                _figures(c.text) != _figures(o.text) and c.passage is not o.passage for o in shown)), None)
            if shown and other is not None:
                add(other)  # a second, different figure from elsewhere: where sources disagree, show both
    docs = {c.passage.doc.doc_id for c in chosen}
    if len(docs) == 1:
        other_doc = next((c for c in top if c.passage.doc.doc_id not in docs and c.score[0] >= 0.8 * best),
                         None)
        if other_doc is not None:
            add(other_doc)  # what another source says about the same question
    return chosen[:extra_room + len(aspects) - 1]


def _figures(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\d[\d,.]*\d|\d", text))


def _informative(sentence: str, title: str) -> bool:
    """Not a heading, the title again, image chrome, a bare label, or an instruction to the bot."""
    bare = sentence.strip().lstrip("-*• ").strip()
    if bare.startswith("#") or bare.rstrip(".").lower() == title.lower() or _CHROME.search(bare):
        return False
    if len(bare.split()) < 4 and not re.search(r"\d", bare):
        return False  # "Status: Active", "Baku–Tbilisi–Kars Railway"
    return not looks_like_instruction(bare)


def _interview_questions(text: str) -> list[tuple[int, int, tuple[int, int] | None]]:
    """(start, end, answer span) of each paragraph ending in "?": in an interview, the interviewer's
    question, and the opening of the answer that follows it in this chunk (its first two sentences)."""
    paras = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    out: list[tuple[int, int, tuple[int, int] | None]] = []
    for i, (a, b) in enumerate(paras):
        if not text[a:b].rstrip().endswith("?"):
            continue
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        answer = None
        if nxt is not None and not text[nxt[0]:nxt[1]].rstrip().endswith("?"):
            spans = sentence_spans(text[nxt[0]:nxt[1]])[:2]
            answer = (nxt[0], nxt[0] + (spans[-1][1] if spans else 0))
        out.append((a, b, answer))
    return out


def _inherit(cands: list[Candidate], field_name: str) -> None:
    """An answer's opening sentences score at least 90% of the question they answer (per aspect)."""
    asked = [c for c in cands if c.asked]
    for c in cands:
        if c.answers is None:
            continue
        mine = [q for q in asked if q.passage is c.passage and c.answers[0] <= q.start < c.answers[1]]
        if mine:
            values = getattr(c, field_name)
            for i in range(len(values)):
                values[i] = max(values[i], 0.9 * max(getattr(q, field_name)[i] for q in mine))


def _overlap(a: str, b: str) -> float:
    ta, tb = set(terms(a)), set(terms(b))
    return len(ta & tb) / min(len(ta), len(tb)) if ta and tb else 0.0


def _compose(chosen: list[Candidate], relevance: float) -> Extract:
    """Group the sentences by passage, the passage with the strongest sentence first, each in the order it
    stands in its source; number the passages by first use."""
    strongest: dict[int, float] = {}
    for c in chosen:
        strongest[id(c.passage)] = max(strongest.get(id(c.passage), 0.0), c.score[0])
    chosen.sort(key=lambda c: (-strongest[id(c.passage)], c.passage.rank, c.start))
    cited: list[Passage] = []
    statements: list[Statement] = []

    def say(sentence: str, n: int) -> None:
        if not any(sentence == st.text for st in statements):
            statements.append(Statement(text=sentence, citations=[n]))

    for c in chosen:
        if c.passage not in cited:
            cited.append(c.passage)
        n = cited.index(c.passage) + 1
        text = c.passage.chunk.text
        spans = sentence_spans(text)
        i = next((i for i, (s, _) in enumerate(spans) if s == c.start), None)
        before = text[spans[i - 1][0]:spans[i - 1][1]] if i else ""
        after = _tidy(text[spans[i + 1][0]:spans[i + 1][1]]) if i is not None and i + 1 < len(spans) else ""
        if before and _LEANS_BACK.match(c.text.lstrip("–—- ")) and not before.rstrip().endswith("?"):
            say(_tidy(before), n)  # "Against this backdrop, …" needs the sentence it leans on
        say(_tidy(c.text), n)
        if _QUALIFIES.match(after):
            say(after, n)  # "… unrealistic in the short term. But over 10 years …"
    return Extract(statements, cited, relevance)


def _tidy(sentence: str) -> str:
    """Drop list bullets and interview dashes in front of a quoted sentence, and the source's footnote
    markers ("[9][10]", "[a]"), which would read as corridor's own citations; the citation keeps them."""
    sentence = re.sub(r"\[(?:\d{1,3}|[a-z])\]", "", sentence)
    return re.sub(r"^[\s–—\-•*]+", "", sentence).strip()
