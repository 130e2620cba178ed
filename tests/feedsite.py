"""A small web site on 127.0.0.1 whose pages tests change between requests (feeds, articles, robots.txt).

Routes map a path to a Page (status, content type, body, ETag, Last-Modified, delay). A request carrying the
page's ETag in If-None-Match gets 304. Every request is logged (path, headers, arrival time).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes = b""
    ctype: str = "text/markdown; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    delay_s: float = 0.0
    gate: threading.Event | None = None  # when set, the answer waits until the test opens the gate


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    at: float
    status: int = 0


@dataclass
class Site:
    base: str = ""
    routes: dict[str, Page] = field(default_factory=dict)
    default: Page | None = None  # served for unknown paths (e.g. a 10,000-item feed's articles)
    log: list[Hit] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)  # a gated page was requested

    def hits(self, path: str) -> list[Hit]:
        return [h for h in self.log if h.path == path]

    def url(self, path: str) -> str:
        return self.base + path


def article(title: str, text: str) -> bytes:
    return f"---\ntitle: {title}\ndate: 2026-11-20\n---\n# {title}\n\n{text}\n".encode()


def rss(items: list[tuple[str, str]], title: str = "Corridor news") -> bytes:
    """An RSS 2.0 feed of (title, link) items."""
    body = "".join(f"<item><title>{t}</title><link>{link}</link>"
                   f"<pubDate>Fri, 20 Nov 2026 10:00:00 GMT</pubDate></item>" for t, link in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://example.org/</link><description>d</description>{body}</channel></rss>").encode()


def http_date(ts: float | None = None) -> str:
    return formatdate(ts or time.time(), usegmt=True)


def serve(site: Site):
    """Start the site; returns the server (call .shutdown())."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            hit = Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
            site.log.append(hit)
            page = site.routes.get(self.path) or site.default or Page(b"not found", "text/plain", 404)
            try:
                if page.delay_s:
                    time.sleep(page.delay_s)
                if page.gate is not None:
                    site.arrived.set()
                    page.gate.wait(timeout=120)
                if page.etag and hit.headers.get("if-none-match") == page.etag:
                    hit.status = 304
                    self.send_response(304)
                    self.send_header("ETag", page.etag)
                    self.end_headers()
                    return
                hit.status = page.status
                self.send_response(page.status)
                self.send_header("Content-Type", page.ctype)
                self.send_header("Content-Length", str(len(page.body)))
                if page.etag:
                    self.send_header("ETag", page.etag)
                if page.last_modified:
                    self.send_header("Last-Modified", page.last_modified)
                self.end_headers()
                self.wfile.write(page.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    site.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    return httpd
