"""The Chroma collection of chunks: embedded on disk by default, a `chroma run` server if CHROMA_HOST is set.

Every chunk carries its document's metadata, its span and heading, the document's chunk count and content
hash, so incremental ingest can tell from the collection alone what is stored (no side manifest).
The collection metadata holds a `generation` token that every write bumps (the BM25 index follows it).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

from langchain_core.embeddings import Embeddings

from corridor.errors import InputError, StoreUnavailable
from corridor.records import Chunk, DocumentMeta, SourceInfo, date_span
from corridor.settings import Settings

log = logging.getLogger(__name__)
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

SCHEMA = 1
HTTP_TIMEOUT_S = 30.0  # per request to a Chroma server; chromadb's own client waits forever
_DOC_FIELDS = tuple(DocumentMeta.model_fields)
# Optional Chunk fields stored as Chroma metadata when set (structure: interview turns, PDF pages).
_CHUNK_EXTRAS = ("heading", "kind", "page", "speaker", "speaker_role", "question")
T = TypeVar("T")
# Embedded stores: (path, collection) → the generation this process's cached Chroma system reflects (see
# ChunkStore._sync). Per collection: a path holds several (the multilingual lane, the eval sets), each with
# its own generation, and one collection's token must not look like another process's write to the next.
_SYNCED: dict[tuple[str, str], str] = {}
_EPOCH: dict[str, int] = {}  # path → how many times this process reopened it (stores rebind when it moves)
_OPEN: dict[str, int] = {}  # path → embedded stores open on it in this process (the last close stops it)
# Embedded stores up to this many chunks are searched exactly (ChunkStore._exact_search): 20,000 vectors of
# 384 floats are 30 MB and a search over them takes a few milliseconds.
EXACT_SEARCH_MAX = 20_000
CACHE_MAX = 20_000  # chunks (text and metadata, or vectors) an embedded store keeps read, per kind


def text_hash(text: str) -> str:
    """Short content hash of a chunk text: lets a changed document reuse unchanged chunks' embeddings."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def day_num(d: date) -> int:
    """A day as YYYYMMDD (Chroma filters compare numbers only): stored dates and filter bounds alike."""
    return d.year * 10000 + d.month * 100 + d.day


def date_bounds(iso: str | None) -> tuple[int, int] | None:
    """The first and last day (YYYYMMDD ints) of an ISO date, or of a month ("2023-05") or a year ("2019")
    when the source gives no day; None for no date."""
    span = date_span(iso)
    if span is None:
        return None
    return day_num(span[0]), day_num(span[1])


def chunk_metadata(chunk: Chunk, doc: DocumentMeta, n_chunks: int) -> dict[str, Any]:
    """The flat Chroma metadata stored with a chunk."""
    meta = doc.chroma_metadata()
    meta.update(chunk_id=chunk.chunk_id, ordinal=chunk.ordinal, start=chunk.start, end=chunk.end,
                n_chunks=n_chunks, text_hash=text_hash(chunk.text))
    for name in _CHUNK_EXTRAS:
        value = getattr(chunk, name)
        if value is not None:
            meta[name] = value
    bounds = date_bounds(doc.date)
    if bounds is not None:
        meta["date_num"] = bounds[0]
        if bounds[1] != bounds[0]:  # a month or a year: a date filter takes it when the spans overlap
            meta["date_end_num"] = bounds[1]
    return meta


