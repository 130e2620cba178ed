"""SIGKILL the real `corridor ingest` at seeded random points, including in the middle of its writes; after
each kill the store holds no duplicate and no partial document version, and a re-run completes it."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from corridor.settings import PROJECT_ROOT
from ingest.loaders import load_file
from tests.conftest import BUNDLED_CORPUS, make_settings

pytestmark = pytest.mark.slow
DOCS = ("00-news-az-engin-ozer-interview.md", "04-wikipedia-zangezur-corridor.md",
        "06-wikipedia-baku-tbilisi-kars-railway.md", "13-usda-fas-kazakhstan-grain-and-feed-update-2014.md")


class Store:
    """The store under test, seen only from fresh processes and read-only SQLite."""

    def __init__(self, root: Path) -> None:
        self.root, self.corpus, self.store_dir = root, root / "corpus", root / "store"
        self.env = {**os.environ, "CORRIDOR_DATA_DIR": str(root), "CORRIDOR_STORE_DIR": str(self.store_dir),
                    "CORRIDOR_CORPUS_DIR": str(self.corpus), "HF_HUB_OFFLINE": "1",
                    "PYTHONPATH": str(PROJECT_ROOT)}
        for var in ("CHROMA_HOST", "CORRIDOR_CHROMA_HOST", "CORRIDOR_COLLECTION", "CORRIDOR_PRESET"):
            self.env.pop(var, None)

    def start_ingest(self, module: str = "bot.cli") -> subprocess.Popen:
        args = ["ingest"] if module == "bot.cli" else []
        return subprocess.Popen([sys.executable, "-m", module, *args, str(self.corpus), "--json"],
                                env=self.env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def ingest(self) -> dict:
        proc = self.start_ingest()
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
        return json.loads(out)

    def generation(self) -> str | None:
        """The collection's generation token (bumped by every write), read straight from SQLite."""
        db = self.store_dir / "chroma" / "chroma.sqlite3"
        if not db.exists():
            return None
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05) as con:
                sql = "SELECT str_value FROM collection_metadata WHERE key = 'generation'"
                rows = con.execute(sql).fetchall()
        except sqlite3.Error:  # locked or half-created: ask again
            return None
        return rows[0][0] if rows else None

    def dump(self) -> dict:
        cmd = [sys.executable, "-m", "tests.reliability.store_dump", str(self.store_dir), "corridor"]
        done = subprocess.run(cmd, env=self.env, cwd=PROJECT_ROOT, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout)


def versions(dump: dict) -> dict[str, dict[str, list[dict]]]:
    """doc_id → content_hash → that version's chunks."""
    out: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for c in dump["chunks"]:
        out[c["meta"]["doc_id"]][c["meta"]["content_hash"]].append(c)
    return out


def complete(chunks: list[dict]) -> bool:
    """All n_chunks chunks of one version, ordinals 0..n-1, each once."""
    n = chunks[0]["meta"]["n_chunks"]
    return sorted(c["meta"]["ordinal"] for c in chunks) == list(range(n)) and all(
        c["meta"]["n_chunks"] == n for c in chunks)


def check_after_kill(dump: dict, stored_before: set[str]) -> tuple[set[str], int]:
    """Invariants a kill at any point keeps; returns the complete docs and how many hold leftovers."""
    ids = [c["id"] for c in dump["chunks"]]
    assert len(ids) == len(set(ids)), "duplicate chunk ids"
    assert dump["unfindable"] == [], "the vector index lost chunks the metadata still lists"
    leftovers = 0
    for doc_id, by_hash in versions(dump).items():
        whole = [h for h, chunks in by_hash.items() if complete(chunks)]
        assert whole, f"{doc_id} is half-written: no complete version among {list(by_hash)}"
        for chunks in by_hash.values():
            texts = [c["text"] for c in chunks]
            assert len(texts) == len(set(texts)), f"{doc_id}: the same text twice in one version"
        for c in dump["chunks"]:
            assert c["meta"]["end"] - c["meta"]["start"] >= len(c["text"].strip()) > 0
        leftovers += len(by_hash) > 1  # the old version's leftovers beside the complete new one
    assert stored_before <= set(versions(dump)), f"lost: {stored_before - set(versions(dump))}"
    return set(versions(dump)), leftovers


