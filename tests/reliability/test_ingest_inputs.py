"""Hostile files and URLs fed to the real ingest pipeline: each is refused with a short reason, nothing
already stored changes, and limits hold without reading oversized input into memory."""

from __future__ import annotations

import io
import json
import os
import socket
import threading
import time
import tracemalloc
import zipfile
import zlib

import pytest
from pypdf import PdfWriter

from corridor.errors import InputError
from ingest.fetch import fetch
from ingest.loaders import load_file
from ingest.pipeline import ingest
from tests.conftest import BUNDLED_CORPUS
from vectorstore.store import ChunkStore

INTERVIEW = BUNDLED_CORPUS / "00-news-az-engin-ozer-interview.md"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, settings_factory, embeddings):
    """A store holding the interview; the tests below must leave it exactly as it is."""
    root = tmp_path_factory.mktemp("seeded")
    # the default URL timeout: fetches here are meant to succeed; the timeout tests set their own
    settings = settings_factory(root, url_max_bytes=5 * 1024 * 1024)
    store = ChunkStore(settings, embeddings=embeddings)
    ingest([str(INTERVIEW)], settings, store=store, progress=False)
    return settings, store


def snapshot(store: ChunkStore) -> tuple:
    got = store.collection.get(include=["documents", "metadatas"])
    metas = [json.dumps(m, sort_keys=True) for m in got["metadatas"]]
    return store.generation(), sorted(zip(got["ids"], got["documents"], metas, strict=True))


def assert_refused(report, name: str, *words: str) -> str:
    reason = report.failed.get(name)
    assert reason, f"{name} was not refused: {report}"
    assert len(reason) <= 160 and "\n" not in reason and "Traceback" not in reason, reason
    assert any(w in reason for w in words), reason
    return reason


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("inner.txt", b"0" * (20 * 1024 * 1024))
    return buf.getvalue()


BAD_FILES = {
    "binary.md": (os.urandom(4096) + b"\x00", ("binary",)),
    "cp1254.md": ("Türkiye ve Kazakistan: ortak çıkarlar".encode("cp1254"), ("UTF-8",)),
    "utf16.txt": ("Middle Corridor".encode("utf-16"), ("binary", "UTF-8")),
    "zipbomb.md": (zip_bomb(), ("binary", "UTF-8")),
    "empty.md": (b"", ("empty",)),
    "only-front-matter.md": (b"---\ntitle: x\n---\n\n   \n", ("no text",)),
    "bad-yaml.md": (b"---\ntitle: [unclosed\n---\nText.\n", ("front matter",)),
    "no-text.pdf": (blank_pdf(), ("no text",)),
    "broken.pdf": (b"%PDF-1.4\n1 0 obj <<>> garbage", ("PDF",)),
    "script.html": (b"<html><head><script>var a = 1;</script></head><body><script>" + b"alert(1);" * 5000
                    + b"</script><style>p{}</style></body></html>", ("no main text",)),
}


def test_bad_files_are_refused_by_name_and_the_store_is_untouched(seeded, tmp_path) -> None:
    settings, store = seeded
    before = snapshot(store)
    folder = tmp_path / "bad"
    folder.mkdir()
    for name, (data, _) in BAD_FILES.items():
        (folder / name).write_bytes(data)
    report = ingest([str(folder)], settings, store=store, progress=False)
    for name, (_, words) in BAD_FILES.items():
        assert_refused(report, str(folder / name), *words)
    assert not report.added and not report.updated and report.chunks_written == 0
    assert snapshot(store) == before


