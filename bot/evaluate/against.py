"""`corridor eval --against OLD`: what changed, question by question, since an earlier run's report.json.

A change to the engine is judged by the questions it gains and the ones it loses, not only by the means: a
rule that lifts 3 answers and breaks 2 moves a mean by little and hides what it broke. Only corridor's
answers are compared, only questions both runs asked (same set, same id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from corridor.errors import InputError

from .runner import MultiRun

COMPARED = ("evidence_cited", "opens_with_evidence", "on_point", "must_include_recall", "abstention_accuracy",
            "citation_precision", "citation_recall", "hit_at_5")


@dataclass
class SetChanges:
    """One set's per-question changes: the ids each metric gained and lost, and the answers that changed."""

    set_name: str
    compared: int
    answers_changed: list[str] = field(default_factory=list)
    gained: dict[str, list[str]] = field(default_factory=dict)
    lost: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"set": self.set_name, "compared": self.compared, "answers_changed": self.answers_changed,
                "gained": self.gained, "lost": self.lost}


def load_previous(path: Path) -> dict:
    """An earlier run's report.json (the file, or the folder that holds it); a short error if it is none."""
    file = path / "report.json" if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"--against: no report at {file} (give an earlier --out folder or its "
                         "report.json)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"--against: {file} is not a readable report.json "
                         f"({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("sets"), dict):
        raise InputError(f"--against: {file} is not a corridor eval report (no sets in it)")
    return data


def _previous_rows(previous: dict, set_name: str) -> dict[str, dict]:
    rows = (previous["sets"].get(set_name) or {}).get("questions", {}).get("corridor", [])
    return {r["id"]: r for r in rows if isinstance(r, dict) and "id" in r}


def per_metric(before: dict, after: dict) -> dict[str, tuple[float, list, list]]:
    """Per compared metric, over the questions both runs answered with a value for it (rows keyed alike, each
    with a "metrics" dict): the mean's change and the keys that gained and that lost. `corridor eval
    --against` and scripts/rule_ablation.py both count this way."""
    out: dict[str, tuple[float, list, list]] = {}
    for metric in COMPARED:
        pairs = [(k, a, b) for k, row in before.items() if k in after
                 and (a := (row.get("metrics") or {}).get(metric)) is not None
                 and (b := (after[k].get("metrics") or {}).get(metric)) is not None]
        delta = sum(b - a for _, a, b in pairs) / max(len(pairs), 1)
        up = [k for k, a, b in pairs if b - a > 1e-9]
        out[metric] = (delta, up, [k for k, a, b in pairs if a - b > 1e-9])
    return out


def changes(previous: dict, multi: MultiRun) -> list[SetChanges]:
    """Per set of this run that the earlier report also has: the questions each metric gained and lost."""
    out: list[SetChanges] = []
    for name, run in multi.runs.items():
        before = _previous_rows(previous, name)
        now = {r.id: {"answer": r.answer, "metrics": r.metrics}
               for r in run.results["corridor"] if r.id in before}
        if not now:
            continue
        found = SetChanges(name, len(now))
        found.answers_changed = [i for i, r in now.items() if before[i].get("answer") != r["answer"]]
        for metric, (_, up, down) in per_metric(before, now).items():
            if up:
                found.gained[metric] = up
            if down:
                found.lost[metric] = down
        out.append(found)
    return out


def lines(found: list[SetChanges], shown: int = 12) -> list[str]:
    """The terminal's account: per set, how many answers changed and each metric's "+gained −lost (ids)"."""
    def listed(ids: list[str]) -> str:
        return ", ".join(ids[:shown]) + (" …" if len(ids) > shown else "")

    out = []
    for s in found:
        head = f"{s.set_name}: {len(s.answers_changed)} of {s.compared} answers changed"
        keys = [k for k in COMPARED if k in s.gained or k in s.lost]
        if not keys:
            out.append(head + ("; no metric changed" if s.answers_changed else ""))
            continue
        out.append(head)
        for key in keys:
            up, down = s.gained.get(key, []), s.lost.get(key, [])
            out.append(f"  {key}: +{len(up)} −{len(down)}" + (f"  gained {listed(up)}" if up else "")
                       + (f"  lost {listed(down)}" if down else ""))
    return out
