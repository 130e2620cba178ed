"""Ingest files, folders and URLs into the ChunkStore, incrementally and idempotently.

The state lives in the collection itself: a document whose stored chunks all carry its current content hash
and chunk count is unchanged and costs nothing. A changed document reuses the embeddings of chunks whose text
is unchanged, embeds only new texts (batched across documents), upserts its new chunks and only then deletes
its stale ones, so an interrupted run loses nothing and a re-run completes it. The multilingual lane is then
made a copy of the store (ingest/lane.py).
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from corridor.errors import IngestBusy, InputError
from corridor.records import Chunk, Document, IngestReport
from corridor.settings import Settings
from vectorstore.embeddings import embed_giving_way
from vectorstore.store import ChunkStore, text_hash

from .chunking import chunk_document
from .clean import slugify
from .fetch import fetch, url_doc_id
from .lane import sync_lane
from .loaders import SUPPORTED_SUFFIXES, load_bytes, load_file

log = logging.getLogger(__name__)
EMBED_SLICE = 128  # texts per embedding call: whole model batches, and a bar that moves on small corpora
# Documents are embedded and written in groups of about this many chunks, so a run holds at most one group's
# vectors (as Python lists, 100k chunks' would take ~1.2 GB) and an interrupted run keeps the groups it wrote.
WRITE_GROUP = 2048


@dataclass
class Source:
    """One thing to read: a local file (with the doc id its folder gives it) or a URL."""

    name: str  # as reported (path or URL)
    doc_id: str
    path: Path | None = None
    url: str | None = None


@dataclass
class _Plan:
    doc: Document
    chunks: list[Chunk]
    stale_ids: list[str]
    vectors: list[list[float] | None]  # reused embeddings; None where one must be computed
    is_new: bool
    pending: list[int] = field(default_factory=list)  # chunk indexes still to embed


@contextmanager
def write_lock(settings: Settings) -> Iterator[None]:
    """A non-blocking, process-level lock so two ingests never interleave their writes."""
    settings.store_dir.mkdir(parents=True, exist_ok=True)
    path = settings.store_dir / "ingest.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IngestBusy("an ingest is already running on this store; try again when it ends") from exc
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def folder_doc_id(path: Path, root: Path) -> str:
    """Stable id from the path relative to the ingested folder: 'a.md' → 'a', 'sub/b.md' → 'sub--b'."""
    rel = path.relative_to(root).with_suffix("")
    return "--".join(slugify(part) or "x" for part in rel.parts)


def is_url(text: str) -> bool:
    return "://" in text


def discover(inputs: list[str], report: IngestReport) -> tuple[list[Source], list[Path]]:
    """The sources named by the inputs (folders walked), and the folders (for --prune)."""
    sources: list[Source] = []
    folders: list[Path] = []
    for item in inputs:
        if is_url(item):
            sources.append(Source(name=item, doc_id=url_doc_id(item), url=item))
            continue
        path = Path(item).expanduser()
        if path.is_dir():
            root = path.resolve()
            folders.append(root)
            for file in sorted(root.rglob("*")):
                rel_parts = file.relative_to(root).parts
                if file.is_file() and file.suffix.lower() in SUPPORTED_SUFFIXES and not any(
                        p.startswith(".") for p in rel_parts):
                    sources.append(Source(name=str(file), doc_id=folder_doc_id(file, root), path=file))
        elif path.is_file():
            sources.append(Source(name=str(path), doc_id=slugify(path.stem) or "doc", path=path))
        else:
            report.failed[item] = "no such file or folder"
    unique: dict[str, Source] = {}
    for src in sources:  # the same doc id twice in one run: the last one wins, like a re-ingest would
        unique[src.doc_id] = src
    return list(unique.values()), folders


def read(source: Source, settings: Settings) -> Document:
    if source.url is not None:
        got = fetch(source.url, settings)
        return load_bytes(got.data, got.kind, doc_id=source.doc_id, source=source.url, url=got.url)
    return load_file(source.path, doc_id=source.doc_id, settings=settings)


def _plan(doc: Document, settings: Settings, store: ChunkStore) -> _Plan | None:
    """What must change for this document; None when it is stored exactly as it is now."""
    stored = store.doc_chunks(doc.doc_id)
    metas = stored["metadatas"]
    chunks = chunk_document(doc, settings.chunk_size, settings.chunk_overlap)
    ids = {c.chunk_id for c in chunks}
    if (metas and len(metas) == len(chunks) and set(stored["ids"]) == ids
            and all(m.get("content_hash") == doc.content_hash and m.get("n_chunks") == len(chunks)
                    for m in metas)):
        return None
    vectors: list[list[float] | None] = [None] * len(chunks)
    if metas:  # reuse embeddings of unchanged texts
        old = store.doc_chunks(doc.doc_id, with_embeddings=True)
        by_hash = {m.get("text_hash"): e for m, e in zip(old["metadatas"], old["embeddings"], strict=True)}
        vectors = [by_hash.get(text_hash(c.text)) for c in chunks]
    stale = [cid for cid in stored["ids"] if cid not in ids]
    pending = [i for i, v in enumerate(vectors) if v is None]
    return _Plan(doc=doc, chunks=chunks, stale_ids=stale, vectors=vectors, is_new=not metas, pending=pending)


def _show_progress(progress: bool) -> bool:
    return progress and sys.stderr.isatty()


def _bar(**kwargs: Any) -> tqdm:
    """A progress bar on stderr; a terminal reporting a 0x0 size would hide it, so fall back to 80x24."""
    size = shutil.get_terminal_size()
    return tqdm(file=sys.stderr, ncols=min(size.columns or 80, 100), nrows=size.lines or 24, **kwargs)


def _embed(plans: list[_Plan], store: ChunkStore, bar: tqdm) -> int:
    """Embed every pending chunk text of these documents in large batches; returns how many."""
    # Longest first across the whole group, not only within one call's slice: the model pads each batch to its
    # longest text, and a group in document order padded a held-out store's chunks to 1.4x their tokens.
    todo = sorted(((p, i) for p in plans for i in p.pending), key=lambda pi: -len(pi[0].chunks[pi[1]].text))
    for s in range(0, len(todo), EMBED_SLICE):
        part = todo[s : s + EMBED_SLICE]
        vectors = embed_giving_way(store.embeddings, [p.chunks[i].text for p, i in part])
        for (p, i), v in zip(part, vectors, strict=True):
            p.vectors[i] = list(v)
        bar.update(len(part))
    return len(todo)


def _write(plans: list[_Plan], store: ChunkStore, bar: tqdm) -> tuple[int, int]:
    """Embed and write these documents a group at a time (one `upsert_many` a group), each one's stale chunks
    deleted only after its new version is stored; returns (chunks embedded, chunks written)."""
    embedded = written = 0
    for group in _groups(plans, WRITE_GROUP):
        embedded += _embed(group, store, bar)
        written += store.upsert_many([(plan.doc, plan.chunks, plan.vectors) for plan in group])
        store.delete([cid for plan in group for cid in plan.stale_ids])
        for plan in group:
            plan.vectors = []  # written: let the group's vectors go
    return embedded, written


def _groups(plans: list[_Plan], size: int) -> Iterator[list[_Plan]]:
    """Consecutive runs of documents with about `size` chunks to embed each (a document is never split)."""
    group: list[_Plan] = []
    pending = 0
    for plan in plans:
        group.append(plan)
        pending += len(plan.pending)
        if pending >= size:
            yield group
            group, pending = [], 0
    if group:
        yield group


def _prune(folders: list[Path], seen: set[str], store: ChunkStore, report: IngestReport) -> None:
    """Remove documents whose source file was under an ingested folder and no longer exists."""
    for doc_id, source in store.doc_sources().items():
        if doc_id in seen or not source or is_url(source):
            continue
        path = Path(source)
        if any(path.is_relative_to(f) for f in folders) and not path.exists():
            store.delete_doc(doc_id)
            report.removed.append(doc_id)


def ingest(inputs: list[str] | None, settings: Settings, store: ChunkStore | None = None, prune: bool = False,
           progress: bool = True, reader: Callable[[Source, Settings], Document | None] = read,
           locked: bool = False) -> IngestReport:
    """Ingest files, folders and URLs (none: the bundled corpus) and return the run's summary.

    `reader` turns a source into a Document (refresh passes a polite, conditional one; None from it means
    "not modified": the document counts as unchanged). `locked`: the caller already holds write_lock."""
    started = time.perf_counter()
    report = IngestReport()
    inputs = list(inputs) if inputs else [str(settings.corpus_dir)]
    with nullcontext() if locked else write_lock(settings):
        store = store or ChunkStore(settings)
        sources, folders = discover(inputs, report)
        plans: list[_Plan] = []
        mirrored = store.lane is not None and store.lane_mirrored()  # before this run writes anything
        seen: set[str] = set()
        show = _show_progress(progress)
        for source in _bar(iterable=sources, desc="reading", unit="doc", disable=not show):
            try:
                doc = reader(source, settings)
            except InputError as exc:
                report.failed[source.name] = str(exc)
                continue
            if doc is None:
                seen.add(source.doc_id)
                report.unchanged.append(source.doc_id)
                continue
            seen.add(doc.doc_id)
            plan = _plan(doc, settings, store)
            if plan is None:
                report.unchanged.append(doc.doc_id)
            else:
                plans.append(plan)
        total = sum(len(p.pending) for p in plans)
        with _bar(total=total, desc="embedding", unit="chunk", disable=not (show and total)) as bar:
            report.chunks_embedded, report.chunks_written = _write(plans, store, bar)
        for plan in plans:
            (report.added if plan.is_new else report.updated).append(plan.doc.doc_id)
        if prune:
            _prune(folders, seen, store, report)
        if store.lane is not None:  # after every write and delete of this run: the lane copies them
            touched = {p.doc.doc_id for p in plans} | set(report.removed) if mirrored else None
            report.multilingual_chunks_embedded = sync_lane(
                store, store.lane, lambda total: _bar(total=total, desc="multilingual", unit="chunk",
                                                      disable=not (show and total)), touched)
            store.mark_lane_mirrored()
    report.seconds = round(time.perf_counter() - started, 3)
    return report
