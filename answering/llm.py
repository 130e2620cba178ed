"""The `llm` answer mode: a LangChain chat model over any OpenAI-compatible endpoint (OpenAI, Ollama's
/v1, a llama.cpp server), prompted with the templates in prompts/. Its output is parsed into statements
whose citations the engine then verifies like any others."""

from __future__ import annotations

import re
from functools import lru_cache

from corridor.errors import CorridorError
from corridor.records import Passage, Statement, Turn
from corridor.settings import Settings
from prompts import load

from .citations import parse_markers
from .sentences import sentences

NOT_COVERED = "NOT_COVERED"


class LLMUnavailable(CorridorError):
    """The language model could not be reached or did not answer in time."""


@lru_cache(maxsize=4)
def _chat_model(base_url: str, model: str, api_key: str, timeout: float):
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=base_url, model=model, api_key=api_key, timeout=timeout,
                      max_retries=0, temperature=0)


def chat_model(settings: Settings):
    if not settings.llm_base_url:
        raise LLMUnavailable("llm mode needs CORRIDOR_LLM_BASE_URL (an OpenAI-compatible endpoint).")
    return _chat_model(settings.llm_base_url, settings.llm_model,
                       settings.llm_api_key.get_secret_value(), settings.llm_timeout_s)


def _invoke(settings: Settings, messages: list[tuple[str, str]]) -> str:
    try:
        reply = chat_model(settings).invoke(messages)
    except LLMUnavailable:
        raise
    except Exception as exc:  # any transport or API failure means: fall back to extractive
        raise LLMUnavailable(f"the language model did not answer ({type(exc).__name__}).") from exc
    return str(reply.content).strip()


def format_passages(passages: list[Passage]) -> str:
    template = load("passage")
    return "\n".join(template.format(number=i, title=p.doc.title.replace('"', "'"),
                                     date=p.doc.date or "undated", text=p.chunk.text)
                     for i, p in enumerate(passages, 1))


def answer(settings: Settings, question: str, passages: list[Passage]) -> list[Statement] | None:
    """Statements with the model's [n] markers, or None when the model says the passages don't cover it."""
    user = load("answer_user").format(passages=format_passages(passages), question=question)
    text = _invoke(settings, [("system", load("answer_system")), ("human", user)])
    if NOT_COVERED in text:
        return None
    text = re.sub(r"\s*\n+\s*", " ", text)
    # "… ports. [2]" → "… ports [2]." so a marker stays with the sentence it follows
    text = re.sub(r"([.!?])((?:\s*\[\d+(?:\s*,\s*\d+)*\])+)", r"\2\1", text)
    statements = []
    for sent in sentences(text):
        bare, numbers = parse_markers(sent)
        if bare:
            statements.append(Statement(text=bare, citations=numbers))
    return statements


def condense(settings: Settings, question: str, history: list[Turn]) -> str:
    """A stand-alone version of a follow-up question, written by the model."""
    lines = "\n".join(f"User: {t.question}\nAssistant: {t.answer[:300]}" for t in history)
    text = _invoke(settings, [("human", load("condense").format(history=lines, question=question))])
    return text.splitlines()[0].strip() if text else question
