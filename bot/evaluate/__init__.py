"""`corridor eval`: run the question sets (dev, test, fresh-dev, fresh; see sets.py) through the engine and a
naive RAG baseline, score retrieval, citations and answers offline, write report.json / report.html, and gate
CI on per-set thresholds."""

from .gold import GoldItem, load_gold
from .metrics import METRICS, aggregate
from .runner import EvalRun, build_eval_store, eval_settings, run_eval

__all__ = ["METRICS", "EvalRun", "GoldItem", "aggregate", "build_eval_store", "eval_settings", "load_gold",
           "run_eval"]
