"""Showing an Answer in a terminal: rich when it is a terminal, plain text when piped, JSON on request."""

from __future__ import annotations

import json
import textwrap

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from corridor.records import Answer


def answer_json(answer: Answer, id: str | None = None) -> dict:
    """The stable JSON shape of `corridor ask --json` and `--batch` (documented in the README)."""
    out = {
        "question": answer.question,
        "standalone_question": answer.standalone_question,
        "answer": answer.text,
        "abstained": answer.abstained,
        "statements": [s.model_dump() for s in answer.statements],
        "citations": [c.model_dump() for c in answer.citations],
        "closest_sources": [d.model_dump(include={"doc_id", "title", "date", "url"})
                            for d in answer.closest_sources],
        "mode": answer.mode,
        "notes": answer.notes,
        "latency_ms": answer.latency_ms,
        "model": answer.model,
        "ttft_ms": answer.ttft_ms,
        "tokens_per_s": answer.tokens_per_s,
    }
    return {"id": id, **out} if id is not None else out


def print_json(answer: Answer, id: str | None = None) -> None:
    print(json.dumps(answer_json(answer, id), ensure_ascii=False), flush=True)


def print_answer(answer: Answer, console: Console | None = None) -> None:
    """The answer, then each citation with its quoted passage."""
    console = console or Console()
    plain = not console.is_terminal
    if plain:
        console.print(answer.text, markup=False, highlight=False, soft_wrap=True)
    else:
        style = "yellow" if answer.abstained else "bold"
        console.print(Panel(escape(answer.text), style=style, title="corridor", title_align="left"))
    for note in answer.notes:
        console.print(f"note: {note}", style="dim", markup=False)
    if answer.abstained:
        if answer.closest_sources:
            console.print("Closest sources:", style="bold" if not plain else None)
            for d in answer.closest_sources:
                console.print(f"  - {d.title} ({d.date or 'undated'})", markup=False)
        return
    for c in answer.citations:
        where = c.url or c.doc_id
        head = f"[{c.number}] {c.title} ({c.date or 'undated'}) {where}, chars {c.start}-{c.end}"
        console.print(head, style=None if plain else "cyan", markup=False, highlight=False)
        quote = textwrap.indent(textwrap.fill(c.quote, 100), "    > ")
        console.print(quote, style=None if plain else "dim", markup=False, highlight=False)
