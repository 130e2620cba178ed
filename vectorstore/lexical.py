"""BM25 over the same chunks as Chroma (bm25s + Snowball stems), kept in step with the store.

The index is built from the store's texts and saved on local disk under the store's generation, so a
process that starts against an unchanged store loads it (memory-mapped) instead of re-tokenising; any
ingest bumps the generation and the next search rebuilds it once.

In background mode (the bot) the rebuild runs in a child process (`python -m vectorstore.lexical_child`,
which imports chromadb, bm25s and PyStemmer but not torch): it reads the chunks from the store itself, saves
the index here under the generation it read, and the answering process loads that memory-mapped and swaps it
in. A rebuild in a thread of the answering process shared its GIL with the questions (40 s of pure-Python
work at 105k chunks; the worst question waited 1.1-1.5 s). Without a cache folder, or when the child fails,
the index is built in the thread as before.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

log = logging.getLogger(__name__)

TOKEN_PATTERN = r"(?u)\b\w\w+\b|\b\d\b"  # bm25s's default plus single digits ("5 billion")
TOKENIZER_VERSION = "3"  # bump when what is indexed changes: cached indexes of another version are rebuilt
_TOKEN_RE = re.compile(TOKEN_PATTERN)
CHILD_MODULE = "vectorstore.lexical_child"
CHILD_TIMEOUT_S = 1800.0  # a child still building after this is killed (and the thread builds instead)
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # where the child imports `vectorstore` from
_CHILDREN: set[subprocess.Popen] = set()  # running builder processes, killed if this process exits first
_CHILDREN_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """scikit-learn's English stop words (bm25s's own list of 33 keeps "what", "how", "does")."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | {"does", "did", "doing", "say", "says", "said", "according"}


