"""The `llm` answer mode: a LangChain chat model over any OpenAI-compatible endpoint (OpenAI, Ollama's
/v1, a llama.cpp server, or corridor's own embedded llama.cpp: answering/local_llm.py), prompted with the
templates in prompts/. Output is streamed, capped (`llm_max_tokens`) and stopped on timeout or cancel; it is
parsed into statements whose citations the engine then verifies like any others."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from corridor.errors import CorridorError
from corridor.records import Passage, Statement, Turn
from corridor.settings import Settings
from prompts import load

from .citations import parse_markers
from .language import language, name
from .model_queue import Cancelled, ModelQueue, Ticket
from .sentences import sentences

NOT_COVERED = "NOT_COVERED"
_PROMPT_TAGS = re.compile(r"</?(?:passage|question)\b[^>]*>", re.I)
CONDENSE_MAX_TOKENS = 80
QUEUE = ModelQueue()  # the process's one line for the model: one generation at a time


class LLMUnavailable(CorridorError):
    """The language model could not be reached, loaded, or did not answer in time."""


@dataclass
class Generation:
    """One model reply and how it went."""

    text: str
    model: str
    ttft_s: float | None = None  # request sent → first token
    completion_tokens: int | None = None
    prompt_tokens: int | None = None
    seconds: float = 0.0  # request sent → last token
    truncated: bool = False  # stopped by the max_tokens cap

    @property
    def tokens_per_s(self) -> float | None:
        """Generation speed after the first token."""
        if not self.completion_tokens or self.ttft_s is None or self.seconds <= self.ttft_s:
            return None
        return round((self.completion_tokens - 1) / (self.seconds - self.ttft_s), 1)


@lru_cache(maxsize=8)
def _chat_model(base_url: str, model: str, api_key: str, timeout: float, max_tokens: int):
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=base_url, model=model, api_key=api_key, timeout=timeout, max_retries=0,
                      temperature=0, max_tokens=max_tokens, stream_usage=True)


def endpoint(settings: Settings) -> tuple[str, str, str]:
    """(base_url, model name, api key): a remote server if one is named, else the local GGUF."""
    if settings.llm_base_url:
        return settings.llm_base_url, settings.llm_model, settings.llm_api_key.get_secret_value()
    if settings.llm_gguf:
        from . import local_llm

        try:
            m = local_llm.load(settings.llm_gguf, settings.llm_threads, settings.llm_ctx)
        except local_llm.LocalModelError as exc:
            raise LLMUnavailable(str(exc)) from exc
        return m.base_url, m.name, m.api_key
    raise LLMUnavailable("llm mode needs CORRIDOR_LLM_BASE_URL (an OpenAI-compatible endpoint) "
                         "or CORRIDOR_LLM_GGUF (a local model file).")


def chat_model(settings: Settings, max_tokens: int | None = None):
    base_url, model, key = endpoint(settings)
    return _chat_model(base_url, model, key, settings.llm_timeout_s, max_tokens or settings.llm_max_tokens)


def generate(settings: Settings, messages: list[tuple[str, str]], *, ticket: Ticket | None = None,
             on_text: Callable[[str], None] | None = None, max_tokens: int | None = None) -> Generation:
    """Stream one reply. Waits for the ticket's turn first; stops (closing the stream, which makes
    llama.cpp stop generating) when the ticket is cancelled or `llm_timeout_s` has passed."""
    if ticket is not None:
        ticket.wait_turn()
    model = chat_model(settings, max_tokens)
    timeout = settings.llm_timeout_s
    parts: list[str] = []
    gen = Generation(text="", model=model.model_name)
    t0 = time.perf_counter()
    stream = model.stream(messages)
    try:
        for chunk in stream:
            now = time.perf_counter() - t0
            if ticket is not None and ticket.cancelled:
                raise Cancelled("the question was cancelled; its generation was stopped.")
            if now > timeout:
                raise LLMUnavailable(f"the language model did not finish within {timeout:g} s; "
                                     f"it was stopped.")
            if chunk.content:
                if gen.ttft_s is None:
                    gen.ttft_s = now
                parts.append(str(chunk.content))
                if on_text:
                    on_text("".join(parts))
            if chunk.usage_metadata:
                gen.prompt_tokens = chunk.usage_metadata.get("input_tokens")
                gen.completion_tokens = chunk.usage_metadata.get("output_tokens")
            if (chunk.response_metadata or {}).get("finish_reason") == "length":
                gen.truncated = True
    except (LLMUnavailable, Cancelled):
        raise
    except Exception as exc:  # any transport or API failure means: fall back to extractive
        raise LLMUnavailable(f"the language model did not answer ({type(exc).__name__}).") from exc
    finally:
        stream.close()
    gen.seconds = time.perf_counter() - t0
    gen.text = "".join(parts).strip()
    return gen


def format_passages(passages: list[Passage]) -> str:
    template = load("passage")
    return "\n".join(template.format(number=i, title=p.doc.title.replace('"', "'"),
                                     date=p.doc.date or "undated", text=p.chunk.text)
                     for i, p in enumerate(passages, 1))


def messages_for(question: str, passages: list[Passage]) -> list[tuple[str, str]]:
    """The system and user prompts for one question (the answer is asked for in the question's language)."""
    user = load("answer_user").format(passages=format_passages(passages), question=question,
                                      language=name(language(question)))
    return [("system", load("answer_system")), ("human", user)]


def parse(text: str, truncated: bool = False) -> list[Statement] | None:
    """Statements with the model's [n] markers, or None when the model says the passages don't cover it."""
    if NOT_COVERED in text:
        return None
    text = _PROMPT_TAGS.sub(" ", text)  # small models echo the prompt's markup
    text = re.sub(r"\s*\n+\s*", " ", text)
    # "… ports. [2]" → "… ports [2]." so a marker stays with the sentence it follows
    text = re.sub(r"([.!?])((?:\s*\[\d+(?:\s*,\s*\d+)*\])+)", r"\2\1", text)
    # a marker before a new capitalised sentence ends the one before it, full stop or not ("Title: X [1] Y")
    text = re.sub(r"(\[\d+(?:\s*,\s*\d+)*\])\s+(?=[A-Z\"“])", "\\1\n", text)
    found = sentences(text)
    if truncated and found and not re.search(r"[.!?\]]\W*$", found[-1]):
        found = found[:-1]  # cut off by the token cap mid-sentence
    statements: list[Statement] = []
    seen: set[str] = set()
    for sent in found:
        bare, numbers = parse_markers(sent)
        key = re.sub(r"\W+", " ", bare).strip().lower()
        if key and key not in seen:  # small models repeat themselves: each sentence once
            seen.add(key)
            statements.append(Statement(text=bare, citations=numbers))
    return statements


def answer(settings: Settings, question: str, passages: list[Passage], *, ticket: Ticket | None = None,
           on_text: Callable[[str], None] | None = None) -> tuple[list[Statement] | None, Generation]:
    """The model's statements (None: not covered) and the generation's figures."""
    gen = generate(settings, messages_for(question, passages), ticket=ticket, on_text=on_text)
    return parse(gen.text, gen.truncated), gen


def condense(settings: Settings, question: str, history: list[Turn], ticket: Ticket | None = None) -> str:
    """A stand-alone version of a follow-up question, written by the model."""
    lines = "\n".join(f"User: {t.question}\nAssistant: {t.answer[:300]}" for t in history)
    gen = generate(settings, [("human", load("condense").format(history=lines, question=question))],
                   ticket=ticket, max_tokens=CONDENSE_MAX_TOKENS)
    return gen.text.splitlines()[0].strip() if gen.text else question
