"""The terminal conversation: the same engine as Discord, with follow-ups, until EOF or /quit."""

from __future__ import annotations

from collections import deque

from rich.console import Console

from answering.engine import Engine
from corridor.errors import CorridorError
from corridor.records import Turn

from .render import print_answer
from .streaming import TerminalStream

HELP = ("Ask about the corpus. Follow-ups keep the conversation. "
        "/sources lists documents, /new forgets, /quit ends, /help shows this.")


def chat(engine: Engine, console: Console | None = None) -> None:
    console = console or Console()
    history: deque[Turn] = deque(maxlen=engine.settings.history_turns)
    console.print(HELP, style="dim")
    while True:
        try:
            question = console.input("[bold green]you>[/] ").strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if not question:
            continue
        if question in {"/quit", "/exit"}:
            return
        if question == "/new":
            history.clear()
            console.print("Conversation forgotten.", style="dim")
            continue
        if question == "/sources":
            for s in engine.sources():
                console.print(f"- {s.title} ({s.date or 'undated'}, {s.chunks} chunks)", markup=False)
            continue
        if question == "/help":
            console.print(HELP, style="dim")
            continue
        if question.startswith("/") and " " not in question:  # a mistyped command is not a question
            console.print(f"Unknown command {question}. {HELP}", style="dim", markup=False)
            continue
        try:
            if engine.settings.answer_mode == "llm":  # the draft shows while written, then gives way
                with TerminalStream(console) as stream:
                    answer = engine.ask(question, list(history), on_progress=stream.on_progress)
            else:
                answer = engine.ask(question, list(history))
        except CorridorError as exc:
            console.print(f"error: {exc}", style="red", markup=False)
            continue
        print_answer(answer, console)
        history.append(Turn(question=question, standalone=answer.standalone_question, answer=answer.text))
