"""A loopback HTTP server for a fresh set's HTML fixtures, so the eval ingests them by URL as a user would.

The stdlib server is enough here (one folder of static files, one client, loopback only); a library would add
nothing. It prefers a fixed port (FIXTURE_PORT) so a fixture's URL, and thus its stored `source`, stays the
same from run to run, and falls back to any free port when that one is taken. Doc ids do not depend on the
port either way: `ingest.fetch.url_doc_id` slugs the host name and path, never the port.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from ingest.fetch import url_doc_id

HOST = "127.0.0.1"
FIXTURE_PORT = 8765


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass  # no request log on the eval's stderr


class FixtureServer:
    """Serve `folder` on http://127.0.0.1:<port>/ in a background thread (a context manager)."""

    def __init__(self, folder: Path, port: int = FIXTURE_PORT) -> None:
        self.folder = Path(folder)
        handler = functools.partial(_QuietHandler, directory=str(self.folder))
        try:
            self._httpd = ThreadingHTTPServer((HOST, port), handler)
        except OSError:  # the preferred port is busy (another eval, another test run): any free one
            self._httpd = ThreadingHTTPServer((HOST, 0), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="eval-fixtures", daemon=True)

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._thread.is_alive():
            self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, name: str) -> str:
        return f"http://{HOST}:{self.port}/{name}"

    def html_urls(self) -> dict[str, str]:
        """Fixture file stem → its URL, for every *.html file in the folder."""
        return {p.stem: self.url(p.name) for p in sorted(self.folder.glob("*.html"))}


def html_doc_ids(folder: Path) -> dict[str, str]:
    """Fixture file stem → the doc id its URL gets when ingested (the same on every port)."""
    return {p.stem: url_doc_id(f"http://{HOST}/{p.name}") for p in sorted(Path(folder).glob("*.html"))}
