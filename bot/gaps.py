"""The gap queue: questions corridor could not answer well, so admins know what to ingest next.

Each abstained question and each "not helpful" vote is one JSON line in settings.gaps_path (next to the
feedback file): {"timestamp", "kind": "abstained"|"not_helpful", "question", "closest_sources": [{doc_id,
title, url}]}. `grouped()` puts similar questions together: greedy single-link grouping on the Jaccard overlap
of their stemmed terms (vectorstore.lexical.terms), so "BTK railway length" and "how long is the BTK railway"
share a group without loading a model.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corridor.records import Answer, DocumentMeta

SIMILAR = 0.5  # Jaccard overlap of stemmed terms above which two questions are one gap


class GapStore:
    """Appends gap records (thread-safe) and reads them back grouped."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, kind: str, question: str | None, sources: list[DocumentMeta | dict[str, Any]]) -> None:
        if not question or not question.strip():
            return
        closest = []
        for s in sources[:5]:
            d = s.model_dump() if isinstance(s, DocumentMeta) else s
            closest.append({"doc_id": d.get("doc_id"), "title": d.get("title"), "url": d.get("url")})
        row = {"timestamp": datetime.now(UTC).isoformat(timespec="seconds"), "kind": kind,
               "question": question.strip()[:2000], "closest_sources": closest}
        line = json.dumps(row, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)

    def record_answer(self, answer: Answer) -> None:
        """Record an abstained answer (others are not gaps)."""
        if answer.abstained:
            self.record("abstained", answer.question, list(answer.closest_sources))

    def read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        rows = []
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                try:
                    rows.append(json.loads(line))
                except ValueError:  # a torn last line after a crash costs that line only
                    continue
        return rows

    def grouped(self) -> list[dict[str, Any]]:
        """Groups of similar questions, the most asked first: {questions, count, kinds, last, sources}."""
        from vectorstore.lexical import terms

        groups: list[dict[str, Any]] = []
        for row in self.read():
            words = set(terms(row.get("question") or "")) or {(row.get("question") or "").lower()}
            best, best_score = None, 0.0
            for g in groups:
                score = max(len(words & w) / len(words | w) for w in g["_terms"])
                if score > best_score:
                    best, best_score = g, score
            if best is None or best_score < SIMILAR:
                best = {"questions": [], "count": 0, "kinds": {}, "last": None, "sources": [], "_terms": []}
                groups.append(best)
            best["_terms"].append(words)
            if row["question"] not in best["questions"]:
                best["questions"].append(row["question"])
            best["count"] += 1
            best["kinds"][row.get("kind", "?")] = best["kinds"].get(row.get("kind", "?"), 0) + 1
            best["last"] = max(best["last"] or "", row.get("timestamp") or "")
            for s in row.get("closest_sources") or []:
                if s.get("doc_id") and s["doc_id"] not in [x["doc_id"] for x in best["sources"]]:
                    best["sources"].append(s)
        for g in groups:
            del g["_terms"]
        return sorted(groups, key=lambda g: (g["count"], g["last"] or ""), reverse=True)
