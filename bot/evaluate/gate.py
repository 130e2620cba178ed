"""The CI gate: metric minima from a TOML file (data/eval/thresholds.toml), checked against a run."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from corridor.errors import InputError
from corridor.settings import PROJECT_ROOT

from .metrics import METRIC_KEYS

DEFAULT_THRESHOLDS = PROJECT_ROOT / "data" / "eval" / "thresholds.toml"


@dataclass(frozen=True)
class Breach:
    scope: str  # "overall" or a kind
    metric: str
    value: float | None
    minimum: float

    def __str__(self) -> str:
        got = "n/a" if self.value is None else f"{self.value:.3f}"
        return f"{self.scope} {self.metric} = {got} < {self.minimum:.3f}"


def load_thresholds(path: Path | str | None = None) -> dict[str, dict[str, float]]:
    """{"overall": {metric: minimum}, "<kind>": {...}} from [overall] and [kinds.<kind>] tables."""
    path = Path(path) if path else DEFAULT_THRESHOLDS
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"thresholds file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path.name} is not valid TOML: {exc}") from exc
    scopes = {"overall": raw.get("overall", {}), **raw.get("kinds", {})}
    out: dict[str, dict[str, float]] = {}
    for scope, table in scopes.items():
        for metric, minimum in table.items():
            if metric not in METRIC_KEYS:
                raise InputError(f"{path.name}: unknown metric {metric!r} in [{scope}] "
                                 f"(known: {', '.join(METRIC_KEYS)})")
            if not isinstance(minimum, int | float) or not 0 <= minimum <= 1:
                raise InputError(f"{path.name}: [{scope}] {metric} must be a number from 0 to 1")
            out.setdefault(scope, {})[metric] = float(minimum)
    return out


def check(summary: dict[str, dict], thresholds: dict[str, dict[str, float]]) -> list[Breach]:
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
                breaches.append(Breach(scope, metric, value, minimum))
    return breaches
