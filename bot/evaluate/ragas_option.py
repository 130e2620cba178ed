"""`corridor eval --ragas`: RAGAS faithfulness and context recall with the configured LLM as judge.

Optional and not installed by default (`pip install ragas`); the default metrics need neither it nor a model.
"""

from __future__ import annotations

import importlib.util

from corridor.errors import InputError
from corridor.settings import Settings

from .results import QuestionResult

MISSING = ("--ragas needs the RAGAS package, which corridor does not install by default: "
           "`.venv/bin/pip install ragas`, and set CORRIDOR_LLM_BASE_URL to the judge model's "
           "OpenAI-compatible endpoint. The default metrics run without it.")


def check_available(settings: Settings) -> None:
    """Raise InputError (with what to do) when RAGAS or its LLM judge is missing."""
    if importlib.util.find_spec("ragas") is None:
        raise InputError(MISSING)
    if not settings.llm_base_url:
        raise InputError("--ragas needs an LLM judge: set CORRIDOR_LLM_BASE_URL (and CORRIDOR_LLM_MODEL).")


def ragas_scores(settings: Settings, results: list[QuestionResult]) -> dict[str, float]:
    """Mean RAGAS faithfulness and LLM context recall over the answered (not abstained) questions,
    using the cited passages as contexts and the evidence quotes as the reference."""
    from ragas import EvaluationDataset, evaluate
    from ragas.llms import LangchainLLMWrapper
    from ragas.metrics import Faithfulness, LLMContextRecall

    from answering.llm import chat_model

    rows = [{"user_input": r.question, "response": r.answer,
             "retrieved_contexts": [c.quote for c in r.citations],
             "reference": " ".join(r.evidence)}
            for r in results if not r.abstained and r.citations and r.evidence]
    if not rows:
        return {}
    judge = LangchainLLMWrapper(chat_model(settings))
    scored = evaluate(EvaluationDataset.from_list(rows), metrics=[Faithfulness(), LLMContextRecall()],
                      llm=judge, show_progress=False)
    frame = scored.to_pandas()
    return {f"ragas_{col}": round(float(frame[col].mean()), 4)
            for col in frame.columns if col in {"faithfulness", "context_recall"}}
