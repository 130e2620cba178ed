"""The fresh dev set (data/eval/fresh_dev.jsonl and its fixtures in data/eval/fresh/dev/) is well formed, and
every evidence quote is verbatim in the text the loaders extract from its fixture.

Fast and model-free: the HTML fixtures go through ingest.loaders.from_html (trafilatura) and the Markdown
ones through from_markdown, exactly what ingesting them produces; no store, no engine.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

from bot.evaluate.gold import KINDS, load_gold
from bot.evaluate.sets import SETS
from ingest.loaders import from_html, from_markdown
from tests.conftest import every_question

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "data" / "eval" / "fresh_dev.jsonl"
FIXTURES = ROOT / "data" / "eval" / "fresh" / "dev"
ATTRIBUTION = ROOT / "data" / "eval" / "fresh" / "ATTRIBUTION.md"
CORPUS = ROOT / "data" / "corpus"  # a question may also cite a bundled corpus file (same collection)
MIN_PER_KIND = {"who_said": 4, "date_bound": 4, "latest": 3, "conflicting_sources": 3, "timeline": 3,
                "single_doc": 3, "numeric": 3, "out_of_scope": 5}
REQUIRED = {"id": str, "question": str, "evidence": list, "evidence_docs": list, "must_include": list,
            "kind": str, "expect_abstain": bool, "split": str}

QUESTIONS = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
IDS = [q["id"] for q in QUESTIONS]


def norm(text: str) -> str:
    return " ".join(text.split())


@cache
def extracted(stem: str) -> str:
    """The cleaned text ingesting a fixture (HTML served by URL, Markdown as a file) or corpus file gives."""
    html, md, corpus = FIXTURES / f"{stem}.html", FIXTURES / f"{stem}.md", CORPUS / f"{stem}.md"
    if html.is_file():
        doc = from_html(html.read_bytes(), doc_id=stem, source=str(html), url=f"http://127.0.0.1/{html.name}")
    elif md.is_file() or corpus.is_file():
        path = md if md.is_file() else corpus
        doc = from_markdown(path.read_bytes(), doc_id=stem, source=str(path))
    else:
        raise AssertionError(f"no fixture named {stem}.html or {stem}.md in {FIXTURES}, nor a corpus file")
    return norm(doc.text)


def test_the_loader_reads_every_line_and_the_set_is_registered() -> None:
    items = load_gold(GOLD)  # the eval's own parser: kinds and splits it accepts
    assert len(items) == len(QUESTIONS) >= 30
    assert SETS["fresh-dev"].gold == GOLD and SETS["fresh-dev"].fixtures == FIXTURES
    assert not SETS["fresh-dev"].gated


def test_fields_ids_kinds_and_split() -> None:
    assert len(set(IDS)) == len(IDS), "duplicate ids"
    for n, q in enumerate(QUESTIONS, 1):
        assert q["id"] == f"fd{n:02d}", "ids run fd01, fd02, … in file order"
        for field, kind in REQUIRED.items():
            assert isinstance(q.get(field), kind), f"{q['id']}: {field} missing or not {kind.__name__}"
        assert q["kind"] in KINDS
        assert q["split"] == "fresh-dev"
        assert q["expect_abstain"] == (not q["evidence"]), f"{q['id']}: abstain exactly when no evidence"
        assert q["expect_abstain"] == (q["kind"] == "out_of_scope")
    counts = Counter(q["kind"] for q in QUESTIONS)
    short = {k: (counts[k], m) for k, m in MIN_PER_KIND.items() if counts[k] < m}
    assert not short, f"kinds under their minimum (have, need): {short}"


def _quotes_are_verbatim_in_the_extracted_text(q: dict) -> None:
    for quote in q["evidence"]:
        assert 3 <= len(quote.split()) <= 30, f"{q['id']}: quote of {len(quote.split())} words"
        hits = [d for d in q["evidence_docs"] if norm(quote) in extracted(d)]
        assert hits, f"{q['id']}: not verbatim in {q['evidence_docs']}: {quote!r}"
    for doc in q["evidence_docs"]:
        assert any(norm(quote) in extracted(doc) for quote in q["evidence"]), f"{q['id']}: {doc} quotes none"
    for group in q["must_include"]:  # an extractive answer can meet every group
        assert any(alt.lower() in " ".join(q["evidence"]).lower() for alt in group), f"{q['id']}: {group}"


def test_quotes_are_verbatim_in_the_extracted_text() -> None:
    every_question(_quotes_are_verbatim_in_the_extracted_text, [q for q in QUESTIONS if q["evidence"]])


def test_conflicts_cite_two_sources_and_timelines_two_points() -> None:
    for q in QUESTIONS:
        if q["kind"] == "conflicting_sources":
            assert len(set(q["evidence_docs"])) >= 2, f"{q['id']}: needs two sources"
        if q["kind"] == "timeline":
            assert len(q["evidence"]) >= 2 and len(q["must_include"]) >= 2, f"{q['id']}: needs two points"


@cache
def everything() -> str:
    """Every fixture's extracted text, lower-cased (built once: 1,830 questions read it)."""
    return " ".join(extracted(p.stem) for p in FIXTURES.iterdir()).lower()


def _out_of_scope_questions_name_something_the_articles_mention(q: dict) -> None:
    text = everything()
    names = re.findall(r"\b[A-Z][\w’ğüşı]+(?:\s[A-Z][\w’ğüşı]+)*", q["question"])
    asking = ("how", "what", "when", "which")
    named = [n for n in names if n.lower() not in asking and n.lower() in text]
    assert named, f"{q['id']} should name a person, place or thing the fixtures mention"
    assert not q["must_include"]


def test_out_of_scope_questions_name_something_the_articles_mention() -> None:
    every_question(_out_of_scope_questions_name_something_the_articles_mention,
                   [q for q in QUESTIONS if q["kind"] == "out_of_scope"])


def test_fixtures_are_realistic_and_attributed() -> None:
    html = sorted(FIXTURES.glob("*.html"))
    md = sorted(FIXTURES.glob("*.md"))
    assert len(html) >= 3 and len(html) + len(md) >= 5
    for page in html:
        text = page.read_text(encoding="utf-8")
        for needle in ("<title>", '<meta name="author"', '<meta property="article:published_time"', "<nav",
                       "<footer", "<article>"):
            assert needle in text, f"{page.name}: no {needle}"
        first_p = re.search(r"<article>.*?<p[^>]*>(.*?)</p>", text, re.S)
        assert first_p and re.match(r"By .+ \| \d{1,2} \w+ \d{4}$", first_p.group(1)), page.name
    for page in md:
        head = page.read_text(encoding="utf-8").split("---")[1]
        for key in ("title:", "source_url:", "publisher:", "author:", "license:"):
            assert key in head, f"{page.name}: front matter has no {key}"
    attribution = ATTRIBUTION.read_text(encoding="utf-8")
    assert "## fresh/dev" in attribution
    for page in html + md:
        assert f"`{page.name}`" in attribution, f"{page.name} is not in ATTRIBUTION.md"
    stems = {p.stem for p in html + md}
    used = {d for q in QUESTIONS for d in q["evidence_docs"]}
    known = stems | {p.stem for p in CORPUS.glob("*.md")}
    assert used <= known and stems <= used, f"unused fixtures: {stems - used}; unknown: {used - known}"
    interview = [q for q in QUESTIONS if any("interview" in d for d in q["evidence_docs"] if d in stems)]
    assert interview, "the interview fixture has questions"
