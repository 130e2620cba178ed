"""The fitted sentence ranker: logistic models over `answering.features`, fitted on the tuning sets.

`scripts/fit_ranker.py` writes `ranker_weights.json` (feature means and scales, coefficients, intercept,
and the selection and abstention thresholds chosen on the tuning sets). Stage 2 chooses the answer's
sentences and gives the relevance abstention reads; the opening model, fitted on many more questions and on
the sentences stage 2 chooses, orders them: which one opens the answer (with two more features, the chosen
sentences' late-interaction scores: answering/interaction.py). At run time scoring is a dot product; no
learning library is imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from corridor.settings import BUNDLED_MODELS

from .features import FEATURES, STAGE1, as_array
from .interaction import LATE

WEIGHTS = Path(__file__).with_name("ranker_weights.json")


def weights_path(embedding_model: str = "minilm") -> Path:
    """The weights fitted for an embedding model: similarities differ in scale between models, so each
    bundled model has its own fit (`ranker_weights.<model>.json`); others, a local model folder among them,
    use the MiniLM fit."""
    if embedding_model == "minilm" or embedding_model not in BUNDLED_MODELS:
        return WEIGHTS
    own = WEIGHTS.with_name(f"ranker_weights.{embedding_model}.json")
    return own if own.is_file() else WEIGHTS


@dataclass(frozen=True)
class Stage:
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probability(self, rows: list[dict[str, float]]) -> np.ndarray:
        x = (as_array(rows, self.names) - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept)))


@dataclass(frozen=True)
class Ranker:
    """Stage 1 ranks every sentence on cheap features (which to embed); stage 2 ranks the embedded ones."""

    stage1: Stage
    stage2: Stage
    keep_ratio: float  # a further sentence joins the answer at this share of the best one's probability
    keep_floor: float  # … and at least this probability
    other_source: float  # when all chosen sentences share a source, another's best joins at this share
    abstain_below: float  # the best sentence's probability under which the engine abstains
    strong_match: float  # a best sentence this probable answers despite a name the corpus never uses
    meta: dict
    # which of the sentences stage 2 chose opens the answer; None (an older weights file): stage 2's best
    opening: Stage | None = None

    @property
    def opening_reads_late(self) -> bool:
        """Whether the opening model weighs the late-interaction features (answering/interaction.py)."""
        return self.opening is not None and LATE[0] in self.opening.names

    def score(self, rows: list[dict[str, float]], stage: int = 2) -> np.ndarray:
        return (self.stage2 if stage == 2 else self.stage1).probability(rows)

    def keep_line(self, best: float) -> float:
        """The probability a further sentence needs to join an answer whose best sentence has `best`."""
        return max(self.keep_ratio * best, self.keep_floor)


def _stage(d: dict, names: tuple[str, ...]) -> Stage:
    if tuple(d["features"]) != names:
        raise ValueError("ranker_weights.json does not match answering/features.py; "
                         "run scripts/fit_ranker.py")
    return Stage(names, np.asarray(d["mean"]), np.asarray(d["scale"]), np.asarray(d["coef"]),
                 float(d["intercept"]))


@lru_cache(maxsize=4)
def load(embedding_model: str = "minilm") -> Ranker:
    """The ranker fitted for this embedding model (cached per process)."""
    d = json.loads(weights_path(embedding_model).read_text(encoding="utf-8"))
    return Ranker(_stage(d["stage1"], STAGE1), _stage(d["stage2"], FEATURES), float(d["keep_ratio"]),
                  float(d["keep_floor"]), float(d["other_source"]), float(d["abstain_below"]),
                  float(d["strong_match"]), d.get("meta", {}),
                  _opening(d["opening"]) if "opening" in d else None)


def _opening(d: dict) -> Stage:
    """The opening model: the stage features, and the late-interaction ones when it was fitted with them."""
    return _stage(d, FEATURES + LATE if tuple(d["features"]) == FEATURES + LATE else FEATURES)
