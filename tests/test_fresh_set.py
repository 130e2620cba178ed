"""The fresh test set (data/eval/fresh_test.jsonl, data/eval/fresh/test/) is well formed and answerable.

Fast and model-free: fixtures go through corridor's own loaders (trafilatura for HTML, python-frontmatter for
Markdown), i.e. the text an ingest would store, and every quote and must_include word is checked against it.
Nothing here runs the answer engine: the set is for reporting only, never for tuning.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from functools import cache
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from corridor.records import Document
from corridor.settings import Settings
from ingest.fetch import fetch, url_doc_id
from ingest.loaders import from_html, from_markdown, load_bytes
from tests.conftest import every_question

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS_FILE = ROOT / "data" / "eval" / "fresh_test.jsonl"
FIXTURES = ROOT / "data" / "eval" / "fresh" / "test"
ATTRIBUTION = ROOT / "data" / "eval" / "fresh" / "ATTRIBUTION.md"
CORPUS = ROOT / "data" / "corpus"

NEW_KINDS = {"who_said", "date_bound", "latest", "timeline"}
MIN_PER_KIND = {"who_said": 5, "date_bound": 5, "latest": 4, "conflicting_sources": 3, "timeline": 3,
                "single_doc": 3, "numeric": 3, "paraphrase": 3, "out_of_scope": 8}
MIN_TOTAL = 40
MIN_HTML, MIN_FIXTURES = 5, 8
REQUIRED = {"id": str, "question": str, "evidence": list, "evidence_docs": list, "must_include": list,
            "kind": str, "expect_abstain": bool, "split": str}
OPTIONAL = {"conversation": list, "must_not_include": list}
QUOTE_WORDS = (3, 25)
LOOPBACK = "http://127.0.0.1:8765/"  # any loopback URL: the loader only records it


def norm(text: str) -> str:
    """Collapse every run of whitespace to one space (the matching rule in data/eval/README.md)."""
    return " ".join(text.split())


def load_questions() -> list[dict]:
    lines = QUESTIONS_FILE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


QUESTIONS = load_questions()
IDS = [q.get("id", f"line{n}") for n, q in enumerate(QUESTIONS, 1)]
FIXTURE_PATHS = sorted(p for p in FIXTURES.iterdir() if p.suffix in {".html", ".md"})


@cache
def document(doc_id: str) -> Document:
    """The Document corridor's loader makes of a fixture (HTML as if fetched from loopback) or corpus file."""
    html, md = FIXTURES / f"{doc_id}.html", FIXTURES / f"{doc_id}.md"
    if html.is_file():
        url = LOOPBACK + html.name
        return from_html(html.read_bytes(), doc_id=doc_id, source=url, url=url)
    for path in (md, CORPUS / f"{doc_id}.md"):
        if path.is_file():
            return from_markdown(path.read_bytes(), doc_id=doc_id, source=str(path))
    raise AssertionError(f"no fixture or corpus file named {doc_id}")


@cache
def body(doc_id: str) -> str:
    return norm(document(doc_id).text)


