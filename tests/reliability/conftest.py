"""Fixtures for the reliability suite: a small store with the prompt-injection fixture, an engine over it,
a `chroma run` server that tests can stop and restart, and a loopback HTTP server for hostile URLs."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import BUNDLED_CORPUS, Ingested, make_settings
from vectorstore.chroma_server import ChromaServer

INJECTED_NOTE = BUNDLED_CORPUS.parent / "eval" / "fixtures" / "injected-note.md"
CORPUS_FILES = ("00-news-az-engin-ozer-interview.md", "04-wikipedia-zangezur-corridor.md",
                "13-usda-fas-kazakhstan-grain-and-feed-update-2014.md")


@pytest.fixture(scope="session")
def rel_store(tmp_path_factory, embeddings) -> Ingested:
    """(settings, store): three corpus texts plus data/eval/fixtures/injected-note.md, ingested once.
    Read-only: tests that write make their own store."""
    from ingest.pipeline import ingest
    from vectorstore.store import ChunkStore

    root = tmp_path_factory.mktemp("reliability")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in CORPUS_FILES:
        shutil.copy(BUNDLED_CORPUS / name, corpus / name)
    shutil.copy(INJECTED_NOTE, corpus / INJECTED_NOTE.name)
    settings = make_settings(root, corpus_dir=corpus)
    store = ChunkStore(settings, embeddings=embeddings)
    report = ingest([str(corpus)], settings, store=store, progress=False)
    assert len(report.added) == 4 and not report.failed
    return Ingested(settings, store)


@pytest.fixture(scope="session")
def rel_engine(rel_store):
    """The real answer engine over rel_store."""
    from answering.engine import Engine

    engine = Engine(rel_store.settings, rel_store.store)
    yield engine
    engine.close()


@pytest.fixture
def chroma_server(tmp_path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma-server", tmp_path / "chroma.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


Route = Callable[[BaseHTTPRequestHandler], None]


@pytest.fixture
def http_server() -> Iterator[Callable[[dict[str, Route]], str]]:
    """serve({path: handler(request)}) → base URL of a threaded HTTP server on 127.0.0.1."""
    servers: list[ThreadingHTTPServer] = []

    def serve(routes: dict[str, Route]) -> str:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                route = routes.get(self.path.split("?")[0])
                try:
                    if route is None:
                        self.send_error(404)
                    else:
                        route(self)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up on purpose (limits)
                    pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    yield serve
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()
