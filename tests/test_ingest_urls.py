"""URL ingestion against a real local HTTP server: the address guard, limits, content types, redirects."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from corridor.errors import InputError
from ingest.fetch import check_address, fetch, url_doc_id
from ingest.pipeline import ingest
from vectorstore.store import ChunkStore

PAGE = (b"<html><head><title>Middle Corridor news</title><meta name='author' content='Ada Writer'>"
        b"<meta property='article:published_time' content='2025-07-30'></head><body><nav>Menu</nav>"
        b"<article><h1>Middle Corridor volumes</h1><p>Cargo on the Trans-Caspian route grew again "
        b"this year as shippers avoided routes through Russia, say operators in Aktau and Baku.</p>"
        b"</article>"
        b"<footer>Footer links</footer></body></html>")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _send(self, status: int, ctype: str, body: bytes, length: bool = True, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        routes = {
            "/page.html": lambda: self._send(200, "text/html; charset=utf-8", PAGE),
            "/notes.md": lambda: self._send(200, "text/markdown", b"# Notes\n\nKazakh grain goes west.\n"),
            "/latin1.txt": lambda: self._send(200, "text/plain; charset=iso-8859-1",
                                              "Türkiye café".encode("latin-1")),
            "/image.png": lambda: self._send(200, "image/png", b"\x89PNG...."),
            "/big": lambda: self._send(200, "text/plain", b"x" * 5000, length=False),
            "/big-declared": lambda: self._send(200, "text/plain", b"y" * 5000),
            "/to-page": lambda: self._send(302, "text/plain", b"", Location="/page.html"),
            "/to-ftp": lambda: self._send(302, "text/plain", b"", Location="ftp://example.org/file"),
            "/missing": lambda: self._send(404, "text/plain", b"nope"),
        }
        try:
            if self.path == "/slow":  # 10x the timeout the test gives this fetch
                time.sleep(5)
                self._send(200, "text/plain", b"late")
                return
            routes.get(self.path, routes["/missing"])()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up on purpose (limits)
            pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def open_settings(tmp_path, settings_factory):
    # the default (generous) timeout: these fetches are meant to succeed, even on a busy machine
    return settings_factory(tmp_path, allow_private_urls=True, url_max_bytes=1000)


@pytest.mark.slow
def test_a_local_page_is_ingested_when_private_urls_are_allowed(server, open_settings, embeddings) -> None:
    store = ChunkStore(open_settings, embeddings=embeddings)
    report = ingest([f"{server}/page.html", f"{server}/notes.md"], open_settings, store=store, progress=False)
    assert not report.failed and len(report.added) == 2
    page_id = url_doc_id(f"{server}/page.html")
    assert page_id.startswith("127.0.0.1") and page_id.endswith("page.html")
    got = store.collection.get(where={"doc_id": page_id}, include=["documents", "metadatas"])
    meta = got["metadatas"][0]
    assert meta["title"] == "Middle Corridor volumes" and meta["date"] == "2025-07-30"
    assert meta["author"] == "Ada Writer" and meta["url"] == f"{server}/page.html"
    text = "\n".join(got["documents"])  # the about block (byline, date) is a chunk of its own
    assert "Trans-Caspian" in text and "Footer links" not in text and "Author: Ada Writer" in text
    again = ingest([f"{server}/page.html"], open_settings, store=store, progress=False)
    assert again.unchanged == [page_id] and again.chunks_embedded == 0


def test_the_same_page_is_refused_without_the_setting(server, tmp_path, settings_factory) -> None:
    settings = settings_factory(tmp_path)
    with pytest.raises(InputError, match="non-public address"):
        fetch(f"{server}/page.html", settings)
    report = ingest([f"{server}/page.html"], settings, progress=False)
    assert "non-public" in report.failed[f"{server}/page.html"] and not report.added


@pytest.mark.parametrize("url", ["http://10.1.2.3/x", "http://169.254.169.254/latest/meta-data",
                                 "http://[::1]/", "http://192.168.0.10/", "http://0.0.0.0/", "http://localhost/"])
def test_private_link_local_and_loopback_addresses_are_refused(url, tmp_path, settings_factory) -> None:
    with pytest.raises(InputError, match="non-public"):
        check_address(url, settings_factory(tmp_path))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://example.org/"])
def test_other_schemes_are_refused(url, open_settings) -> None:
    with pytest.raises(InputError, match="only http and https"):
        fetch(url, open_settings)


def test_limits_content_types_and_redirects(server, open_settings) -> None:
    assert fetch(f"{server}/to-page", open_settings).url == f"{server}/page.html"
    assert fetch(f"{server}/latin1.txt", open_settings).data.decode("utf-8") == "Türkiye café"
    with pytest.raises(InputError, match="only http and https"):  # every hop is checked again
        fetch(f"{server}/to-ftp", open_settings)
    with pytest.raises(InputError, match="timed out"):
        fetch(f"{server}/slow", open_settings.model_copy(update={"url_timeout_s": 0.5}))
    with pytest.raises(InputError, match="too large"):
        fetch(f"{server}/big", open_settings)
    with pytest.raises(InputError, match="too large"):
        fetch(f"{server}/big-declared", open_settings)
    with pytest.raises(InputError, match="unsupported content type image/png"):
        fetch(f"{server}/image.png", open_settings)
    with pytest.raises(InputError, match="HTTP 404"):
        fetch(f"{server}/missing", open_settings)
