"""Ingest into a real `chroma run` server on loopback (CHROMA_HOST/CHROMA_PORT), and a dead one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from corridor.errors import StoreUnavailable
from corridor.settings import Settings
from ingest.pipeline import ingest
from vectorstore.chroma_server import ChromaServer, free_port
from vectorstore.store import ChunkStore

pytestmark = pytest.mark.slow
@pytest.fixture
def chroma_server(tmp_path):
    with ChromaServer(tmp_path / "server-data", tmp_path / "chroma.log") as server:
        yield server.proc, server.port


def test_ingest_into_a_chroma_server_via_environment(chroma_server, tmp_path, monkeypatch, embeddings,
                                                     small_corpus) -> None:
    proc, port = chroma_server
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(port))
    settings = Settings(data_dir=tmp_path, store_dir=tmp_path / "local")
    assert settings.uses_server and settings.chroma_port == port
    store = ChunkStore(settings, embeddings=embeddings)
    report = ingest([str(small_corpus)], settings, store=store, progress=False)
    assert len(report.added) == 3 and report.chunks_written == store.count() > 3
    assert not (tmp_path / "local" / "chroma").exists()  # nothing went to the embedded store

    again = ChunkStore(settings, embeddings=embeddings)  # a second client sees the same data
    assert [d.doc_id for d in again.documents()] == sorted(p.stem for p in small_corpus.glob("*.md"))
    generation = again.generation()
    hits = again.dense_search(embeddings.embed_query("Zangezur corridor"), 3)
    assert hits and all(0 < s <= 1.0001 for _, s in hits)
    noop = ingest([str(small_corpus)], settings, store=again, progress=False)
    assert len(noop.unchanged) == 3 and noop.chunks_embedded == 0 and again.generation() == generation

    proc.terminate()
    proc.wait(timeout=30)
    with pytest.raises(StoreUnavailable, match="not reachable"):
        again.count()
    with pytest.raises(StoreUnavailable, match=f"Chroma server at 127.0.0.1:{port} is not reachable"):
        ChunkStore(settings, embeddings=embeddings)


def test_the_lane_follows_what_changed_while_it_was_off_on_a_server(chroma_server, tmp_path, monkeypatch,
                                                                    small_corpus) -> None:
    """The multilingual lane's catch-up and its mirror mark (collection metadata) through the HTTP client."""
    from ingest.remove import remove_docs

    _proc, port = chroma_server
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(port))
    laned = Settings(data_dir=tmp_path, store_dir=tmp_path / "local", multilingual_lane=True)
    store = ChunkStore(laned)
    ingest([str(small_corpus)], laned, store=store, progress=False)
    assert store.lane.count() == store.count() > 3 and store.lane_mirrored()
    gone = store.documents()[0].doc_id

    plain = laned.model_copy(update={"multilingual_lane": False})
    remove_docs([gone], plain, store=ChunkStore(plain))
    store = ChunkStore(laned)
    assert not store.lane_mirrored() and store.lane.doc_chunks(gone)["ids"]
    report = ingest([str(small_corpus / f"{gone}.md")], laned, store=store, progress=False)  # it comes back
    assert report.added == [gone] and report.multilingual_chunks_embedded == 0  # its lane vectors were kept
    remove_docs([gone], plain, store=ChunkStore(plain))
    others = [p for p in small_corpus.glob("*.md") if p.stem != gone]
    ingest([str(p) for p in others], laned, store=store, progress=False)  # reads none of what changed
    assert store.lane.doc_chunks(gone)["ids"] == [] and store.lane.count() == store.count()
    assert store.lane_mirrored()


def test_the_cli_says_so_in_one_line_when_the_server_is_down(tmp_path) -> None:
    env = {**os.environ, "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(free_port()),
           "CORRIDOR_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "sources"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not reachable" in lines[0] and "Traceback" not in done.stderr
