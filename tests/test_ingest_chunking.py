"""Cleaning, metadata normalisation and chunking: spans, stability, headings (no model, no store)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunking import MIN_CHUNK_CHARS, chunk_document
from ingest.clean import clean_text, iso_date, make_document, public_url, slugify
from ingest.loaders import from_markdown
from ingest.pipeline import folder_doc_id
from tests.conftest import BUNDLED_CORPUS

_words = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=40)
_marks = ["\n", "\n\n", "\n\n\n", ". ", "! ", "# Heading\n", "## Sub part\n", "  "]
_blocks = st.lists(
    st.one_of(_words, st.sampled_from(_marks)),
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(parts=_blocks, size=st.integers(20, 400), overlap=st.integers(0, 120))
def test_every_chunk_span_points_at_its_text(parts: list[str], size: int, overlap: int) -> None:
    doc = make_document(doc_id="d", text="".join(parts), source="mem")
    chunks = chunk_document(doc, size, overlap)
    for i, c in enumerate(chunks):
        assert doc.text[c.start : c.end] == c.text
        assert c.ordinal == i and c.text.strip()
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)
    if doc.text.strip():
        assert chunks, "non-empty text gives at least one chunk"


def test_bundled_corpus_spans_headings_and_stable_ids() -> None:
    for path in sorted(BUNDLED_CORPUS.glob("*.md")):
        doc = from_markdown(path.read_bytes(), doc_id=path.stem, source=str(path))
        first = chunk_document(doc, 700, 120)
        again = chunk_document(from_markdown(path.read_bytes(), doc_id=path.stem, source=str(path)), 700, 120)
        assert [c.chunk_id for c in first] == [c.chunk_id for c in again]
        assert len({c.chunk_id for c in first}) == len(first)
        for c in first:
            assert doc.text[c.start : c.end] == c.text
            assert len(c.text) <= 700 + MIN_CHUNK_CHARS  # a lone heading is folded into the next chunk
            # Short chunks only for the facts of the about block or an interview's closing byline.
            assert len(c.text) >= MIN_CHUNK_CHARS or len(first) == 1 or c.kind in ("about", "byline")
            upto = doc.text[: c.start + len(c.text.split("\n", 1)[0])]  # through the chunk's first line
            above = [ln for ln in upto.splitlines() if ln.startswith("#")]
            expected = above[-1].lstrip("#").strip() if above else None
            assert c.heading == expected, (path.name, c.ordinal)


def test_front_matter_becomes_metadata_and_markers_are_dropped() -> None:
    path = BUNDLED_CORPUS / "01-wikipedia-kazakhstan-turkey-relations.md"
    doc = from_markdown(path.read_bytes(), doc_id=path.stem, source=str(path))
    assert doc.title == "Kazakhstan–Turkey relations"
    assert doc.url == "https://en.wikipedia.org/wiki/Kazakhstan%E2%80%93Turkey_relations"
    assert doc.licence.startswith("CC BY-SA 4.0")
    assert doc.publisher.startswith("Wikipedia")
    assert doc.date is None  # "revision date not shown ..." is not a date
    assert "Excerpt ends here" not in doc.text and "title:" not in doc.text
    interview = BUNDLED_CORPUS / "00-news-az-engin-ozer-interview.md"
    doc0 = from_markdown(interview.read_bytes(), doc_id=interview.stem, source=str(interview))
    assert (doc0.date, doc0.author, doc0.url) == ("2025-08-04", "Tural Heybatov", None)


def test_content_hash_follows_text_and_metadata() -> None:
    def digest(text: str, title: str = "T") -> str:
        return make_document(doc_id="x", text=text, source="s", title=title).content_hash

    assert digest("Hello world.") == digest("Hello world.\n\n")
    assert digest("Hello world.") != digest("Hello world!")
    assert digest("Hello world.") != digest("Hello world.", title="U")


def test_small_normalisations(tmp_path) -> None:
    assert iso_date(date(2025, 8, 4)) == "2025-08-04"
    assert iso_date("2024-08-16") == "2024-08-16"
    assert iso_date("2024-08-16T10:00:00Z") == "2024-08-16"
    assert iso_date("2023 (2023 edition)") is None and iso_date(None) is None
    assert public_url("not given in the seed file") is None
    assert slugify("Türkiye & Kazakhstan: 2025!") == "turkiye-kazakhstan-2025"
    assert clean_text("a  \r\n\r\n\r\n\r\nb\n[Excerpt ends here — rest missing.]\n") == "a\n\nb"
    root = tmp_path
    assert folder_doc_id(root / "00-news.md", root) == "00-news"
    assert folder_doc_id(root / "Sub Dir" / "b.md", root) == "sub-dir--b"
