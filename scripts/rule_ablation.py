"""What each hand-written rule of the answering core does today: the tuning sets (dev, fresh-dev) answered
with all rules on, then with one rule switched off at a time. It changes nothing in the engine; test and fresh
are never read.

    .venv/bin/python scripts/rule_ablation.py [--rules name,name] [--out DIR] [--ids fd3717-fd5276]

A rule is switched off by replacing, in this process only, the function or pattern that carries it (the
list is `RULES`). For each rule it prints the tuning figures' change against all rules on and how many
questions each metric gains and loses: a rule earns its place when switching it off loses more than it gains.
The reports go to DIR/<rule>/report.json (`corridor eval`'s format). docs/QUALITY.md has the results.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.evaluate.against import per_metric  # noqa: E402  (counted as `corridor eval --against` counts)

NEVER = re.compile(r"(?!x)x")  # a pattern that matches nothing: a rule keyed on a pattern, switched off
# any figure or number word: what a "what share …" question took as its value before it needed a share
ANY_FIGURE = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|"
                        r"billion)\b", re.I)


class _NoLeaning:
    """answering.features as extractive.py sees it, with LEANS_BACK matching nothing (the ranker's own
    `leans_back` feature keeps the real pattern)."""

    LEANS_BACK = NEVER

    def __getattr__(self, name: str):
        from answering import features

        return getattr(features, name)


def _off(target: str, value) -> Callable[[ExitStack], None]:
    return lambda stack: stack.enter_context(mock.patch(target, value))


# name → (what the rule does, how to switch it off)
RULES: dict[str, tuple[str, list[Callable[[ExitStack], None]]]] = {
    "unknown_names": ("refuse when the question names what no source mentions",
                      [_off("answering.coverage.unknown_names", lambda *a, **k: [])]),
    "missing_years": ("refuse when no passage covers a year the question names",
                      [_off("answering.coverage.missing_years", lambda *a, **k: [])]),
    "missing_value": ("refuse a value question (how long, when, how many …) whose quotes state no such value",
                      [_off("answering.coverage.missing_value", lambda *a, **k: None)]),
    "count_check": ("within missing_value: a count needs a number set before what is counted",
                    [_off("answering.coverage.counted", lambda *a, **k: None)]),
    "anchored_value": ("an asked value answers only in a passage naming each of the question's rare names",
                       [_off("answering.coverage.unanchored_value", lambda *a, **k: None)]),
    "planned_place": ("\"where will …\" needs a sentence naming a place with what is planned",
                      [_off("answering.coverage._FUTURE_WHERE", NEVER)]),
    "asks_name": ("\"what is the name of …\" needs a name the question lacks",
                  [_off("answering.coverage._ASKS_NAME", NEVER)]),
    "asks_company": ("\"which company …\" needs a company the question does not name",
                     [_off("answering.coverage._ASKS_COMPANY", NEVER)]),
    "share": ("\"what share / stake / percentage …\" needs a share, not just any figure",
              [_off("answering.coverage._SHARE", ANY_FIGURE)]),
    "sources_differ": ("a question saying its sources differ gets another document's sentence, however rated",
                       [_off("answering.engine.asks_sources_differ", lambda *a, **k: False)]),
    "planned_date": ("\"when will …\" needs a date with what is planned",
                     [_off("answering.coverage._FUTURE_WHEN", NEVER)]),
    "event_date": ("\"when was X set up / appointed …\" needs a date of that event (refusal and opening)",
                   [_off("answering.coverage.dated_event", lambda *a, **k: None),
                    _off("answering.extractive.dated_event", lambda *a, **k: None)]),
    "whole_year": ("a figure for the whole of a year is not given by one for part of it",
                   [_off("answering.coverage._whole_year", lambda *a, **k: None)]),
    "price_money": ("a cost question needs a sum of money",
                    [_off("answering.coverage._PRICE_QUESTION", NEVER)]),
    "missing_role": ("refuse \"who is the ambassador …\" when no quote names a holder of the role",
                     [_off("answering.coverage.missing_role", lambda *a, **k: None)]),
    "missing_speech": ("refuse \"what did X say\" when no quote is X's own words",
                       [_off("answering.coverage.missing_speech", lambda *a, **k: None)]),
    "missing_ordinal": ("refuse \"the 12th summit\" when no quote mentions that numbered event",
                        [_off("answering.coverage.missing_ordinal", lambda *a, **k: None)]),
    "words_first": ("\"what did X say\": X's own interview answer opens the answer",
                    [_off("answering.engine.words_first", lambda *a, **k: None)]),
    "open_with_reason": ("a why-question whose opening restates it opens with the next sentence",
                         [_off("answering.extractive._open_with_reason", lambda *a, **k: None)]),
    "open_with_news": ("a follow-up opens with a sentence no earlier answer quoted",
                       [_off("answering.extractive._open_with_news", lambda *a, **k: None)]),
    "open_with_author": ("\"who wrote\" opens with the byline",
                         [_off("answering.extractive._open_with_author", lambda *a, **k: None)]),
    "typed_sentences": ("a sentence of the asked-for type (a length, a date) joins when none was chosen",
                        [_off("answering.extractive._typed", lambda *a, **k: [])]),
    "more_sentences": ("up to two more sentences the ranker keeps, after the answer's own",
                       [_off("answering.extractive._more", lambda *a, **k: [])]),
    "interview_inherit": ("an interview answer's first sentences score 0.9 of their question's score",
                          [_off("answering.extractive.INHERIT", 0.0)]),
    "open_with_question": ("an interview answer opens under its question when the question matched better",
                           [_off("answering.extractive._open_with_question", lambda *a, **k: None)]),
    "open_with_value": ("\"how long / when / how much …?\" opens with a chosen sentence giving the value",
                        [_off("answering.extractive._open_with_value", lambda *a, **k: None)]),
    "neighbours": ("a sentence that leans back brings the one before; \"But …\" after it comes along",
                   [_off("answering.extractive._QUALIFIES", NEVER),
                    _off("answering.extractive._GOES_ON", NEVER),
                    _off("answering.extractive._UNNAMED_SPEAKER", NEVER),
                    lambda stack: stack.enter_context(mock.patch("answering.extractive.F", _NoLeaning()))]),
    "time_chooser": ("latest / period / timeline questions add dated sentences",
                     [_off("answering.recency.chooser", lambda *a, **k: None)]),
    "time_order": ("latest: newest first; timeline: date order",
                   [_off("answering.recency.order", lambda statements, *a, **k: statements)]),
    "dated_search": ("a question naming a period gets a search within it",
                     [_off("answering.engine.Engine._add_dated", lambda *a, **k: None)]),
    "newer_search": ("a latest question gets a search among newer documents",
                     [_off("answering.engine.Engine._add_newer", lambda *a, **k: None)]),
    "follow_up_order": ("a rewritten follow-up's own words also order its passages",
                        [_off("answering.engine.Engine._order_by_asked", lambda *a, **k: None)]),
}


def run(out: Path, switches: list[Callable[[ExitStack], None]], jobs: int = 1, reuse: bool = False,
        ids: list[str] | None = None) -> dict:
    """Run the tuning sets with these rules off; the report's per-question corridor results by id. `reuse`:
    read the report already in `out` instead (a run with the same code and data). `ids`: only these
    questions (`corridor eval --ids`)."""
    from bot.evaluate.command import run_command
    from corridor.settings import get_settings

    if not (reuse and (out / "report.json").exists()):
        with ExitStack() as stack:
            for switch in switches:
                switch(stack)
            run_command(get_settings(), splits=["dev", "fresh-dev"], baseline=False, out=out, gate=False,
                        jobs=jobs, ids=ids)
    data = json.loads((out / "report.json").read_text())
    return {(name, r["id"]): r for name, s in data["sets"].items() for r in s["questions"]["corridor"]}


def compare(base: dict, other: dict) -> dict[str, tuple[float, int, int]]:
    """Per metric: the mean's change, and how many questions gain and lose."""
    return {m: (delta, len(up), len(down)) for m, (delta, up, down) in per_metric(base, other).items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", help="comma-separated rule names (default: all)")
    ap.add_argument("--out", type=Path, default=Path("rule-ablation"))
    ap.add_argument("--jobs", type=int, default=1, help="questions answered at once (threads)")
    ap.add_argument("--reuse-base", action="store_true",
                    help="reuse OUT/all-on/report.json when present (same code and data)")
    ap.add_argument("--ids", action="append",
                    help="only these questions, as `corridor eval --ids` reads them (e.g. fd3717-fd5276)")
    args = ap.parse_args()
    names = args.rules.split(",") if args.rules else list(RULES)
    unknown = [n for n in names if n not in RULES]
    if unknown:
        sys.exit(f"unknown rule(s): {', '.join(unknown)}; known: {', '.join(RULES)}")
    base = run(args.out / "all-on", [], args.jobs, reuse=args.reuse_base, ids=args.ids)
    summary = {}
    for name in names:
        summary[name] = compare(base, run(args.out / name, RULES[name][1], args.jobs, ids=args.ids))
        line = "  ".join(f"{m} {d:+.3f} (+{g} −{lo})" for m, (d, g, lo) in summary[name].items()
                         if g or lo)
        print(f"{name} off: {line or 'no change'}", flush=True)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
