"""Split data/eval/gold.jsonl into dev and test, once: a `split` field on every line.

Stratified by kind with a fixed seed, so each split has every kind; d01–d08 (the example questions from
shared/eval/dev.jsonl) are dev. Tune on dev only; test is reported, never tuned on. Re-running it on a file
that already has splits changes nothing (existing values are kept).
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

GOLD = Path(__file__).resolve().parent.parent / "data" / "eval" / "gold.jsonl"
SEED = 20261202


def main() -> None:
    items = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for it in items:
        if "split" not in it:
            by_kind[it["kind"]].append(it)
    rng = random.Random(SEED)
    for kind in sorted(by_kind):
        group = by_kind[kind]
        forced = [it for it in group if it["id"].startswith("d")]
        rest = [it for it in group if not it["id"].startswith("d")]
        rng.shuffle(rest)
        n_dev = max(0, round(len(group) / 2) - len(forced))
        for it in forced + rest[:n_dev]:
            it["split"] = "dev"
        for it in rest[n_dev:]:
            it["split"] = "test"
    GOLD.write_text("".join(json.dumps(it, ensure_ascii=False) + "\n" for it in items), encoding="utf-8")


if __name__ == "__main__":
    main()