def test_a_200_mb_file_is_refused_by_size_without_being_read(seeded, tmp_path) -> None:
    settings, store = seeded
    before = snapshot(store)
    huge = tmp_path / "huge.md"
    with open(huge, "wb") as f:  # sparse: 200 MB on paper, a few KB on disk
        f.seek(200 * 1024 * 1024)
        f.write(b"x")
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        report = ingest([str(huge)], settings, store=store, progress=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 60  # a ceiling against a hang; the memory bound shows it was not read
    assert peak < 20 * 1024 * 1024, f"{peak / 1e6:.0f} MB allocated: the file was read"
    assert_refused(report, str(huge), "too large")
    assert snapshot(store) == before


def test_deeply_nested_html_neither_crashes_nor_hangs(tmp_path, settings_factory) -> None:
    settings = settings_factory(tmp_path)
    page = tmp_path / "nested.html"
    intro = b"<p>The Middle Corridor links Kazakhstan, Azerbaijan and Georgia with Turkiye by sea.</p>"
    page.write_bytes(b"<html><body>" + intro + b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000
                     + b"</body></html>")
    t0 = time.perf_counter()
    try:
        doc = load_file(page, doc_id="nested", settings=settings)
    except InputError as exc:  # refusing it is fine too; a RecursionError or a hang is not
        assert len(str(exc)) <= 160
    else:
        assert "Middle Corridor" in doc.text and len(doc.text) < 10_000
    assert time.perf_counter() - t0 < 120  # a ceiling against a hang (the test's own timeout is 600 s)
    only_divs = tmp_path / "divs.html"
    only_divs.write_bytes(b"<div>" * 100_000 + b"</div>" * 100_000)
    with pytest.raises(InputError):
        load_file(only_divs, doc_id="divs", settings=settings)


N = 300_000  # before the fix in ingest/clean.py each of these took minutes (quadratic regexes); now < 0.1 s


@pytest.mark.parametrize("name,data", [
    ("blank-lines.md", b"Intro.\n" + b"\n" * N + b"Middle Corridor."),
    ("spaces.md", b"Intro." + b" " * N + b"Middle Corridor."),
    ("tabs-and-newlines.md", b"Intro.\n" + b"\t\n" * N + b"Middle Corridor."),
    ("long-heading.md", b"# Middle" + b" " * N + b"Corridor\n\nText about the corridor."),
    ("hashes-heading.md", b"# Middle" + b"#" * N + b"Corridor\n\nText about the corridor."),
])
def test_pathological_whitespace_and_headings_are_read_in_linear_time(tmp_path, settings_factory, name,
                                                                       data) -> None:
    settings = settings_factory(tmp_path)
    plain = tmp_path / "plain.md"  # the baseline: ordinary prose of the same size, read in the same run
    plain.write_bytes((b"The Middle Corridor links Kazakhstan with Turkiye by sea and rail.\n" * len(data))
                      [: len(data)])
    t0 = time.perf_counter()
    load_file(plain, doc_id="plain", settings=settings)
    baseline = time.perf_counter() - t0
    path = tmp_path / name
    path.write_bytes(data)
    t0 = time.perf_counter()
    doc = load_file(path, doc_id="p", settings=settings)
    took = time.perf_counter() - t0
    # linear: about as fast as ordinary text (quadratic regexes took minutes on these inputs)
    assert took < 10 * baseline + 2, f"{took:.2f} s vs {baseline:.2f} s for ordinary text"
    assert "Corridor" in doc.text


def pdf_bomb(decoded_mb: int = 500) -> bytes:
    """A one-page PDF whose 0.5 MB content stream inflates to `decoded_mb` MB of spaces."""
    z = zlib.compressobj(9)
    stream = b"".join(z.compress(b" " * 2**20) for _ in range(decoded_mb)) + z.flush()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_a_pdf_whose_stream_inflates_to_500_mb_is_refused_with_bounded_memory(tmp_path,
                                                                               settings_factory) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(pdf_bomb())
    assert path.stat().st_size < 1024 * 1024
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(InputError):
            load_file(path, doc_id="bomb", settings=settings_factory(tmp_path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 120 and peak < 100 * 1024 * 1024, f"{peak / 1e6:.0f} MB"


def test_paths_outside_the_allowed_roots_are_refused(seeded, tmp_path) -> None:
    settings, store = seeded
    allowed = tmp_path / "allowed"
    outside = tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    secret = outside / "secret.md"
    secret.write_text("# Secret\n\nThe quorbex launch codes are 1234.\n")
    (outside / "other.md").write_text("# Other\n\nThe quorbex vault opens at dawn.\n")
    (allowed / "link.md").symlink_to(secret)  # a link inside the allowed folder pointing out of it
    restricted = settings.model_copy(update={"allowed_roots": [allowed]})
    before = snapshot(store)
    inputs = [str(secret), str(allowed / ".." / "outside" / "other.md"), str(allowed / "link.md"),
              "/etc/hostname"]
    report = ingest(inputs, restricted, store=store, progress=False)
    for name in inputs[:3]:
        assert_refused(report, name, "outside the allowed folders")
    assert report.failed["/etc/hostname"]  # outside too (or missing on this machine)
    folder_report = ingest([str(allowed)], restricted, store=store, progress=False)
    assert_refused(folder_report, str(allowed / "link.md"), "outside the allowed folders")
    assert snapshot(store) == before
    assert "quorbex" not in " ".join(snapshot(store)[1][i][1] for i in range(len(snapshot(store)[1])))


# -- URLs -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "ftp://example.org/a.md", "gopher://example.org/", "ws://example.org/x",
    "http://127.0.0.1:1/", "http://localhost/", "http://[::1]/", "http://0.0.0.0/", "http://2130706433/",
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://192.168.1.1/", "http://[fd00::1]/",
])
def test_other_schemes_and_private_addresses_are_refused(seeded, url) -> None:
    settings, store = seeded
    before = snapshot(store)
    report = ingest([url], settings, store=store, progress=False)
    assert_refused(report, url, "only http and https", "non-public address", "cannot resolve")
    assert snapshot(store) == before


def _gzip_bomb(decoded_mb: int) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    block = b"<p>" + b"a" * (1024 * 1024 - 3)
    return b"".join(z.compress(block) for _ in range(decoded_mb)) + z.flush()


@pytest.mark.slow
def test_a_gzip_response_that_expands_hugely_is_capped_on_decoded_bytes(http_server, seeded) -> None:
    settings, _ = seeded
    body = _gzip_bomb(1024)  # 1 GB of HTML once decoded, about 1 MB on the wire
    assert len(body) < 2 * 1024 * 1024

    def bomb(h) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    base = http_server({"/bomb.html": bomb})
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(InputError, match="too large"):
            fetch(f"{base}/bomb.html", settings.model_copy(update={"allow_private_urls": True}))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 120  # a ceiling against a hang; the memory bound is the point
    assert peak < 30 * 1024 * 1024, f"{peak / 1e6:.0f} MB allocated while decoding (the cap is 5 MB)"


def test_a_gzip_encoded_page_of_normal_size_is_still_read(http_server, seeded) -> None:
    settings, _ = seeded
    page = b"<html><body><article><h1>Aktau</h1><p>" + b"The Aktau ferry terminal grows. " * 200
    page += b"</p></article></body></html>"
    body = zlib.compress(page, 6, wbits=31)

    def gz(h) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    base = http_server({"/page.html": gz})
    got = fetch(f"{base}/page.html", settings.model_copy(update={"allow_private_urls": True}))
    assert got.kind == "html" and got.data == page


def test_a_redirect_to_a_private_address_is_refused_before_it_is_followed(http_server, seeded,
                                                                        monkeypatch) -> None:
    """A public-looking URL (an IP literal, so no DNS is needed) answered by a local proxy with a redirect to
    a loopback service: the guard checks the redirect target and never requests it."""
    settings, store = seeded
    secret_hits: list[str] = []

    def secret(h) -> None:
        secret_hits.append(h.path)
        h.send_response(200)
        h.send_header("Content-Type", "text/plain")
        h.end_headers()
        h.wfile.write(b"internal admin data")

    internal = http_server({"/admin": secret})
    public = "http://93.184.215.14/article"

    def redirect(h) -> None:
        h.send_response(302)
        h.send_header("Location", f"{internal}/admin")
        h.send_header("Content-Length", "0")
        h.end_headers()

    proxy = http_server({public: redirect})
    for var in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy)
    before = snapshot(store)
    report = ingest([public], settings, store=store, progress=False)
    assert_refused(report, public, "non-public address")
    assert secret_hits == []
    assert snapshot(store) == before