def test_every_line_is_a_json_object() -> None:
    for n, line in enumerate(QUESTIONS_FILE.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"line {n} is blank"
        assert isinstance(json.loads(line), dict), f"line {n} is not a JSON object"


def test_ids_are_unique_and_numbered() -> None:
    dupes = [i for i, c in Counter(IDS).items() if c > 1]
    assert not dupes, f"duplicate ids: {dupes}"
    bad = [i for i in IDS if not re.fullmatch(r"ft\d{2,4}", i)]
    assert not bad, f"ids must be ft01, ft02, …: {bad}"


def test_size_and_kinds() -> None:
    counts = Counter(q["kind"] for q in QUESTIONS)
    assert len(QUESTIONS) >= MIN_TOTAL, len(QUESTIONS)
    assert set(counts) >= NEW_KINDS, f"new kinds missing: {NEW_KINDS - set(counts)}"
    assert set(counts) <= set(MIN_PER_KIND), f"unknown kinds: {set(counts) - set(MIN_PER_KIND)}"
    short = {k: (counts[k], m) for k, m in MIN_PER_KIND.items() if counts[k] < m}
    assert not short, f"kinds under their minimum (have, need): {short}"


def _fields_and_types(q: dict) -> None:
    for name, typ in REQUIRED.items():
        assert isinstance(q.get(name), typ), f"{name} missing or not {typ.__name__}"
    unknown = set(q) - set(REQUIRED) - set(OPTIONAL)
    assert not unknown, f"unknown fields: {unknown}"
    assert q["split"] == "fresh"
    assert q["question"].strip()
    assert all(isinstance(e, str) and e.strip() for e in q["evidence"])
    for group in q["must_include"]:
        assert isinstance(group, list) and group and all(isinstance(a, str) and a for a in group), group


def test_fields_and_types() -> None:
    every_question(_fields_and_types, QUESTIONS)


def _evidence_quotes_are_verbatim_in_the_extracted_text(q: dict) -> None:
    docs = q["evidence_docs"]
    assert len(docs) == len(set(docs)), "evidence_docs repeats a document"
    used: set[str] = set()
    for quote in q["evidence"]:
        assert unicodedata.normalize("NFC", quote) == quote, f"not NFC (the cleaner's form): {quote!r}"
        n_words = len(quote.split())
        assert QUOTE_WORDS[0] <= n_words <= QUOTE_WORDS[1], f"{n_words} words: {quote!r}"
        found = [d for d in docs if norm(quote) in body(d)]
        assert found, f"not verbatim in the loader's text of any of {docs}: {quote!r}"
        used.update(found)
    assert used == set(docs), f"evidence_docs without a quote from them: {set(docs) - used}"


def test_evidence_quotes_are_verbatim_in_the_extracted_text() -> None:
    every_question(_evidence_quotes_are_verbatim_in_the_extracted_text, QUESTIONS)


def _must_include_groups_are_achievable(q: dict) -> None:
    """Each group has an alternative in the quotes or evidence documents: extractive answers can meet it."""
    quotes = " ".join(q["evidence"]).lower()
    bodies = " ".join(body(d) for d in q["evidence_docs"]).lower()
    for group in q["must_include"]:
        assert any(a.lower() in quotes or a.lower() in bodies for a in group), f"unachievable group {group}"


def test_must_include_groups_are_achievable() -> None:
    every_question(_must_include_groups_are_achievable, QUESTIONS)


def _abstention_matches_evidence(q: dict) -> None:
    assert q["expect_abstain"] is (not q["evidence"])
    assert bool(q["evidence_docs"]) is bool(q["evidence"])
    if q["kind"] == "out_of_scope":
        assert q["expect_abstain"] and not q["evidence"] and not q["evidence_docs"] and not q["must_include"]
    else:
        assert not q["expect_abstain"] and q["must_include"], "only out_of_scope questions are refused here"


def test_abstention_matches_evidence() -> None:
    every_question(_abstention_matches_evidence, QUESTIONS)


def test_multi_value_kinds_cite_every_side() -> None:
    """conflicting_sources: both figures, from two documents; timeline: each value, two or more groups."""
    for q in QUESTIONS:
        if q["kind"] == "conflicting_sources":
            assert len(q["evidence"]) >= 2 and len(q["evidence_docs"]) >= 2, q["id"]
            assert len(q["must_include"]) >= 2, q["id"]
        if q["kind"] == "timeline":
            assert len(q["evidence"]) >= 2 and len(q["must_include"]) >= 2, q["id"]


def test_date_bound_questions_name_a_year_an_evidence_document_is_dated() -> None:
    """The date in the question is the document's date (the text may name only day and month)."""
    for q in (q for q in QUESTIONS if q["kind"] == "date_bound"):
        years = set(re.findall(r"\b(?:19|20)\d\d\b", q["question"]))
        assert years, f"{q['id']}: a date-bound question names a year"
        dates = [document(d).date or "" for d in q["evidence_docs"]]
        since = re.search(r"\bsince ((?:19|20)\d\d)\b", q["question"])
        if since and len(years) == 1:  # "since 2020": a document of that year or later
            assert any(d[:4] >= since[1] for d in dates), f"{q['id']}: all documents predate {since[1]}"
        else:
            assert any(d[:4] in years for d in dates), f"{q['id']}: no document dated {years}: {dates}"


def test_latest_questions_cite_the_newest_document_on_their_subject() -> None:
    """A 'latest' answer's document is at least as new as any other document cited for the same figure."""
    by_doc = {d: document(d).date or "" for q in QUESTIONS for d in q["evidence_docs"]}
    for q in (q for q in QUESTIONS if q["kind"] == "latest"):
        assert all(by_doc[d] for d in q["evidence_docs"]), f"{q['id']}: undated evidence"
    latest_trade = next(q for q in QUESTIONS if q["kind"] == "latest" and "bilateral trade" in q["question"])
    trade_docs = {d for q in QUESTIONS if "trade" in q["question"].lower() for d in q["evidence_docs"]}
    newest = max(by_doc[d] for d in trade_docs)
    assert by_doc[latest_trade["evidence_docs"][0]] == newest


def test_fixtures_have_title_source_date_and_attribution() -> None:
    assert len(FIXTURE_PATHS) >= MIN_FIXTURES
    assert sum(p.suffix == ".html" for p in FIXTURE_PATHS) >= MIN_HTML
    attribution = ATTRIBUTION.read_text(encoding="utf-8")
    for path in FIXTURE_PATHS:
        doc = document(path.stem)
        assert doc.title and doc.title != doc.doc_id, f"{path.name}: no title"
        assert doc.author or doc.publisher, f"{path.name}: neither author nor publisher"
        assert doc.date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.date), f"{path.name}: no date ({doc.date})"
        if path.suffix == ".md":
            assert doc.url and doc.url.startswith("http"), f"{path.name}: no source_url"
            assert "license:" in path.read_text(encoding="utf-8"), f"{path.name}: no license"
        else:
            html = path.read_text(encoding="utf-8")
            source = re.search(r'<link rel="canonical" href="(https?://[^"]+)"', html)
            assert source, f"{path.name}: no canonical source URL"
            chrome = ("<article>", "<nav", "<footer>", 'name="description"', "article:published_time")
            assert all(c in html for c in chrome), f"{path.name}: not a full page"
            url = source.group(1)
        url = doc.url if path.suffix == ".md" else url
        assert path.name in attribution and url in attribution, f"{path.name}: not in ATTRIBUTION.md"