def kill(store: Store, rng: random.Random, when: tuple[float, float] | str | None) -> tuple[float, bool]:
    """Start an ingest and SIGKILL it: `when` seconds (a random pick in the range) after its first write, at
    a random time from its start when `when` is None, or (when="gap") between a group of documents' upsert and
    the delete of their stale chunks, which kill_worker does to itself."""
    proc = store.start_ingest("tests.reliability.kill_worker" if when == "gap" else "bot.cli")
    t0 = time.monotonic()
    if when == "gap":
        proc.communicate(timeout=300)
        return time.monotonic() - t0, proc.returncode != -signal.SIGKILL
    if when is None:
        time.sleep(rng.uniform(0.5, 3.0))  # start-up, model loading, reading: never past the run's end
    else:
        base = store.generation()  # a cold store: the collection's creation sets the first token
        while proc.poll() is None:
            token = store.generation()
            if base is None:
                base = token
            elif token is not None and token != base:  # every write bumps the generation
                break
            time.sleep(0.003)
        time.sleep(rng.uniform(*when))
    finished = proc.poll() is not None
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    return time.monotonic() - t0, finished


def edit(corpus: Path, rnd: int) -> None:
    """Change every paragraph of every document (all chunks must be re-embedded and rewritten)."""
    for path in sorted(corpus.glob("*.md")):
        head, sep, body = path.read_text().partition("\n---\n")
        path.write_text(head + sep + body.replace(".\n\n", f" (revision {rnd}).\n\n"))


def test_sigkill_at_random_points_loses_nothing_and_a_rerun_completes(tmp_path) -> None:
    rng = random.Random(20261125)
    store = Store(tmp_path)
    store.corpus.mkdir()
    for name in DOCS:
        shutil.copy(BUNDLED_CORPUS / name, store.corpus / name)
    stored: set[str] = set()
    log = []
    # Round 0 early in a cold run; round 1 in its first writes; rounds 2-4 while updating every document
    # (2: in its writes, 3: exactly in the gap between a group's upsert and the delete of its old chunks,
    # 4: early again). Rounds 1 and 2 may finish first on a fast machine; the others are always killed.
    for rnd, when in enumerate((None, (0.0, 0.1), (0.0, 0.15), "gap", None)):
        if rnd >= 2:
            edit(store.corpus, rnd)
        seconds, finished = kill(store, rng, when)
        stored, leftovers = check_after_kill(store.dump(), stored)
        log.append((rnd, when, round(seconds, 2), finished, len(stored), leftovers))
    print("rounds (round, kill window, seconds, finished first, docs stored, docs with leftovers):", log)
    killed = sum(not finished for *_, finished, _, _ in log)
    assert killed >= 3, f"fewer than 3 runs were really killed: {log}"
    assert log[3][-1] >= 1, "the gap kill should leave a document with its old version's chunks"

    report = store.ingest()  # the re-run completes whatever the kills left
    assert not report["failed"]
    dump = store.dump()
    check_after_kill(dump, stored)
    settings = make_settings(tmp_path)
    for doc_id, by_hash in versions(dump).items():
        assert len(by_hash) == 1, f"{doc_id} still holds {len(by_hash)} versions"
        [(content_hash, chunks)] = by_hash.items()
        assert complete(chunks)
        on_disk = load_file(store.corpus / f"{doc_id}.md", doc_id=doc_id, settings=settings)
        assert content_hash == on_disk.content_hash  # the stored version is the current file
    assert set(versions(dump)) == {Path(n).stem for n in DOCS}

    again = store.ingest()
    assert sorted(again["unchanged"]) == sorted(Path(n).stem for n in DOCS)
    assert again["chunks_written"] == 0 and not again["added"] and not again["updated"]
