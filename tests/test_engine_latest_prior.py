"""The recency prior for questions about the latest state (vectorstore.retrieval.prefer_newer, its value
fitted by scripts/fit_recency.py): a newer report that words the subject less like the question than an old
one still reaches the passages, through the real pipeline (real embeddings, embedded Chroma)."""

from __future__ import annotations

import subprocess
import sys

from corridor.settings import PROJECT_ROOT
from tests.conftest import engine_fixture

QUESTION = "What is the latest figure for Steppeland's wheat exports to Türkiye?"
DOCS = {
    "wheat-2014.md": ("The grain ministry's spring report", "Grain Wire", None, "2014-03-02",
                      "Steppeland's wheat exports to Türkiye reached 1.2 million tons, the ministry said."),
    "wheat-2025.md": ("A record season for Steppeland's wheat", "Harvest Post", None, "2025-10-20",
                      "Steppeland sold 2.9 million tons of wheat to Turkish millers last season, the grain "
                      "union said. Shipments went mostly through the Caspian and Black Sea ports."),
    "fleet.md": ("Caspian shipping plans", "Harbour Review", None, "2022-07-12",
                 "Officials in Aktau described the country's plans for Caspian shipping. Two more bulk "
                 "carriers are to enter service."),
    "games.md": ("Astana prepares for the Steppe Games", "Steppe Post", None, "2024-01-20",
                 "Around 4,000 competitors are expected at the Steppe Games in Astana."),
}

engine = engine_fixture("latest_prior", DOCS)


def _first_source(engine, newer: float) -> str:
    return engine.retriever.retrieve(QUESTION, k=1, newer=newer).passages[0].doc.doc_id


def test_the_prior_puts_the_newer_report_first(engine) -> None:
    assert _first_source(engine, 0.0).startswith("wheat-2014")  # the old report words it like the question
    assert _first_source(engine, engine.settings.newer_per_year).startswith("wheat-2025")


def test_the_engine_reads_the_prior_for_latest_questions_only(engine) -> None:
    """An answer's own search: "the latest figure" puts the newer report first; the same words without
    "latest" keep the fused order, the old report first."""
    _, latest, _ = engine.prepare(QUESTION)
    assert latest.found[0].doc.doc_id.startswith("wheat-2025")
    _, plain, _ = engine.prepare("What figure is given for Steppeland's wheat exports to Türkiye?")
    assert plain.found[0].doc.doc_id.startswith("wheat-2014")


def test_fit_recency_refuses_the_held_out_sets() -> None:
    """The prior's value is fitted on dev and fresh-dev only: the script stops, without a traceback, when
    asked to read test or fresh."""
    for held_out in ("test", "fresh"):
        run = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "fit_recency.py"), "--sets",
                              held_out], capture_output=True, text=True, timeout=300)
        assert run.returncode != 0 and "never tuned on" in run.stderr and "Traceback" not in run.stderr