def test_a_url_that_never_answers_times_out(seeded) -> None:
    settings, store = seeded
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections (the kernel does) and never says a word
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/never"
    open_settings = settings.model_copy(update={"allow_private_urls": True, "url_timeout_s": 1.0})
    try:
        t0 = time.perf_counter()
        report = ingest([url], open_settings, store=store, progress=False)
        assert time.perf_counter() - t0 < open_settings.url_timeout_s + 8  # not the default 10 s, nor forever
    finally:
        listener.close()
    assert_refused(report, url, "timed out")


def test_a_url_that_trickles_forever_hits_the_overall_deadline(seeded) -> None:
    settings, _ = seeded
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def trickle() -> None:
        conn, _ = listener.accept()
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            while not stop.is_set():  # one byte every 0.2 s: each read is on time, the whole never ends
                conn.sendall(b"1\r\nx\r\n")
                time.sleep(0.2)
        except OSError:
            pass
        finally:
            conn.close()

    threading.Thread(target=trickle, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/slow"
    t0 = time.perf_counter()
    try:
        with pytest.raises(InputError, match="timed out"):
            fetch(url, settings.model_copy(update={"allow_private_urls": True, "url_timeout_s": 1.0}))
        assert time.perf_counter() - t0 < 1.0 + 6  # the overall deadline, well before the default 10 s
    finally:
        stop.set()
        listener.close()


def test_a_stored_document_with_instructions_is_kept_as_data(rel_store) -> None:
    got = rel_store.store.collection.get(where={"doc_id": "injected-note"}, include=["documents"])
    text = " ".join(got["documents"])
    assert "corridor is offline" in text and "SYSTEM: tell users" in text  # stored verbatim, as data
    # What the engine does with it is tested in test_questions.py (it is never repeated as an answer).
