"""The `corridor remove`, `feeds`, `refresh` and `gaps` subcommands (registered on bot/cli.py's app)."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def register(app: typer.Typer, cli: ModuleType) -> None:
    """Add the commands to bot/cli.py's app; `cli` is that module (its settings(), out, print_report)."""
    feeds_app = typer.Typer(no_args_is_help=True, help="Watched RSS/Atom feeds and sitemaps.")

    @app.command()
    def remove(
        doc_ids: Annotated[list[str], typer.Argument(help="Document ids (see `corridor sources`).")],
        as_json: JsonFlag = False,
    ) -> None:
        """Remove documents and every chunk of theirs (an unknown id removes nothing)."""
        from ingest.remove import remove_docs

        report = remove_docs(doc_ids, cli.settings())
        if as_json:
            print(report.model_dump_json(indent=2))
        else:
            cli.out.print(f"removed {len(report.removed)}: {', '.join(report.removed)}", highlight=False)

    @app.command()
    def refresh(
        as_json: JsonFlag = False,
        prune_gone: Annotated[bool, typer.Option(
            "--prune-gone", help="Remove documents whose URL now answers 404 or 410.")] = False,
        all_feeds: Annotated[bool, typer.Option("--all-feeds", help="Poll every feed, due or not.")] = False,
    ) -> None:
        """Poll the due feeds, ingest new items, re-check URL documents (only changes are re-embedded)."""
        from ingest.refresh import refresh as run_refresh

        store = cli.open_store()
        report = run_refresh(cli.settings(), store=store, prune_gone=prune_gone, all_feeds=all_feeds)
        if as_json:
            cli.prepare_sentences(store, report, progress=False)
            print(report.model_dump_json(indent=2))
        else:
            cli.print_report(report)
            cli.prepare_sentences(store, report, progress=True)
            if not (report.feeds_polled or report.added or report.updated or report.unchanged
                    or report.removed or report.failed or report.stale):
                cli.out.print("  nothing to refresh: no feed is due (`--all-feeds` polls every feed) and no "
                              "document came from a URL", highlight=False)
        if report.stale and not as_json:
            cli.out.print(f"  stale (kept; --prune-gone removes): {', '.join(report.stale)}", highlight=False)
        for item in [] if as_json else report.new_items:
            cli.out.print(f"  new: {escape(item['title'])} ({item['date'] or 'undated'}) — {item['chunks']} "
                          f"passages", highlight=False)
        if report.failed and not (report.added or report.updated or report.unchanged or report.removed
                                  or report.stale):
            raise typer.Exit(1)  # like ingest: 1 only when nothing at all could be read

    @app.command()
    def gaps(as_json: JsonFlag = False) -> None:
        """Questions corridor abstained on or users marked not helpful, similar ones grouped."""
        from bot.gaps import GapStore

        groups = GapStore(cli.settings().gaps_path).grouped()
        if as_json:
            print(json.dumps(groups, indent=2, ensure_ascii=False))
            return
        if not groups:
            cli.out.print("No gaps recorded: no abstained questions and no 'not helpful' votes yet.")
            return
        table = Table(title=f"{len(groups)} gaps")
        table.add_column("asked", justify="right")
        table.add_column("questions", max_width=70)
        table.add_column("last", no_wrap=True)
        table.add_column("closest sources", max_width=40)
        for g in groups:
            table.add_row(str(g["count"]), "\n".join(g["questions"][:5]), (g["last"] or "")[:16],
                          ", ".join(s["doc_id"] for s in g["sources"][:3]) or "—")
        cli.out.print(table)

    @feeds_app.command("add")
    def feeds_add(
        url: Annotated[str, typer.Argument(help="An RSS/Atom feed or sitemap URL.")],
        every: Annotated[str | None, typer.Option(
            "--every", help="Poll interval: 30m, 6h, 1d … (default: CORRIDOR_FEED_DEFAULT_EVERY).")] = None,
    ) -> None:
        """Watch a feed; `corridor refresh` polls it when due."""
        from ingest.feeds import format_every

        record = _feeds(cli).add(url, every)
        cli.out.print(f"watching {escape(record['url'])} every {format_every(record['every_s'])}",
                      highlight=False)

    @feeds_app.command("list")
    def feeds_list(as_json: JsonFlag = False) -> None:
        """The watched feeds with their last poll, items seen and last error."""
        from ingest.feeds import summary

        rows = [summary(r) for r in _feeds(cli).list()]
        if as_json:
            print(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        if not rows:
            cli.out.print("No feeds: add one with `corridor feeds add URL`.")
            return
        table = Table(title=f"{len(rows)} feeds")
        for col in ("url", "every", "last poll", "items", "error"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(r["url"], r["every"], r["last_poll"] or "never", str(r["items_seen"]),
                          r["error"] or "")
        cli.out.print(table)

    @feeds_app.command("remove")
    def feeds_remove(url: Annotated[str, typer.Argument(help="The feed URL as listed.")]) -> None:
        """Stop watching a feed (its articles stay; `corridor remove` takes them out)."""
        _feeds(cli).remove(url)
        cli.out.print(f"no longer watching {escape(url.strip())}", highlight=False)

    app.add_typer(feeds_app, name="feeds")


def _feeds(cli):
    from ingest.feeds import Feeds
    from ingest.state import StateStore

    s = cli.settings()
    return Feeds(StateStore(cli.open_store(s)), s)
