"""Smoke tests of the benchmark code (bench/) at tiny sizes, so CI proves `python -m bench` still runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import worker
from bench.report import write_report
from bench.synth import CHUNKS_PER_DOC, write_corpus
from corridor.settings import Settings
from ingest.chunking import chunk_document
from ingest.loaders import load_file


def _chunks(folder: Path) -> list[str]:
    s = Settings(chroma_host=None)
    out = []
    for path in sorted(folder.glob("*.md")):
        doc = load_file(path, doc_id=path.stem, settings=s)
        # Paragraph chunks; each document's about block (byline, publisher, date) is one chunk more.
        out += [c.text for c in chunk_document(doc, s.chunk_size, s.chunk_overlap) if c.kind != "about"]
    return out


def test_synthetic_corpus_is_reproducible_and_never_repeats(tmp_path) -> None:
    qa = write_corpus(tmp_path / "a", 200)
    qb = write_corpus(tmp_path / "b", 200)
    files = sorted((tmp_path / "a" / "docs").glob("*.md"))
    assert len(files) == 200 // CHUNKS_PER_DOC
    assert all(f.read_bytes() == (tmp_path / "b" / "docs" / f.name).read_bytes() for f in files)
    assert qa == qb and len(qa) == 40
    texts = _chunks(tmp_path / "a" / "docs")
    assert len(texts) == 200 and len(set(texts)) == 200  # one chunk per paragraph, none repeated
    for q in qa:  # every question's answer sentence is in the document it names
        assert q.answer in (tmp_path / "a" / "docs" / f"{q.doc_id}.md").read_text()
    # A bigger corpus with the same seed starts with the smaller one (the scale stores rely on it).
    write_corpus(tmp_path / "c", 400)
    assert all(f.read_bytes() == (tmp_path / "c" / "docs" / f.name).read_bytes() for f in files)


@pytest.mark.slow
def test_bench_tasks_and_report_at_tiny_sizes(tmp_path, embeddings) -> None:
    small, big = write_corpus(tmp_path / "c40", 40), write_corpus(tmp_path / "c100", 100)
    assert big
    ing = worker.task_ingest({"corpus": str(tmp_path / "c40" / "docs"), "store": str(tmp_path / "unused"),
                              "collection": "tiny", "temp": True, "tmp": str(tmp_path), "runs": 1,
                              "raw": True, "noop": True, "noop_runs": 2, "noop_store": str(tmp_path / "s40")})
    run = ing["runs"][0]
    assert run["chunks"] == 40 + 40 // CHUNKS_PER_DOC  # each document also has its about chunk
    assert run["rate"] > 0 and 0 < run["ratio"] < 5
    assert len(ing["noop_seconds"]) == 2 and all(s < 30 for s in ing["noop_seconds"])

    ext = worker.task_extend({"corpus": str(tmp_path / "c100" / "docs"), "store": str(tmp_path / "s100"),
                              "collection": "big", "seed_store": str(tmp_path / "s40"),
                              "seed_collection": "tiny"})
    with_about = 100 + 100 // CHUNKS_PER_DOC, 40 + 40 // CHUNKS_PER_DOC  # every document's about chunk too
    assert (ext["chunks"], ext["real_vectors"], ext["stand_in_vectors"]) == (*with_about,
                                                                              with_about[0] - with_about[1])

    questions = tmp_path / "q.json"
    questions.write_text(json.dumps([q.question for q in small[:3]]))
    ans = worker.task_answer({"store": str(tmp_path / "s100"), "collection": "big",
                              "questions": str(questions), "reps": 1, "concurrency": 4})
    assert ans["chunks"] == with_about[0] and ans["questions"] == 3
    for name, passes in ans["latency"].items():
        assert len(passes) == 1 and passes[0]["p95"] >= passes[0]["p50"] > 0, name
    assert ans["abstained"] < 3  # the questions are answerable from their own sentences
    assert set(ans["concurrency"]) == {"one at a time", "4 in flight"}

    section = {"started": "now", "minutes": 0.1, "load_avg_start": [1, 1, 1], "load_avg_end": [1, 1, 1],
               "command": "python -m bench --quick"}
    size = {"ingest": {"how": "extend", "write_rate": ext["write_rate"], "chunks": 100}, "answer": ans}
    sections = {"scale": {**section, "figures": {"100000": size}}}
    out = tmp_path / "BENCHMARKS.md"
    write_report(sections, {"cores": "2"}, out, tmp_path / "bench.png")
    text = out.read_text()
    assert "## Scaling" in text and "100k chunks: full answer p95 < 500 ms" in text
    assert (tmp_path / "bench.png").read_bytes()[:4] == b"\x89PNG"
