"""One `corridor eval --split test,fresh --mode extractive` run per session (real engine, embeddings and
Chroma; the baseline runs alongside by default), shared by the quality gate and the report tests. It covers
the gated sets: test (with the multilingual lane) and fresh (which also exercises the loopback HTTP ingest
of HTML fixtures). The tuning sets are left out to keep the wall time down; a smaller run in
test_eval_cli.py checks that dev is never gated."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from corridor.settings import get_settings


@contextmanager
def cli_env(eval_store, env: dict[str, str] | None = None) -> Iterator[None]:
    """Point the CLI's settings at the session's eval store (collection corridor → corridor_eval)."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in (env or {}).items():
            mp.setenv(name, value)
        mp.setenv("CORRIDOR_STORE_DIR", str(eval_store.settings.store_dir))
        mp.setenv("CORRIDOR_COLLECTION", eval_store.settings.collection.removesuffix("_eval"))
        mp.setenv("CORRIDOR_ANSWER_MODE", "extractive")
        mp.setenv("CORRIDOR_MULTILINGUAL_LANE", "true")  # measure the product's default
        mp.delenv("CORRIDOR_PRESET", raising=False)
        get_settings.cache_clear()
        try:
            yield
        finally:
            get_settings.cache_clear()


def invoke(eval_store, args: list[str], env: dict[str, str] | None = None) -> Result:
    from bot.cli import app

    with cli_env(eval_store, env):
        return CliRunner().invoke(app, ["eval", *args])


@dataclass
class EvalCLIRun:
    result: Result
    out: Path
    report: dict[str, Any]
    html: str


SESSION_SPLITS = "test,fresh"


@pytest.fixture(scope="session")
def eval_cli_run(eval_store, tmp_path_factory) -> EvalCLIRun:
    """`corridor eval --split test,fresh --mode extractive --out <tmp>`, run once."""
    out = tmp_path_factory.mktemp("eval-report")
    result = invoke(eval_store, ["--split", SESSION_SPLITS, "--mode", "extractive", "--out", str(out)])
    report_path = out / "report.json"
    assert report_path.is_file(), result.output
    return EvalCLIRun(result, out, json.loads(report_path.read_text()), (out / "report.html").read_text())
