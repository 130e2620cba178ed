"""Read one source (a local file or fetched bytes) into a cleaned Document, or fail with a short reason.

Markdown and plain text may carry YAML front matter (title, source_url, publisher, author, date, license,
interviewer, interviewee); HTML goes through trafilatura (main text and metadata: title, author, site name,
date, URL); PDF through pypdf (wrapped lines joined, pages kept; /Title, /Author and /CreationDate fill what
the caller does not give).
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from corridor.errors import InputError
from corridor.records import Document
from corridor.settings import Settings

from .clean import iso_date, make_document, public_url
from .pdftext import unwrap_pages

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES


def decode_text(data: bytes) -> str:
    """UTF-8 text, or InputError for binary data and other encodings."""
    if b"\x00" in data:
        raise InputError("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 text (bad byte at offset {exc.start})") from exc


def _require_text(doc: Document) -> Document:
    if not doc.text.strip():
        raise InputError("no text to ingest (empty after cleaning)")
    return doc


def from_markdown(data: bytes, *, doc_id: str, source: str, url: str | None = None) -> Document:
    """Markdown or plain text, with or without YAML front matter."""
    import frontmatter

    text = decode_text(data)
    try:
        post = frontmatter.loads(text)
    except Exception as exc:  # python-frontmatter raises yaml's errors for malformed front matter
        raise InputError(f"front matter is not valid YAML ({type(exc).__name__})") from exc
    meta = post.metadata
    return _require_text(make_document(
        doc_id=doc_id, text=post.content, source=source, title=meta.get("title"),
        url=public_url(meta.get("source_url")) or public_url(meta.get("url")) or url,
        publisher=meta.get("publisher"), author=meta.get("author"), date_value=meta.get("date"),
        licence=meta.get("license", meta.get("licence")), interviewer=meta.get("interviewer"),
        interviewee=meta.get("interviewee"),
    ))


def from_html(data: bytes, *, doc_id: str, source: str, url: str | None = None) -> Document:
    """The main text of an HTML page (trafilatura), as Markdown so headings survive."""
    import trafilatura

    if b"\x00" in data:
        raise InputError("binary file (contains NUL bytes), not HTML")
    text = trafilatura.extract(data, url=url, output_format="markdown", include_formatting=True,
                               include_tables=True, include_comments=False)
    if not text:
        raise InputError("no main text found in the HTML")
    tree = trafilatura.load_html(data)  # parsed once for the metadata and the author tags
    tags = _author_tags(tree)  # read before extract_metadata, whose date search may prune the tree
    meta = trafilatura.extract_metadata(tree, default_url=url) if tree is not None else None
    return _require_text(make_document(
        doc_id=doc_id, text=text, source=source, title=meta.title if meta else None,
        url=url or (public_url(meta.url) if meta else None),
        publisher=_site_name(meta.sitename) if meta else None,
        author=_spelt_as(tags, meta.author) if meta else None,
        date_value=meta.date if meta else None, licence=meta.license if meta else None,
    ))


def _author_tags(tree) -> list[str]:
    """The contents of the page's author meta tags."""
    if tree is None:
        return []
    return tree.xpath('//meta[@name="author" or @property="author" or @property="article:author" or '
                      '@name="article:author"]/@content')


def _spelt_as(tags: list[str], found: str | None) -> str | None:
    """trafilatura's author, spelt as the page's own author tag spells it: its normalisation drops dots and
    title-cases ("News.Az" → "News Az", "N. Kirtskhalia" → "N Kirtskhalia", "invest.e-vko.kz" → "Invest E-Vko
    Kz"); a tag that differs from what it found only in punctuation, spacing and case gives the name back."""
    if not found:
        return found
    key = _letters(found)
    return next((tag.strip() for tag in tags if _letters(tag) == key), found)


def _letters(name: str) -> str:
    return re.sub(r"[\W_]+", "", name).casefold()


def _pdf_date(info) -> str | None:
    """The PDF's /CreationDate as an ISO date (pypdf parses "D:20240816…"), None when absent or damaged."""
    try:
        return iso_date(info.creation_date) if info is not None else None
    except Exception:  # a malformed date string: pypdf raises ValueError or its own errors
        return None


def _site_name(name: str | None) -> str | None:
    """trafilatura's site name, unless it is only a host and port or an address (its fallback for a page
    that names no site): "127.0.0.1:8000" publishes nothing."""
    if not name or re.fullmatch(r"[\w.-]+:\d+|[\d.]+|\[[0-9a-f:]+\](?::\d+)?", name.strip(), re.IGNORECASE):
        return None
    return name


# pypdf logs what it finds wrong with a damaged file ("EOF marker not found") through Python's last-resort
# handler, a stray line on the user's terminal beside the one-line failure the ingest report already gives.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def from_pdf(data: bytes, *, doc_id: str, source: str, url: str | None = None) -> Document:
    """The text of every page of a PDF (pypdf), wrapped lines joined, pages separated by blank lines."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError("encrypted PDF")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        info = reader.metadata
        title, author, created = (info.title, info.author, _pdf_date(info)) if info else (None, None, None)
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise InputError(f"not a readable PDF ({type(exc).__name__})") from exc
    return _require_text(make_document(
        doc_id=doc_id, text="", pages=unwrap_pages(pages), source=source, url=url,
        title=title, author=author, date_value=created,
    ))


def load_bytes(data: bytes, kind: str, *, doc_id: str, source: str, url: str | None = None) -> Document:
    """Dispatch on kind: "text", "html" or "pdf"."""
    loader = {"text": from_markdown, "html": from_html, "pdf": from_pdf}[kind]
    return loader(data, doc_id=doc_id, source=source, url=url)


def kind_of_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in PDF_SUFFIXES:
        return "pdf"
    return "text"


def within_roots(path: Path, settings: Settings) -> bool:
    if not settings.allowed_roots:
        return True
    resolved = path.resolve()
    return any(resolved.is_relative_to(Path(root).resolve()) for root in settings.allowed_roots)


def load_file(path: Path, *, doc_id: str, settings: Settings) -> Document:
    """Read a local file (size checked before reading) into a Document."""
    if not within_roots(path, settings):
        raise InputError("outside the allowed folders (CORRIDOR_ALLOWED_ROOTS)")
    try:
        size = path.stat().st_size
        if size > settings.max_file_bytes:
            raise InputError(f"file too large ({size} bytes; the limit is {settings.max_file_bytes})")
        if size == 0:
            raise InputError("empty file")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or type(exc).__name__})") from exc
    return load_bytes(data, kind_of_suffix(path), doc_id=doc_id, source=str(path.resolve()))
