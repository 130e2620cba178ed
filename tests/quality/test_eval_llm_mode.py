"""`corridor eval --mode llm` against a fake OpenAI-compatible model: the faithfulness metric sees the
sentences the model adds that its cited passage only half supports."""

from __future__ import annotations

import json

import pytest

from answering.sentences import sentences
from tests.fake_llm import FakeLLM, passages_in

from .conftest import invoke

pytestmark = pytest.mark.slow
INVENTED = "as Brussels negotiators privately confirmed to journalists yesterday"


def reply(messages) -> str:
    """Passage 1's first sentence, quoted and cited (supported), then half of it padded with an invented
    clause, cited to the same passage (kept by the engine but only partly supported)."""
    first = sentences(passages_in(messages)[1])[0]
    words = first.split()
    return f"{first} [1] {' '.join(words[: max(3, len(words) // 2)])}, {INVENTED}. [1]"


def test_llm_mode_faithfulness_counts_half_supported_sentences(eval_store, tmp_path) -> None:
    with FakeLLM(reply) as fake:
        args = ["--mode", "llm", "--split", "test", "--kinds", "numeric", "--no-gate", "--no-baseline",
                "--out", str(tmp_path)]
        result = invoke(eval_store, args, env={"CORRIDOR_LLM_BASE_URL": fake.base_url})
    assert result.exit_code == 0, result.output
    assert fake.requests, "the eval never reached the model"
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["mode"] == "llm" and report["gate"] is None
    answered = [r for r in report["sets"]["test"]["questions"]["corridor"] if not r["abstained"]]
    assert answered
    padded = [r for r in answered if INVENTED in r["answer"]]
    clean = [r for r in answered if INVENTED not in r["answer"]]
    assert padded, "the engine dropped every padded sentence; the fake's reply needs more support"
    for r in answered:  # the padded sentence is never fully supported; faithfulness counts what is
        supports = {st["text"]: st["support"] for st in r["statements"]}
        padded_support = [v for text, v in supports.items() if INVENTED in text]
        assert all(v < 1.0 for v in padded_support)
        share = sum(v >= 0.6 for v in supports.values()) / len(supports)
        assert r["metrics"]["faithfulness"] == pytest.approx(share)
    assert any(r["metrics"]["faithfulness"] < 1.0 for r in padded)
    assert all(r["metrics"]["faithfulness"] == 1.0 for r in clean)
    overall = report["sets"]["test"]["summary"]["corridor"]["overall"]["faithfulness"]
    assert 0.0 < overall < 1.0