def terms(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed terms: the vocabulary BM25 and overlap checks share."""
    stop = stopwords()
    words = [w for w in _TOKEN_RE.findall(text.lower()) if w not in stop]
    return _stemmer().stemWords(words)


def _pages(collection, size: int = 1000):
    """(ids, texts, metadatas) of every chunk in the collection, a page at a time.

    Pages of 1000, not 5000: as fast per chunk, and at 100k chunks the build's peak RSS fell from 1.9 GB to
    0.5 GB (embedded Chroma keeps the memory of its largest result; bench/, docs/BENCHMARKS.md)."""
    offset = 0
    while True:
        got = collection.get(include=["documents", "metadatas"], limit=size, offset=offset)
        if not got["ids"]:
            return
        yield got["ids"], got["documents"], got["metadatas"]
        offset += len(got["ids"])


@dataclass
class _Loaded:
    generation: str
    retriever: bm25s.BM25
    ids: list[str]
    doc_ids: np.ndarray  # doc id of each row, for filters
    date_nums: np.ndarray  # YYYYMMDD or 0, for date filters
    date_ends: np.ndarray  # the last day of a month or year a document is dated by; its date_num otherwise
    vocab: dict[str, int]


def _one_edit(a: str, b: str) -> bool:
    """Whether two different words are one insertion, deletion or substitution apart (written out: one
    comparison, no edit-distance library needed)."""
    if a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((n for n, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def index_key(location: str, collection: str, generation: str) -> str:
    """The cache folder name of a store's index at one generation (and tokenizer version)."""
    where = location + "/" + collection
    key = f"{where}\x00{generation}\x00{TOKENIZER_VERSION}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def _indexed(text: str, meta: dict) -> str:
    """What BM25 indexes for a chunk: its text under its document's title and its section heading, so that
    a passage that names its subject only in them ("More than 2,000 participants" under "Kurultay of Kazakh
    youth held in Ankara") is still found by the subject's words (docs/QUALITY.md, eleventh session). The
    about chunk holds the title already."""
    if meta.get("kind") == "about":
        return text
    return f"{meta.get('title') or ''} {meta.get('heading') or ''} {text}"


def build_index(collection, generation: str) -> _Loaded:
    """BM25 over every chunk of a Chroma collection (read page by page), labelled with `generation`: the
    store's generation read before the first page (a write meanwhile makes the next check rebuild)."""
    ids: list[str] = []
    doc_ids: list[str] = []
    dates: list[int] = []
    ends: list[int] = []
    vocab: dict[str, int] = {}
    token_ids: list[list[int]] = []  # straight to ids: 100k chunks' term strings would hold ~0.4 GB
    for page_ids, page_texts, page_metas in _pages(collection):
        ids.extend(page_ids)
        token_ids.extend([vocab.setdefault(t, len(vocab)) for t in terms(_indexed(text, m))]
                         for text, m in zip(page_texts, page_metas, strict=True))
        doc_ids.extend(m.get("doc_id", "") for m in page_metas)
        dates.extend(int(m.get("date_num", 0) or 0) for m in page_metas)
        ends.extend(int(m.get("date_end_num") or m.get("date_num", 0) or 0) for m in page_metas)
    retriever = bm25s.BM25()
    if ids:
        retriever.index(bm25s.tokenization.Tokenized(ids=token_ids, vocab=vocab), show_progress=False)
    return _Loaded(generation, retriever, ids, np.array(doc_ids, dtype=object),
                   np.array(dates, dtype=np.int64), np.array(ends, dtype=np.int64), vocab)


def save_index(loaded: _Loaded, cache_dir: Path, key: str) -> None:
    """Write the index to cache_dir/key through cache_dir/key.tmp and one rename, so a reader never sees a
    half-written index; older generations (and a crashed builder's .tmp folders) are removed.
    Raises OSError."""
    target = cache_dir / key
    tmp = target.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    loaded.retriever.save(str(tmp))
    (tmp / "corridor.json").write_text(json.dumps({
        "ids": loaded.ids, "doc_ids": loaded.doc_ids.tolist(),
        "date_nums": loaded.date_nums.tolist(), "date_ends": loaded.date_ends.tolist(), "vocab": loaded.vocab,
    }))
    for old in cache_dir.iterdir():  # one cached generation is enough
        if old != tmp:
            shutil.rmtree(old, ignore_errors=True)
    tmp.rename(target)


def child_job(settings, cache_dir: Path) -> dict:
    """What `python -m vectorstore.lexical_child` needs to open the same store and cache folder."""
    job = {"collection": settings.collection, "location": settings.chroma_location,
           "cache_dir": str(cache_dir)}
    if settings.uses_server:
        job.update(host=settings.chroma_host, port=settings.chroma_port, ssl=settings.chroma_ssl)
    else:
        job["path"] = str(settings.store_dir / "chroma")  # as ChunkStore._open_embedded opens it
    return job


@atexit.register
def _kill_children() -> None:
    with _CHILDREN_LOCK:
        for proc in list(_CHILDREN):
            proc.kill()


class LexicalIndex:
    """A BM25 index that follows a ChunkStore's generation."""

    def __init__(self, store, cache_dir: Path | None) -> None:
        self.store = store
        # One folder per collection and location, so the bot's and eval's indexes don't evict each other.
        settings = store.settings
        where = hashlib.sha256(settings.chroma_location.encode()).hexdigest()[:8]
        self.cache_dir = None if cache_dir is None else cache_dir / f"{settings.collection}-{where}"
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()
        # background: a changed store is indexed in a thread while questions keep the previous index (the
        # bot turns this on so no question waits for a rebuild; see prepare()).
        self.background = False
        self._builder: threading.Thread | None = None
        self._builder_lock = threading.Lock()
        self.child_python = sys.executable  # the interpreter a builder child runs (this process's own)
        self.last_build: dict | None = None  # how the last index was made: {"where", "pid", "generation", …}

    # -- building ---------------------------------------------------------------------------------------
    def _key(self, generation: str) -> str:
        settings = self.store.settings
        return index_key(settings.chroma_location, settings.collection, generation)

    def _build(self, generation: str) -> _Loaded:
        t0 = time.perf_counter()
        loaded = build_index(self.store.collection, generation)
        self._save(loaded)
        self.last_build = {"where": "here", "pid": os.getpid(), "generation": generation,
                           "chunks": len(loaded.ids), "seconds": round(time.perf_counter() - t0, 1)}
        return loaded

    def _save(self, loaded: _Loaded) -> None:
        if self.cache_dir is None or not loaded.ids:
            return
        try:
            save_index(loaded, self.cache_dir, self._key(loaded.generation))
        except OSError as exc:  # a read-only or full disk only costs a rebuild next start
            log.warning("could not save the lexical index: %s", exc)

    def _load_cached(self, generation: str) -> _Loaded | None:
        if self.cache_dir is None:
            return None
        path = self.cache_dir / self._key(generation)
        try:
            meta = json.loads((path / "corridor.json").read_text())
            retriever = bm25s.BM25.load(str(path), mmap=True)
        except (OSError, ValueError, KeyError):
            return None
        return _Loaded(generation, retriever, meta["ids"], np.array(meta["doc_ids"], dtype=object),
                       np.array(meta["date_nums"], dtype=np.int64),
                       np.array(meta.get("date_ends", meta["date_nums"]), dtype=np.int64), meta["vocab"])

    def current(self) -> _Loaded:
        """The index for the store as it is now, rebuilt or loaded when the store changed."""
        generation = self.store.generation()
        loaded = self._loaded
        if loaded is not None and loaded.generation == generation:
            return loaded
        if loaded is not None and self.background:
            self._build_in_background()
            return loaded
        with self._lock:
            if self._loaded is None or self._loaded.generation != generation:
                if self.cache_dir is not None:
                    self.cache_dir.mkdir(parents=True, exist_ok=True)
                self._loaded = self._load_cached(generation) or self._build(generation)
            return self._loaded

    def prepare(self, *, child: bool = False) -> None:
        """Build (or load) the index of the store as it is now and swap it in; in background mode questions
        meanwhile use the one they had. Call it off the question path after writing (the bot does).

        child=True builds it in a child process (see _build_in_child) so this process's GIL stays with the
        questions; without a cache folder, or if the child fails, it is built here as with child=False."""
        with self._lock:  # one build at a time (an inline one in current() takes the same lock)
            generation = self.store.generation()
            if self._loaded is not None and self._loaded.generation == generation:
                return
            if self.cache_dir is not None:
                self.cache_dir.mkdir(parents=True, exist_ok=True)
            loaded = self._load_cached(generation)
            if loaded is None and child and self.cache_dir is not None:
                loaded = self._build_in_child()
            self._loaded = loaded or self._build(generation)  # one assignment: the swap

    def _build_in_child(self) -> _Loaded | None:
        """Build the store's index in `python -m vectorstore.lexical_child` and load what it saved.

        The child opens the same store (embedded at the same path, or the same server), reads the generation
        and every chunk itself, saves the index under that generation in the cache folder (save_index) and
        prints what it built. This thread only waits for it (waiting on a process releases the GIL), then
        loads the index memory-mapped. None when the child failed (logged) or the store is empty."""
        assert self.cache_dir is not None
        job = child_job(self.store.settings, self.cache_dir)
        path = os.environ.get("PYTHONPATH")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(_PACKAGE_ROOT), *([path] if path else [])]))
        t0 = time.perf_counter()
        try:
            proc = subprocess.Popen([self.child_python, "-m", CHILD_MODULE, json.dumps(job)],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, env=env)
        except OSError as exc:
            log.warning("could not start the lexical index builder (%s); building it in this process", exc)
            return None
        with _CHILDREN_LOCK:
            _CHILDREN.add(proc)
        try:
            out, err = proc.communicate(timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            log.warning("the lexical index builder (pid %d) ran %.0f s; killed", proc.pid, CHILD_TIMEOUT_S)
            proc.kill()
            out, err = proc.communicate()
        finally:
            with _CHILDREN_LOCK:
                _CHILDREN.discard(proc)
        lines = [line for line in out.splitlines() if line.startswith("{")]
        if proc.returncode != 0 or not lines:
            tail = " | ".join(err.strip().splitlines()[-3:])[-600:]
            log.warning("the lexical index builder (pid %d) failed with exit code %s: %s; building it in "
                        "this process", proc.pid, proc.returncode, tail or "no output")
            return None
        try:
            result = json.loads(lines[-1])
            generation, chunks = str(result["generation"]), int(result["chunks"])
        except (ValueError, KeyError, TypeError):
            log.warning("the lexical index builder (pid %d) printed %r; building it in this process",
                        proc.pid, lines[-1][:200])
            return None
        if not chunks:
            return None  # an empty store: nothing was saved, and building it here costs nothing
        loaded = self._load_cached(generation)
        if loaded is None:
            log.warning("the lexical index builder (pid %d) reported generation %s but it cannot be loaded; "
                        "building it in this process", proc.pid, generation)
            return None
        self.last_build = {"where": "child", "pid": proc.pid, "generation": generation, "chunks": chunks,
                           "seconds": round(time.perf_counter() - t0, 1),
                           "child_seconds": result.get("seconds")}
        log.info("lexical index of %d chunks built in process %d in %.1f s", chunks, proc.pid,
                 self.last_build["seconds"])
        return loaded

    def _build_in_background(self) -> None:
        with self._builder_lock:
            if self._builder is not None and self._builder.is_alive():
                return
            self._builder = threading.Thread(target=self._prepare_logged, name="corridor-bm25", daemon=True)
            self._builder.start()

    def _prepare_logged(self) -> None:
        try:
            self.prepare(child=True)
        except Exception:  # the next question tries again; the old index keeps answering meanwhile
            log.exception("rebuilding the lexical index failed")

    # -- searching --------------------------------------------------------------------------------------
    def search(self, query: str, k: int, doc_ids: Iterable[str] | None = None,
               date_range: tuple[int, int] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) for the query's best k chunks, best first; only chunks passing filters."""
        idx = self.current()
        q = [t for t in terms(query) if t in idx.vocab]
        if not q or not idx.ids:
            return []
        mask = None
        if doc_ids is not None or date_range is not None:
            keep = np.ones(len(idx.ids), dtype=bool)
            if doc_ids is not None:
                keep &= np.isin(idx.doc_ids, list(doc_ids))
            if date_range is not None:  # an undated chunk (0) is in no date range, as in Chroma's filter;
                nums = idx.date_nums  # a month or a year is in one it overlaps
                keep &= (nums > 0) & (idx.date_ends >= date_range[0]) & (nums <= date_range[1])
            mask = keep.astype(np.float32)
        token_ids = [[idx.vocab[t] for t in q]]
        rows, scores = idx.retriever.retrieve(
            bm25s.tokenization.Tokenized(ids=token_ids, vocab=idx.vocab), k=min(k, len(idx.ids)),
            show_progress=False, weight_mask=mask, n_threads=0,
        )
        return [(idx.ids[r], float(s)) for r, s in zip(rows[0], scores[0], strict=True) if s > 0]

    def _snapshot(self) -> _Loaded:
        """The index as search() last refreshed it. Every question searches first, so the per-term
        lookups that follow while it is answered cost no store round trip (generation() is one)."""
        return self._loaded or self.current()

    def knows(self, term: str) -> bool:
        """Does any chunk in the store use this stemmed term?"""
        return term in self._snapshot().vocab

    def knows_a_form_of(self, term: str) -> bool:
        """Does any chunk use this stemmed name in another form: a longer word it begins (a people's name for
        its country: "afghan" → "afghanistan", from 5 letters) or a spelling one letter apart ("bosphoru" /
        "bosporu", "fergana" / "ferghana", from 7 letters)? A scan of the vocabulary: asked only for a
        name the store does not use."""
        if len(term) < 5:
            return False
        for word in self._snapshot().vocab:
            if word.startswith(term) or (len(term) >= 7 and abs(len(word) - len(term)) <= 1
                                         and _one_edit(term, word)):
                return True
        return False

    def weight(self, term: str) -> float:
        """A term's IDF; a term the store never uses weighs as the rarest, so a claim or question about
        something absent counts against support or coverage instead of being ignored."""
        return self.idf(term) or self.max_idf()

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term (0 for unknown terms)."""
        idx = self._snapshot()
        tid = idx.vocab.get(term)
        n = len(idx.ids)
        if tid is None or n == 0:
            return 0.0
        df = self._doc_freqs(idx).get(tid, 0)
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def max_idf(self) -> float:
        """The IDF a term would have if one chunk in the store used it (the weight of unknown terms)."""
        n = max(len(self._snapshot().ids), 1)
        return float(np.log(1 + (n - 0.5) / 1.5))

    def _doc_freqs(self, idx: _Loaded) -> dict[int, int]:
        cached = getattr(idx, "_df", None)
        if cached is None:
            # bm25s keeps the score matrix in CSC form: one column per vocabulary entry.
            indptr = np.asarray(idx.retriever.scores["indptr"])
            cached = {tid: int(indptr[tid + 1] - indptr[tid]) for tid in range(len(indptr) - 1)}
            idx._df = cached  # type: ignore[attr-defined]
        return cached
