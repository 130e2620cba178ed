"""Showing an Answer in a terminal: rich when it is a terminal, plain text when piped, JSON on request."""

from __future__ import annotations

import json
import textwrap
from itertools import groupby

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from corridor.records import Answer, Statement


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


def runs(answer: Answer) -> list[tuple[str | None, list[Statement]]]:
    """The statements in runs that share one attribution ("Engin Ozer (News.Az, 2025-08-04)"), so a
    source is named once per run; one unlabelled run when no statement is attributed (or abstaining)."""
    if answer.abstained or not any(s.attribution for s in answer.statements):
        return [(None, answer.statements)] if answer.statements else []
    return [(label, list(group)) for label, group in groupby(answer.statements, key=lambda s: s.attribution)]


def statement_text(st: Statement) -> str:
    return f"{st.text} {''.join(f'[{n}]' for n in st.citations)}".strip()


def answer_body(answer: Answer) -> Text:
    """The answer as shown in a terminal: one line per source run, its attribution first."""
    if answer.abstained or not any(s.attribution for s in answer.statements):
        return Text(answer.text)
    body = Text()
    for i, (label, group) in enumerate(runs(answer)):
        if i:
            body.append("\n")
        if label:
            body.append(f"{label}: ", style="bold cyan")
        body.append(" ".join(statement_text(st) for st in group))
    return body


def print_answer(answer: Answer, console: Console | None = None) -> None:
    """The answer (each source run with who said it and when), then each citation with its passage."""
    console = console or Console()
    plain = not console.is_terminal
    body = answer_body(answer)
    if plain:
        console.print(body.plain, markup=False, highlight=False, soft_wrap=True)
    else:
        style = "yellow" if answer.abstained else "bold"
        # soft_wrap=False: a soft-wrapping console (the CLI's) would crop the panel to its first line
        console.print(Panel(body, style=style, title="corridor", title_align="left"), soft_wrap=False)
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