def test_every_fixture_is_evidence_somewhere() -> None:
    cited = {d for q in QUESTIONS for d in q["evidence_docs"]}
    unused = {p.stem for p in FIXTURE_PATHS} - cited
    assert not unused, f"fixtures no question draws on: {unused}"


def test_out_of_scope_questions_name_what_the_fixtures_mention() -> None:
    """Each refusal names a subject the fixtures discuss (retrieval finds near misses), not a stray topic."""
    text = " ".join(body(p.stem) for p in FIXTURE_PATHS).lower()
    for q in (q for q in QUESTIONS if q["kind"] == "out_of_scope"):
        words = [w for w in re.findall(r"[A-Za-zÀ-ž–-]{4,}", q["question"])[1:] if w[0].isupper() or "–" in w]
        assert words and any(w.lower() in text for w in words), f"{q['id']}: names nothing in the fixtures"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # silence the per-request log
        pass


@pytest.fixture(scope="module")
def loopback() -> Iterator[str]:
    """The fixtures folder served over HTTP on 127.0.0.1, as the evaluator serves it."""
    handler = functools.partial(_QuietHandler, directory=str(FIXTURES))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_html_fixtures_fetched_over_http_give_the_text_the_quotes_were_checked_on(loopback: str) -> None:
    """corridor's fetch + loader (the `corridor ingest <url>` path, minus embedding) on every HTML page."""
    settings = Settings(allow_private_urls=True)
    for path in (p for p in FIXTURE_PATHS if p.suffix == ".html"):
        url = loopback + path.name
        got = fetch(url, settings)
        assert got.kind == "html", f"{path.name} served as {got.kind}"
        doc = load_bytes(got.data, got.kind, doc_id=url_doc_id(url), source=url, url=got.url)
        assert doc.text == document(path.stem).text, path.name
        assert (doc.title, doc.author, doc.date) == (document(path.stem).title, document(path.stem).author,
                                                     document(path.stem).date), path.name
        assert url_doc_id(url).endswith(path.stem + ".html"), url_doc_id(url)
