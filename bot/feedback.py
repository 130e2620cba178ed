"""Helpful / not-helpful feedback on answers, appended to a JSONL file the quality tools read.

Each line: {"timestamp", "user_id", "question", "answer", "citations", "helpful", "answer_id",
"message_id", "restored"}. `citations` are Citation dicts (number, doc_id, title, url, date, chunk_id, ...).
`restored` is true when the bot had restarted since the answer and rebuilt the record from the message.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corridor.records import Answer


class FeedbackStore:
    """Appends one JSON line per vote; safe to call from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(
        self,
        *,
        user_id: int,
        question: str | None,
        answer: str,
        citations: list[dict[str, Any]],
        helpful: bool,
        answer_id: str | None = None,
        message_id: int | None = None,
        restored: bool = False,
    ) -> dict[str, Any]:
        row = {
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "user_id": str(user_id),
            "question": question,
            "answer": answer,
            "citations": citations,
            "helpful": helpful,
            "answer_id": answer_id,
            "message_id": str(message_id) if message_id else None,
            "restored": restored,
        }
        line = json.dumps(row, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)  # one write per line: readers never see half a record
        return row

    def read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]


class RecentAnswers:
    """The last `size` answers by id, so a feedback click can record the question and citations."""

    def __init__(self, size: int = 2000) -> None:
        self.size = size
        self._answers: OrderedDict[str, Answer] = OrderedDict()

    def remember(self, answer: Answer) -> str:
        answer_id = uuid.uuid4().hex[:16]
        self._answers[answer_id] = answer
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)
        return answer_id

    def get(self, answer_id: str) -> Answer | None:
        return self._answers.get(answer_id)

    def __len__(self) -> int:
        return len(self._answers)
