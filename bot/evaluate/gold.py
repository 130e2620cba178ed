"""The gold set: one JSON object per line (format documented in data/eval/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from corridor.errors import InputError
from corridor.settings import PROJECT_ROOT

DEFAULT_GOLD = PROJECT_ROOT / "data" / "eval" / "gold.jsonl"
FIXTURES_DIR = PROJECT_ROOT / "data" / "eval" / "fixtures"
KINDS = ("single_doc", "cross_doc", "paraphrase", "numeric", "follow_up", "multilingual", "out_of_scope",
         "conflicting_sources", "prompt_injection", "who_said", "date_bound", "latest", "timeline")
SPLITS = ("dev", "test", "fresh-dev", "fresh", "fresh-test")  # the fresh test file may say either


class GoldItem(BaseModel):
    """One gold question and what a good answer must show."""

    id: str
    question: str
    conversation: list[str] = Field(default_factory=list)  # earlier user turns, asked first, in order
    evidence: list[str] = Field(default_factory=list)  # exact quotes an answer should cite
    evidence_docs: list[str] = Field(default_factory=list)  # doc ids the quotes come from
    must_include: list[list[str]] = Field(default_factory=list)  # groups of alternatives
    must_not_include: list[str] = Field(default_factory=list)
    kind: str
    lang: str = "en"
    expect_abstain: bool | None = None  # default: True exactly for out_of_scope
    requires_fixture: str | None = None
    split: str = "test"  # "dev" (tune on it) or "test" (report only, never tuned on); "fresh-dev", "fresh"

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"unknown kind {value!r} (known: {', '.join(KINDS)})")
        return value

    @field_validator("split")
    @classmethod
    def _split(cls, value: str) -> str:
        if value not in SPLITS:
            raise ValueError(f"unknown split {value!r} (known: {', '.join(SPLITS)})")
        return value

    @field_validator("conversation", mode="before")
    @classmethod
    def _turns(cls, value: Any) -> Any:
        """Accept plain strings or {"question"|"content"|"user": ...} objects for earlier turns."""
        if not isinstance(value, list):
            return value
        out = []
        for turn in value:
            if isinstance(turn, dict):
                if turn.get("role", "user") != "user":
                    continue
                turn = turn.get("question") or turn.get("content") or turn.get("user") or ""
            out.append(turn)
        return out

    @field_validator("must_include", mode="before")
    @classmethod
    def _groups(cls, value: Any) -> Any:
        """A bare string is a group of one alternative."""
        if isinstance(value, list):
            return [[g] if isinstance(g, str) else g for g in value]
        return value

    @model_validator(mode="after")
    def _default_abstain(self) -> GoldItem:
        if self.expect_abstain is None:
            self.expect_abstain = self.kind == "out_of_scope"
        return self


def load_gold(path: Path | str | None = None, kinds: list[str] | None = None,
              splits: list[str] | None = None) -> list[GoldItem]:
    """Read and check a gold file (only the given splits, when given); raise InputError naming the first
    bad line."""
    path = Path(path) if path else DEFAULT_GOLD
    if not path.is_file():
        raise InputError(f"gold file not found: {path}")
    items: list[GoldItem] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            item = GoldItem.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            first = str(exc).splitlines()[0] if isinstance(exc, json.JSONDecodeError) else \
                "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:2])
            raise InputError(f"{path.name} line {n}: {first}") from exc
        if item.id in seen:
            raise InputError(f"{path.name} line {n}: duplicate id {item.id!r}")
        seen.add(item.id)
        if splits is None or item.split in splits:
            items.append(item)
    if kinds:
        unknown = sorted(set(kinds) - {i.kind for i in items})
        if unknown:
            raise InputError(f"no gold questions of kind {', '.join(unknown)} in {path.name}")
        items = [i for i in items if i.kind in kinds]
    if not items:
        raise InputError(f"no gold questions in {path}")
    return items
