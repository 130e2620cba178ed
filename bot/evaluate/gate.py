"""The CI gate: metric minima per set from a TOML file (data/eval/thresholds.toml), checked against a run.

Layout: `[<set>.overall]` and `[<set>.kinds.<kind>]` for a gated set (test, fresh, or gold for --gold FILE).
Top-level `[overall]` / `[kinds.<kind>]` tables apply to every gated set without a section of its own. The
dev sets (dev, fresh-dev) are never gated: a section for them is an error.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from corridor.errors import InputError
from corridor.settings import PROJECT_ROOT

from .metrics import METRIC_KEYS

DEFAULT_THRESHOLDS = PROJECT_ROOT / "data" / "eval" / "thresholds.toml"
ANY_SET = "*"  # the top-level tables
GATED_SETS = ("test", "fresh", "gold")
NEVER_GATED = ("dev", "fresh-dev")

Limits = dict[str, dict[str, float]]  # scope ("overall" or a kind) → metric → minimum


@dataclass(frozen=True)
class Breach:
    scope: str  # "overall" or a kind
    metric: str
    value: float | None
    minimum: float
    set_name: str = ""

    def __str__(self) -> str:
        got = "n/a" if self.value is None else f"{self.value:.3f}"
        where = f"{self.set_name} {self.scope}" if self.set_name else self.scope
        return f"{where} {self.metric} = {got} < {self.minimum:.3f}"


def _scopes(table: dict, where: str, name: str) -> Limits:
    scopes = {"overall": table.get("overall", {}), **table.get("kinds", {})}
    out: Limits = {}
    for scope, metrics in scopes.items():
        if not isinstance(metrics, dict):
            raise InputError(f"{name}: [{where}{scope}] must be a table of metric = minimum")
        for metric, minimum in metrics.items():
            if metric not in METRIC_KEYS:
                raise InputError(f"{name}: unknown metric {metric!r} in [{where}{scope}] "
                                 f"(known: {', '.join(METRIC_KEYS)})")
            if not isinstance(minimum, int | float) or not 0 <= minimum <= 1:
                raise InputError(f"{name}: [{where}{scope}] {metric} must be a number from 0 to 1")
            out.setdefault(scope, {})[metric] = float(minimum)
    return out


def load_thresholds(path: Path | str | None = None) -> dict[str, Limits]:
    """{set name or "*": {scope: {metric: minimum}}} from the file's per-set and top-level tables."""
    path = Path(path) if path else DEFAULT_THRESHOLDS
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"thresholds file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path.name} is not valid TOML: {exc}") from exc
    out: dict[str, Limits] = {}
    top = _scopes(raw, "", path.name)
    if top:
        out[ANY_SET] = top
    for key, table in raw.items():
        if key in ("overall", "kinds"):
            continue
        if key in NEVER_GATED:
            raise InputError(f"{path.name}: [{key}] — the {key} set is for tuning and is never gated")
        if key not in GATED_SETS or not isinstance(table, dict):
            raise InputError(f"{path.name}: unknown section [{key}] (sets: {', '.join(GATED_SETS)})")
        out[key] = _scopes(table, f"{key}.", path.name)
    return out


def limits_for(thresholds: dict[str, Limits], set_name: str) -> Limits | None:
    """The minima that gate this set: its own section, else the top-level tables; None for dev sets."""
    if set_name in NEVER_GATED:
        return None
    return thresholds.get(set_name) or thresholds.get(ANY_SET)


def check(summary: dict[str, dict], thresholds: Limits, set_name: str = "") -> list[Breach]:
    """Every threshold the summary (aggregate per scope) falls under. A kind that was not run is skipped;
    a metric with no value in a scope that was run breaches."""
    breaches = []
    for scope, table in thresholds.items():
        if scope != "overall" and scope not in summary:
            continue
        got = summary.get(scope, {})
        for metric, minimum in table.items():
            value = got.get(metric)
            if value is None or value < minimum:
                breaches.append(Breach(scope, metric, value, minimum, set_name))
    return breaches
