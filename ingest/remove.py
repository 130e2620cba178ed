"""`corridor remove`: take documents and every chunk of theirs out of the store.

All ids are checked before anything is deleted, so an unknown id changes nothing. Deleting bumps the store's
generation, which is what invalidates the BM25 cache (vectorstore/lexical.py keys it by generation).
"""

from __future__ import annotations

import time

from corridor.errors import InputError
from corridor.records import IngestReport
from corridor.settings import Settings
from vectorstore.store import ChunkStore

from .pipeline import write_lock


def remove_docs(doc_ids: list[str], settings: Settings, store: ChunkStore | None = None) -> IngestReport:
    """Remove these documents (all or none: an unknown id raises InputError before any delete)."""
    started = time.perf_counter()
    wanted = list(dict.fromkeys(d.strip() for d in doc_ids if d.strip()))
    if not wanted:
        raise InputError("name at least one document id (see `corridor sources`)")
    report = IngestReport()
    with write_lock(settings):
        store = store or ChunkStore(settings)
        chunk_ids = {doc_id: store.doc_chunks(doc_id)["ids"] for doc_id in wanted}
        unknown = [d for d, ids in chunk_ids.items() if not ids]
        if unknown:
            raise InputError(f"no such document: {', '.join(unknown)[:300]} (nothing was removed; "
                             "see `corridor sources`)")
        for doc_id in chunk_ids:
            store.delete_doc(doc_id)  # the multilingual lane's copy too
            report.removed.append(doc_id)
        _forget_pages(store, wanted)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _forget_pages(store: ChunkStore, doc_ids: list[str]) -> None:
    """Drop the refresh validators (ETag, Last-Modified) kept for these documents, if any."""
    from .state import StateStore

    StateStore(store).delete("page", doc_ids)