def _replacing(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Metadata for Chroma's `update`, which merges: a key the new version no longer has is sent as None,
    which deletes it (a licence removed from the front matter must not linger on kept chunks)."""
    return {**dict.fromkeys(old), **new}


def records_from(chunk_id: str, text: str, meta: dict[str, Any]) -> tuple[Chunk, DocumentMeta]:
    """Rebuild the Chunk and DocumentMeta records from a stored chunk."""
    doc = DocumentMeta(**{k: meta[k] for k in _DOC_FIELDS if k in meta})
    chunk = Chunk(chunk_id=chunk_id, doc_id=meta["doc_id"], ordinal=int(meta["ordinal"]), text=text,
                  start=int(meta["start"]), end=int(meta["end"]),
                  **{k: meta[k] for k in _CHUNK_EXTRAS if meta.get(k) is not None})
    return chunk, doc


def _reachable(method: Callable[..., T]) -> Callable[..., T]:
    """Turn a lost Chroma server connection into one StoreUnavailable line."""

    @functools.wraps(method)
    def wrapper(self: ChunkStore, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except StoreUnavailable:
            raise
        except Exception as exc:
            if self.settings.uses_server and _is_connection_error(exc):
                raise StoreUnavailable(f"{self.settings.chroma_location} is not reachable: {exc}") from exc
            raise

    return wrapper


def _bound_http_timeout(client: Any, seconds: float) -> None:
    """Give chromadb's HTTP session a timeout: it has none (httpx timeout=None), so a hung server would hold
    every question forever. No public option exists, hence the private attribute; skipped if it moves."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds, connect=min(seconds, 5.0))
    else:
        log.warning("cannot set a timeout on the Chroma HTTP client; a hung server may block questions")


def _is_connection_error(exc: BaseException) -> bool:
    import httpx

    return isinstance(exc, httpx.TransportError | ConnectionError) or "connect" in str(exc).lower()


class _ReadCache:
    """What an embedded store read, per kind, for one generation of the store (a write anywhere, by any
    process, changes the generation and empties it). Bounded: a table past CACHE_MAX entries starts over."""

    def __init__(self) -> None:
        self._tables: dict[str, tuple[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def table(self, kind: str, generation: str) -> dict[str, Any]:
        with self._lock:
            held = self._tables.get(kind)
            if held is None or held[0] != generation or len(held[1]) > CACHE_MAX:
                held = self._tables[kind] = (generation, {})
            return held[1]


class ChunkStore:
    """One Chroma collection of chunks (cosine distance), embedded or on a Chroma server."""

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None) -> None:
        import chromadb

        self.settings = settings
        self._embeddings = embeddings
        self._langchain = None
        self._lane: ChunkStore | None = None
        self._cache = _ReadCache()  # what was read (chunks by id, all vectors), for the generation
        self._local = threading.local()  # .pinned: the generation one_generation() read, in this thread
        self._generation = ""  # the store's generation as this process last read it (_sync)
        try:
            if settings.uses_server:
                self.client = chromadb.HttpClient(
                    host=settings.chroma_host, port=settings.chroma_port, ssl=settings.chroma_ssl,
                    settings=chromadb.config.Settings(anonymized_telemetry=False),
                )
                _bound_http_timeout(self.client, HTTP_TIMEOUT_S)
                self.client.heartbeat()
            else:
                self.client = self._open_embedded()
            self.collection = self.client.get_or_create_collection(
                settings.collection,
                configuration={"hnsw": {"space": "cosine"}},
                metadata=self._fresh_metadata(),
                embedding_function=None,
            )
        except Exception as exc:
            if settings.uses_server:
                raise StoreUnavailable(
                    f"Chroma server at {settings.chroma_host}:{settings.chroma_port} is not reachable "
                    "(start it with `chroma run`, or unset CHROMA_HOST for the embedded store)"
                ) from exc
            raise StoreUnavailable(f"{settings.chroma_location} cannot be opened: {exc}") from exc
        self._closed = settings.uses_server  # a server's client holds no files here
        if not settings.uses_server:  # the first open in this process reads the disk: it is current
            _SYNCED.setdefault(self._sync_key, str((self.collection.metadata or {}).get("generation", "")))
            self._epoch = _EPOCH.setdefault(self._path_key, 0)
            _OPEN[self._path_key] = _OPEN.get(self._path_key, 0) + 1
        stored_model = (self.collection.metadata or {}).get("embedding_model")
        if stored_model and stored_model != settings.embedding_model:
            raise InputError(
                f"collection {settings.collection!r} was built with embedding model {stored_model!r}, "
                f"not {settings.embedding_model!r}; choose another CORRIDOR_COLLECTION"
            )

    def _open_embedded(self) -> Any:
        import chromadb

        path = self.settings.store_dir / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path),
                                         settings=chromadb.config.Settings(anonymized_telemetry=False))

    @property
    def _path_key(self) -> str:
        return str(self.settings.store_dir / "chroma")

    @property
    def _sync_key(self) -> tuple[str, str]:
        return self._path_key, self.settings.collection

    def _sync(self) -> None:
        """Reopen an embedded store that another process wrote to since this process last looked.

        Embedded Chroma caches each path's vector index in memory per process, so a long-running reader (the
        bot, a chat) would not see vectors another process (`corridor ingest`) added. Writes made by this
        process keep the cache current; a Chroma server needs none of this.
        """
        if self.settings.uses_server or self._pinned() is not None:
            return
        key = self._path_key
        current = self._generation = self.generation()
        if _SYNCED.get(self._sync_key) != current:
            from chromadb.api.shared_system_client import SharedSystemClient

            log.info("the store changed in another process; reopening %s", self.settings.chroma_location)
            # Chroma has no public per-path reload: drop this path's cached system; the next client is fresh.
            SharedSystemClient._identifier_to_system.pop(key, None)
            _EPOCH[key] = _EPOCH.get(key, 0) + 1
            _SYNCED[self._sync_key] = current
        if self._epoch != _EPOCH.get(key, 0):
            self.client = self._open_embedded()
            self.collection = self.client.get_collection(self.settings.collection, embedding_function=None)
            self._langchain = None
            self._epoch = _EPOCH[key]

    def close(self) -> None:
        """Let go of the store (and its multilingual lane). The last store open on an embedded path stops
        that path's Chroma system, which closes its database and index files (about a dozen descriptors):
        a process that opens many stores, a test run among them, would otherwise keep every one open.
        Chroma has no public per-path close, so its cached system is dropped and stopped here."""
        if self._lane is not None:
            self._lane.close()
            self._lane = None
        if self._closed:
            return
        self._closed = True
        key = self._path_key
        _OPEN[key] -= 1
        if _OPEN[key] > 0:
            return
        del _OPEN[key]
        from chromadb.api.shared_system_client import SharedSystemClient

        for synced in [k for k in _SYNCED if k[0] == key]:  # a later open reads the disk afresh
            del _SYNCED[synced]
        system = SharedSystemClient._identifier_to_system.pop(key, None)
        if system is not None:
            system.stop()

    def _fresh_metadata(self) -> dict[str, Any]:
        return {"generation": uuid.uuid4().hex, "embedding_model": self.settings.embedding_model,
                "corridor_schema": SCHEMA}

    @property
    def lane(self) -> ChunkStore | None:
        """The multilingual lane: the same chunks embedded by multilingual-e5 in a sibling collection
        (settings.lane_settings), or None. Opened on first use; whole-document deletes and stale marks are
        mirrored into it here, everything else by the ingest pipeline's catch-up (ingest/lane.py)."""
        if self._lane is None:
            lane_settings = self.settings.lane_settings()
            if lane_settings is None:
                return None
            self._lane = ChunkStore(lane_settings)
        return self._lane

    # -- lazy parts: a no-op ingest or `sources` never loads the model ---------------------------------------
    @property
    def embeddings(self) -> Embeddings:
        if self._embeddings is None:
            from .embeddings import get_embeddings

            self._embeddings = get_embeddings(self.settings)
        return self._embeddings

    @property
    def langchain(self) -> Any:
        """A langchain_chroma.Chroma over the same client and collection."""
        if self._langchain is None:
            from langchain_chroma import Chroma

            self._langchain = Chroma(
                client=self.client, collection_name=self.settings.collection,
                embedding_function=self.embeddings, create_collection_if_not_exists=False,
            )
        return self._langchain

    # -- reading -----------------------------------------------------------------------------------------
    @_reachable
    def count(self) -> int:
        return self.collection.count()

    def _collection_metadata(self) -> dict[str, Any]:
        """The collection's own metadata as stored now (another process may have changed it)."""
        return dict(self.client.get_collection(self.settings.collection, embedding_function=None).metadata
                    or {})

    @_reachable
    def generation(self) -> str:
        """A token that changes whenever chunks are written or deleted (by any process); within
        one_generation(), the one read when it began."""
        pinned = self._pinned()
        if pinned is not None:
            return pinned
        return str(self._collection_metadata().get("generation", ""))

    def _pinned(self) -> str | None:
        """The generation one_generation() read in this thread, while within it; else None."""
        return getattr(self._local, "pinned", None)

    @contextmanager
    def one_generation(self) -> Iterator[None]:
        """Within (in this thread), the store's generation is read once, when it begins: a question's searches
        follow a write by another process from the next question on, not half-way through, and need no round
        trip to Chroma for it (four or five a question, ~1 ms each embedded). Nested, the outer one holds."""
        if self._pinned() is not None:
            yield
            return
        self._sync()
        self._local.pinned = self._generation if not self.settings.uses_server else self.generation()
        try:
            yield
        finally:
            self._local.pinned = None

    @_reachable
    def dense_search(self, query_embedding: list[float], k: int,
                     where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the k nearest chunks, best first. An embedded store of up to
        EXACT_SEARCH_MAX chunks is searched exactly (`_exact_search`); a larger one, or a Chroma server,
        through Chroma's HNSW index."""
        self._sync()
        n = self._cached("count", lambda: self.collection.count())
        if n == 0 or k <= 0:
            return []
        if not self.settings.uses_server and n <= EXACT_SEARCH_MAX:
            return self._exact_search(query_embedding, k, where)
        got = self.collection.query(query_embeddings=[query_embedding], n_results=min(k, n), where=where,
                                    include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(got["ids"][0], got["distances"][0], strict=True)]

    def _exact_search(self, query_embedding: list[float], k: int,
                      where: dict | None) -> list[tuple[str, float]]:
        """Cosine similarity against every stored vector, with numpy: exact, and the same in every process.
        Written by hand because Chroma 1.5.9's local HNSW index, once a store has been re-ingested (chunks
        deleted and added), gives different nearest neighbours from one process to the next and misses
        live chunks (chroma-core/chroma#7758, #3638): on the eval store of fresh-dev, 4 % of questions got
        another top 30 than the exact one, varying from run to run. The vectors are read once per
        generation of the store; a `where` filter is left to Chroma (which chunks qualify), the ranking is
        done here. Ties go to the chunk stored first."""
        import numpy as np

        def unit_vectors() -> tuple[list[str], Any]:
            got = self.collection.get(include=["embeddings"])
            matrix = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            return list(got["ids"]), matrix / np.where(norms == 0, 1.0, norms)

        ids, matrix = self._cached("unit vectors", unit_vectors)  # the generation _sync read
        query = np.asarray(query_embedding, dtype=np.float32)
        sims = matrix @ (query / (np.linalg.norm(query) or 1.0))
        if where is not None:
            allowed = set(self.collection.get(where=where, include=[])["ids"])
            sims = np.where([cid in allowed for cid in ids], sims, -np.inf)
        order = np.argsort(-sims, kind="stable")[:k]
        return [(ids[i], float(sims[i])) for i in order if np.isfinite(sims[i])]

    @_reachable
    def get_passages(self, ids: list[str]) -> dict[str, tuple[Chunk, DocumentMeta]]:
        """The stored chunk and document records for these chunk ids (unknown ids are left out)."""
        self._sync()
        found = self._by_id(ids, "records", lambda got: zip(got["documents"], got["metadatas"], strict=True),
                            ["documents", "metadatas"])
        return {cid: records_from(cid, *found[cid]) for cid in ids if cid in found}

    @_reachable
    def vectors(self, ids: list[str]) -> dict[str, Any]:
        """The stored embedding (a float32 array) of each of these chunk ids that is stored, as of the store's
        generation when this process last searched it (a caller scoring what its search found)."""
        import numpy as np

        return self._by_id(ids, "vectors",
                           lambda got: (np.asarray(e, dtype=np.float32) for e in got["embeddings"]),
                           ["embeddings"])

    def _by_id(self, ids: list[str], kind: str, values: Callable[[dict[str, Any]], Iterable[Any]],
               include: list[str]) -> dict[str, Any]:
        """id → value for these chunk ids (unknown ids left out), read from Chroma once per generation of an
        embedded store: the same chunks come back question after question (a 3,865-question eval read 5,890
        pools of 30, most of them read before), and Chroma's `get` by id costs ~3 ms a call. A caller has
        synced. A server's store is read every time (its generation is not followed here)."""
        def read(wanted: list[str]) -> dict[str, Any]:
            got = self.collection.get(ids=wanted, include=include)
            return dict(zip(got["ids"], values(got), strict=True))

        if not ids:
            return {}
        if self.settings.uses_server:
            return read(list(dict.fromkeys(ids)))
        cache = self._cache.table(kind, self._generation)
        missing = [cid for cid in dict.fromkeys(ids) if cid not in cache]
        if missing:
            cache.update(read(missing))
        return {cid: cache[cid] for cid in ids if cid in cache}

    def _cached(self, kind: str, read: Callable[[], T]) -> T:
        """One value per generation of an embedded store (the caller has synced); a server's, read now."""
        if self.settings.uses_server:
            return read()
        table = self._cache.table(kind, self._generation)
        if kind not in table:
            table[kind] = read()
        return table[kind]

    @_reachable
    def chunk_before(self, chunk: Chunk, doc: DocumentMeta) -> tuple[Chunk, DocumentMeta] | None:
        """The chunk just before this one in the same version of its document, or None (the first)."""
        if chunk.ordinal <= 0:
            return None
        self._sync()
        where = {"$and": [{"doc_id": chunk.doc_id}, {"ordinal": chunk.ordinal - 1},
                          {"content_hash": doc.content_hash}]}
        got = self.collection.get(where=where, limit=1, include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        return records_from(got["ids"][0], got["documents"][0], got["metadatas"][0])

    def _pages(self, include: list[str], batch: int, where: dict | None = None) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            got = self.collection.get(include=include, limit=batch, offset=offset, where=where)
            if not got["ids"]:
                return
            yield got
            offset += len(got["ids"])

    @_reachable
    def iter_texts(self, batch: int = 5000) -> Iterator[tuple[list[str], list[str]]]:
        """(ids, texts) a page at a time, for building the BM25 index."""
        self._sync()
        for got in self._pages(["documents"], batch):
            yield got["ids"], got["documents"]

    @_reachable
    def iter_records(self, batch: int = 2000) -> Iterator[tuple[Chunk, DocumentMeta]]:
        """Every stored chunk with its document's metadata, a page at a time."""
        self._sync()
        for got in self._pages(["documents", "metadatas"], batch):
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                yield records_from(cid, text, meta)

    @_reachable
    def documents(self) -> list[SourceInfo]:
        """One entry per stored document with its chunk count, sorted by doc_id."""
        found: dict[str, SourceInfo] = {}
        for got in self._pages(["metadatas"], 5000):
            for meta in got["metadatas"]:
                info = found.get(meta["doc_id"])
                if info is None:
                    found[meta["doc_id"]] = SourceInfo(
                        doc_id=meta["doc_id"], title=meta.get("title", meta["doc_id"]), date=meta.get("date"),
                        url=meta.get("url"), source=meta.get("source", ""), chunks=1)
                else:
                    info.chunks += 1
        return [found[k] for k in sorted(found)]

    @_reachable
    def doc_chunks(self, doc_id: str, with_embeddings: bool = False) -> dict[str, Any]:
        """A document's stored chunks: {"ids", "metadatas"[, "embeddings"]} (empty lists when absent)."""
        self._sync()
        include = ["metadatas", "embeddings"] if with_embeddings else ["metadatas"]
        got = self.collection.get(where={"doc_id": doc_id}, include=include)
        out: dict[str, Any] = {"ids": list(got["ids"]), "metadatas": list(got["metadatas"] or [])}
        if with_embeddings:
            emb = got["embeddings"]
            out["embeddings"] = [list(map(float, e)) for e in emb] if emb is not None else []
        return out

    @_reachable
    def doc_sources(self) -> dict[str, str]:
        """doc_id → source (path or URL) for every stored document (used by --prune)."""
        out: dict[str, str] = {}
        for got in self._pages(["metadatas"], 5000):
            for meta in got["metadatas"]:
                out.setdefault(meta["doc_id"], meta.get("source", ""))
        return out

    @_reachable
    def metadata_digests(self, doc_ids: Collection[str] | None = None) -> dict[str, tuple[str, str]]:
        """chunk_id → (doc_id, a digest of its stored metadata) for every chunk (or these documents' chunks):
        what the multilingual lane compares with its main store (ingest/lane.py) without holding every
        metadata dict at once."""
        self._sync()
        if doc_ids is None:
            pages = self._pages(["metadatas"], 5000)
        else:
            wanted = sorted(doc_ids)
            pages = (got for i in range(0, len(wanted), 100)
                     for got in self._pages(["metadatas"], 5000,
                                            where={"doc_id": {"$in": wanted[i : i + 100]}}))
        out: dict[str, tuple[str, str]] = {}
        for got in pages:
            for cid, meta in zip(got["ids"], got["metadatas"], strict=True):
                meta = meta or {}
                digest = hashlib.sha1(json.dumps(meta, sort_keys=True).encode()).hexdigest()
                out[cid] = (str(meta.get("doc_id", "")), digest)
        return out

    # -- the multilingual lane's mirror mark (ingest/lane.py) --------------------------------------------
    def _mirror_token(self, meta: dict[str, Any]) -> str:
        """This store's generation (from `meta`, its collection metadata) and the lane's."""
        lane = self.lane.generation() if self.lane is not None else ""
        return f"{meta.get('generation', '')}:{lane}"

    @_reachable
    def lane_mirrored(self) -> bool:
        """Whether the lane was left an exact copy of this store and neither was written since (so an ingest
        need only carry over the documents it touches; otherwise it compares every chunk)."""
        if self.lane is None:
            return False
        meta = self._collection_metadata()
        return meta.get("lane_mirror") == self._mirror_token(meta)

    @_reachable
    def mark_lane_mirrored(self, mirrored: bool = True) -> None:
        """Record that the lane is (or, mirrored=False, may no longer be) an exact copy of this store."""
        meta = self._collection_metadata()
        meta["lane_mirror"] = self._mirror_token(meta) if mirrored and self.lane is not None else ""
        self.collection.modify(metadata=meta)

    @_reachable
    def raw_chunks(self, ids: list[str], include: list[str]) -> Iterator[dict[str, Any]]:
        """Chroma's own records of these chunk ids (unknown ids left out), a batch at a time."""
        self._sync()
        yield from self._batches(ids, include)

    def _batch_size(self) -> int:
        """The most records Chroma takes in one call (its client's limit, at least 1)."""
        return max(1, self.client.get_max_batch_size())

    def _batches(self, ids: list[str], include: list[str]) -> Iterator[dict[str, Any]]:
        """raw_chunks for a caller that has just synced."""
        step = self._batch_size()
        for i in range(0, len(ids), step):
            yield self.collection.get(ids=ids[i : i + step], include=include)

    def _stored_metadata(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """id → its stored metadata, for those of these chunk ids that are stored (the caller has synced)."""
        stored: dict[str, dict[str, Any]] = {}
        for got in self._batches(ids, ["metadatas"]):
            stored.update(zip(got["ids"], [m or {} for m in got["metadatas"]], strict=True))
        return stored

    # -- writing (every write bumps the generation, even when it fails half-way) ----------------------
    def _bump(self) -> None:
        meta = self._collection_metadata()
        meta.update(generation=uuid.uuid4().hex, embedding_model=self.settings.embedding_model,
                    corridor_schema=SCHEMA)
        self.collection.modify(metadata=meta)
        if not self.settings.uses_server:
            _SYNCED[self._sync_key] = meta["generation"]

    def upsert(self, doc: DocumentMeta, chunks: list[Chunk], embeddings: list[list[float]]) -> int:
        """Write one document's chunks with precomputed embeddings; returns how many were written
        (`upsert_many` of one document)."""
        return self.upsert_many([(doc, chunks, embeddings)])

    @_reachable
    def upsert_many(self, docs: list[tuple[DocumentMeta, list[Chunk], list[list[float]]]]) -> int:
        """Write several documents' chunks with precomputed embeddings in as few Chroma calls as its batch
        limit allows (each embedded call costs ~35 ms whatever its size: one a document made Chroma's writes
        a third of an ingest of short articles); returns how many chunks were written.

        A chunk whose id is already stored gets only its metadata rewritten, never its vector again. The id
        hashes the document, ordinal and text, so its stored vector is already this one; and re-sending a
        vector for a stored id makes Chroma's local HNSW re-insert it in place (hnswlib updatePoint), which
        Chroma runs in parallel with the other inserts of the same batch, both when it is written and
        whenever a process replays its log at open. That race can leave a live chunk unreachable by dense
        search for the life of that process (docs/RELIABILITY.md). Every document's new ids are written before
        any stored one's metadata moves to its new version, so an interrupted call leaves each old version
        whole."""
        if any(len(chunks) != len(vectors) for _, chunks, vectors in docs):
            raise ValueError("one embedding per chunk")
        # by id: a chunk given twice is written once, as its later version (Chroma refuses an id twice a call)
        rows = list({chunk.chunk_id: (doc, chunk, vector, len(chunks)) for doc, chunks, vectors in docs
                     for chunk, vector in zip(chunks, vectors, strict=True)}.values())
        if not rows:
            return 0
        self._sync()
        step = self._batch_size()
        stored = self._stored_metadata([r[1].chunk_id for r in rows])
        new = [r for r in rows if r[1].chunk_id not in stored]
        kept = [r for r in rows if r[1].chunk_id in stored]
        try:
            for s in range(0, len(new), step):
                part = new[s : s + step]
                self.collection.upsert(
                    ids=[chunk.chunk_id for _, chunk, _, _ in part],
                    embeddings=[vector for _, _, vector, _ in part],
                    documents=[chunk.text for _, chunk, _, _ in part],
                    metadatas=[chunk_metadata(chunk, doc, n) for doc, chunk, _, n in part],
                )
            for s in range(0, len(kept), step):
                part = kept[s : s + step]
                self.collection.update(
                    ids=[chunk.chunk_id for _, chunk, _, _ in part],
                    metadatas=[_replacing(stored[chunk.chunk_id], chunk_metadata(chunk, doc, n))
                               for doc, chunk, _, n in part])
        finally:
            self._bump()
        return len(rows)

    @_reachable
    def copy_in(self, ids: list[str], texts: list[str], metadatas: list[dict[str, Any]],
                embeddings: list[list[float]]) -> int:
        """Write chunks exactly as another store of the same chunks holds them (the lane's catch-up), with
        this store's vectors; an id already stored is left alone (see upsert: never re-send a vector).
        Returns how many were written."""
        self._sync()
        stored: set[str] = set()
        for got in self._batches(ids, []):
            stored.update(got["ids"])
        new = [i for i, cid in enumerate(ids) if cid not in stored]
        if not new:
            return 0
        step = self._batch_size()
        try:
            for s in range(0, len(new), step):
                part = new[s : s + step]
                self.collection.upsert(ids=[ids[i] for i in part], documents=[texts[i] for i in part],
                                       metadatas=[metadatas[i] for i in part],
                                       embeddings=[embeddings[i] for i in part])
        finally:
            self._bump()
        return len(new)

    @_reachable
    def restamp(self, metadatas: dict[str, dict[str, Any]]) -> None:
        """Replace stored chunks' metadata (chunk_id → its new metadata); texts and vectors stay."""
        ids = list(metadatas)
        if not ids:
            return
        self._sync()
        old = self._stored_metadata(ids)
        ids = [cid for cid in ids if cid in old]
        step = self._batch_size()
        try:
            for s in range(0, len(ids), step):
                part = ids[s : s + step]
                self.collection.update(ids=part, metadatas=[_replacing(old[c], metadatas[c]) for c in part])
        finally:
            self._bump()

    @_reachable
    def delete(self, ids: list[str]) -> None:
        """Delete chunks by id."""
        if not ids:
            return
        self._sync()
        try:
            step = self._batch_size()
            for i in range(0, len(ids), step):
                self.collection.delete(ids=ids[i : i + step])
        finally:
            self._bump()

    @_reachable
    def set_stale(self, doc_id: str, stale: bool) -> int:
        """Mark (or unmark) every chunk of a document as gone from its source. Metadata only: the texts and
        vectors stay, so the generation (and the BM25 index) need not change."""
        ids = self.doc_chunks(doc_id)["ids"]
        if ids:
            self.collection.update(ids=ids, metadatas=[{"stale": stale}] * len(ids))
        if self.lane is not None:
            self.lane.set_stale(doc_id, stale)
        elif ids:  # no generation bump here, so say it: a lane turned on later must catch up this mark
            self.mark_lane_mirrored(False)
        return len(ids)

    @_reachable
    def delete_doc(self, doc_id: str) -> int:
        """Delete every chunk of one document (in the multilingual lane too); returns how many there were."""
        mirrored = self.lane is not None and self.lane_mirrored()
        ids = self.doc_chunks(doc_id)["ids"]
        self.delete(ids)
        if self.lane is not None:
            self.lane.delete_doc(doc_id)
            if mirrored:  # both lost the same chunks: still a copy
                self.mark_lane_mirrored()
        return len(ids)
