"""`corridor ask --batch FILE.jsonl --json`: the stable interface evaluation tools use.

Input: one JSON object per line with `id` and `question` (optional `conversation`: earlier user turns as
[{"role": "user", "content": ...}]). Output on stdout: one JSON object per input line, in order, with
`id`, `question`, `answer`, `abstained`, `citations`, `latency_ms` (and `statements`, `notes`,
`standalone_question`, `closest_sources`, `mode`), or `{"id", "question", "error"}` for a line that
could not be answered. The model loads once for the whole file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from corridor.errors import CorridorError, InputError
from corridor.records import Turn

from .render import answer_json


def run_batch(engine, path: Path, k: int | None = None, mode: str | None = None, filters=None) -> int:
    """Answer every line of path; returns how many lines failed (each reported in its output line)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc.__class__.__name__}") from exc
    failed = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            qid, question = str(item["id"]), item["question"]
        except (json.JSONDecodeError, KeyError, TypeError):
            failed += 1
            _emit({"id": None, "line": number, "error": "each line needs a JSON object with id and question"})
            continue
        try:
            history: list[Turn] = []
            for turn in item.get("conversation") or []:
                if turn.get("role", "user") == "user":
                    earlier = engine.ask(turn["content"], history, k=k, mode=mode, filters=filters)
                    history.append(Turn(question=turn["content"], standalone=earlier.standalone_question,
                                        answer=earlier.text))
            answer = engine.ask(question, history, k=k, mode=mode, filters=filters)
        except CorridorError as exc:
            failed += 1
            _emit({"id": qid, "question": question, "error": str(exc)})
            continue
        _emit(answer_json(answer, id=qid))
    return failed


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()
