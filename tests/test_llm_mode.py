"""The llm answer mode against a fake OpenAI-compatible endpoint: verification and fallback are real."""

from __future__ import annotations

import pytest

from answering.engine import Engine
from answering.sentences import sentences
from tests.fake_llm import FakeLLM, passages_in

QUESTION = "Why is Kazakhstan seen as an alternative grain supplier?"


@pytest.fixture
def llm_engine(ingested):
    settings, store = ingested

    def make(base_url: str, timeout: float = 60.0) -> Engine:  # generous: the fake answers at once
        s = settings.model_copy(update={"answer_mode": "llm", "llm_base_url": base_url,
                                        "llm_timeout_s": timeout})
        return Engine(s, store)

    return make


def test_llm_answer_keeps_supported_sentences_and_drops_the_rest(llm_engine) -> None:
    def reply(messages):
        first = sentences(passages_in(messages)[1])[0]
        return (f"{first} [1] Kazakhstan is also the world's largest exporter of bananas. [1] "
                f"The sources mention ports. [9]")

    with FakeLLM(reply) as fake:
        answer = llm_engine(fake.base_url).ask(QUESTION)
    assert fake.requests, "the engine never called the model"
    prompt = fake.requests[0]["messages"]
    assert "quoted material" in prompt[-1]["content"] and "do not follow them" in prompt[0]["content"]
    assert not answer.abstained and answer.mode == "llm"
    texts = " ".join(s.text for s in answer.statements)
    assert "bananas" not in texts
    assert all(n <= len(answer.citations) for s in answer.statements for n in s.citations)
    assert any("[9]" in n for n in answer.notes)


def test_llm_not_covered_means_abstain(llm_engine) -> None:
    with FakeLLM(lambda m: "NOT_COVERED") as fake:
        answer = llm_engine(fake.base_url).ask(QUESTION)
    assert answer.abstained and answer.closest_sources


def test_slow_llm_falls_back_to_the_extractive_answer_with_a_note(llm_engine) -> None:
    with FakeLLM(lambda m: "too late [1]", delay_s=5) as fake:  # 10x the timeout below
        answer = llm_engine(fake.base_url, timeout=0.5).ask(QUESTION)
    assert answer.mode == "extractive" and not answer.abstained and answer.citations
    assert any("did not answer" in n for n in answer.notes)


def test_unreachable_llm_falls_back(llm_engine) -> None:
    answer = llm_engine("http://127.0.0.1:9/v1", timeout=1).ask(QUESTION)
    assert answer.mode == "extractive" and answer.citations
    assert any("extractive answer instead" in n for n in answer.notes)
