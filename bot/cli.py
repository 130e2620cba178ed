"""The `corridor` command line (typer). Each subcommand is one decorated function below; add new ones the same
way (`@app.command()`), importing heavy modules inside the function so `corridor --help` stays fast.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.errors import CorridorError
from corridor.settings import Settings, get_settings

if TYPE_CHECKING:
    from corridor.records import IngestReport
    from vectorstore.store import ChunkStore

app = typer.Typer(
    name="corridor", no_args_is_help=True, add_completion=False,
    help="Cited-passage Q&A over regional analyses: ingest documents, list sources, chat, run the bot.",
)
out = Console(soft_wrap=True)  # one line stays one line, even in pipes and logs
err = Console(stderr=True, soft_wrap=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def settings() -> Settings:
    """The process-wide settings (tests clear get_settings' cache after changing the environment)."""
    return get_settings()


def open_store(s: Settings | None = None) -> ChunkStore:
    from vectorstore.store import ChunkStore

    return ChunkStore(s or settings())


def print_report(report: IngestReport) -> None:
    """The end-of-run summary, for people."""
    failed = len(report.failed)
    out.print(
        f"[bold]added {len(report.added)}[/] · updated {len(report.updated)} · "
        f"unchanged {len(report.unchanged)} · removed {len(report.removed)} · "
        f"{'[red]' if failed else ''}failed {failed}{'[/]' if failed else ''} — "
        f"{report.chunks_written} chunks written, {report.chunks_embedded} embedded"
        + (f" (+{report.multilingual_chunks_embedded} multilingual)" if report.multilingual_chunks_embedded
           else "")
        + f", {report.seconds:.1f} s"
    )
    for name, reason in report.failed.items():
        out.print(f"  [red]failed[/] {escape(name)}: {escape(reason)}", highlight=False)
    for label, ids in (("added", report.added), ("updated", report.updated), ("removed", report.removed)):
        if ids and (label != "added" or len(ids) <= 10):  # a first full ingest need not list every id
            out.print(f"  {label}: {', '.join(ids)}", highlight=False)


@app.command()
def ingest(
    inputs: Annotated[list[str] | None, typer.Argument(
        help="Files, folders or http(s) URLs (default: the bundled corpus).", show_default=False)] = None,
    prune: Annotated[bool, typer.Option(
        "--prune", help="Remove documents whose file was in an ingested folder but is gone.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Add or update documents in the store (incremental: unchanged documents cost nothing)."""
    from ingest.pipeline import ingest as run_ingest

    s = settings()
    store = open_store(s)
    report = run_ingest(inputs or [], s, store=store, prune=prune, progress=not as_json)
    if as_json:
        prepare_sentences(store, report, progress=False)
        print(report.model_dump_json(indent=2))
    else:
        print_report(report)
        prepare_sentences(store, report, progress=True)
    if report.failed and not (report.added or report.updated or report.unchanged or report.removed):
        raise typer.Exit(1)


def prepare_sentences(store: ChunkStore, report: IngestReport, progress: bool) -> None:
    """Embed the sentences an ingest or refresh added (kept in Chroma, so answers need not embed them), or
    a store's never prepared (answering.sentence_vectors.after_ingest)."""
    from answering.sentence_vectors import after_ingest

    after_ingest(store, report, progress=progress, catch_up=True)


@app.command()
def sources(as_json: JsonFlag = False) -> None:
    """List the documents in the store with title, date and chunk count."""
    docs = open_store().documents()
    if as_json:
        print(json.dumps([d.model_dump() for d in docs], indent=2, ensure_ascii=False))
        return
    if not docs:
        out.print("The store is empty: run `corridor ingest`.")
        return
    table = Table(title=f"{len(docs)} documents")
    table.add_column("doc_id", overflow="fold")
    table.add_column("title", max_width=60)
    table.add_column("date", no_wrap=True)
    table.add_column("chunks", justify="right")
    for d in docs:
        table.add_row(d.doc_id, d.title, d.date or "—", str(d.chunks))
    out.print(table)


def start_discord(s: Settings) -> None:
    """Start the Discord bot (bot/discord_bot.py exposes `run_bot(settings)`)."""
    try:
        module = importlib.import_module("bot.discord_bot")
        runner = module.run_bot
    except (ImportError, AttributeError) as exc:
        err.print(f"[red]The Discord bot is not available ({escape(str(exc))}); using the terminal.[/]")
        start_terminal(s)
        return
    runner(s)


def start_terminal(s: Settings) -> None:
    """The terminal front end: the `chat` command once one is registered; until then, list the sources."""
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        if name == "chat" and command.callback is not None:
            command.callback()
            return
    err.print("The terminal Q&A is not built yet; these are the documents in the store:")
    sources(as_json=False)


Mode = Annotated[str | None, typer.Option(
    "--mode", help="extractive (default, offline) or llm (CORRIDOR_LLM_BASE_URL or CORRIDOR_LLM_GGUF).",
    show_default=False)]


def open_engine(mode: str | None = None):
    """The answer engine over the configured store (the model loads once here)."""
    from answering.engine import Engine

    s = settings()
    if mode not in (None, "extractive", "llm"):
        raise CorridorError(f"unknown mode {mode!r}: use extractive or llm")
    return Engine(s)


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question.", show_default=False)] = None,
    as_json: JsonFlag = False,
    k: Annotated[int | None, typer.Option("--k", help="Passages to retrieve (default: k).")] = None,
    mode: Mode = None,
    batch: Annotated[Path | None, typer.Option(
        "--batch", help="JSONL file of {id, question[, conversation]}: one JSON answer per line.")] = None,
    doc: Annotated[list[str] | None, typer.Option(
        "--doc", help="Only these documents (doc ids, see `corridor sources`); repeatable.")] = None,
    since: Annotated[str | None, typer.Option(help="Only documents dated on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Only documents dated on or before (YYYY-MM-DD).")] = None,
) -> None:
    """Answer a question with numbered citations and the quoted passages they rest on."""
    from bot.render import print_answer, print_json
    from vectorstore.retrieval import Filters

    filters = Filters(doc_ids=tuple(doc) if doc else None, date_from=since, date_to=until)
    filters.date_range()  # a malformed date is one clear error, before the model loads

    if (question is None) == (batch is None):
        raise CorridorError("give a question, or --batch FILE.jsonl (not both).")
    if k is not None and not 1 <= k <= 50:
        raise CorridorError("--k must be between 1 and 50.")
    engine = open_engine(mode)
    if batch is not None:
        from bot.batch import run_batch

        failed = run_batch(engine, batch, k=k, mode=mode, filters=filters)
        if failed:
            raise typer.Exit(1)
        return
    answer = engine.ask(question or "", k=k, mode=mode, filters=filters)
    if as_json:
        print_json(answer)
    else:
        print_answer(answer, out)


@app.command()
def chat(mode: Mode = None) -> None:
    """Talk to corridor in the terminal; follow-up questions keep the conversation."""
    from bot.chat import chat as run_chat

    engine = open_engine(mode)
    if mode:
        engine.settings = engine.settings.model_copy(update={"answer_mode": mode})
    run_chat(engine, out)


@app.command()
def run() -> None:
    """Ingest the bundled corpus if the store is empty, then start Discord (DISCORD_TOKEN) or the terminal."""
    from ingest.pipeline import ingest as run_ingest

    s = settings()
    store = open_store(s)
    if store.count() == 0:
        err.print(f"The store is empty; ingesting the bundled corpus from {s.corpus_dir} …")
        report = run_ingest([], s, store=store, progress=True)
        print_report(report)
        prepare_sentences(store, report, progress=True)
    if s.discord_token is not None and s.discord_token.get_secret_value():
        start_discord(s)
    else:
        start_terminal(s)


@app.command("eval")
def eval_(
    split: Annotated[list[str] | None, typer.Option(
        "--split", help="Sets to run: dev, test, fresh-dev, fresh (repeat or comma-separate; default all).",
        show_default=False)] = None,
    gold: Annotated[Path | None, typer.Option(
        help="Run one gold file (JSONL) as it is, on the eval collection, instead of the sets.")] = None,
    mode: Annotated[str | None, typer.Option(help="extractive or llm (default: the configured one).")] = None,
    k: Annotated[int | None, typer.Option("--k", help="Passages per answer (default: configured k).")] = None,
    baseline: Annotated[bool, typer.Option(
        "--baseline/--no-baseline",
        help="Also run a naive LangChain RAG (dense top-4, top passage) and compare.")] = True,
    out_dir: Annotated[Path, typer.Option(
        "--out", help="Folder for report.json and report.html.")] = Path("eval-report"),
    kinds: Annotated[list[str] | None, typer.Option(
        help="Only these kinds (repeat or comma-separate).", show_default=False)] = None,
    ids: Annotated[list[str] | None, typer.Option(
        help="Only these questions: ids or ranges such as fd1364-fd1403 (repeat or comma-separate).",
        show_default=False)] = None,
    sample: Annotated[int | None, typer.Option(
        help="At most this many questions of each set: a fixed part, stratified by kind (what CI gates).",
        show_default=False)] = None,
    articles: Annotated[int | None, typer.Option(
        help="Fresh sets: only this many of their articles in the store (a fixed part) and the questions on "
             "them (what CI gates).", show_default=False)] = None,
    against: Annotated[Path | None, typer.Option(
        help="An earlier run's --out folder (or report.json): list the questions each metric gained and "
             "lost since.", show_default=False)] = None,
    thresholds: Annotated[Path | None, typer.Option(
        help="Gate thresholds (TOML); default data/eval/thresholds.toml.")] = None,
    gate: Annotated[bool, typer.Option(help="Exit 1 when a metric is under its threshold.")] = True,
    ragas: Annotated[bool, typer.Option(
        "--ragas", help="Add RAGAS scores (needs the ragas package and an LLM judge).")] = False,
    jobs: Annotated[int, typer.Option(
        help="Questions asked at once (threads; the same answers; with 2 on 2 idle cores the asking takes "
             "about half as long; latencies are then taken under that load).")] = 1,
) -> None:
    """Answer-quality test: run dev, test, fresh-dev and fresh side by side with the baseline, write the
    reports, gate on thresholds (test and fresh only)."""
    from bot.evaluate.command import run_command

    status = run_command(settings(), gold=gold, splits=split, mode=mode, k=k, baseline=baseline, out=out_dir,
                         kinds=kinds, thresholds=thresholds, gate=gate, ragas=ragas, console=out, err=err,
                         ids=ids, against=against, jobs=jobs, sample=sample,
                         articles=articles)
    if status:
        raise typer.Exit(status)


@app.command("bot")
def bot_() -> None:
    """Run the Discord bot (needs DISCORD_TOKEN; see the README section "Discord")."""
    from bot.discord_bot import run_bot

    run_bot(settings())


from bot import cli_feeds  # noqa: E402  (remove, refresh, feeds, gaps: registered on the app above)

cli_feeds.register(app, sys.modules[__name__])


def main() -> None:
    """Console-script entry: user errors become one red line on stderr and exit status 1."""
    from pydantic import ValidationError

    try:
        app()
    except CorridorError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(1)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        err.print(f"[red]error:[/] invalid setting {where}: {escape(str(first.get('msg')))}", highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
