"""Small records kept with the store (feeds, page validators) in a companion Chroma collection.

They live next to the chunks, in `<collection>_state` on the same client, so feeds and refresh work the same
against a Chroma server as against the embedded store, like the ingest state kept in the chunk collection.
Each record is one JSON document with a one-number placeholder vector (Chroma needs an embedding per record;
nothing here is ever searched by similarity).
"""

from __future__ import annotations

import json
from typing import Any

from vectorstore.store import ChunkStore

PLACEHOLDER = [1.0]


class StateStore:
    """Records by (kind, key), each a JSON-able dict: kind "feed" keyed by feed URL, "page" by doc id."""

    def __init__(self, store: ChunkStore) -> None:
        self.store = store
        self.name = f"{store.settings.collection}_state"
        self._collection = None

    def _open(self, create: bool):
        """The state collection; created on the first write only, so reading a store leaves no trace."""
        if self._collection is None:
            client = self.store.client
            if create:
                self._collection = client.get_or_create_collection(self.name, embedding_function=None)
            elif self.name in {getattr(c, "name", c) for c in client.list_collections()}:
                self._collection = client.get_collection(self.name, embedding_function=None)
        return self._collection

    @staticmethod
    def _id(kind: str, key: str) -> str:
        return f"{kind}:{key}"

    def put(self, kind: str, key: str, value: dict[str, Any]) -> None:
        self._open(create=True).upsert(ids=[self._id(kind, key)], embeddings=[PLACEHOLDER],
                               documents=[json.dumps(value, ensure_ascii=False)],
                               metadatas=[{"kind": kind, "key": key}])

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        collection = self._open(create=False)
        if collection is None:
            return None
        got = collection.get(ids=[self._id(kind, key)], include=["documents"])
        return json.loads(got["documents"][0]) if got["ids"] else None

    def all(self, kind: str) -> dict[str, dict[str, Any]]:
        """key → value for every record of this kind (feeds and pages are few: one query)."""
        collection = self._open(create=False)
        if collection is None:
            return {}
        got = collection.get(where={"kind": kind}, include=["documents", "metadatas"])
        return {m["key"]: json.loads(d) for d, m in zip(got["documents"], got["metadatas"], strict=True)}

    def delete(self, kind: str, keys: list[str]) -> None:
        collection = self._open(create=False)
        if keys and collection is not None:
            collection.delete(ids=[self._id(kind, k) for k in keys])
