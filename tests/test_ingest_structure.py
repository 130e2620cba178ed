"""Document structure at ingest: interview turns and speakers, the about block (bylines, publishers, dates),
infobox facts without page furniture, PDFs (wrapped lines, pages, metadata) and HTML metadata.

Real loaders and chunker; where storage is involved, the real ingest pipeline into an embedded Chroma with the
session's MiniLM model, and a real HTTP server on 127.0.0.1 for URLs.
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from answering.engine import Engine
from answering.sentences import sentences
from corridor.records import Chunk, Citation, Document, Passage
from ingest import clean
from ingest.about import LABELS
from ingest.chunking import chunk_document
from ingest.clean import clean_text, make_document
from ingest.infobox import clean_infoboxes
from ingest.loaders import from_html, from_markdown, from_pdf
from ingest.pdftext import unwrap, unwrap_pages
from ingest.pipeline import ingest
from tests.conftest import BUNDLED_CORPUS
from vectorstore.store import ChunkStore

INTERVIEW = BUNDLED_CORPUS / "00-news-az-engin-ozer-interview.md"
QUESTIONS = ("President Tokayev recently paid an official visit", "The two sides actively discussed",
             "One of the priorities mentioned")
FURNITURE = ("Image Width", "Locale:", "Map Width", "Image Symbol", "Filetype", "Flag Type", "Map:", ".svg",
             ".png", "Membership:", "Admin Center:", "Iso3166Code")


def load(path: Path) -> Document:
    return from_markdown(path.read_bytes(), doc_id=path.stem, source=str(path))


def passage(chunk: Chunk, doc: Document) -> Passage:
    return Passage(chunk=chunk, doc=doc, score=1.0, rank=1)


# -- interviews ----------------------------------------------------------------------------------------------

def test_bundled_interview_turns_keep_each_answer_with_its_question() -> None:
    doc = load(INTERVIEW)
    assert (doc.interviewer, doc.interviewee) == ("Tural Heybatov", "Engin Ozer (Turkish expert)")
    chunks = chunk_document(doc, 700, 120)
    turns = [c for c in chunks if c.kind == "turn"]
    asked = [next(q for q in QUESTIONS if c.question.startswith(q)) for c in turns]
    assert sorted(set(asked)) == sorted(QUESTIONS)
    current = None
    # A question opens its turn's first chunk (then its answer); the turn's later pieces carry it.
    for c, q in zip(turns, asked, strict=True):
        if c.text.startswith("– "):
            current = q
            assert c.text.startswith(f"– {q}") and c.text.count("\n\n– ") == 1
        assert q == current
    supplier = next(c for c in chunks if "promising alternative supplier" in c.text)
    assert "$15 billion" in supplier.question and supplier.speaker == "Engin Ozer"
    focus = next(c for c in chunks if "The visit primarily focused on trade" in c.text)
    assert focus.question.startswith(QUESTIONS[0]) and focus.text.startswith("– President Tokayev")
    intro = next(c for c in chunks if "In an interview with News.Az" in c.text)
    assert intro.speaker is None and intro.kind is None  # the introduction is not the expert speaking
    closing = [c for c in chunks if "By Tural Heybatov" in c.text]
    assert [c.kind for c in closing] == ["byline"] and closing[0].speaker is None
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text


def test_interview_speaker_and_question_survive_chroma_and_reach_the_citation(tmp_path, settings_factory,
                                                                             embeddings) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "ports.md").write_text(
        "# Caspian shipping outlook\n\n"
        "In an interview with Caspian Daily, port economist Marat Seitkali explained the ferry plans.\n\n"
        "Interviewed by Dana Lee\n\n"
        "Q: How many new ferries does the Aktau-Baku line need?\n"
        "A: At least four new vessels by 2027, according to the port authority. Demand grew in 2022.\n\n"
        "Q: Why has demand grown?\n"
        "A: Cargo moved away from the Northern Corridor after 2022. Shippers want to avoid Russia.\n",
        encoding="utf-8")
    settings = settings_factory(tmp_path)
    store = ChunkStore(settings, embeddings=embeddings)
    report = ingest([str(folder)], settings, store=store, progress=False)
    assert report.added == ["ports"] and not report.failed
    got = store.collection.get(include=["metadatas"])
    stored = store.get_passages(got["ids"])
    turns = sorted((c for c, _ in stored.values() if c.kind == "turn"), key=lambda c: c.start)
    assert [t.question for t in turns] == ["How many new ferries does the Aktau-Baku line need?",
                                           "Why has demand grown?"]
    assert all((t.speaker, t.speaker_role) == ("Marat Seitkali", "interviewee") for t in turns)
    chunk, meta = next(v for v in stored.values() if v[0].kind == "turn")
    cite = Citation.from_passage(1, Passage(chunk=chunk, doc=meta, score=1.0))
    assert (cite.speaker, cite.speaker_role, cite.publisher, cite.author) == (
        "Marat Seitkali", "interviewee", "Caspian Daily", "Dana Lee")
    about = next(c for c, _ in stored.values() if c.kind == "about")
    assert "Interviewer: Dana Lee" in about.text.splitlines() and "Interviewee: Marat Seitkali" in about.text


@pytest.mark.parametrize("text, asker_name, answerer, questions", [
    ("**What is the Middle Corridor?**\n\nIt is a route from China to Europe across the Caspian Sea.\n\n"
     "**When did cargo grow?**\n\nCargo doubled in 2022, to 1.5 million tons, say operators.\n",
     None, "Aida Nurlan", ["What is the Middle Corridor?", "When did cargo grow?"]),
    ("– Will the ferries be ready?\n\n– Two of them, by 2026. The rest follow.\n\n"
     "– And the port?\n\n– Kuryk is expanding its container terminal this year.\n",
     None, "Aida Nurlan", ["Will the ferries be ready?", "And the port?"]),
    ("Dana: How many ferries are needed?\n\nNurlan: At least four new vessels by 2027.\n\n"
     "Dana: And the ports?\n\nNurlan: Kuryk is expanding its container terminal this year.\n",
     "Dana", "Aida Nurlan", ["How many ferries are needed?", "And the ports?"]),
])
def test_generic_question_and_answer_formats(text: str, asker_name: str | None, answerer: str,
                                             questions: list[str]) -> None:
    doc = make_document(doc_id="x", text=text, source="mem", title="Ports", interviewee="Aida Nurlan")
    turns = [c for c in chunk_document(doc, 700, 120) if c.kind == "turn"]
    assert [c.question for c in turns] == questions
    assert all(c.speaker == answerer and c.speaker_role == "interviewee" for c in turns)
    assert doc.interviewer == asker_name


def test_an_article_with_one_rhetorical_question_is_not_an_interview() -> None:
    doc = make_document(doc_id="x", source="mem", text=(
        "# Ports\n\nWhat comes next for the Caspian?\n\nOperators expect more ferries by 2027, "
        "officials said on Monday in Aktau.\n"))
    assert not any(c.kind == "turn" for c in chunk_document(doc, 700, 120))
    assert doc.interviewer is None and doc.interviewee is None



ONE_EXCHANGE = (
    "# Ports of the Caspian\n\n"
    "At a forum in Aktau the port's director Aida Nurlan gave an interview to Dana Lee of Caspian Daily. "
    "The conversation took place on 5 March 2025.\n\n"
    "**Dana Lee:** How many new ferries does the Aktau-Baku line need?\n\n"
    "**Aida Nurlan:** Nurlan answered that the line needs at least four new vessels by 2027.\n\n"
    "Demand grew in 2022, she said, when cargo moved away from the Northern Corridor.\n\n"
    "In her view the container terminal at Kuryk will double its capacity within three years.\n")


def test_one_labelled_exchange_gives_its_answer_a_speaker_without_moving_the_chunks(
        tmp_path, settings_factory, embeddings) -> None:
    """One "Name:" exchange is too little to read as turns, but the answer is still the interviewee's: the
    chunks are cut exactly as for an article, and the answer's sentences (not the introduction or the
    question before the label) are attributed to her, with the label left out of the quote."""
    as_article = make_document(doc_id="x", text=ONE_EXCHANGE, source="mem", publisher="Caspian Daily")
    doc = make_document(doc_id="x", text=ONE_EXCHANGE, source="mem", publisher="Caspian Daily",
                        interviewee="Aida Nurlan (port director)")
    chunks = chunk_document(doc, 250, 40)
    body = doc.about_end + 2
    assert [(c.start - body, c.end - body) for c in chunks if c.kind is None] == [
        (c.start - as_article.about_end - 2, c.end - as_article.about_end - 2)
        for c in chunk_document(as_article, 250, 40) if c.kind is None]
    assert not any(c.kind == "turn" for c in chunks)
    spoken = [c for c in chunks if c.speaker]
    assert spoken and all((c.speaker, c.speaker_role) == ("Aida Nurlan", "interviewee") for c in spoken)
    assert all("Demand grew" in c.text or "Kuryk" in c.text or "**Aida Nurlan:**" in c.text for c in spoken)
    intro_only = [c for c in chunks if "At a forum in Aktau" in c.text and "Aida Nurlan:" not in c.text]
    assert intro_only and not any(c.speaker for c in intro_only)

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "ports.md").write_text(
        "---\ntitle: Ports of the Caspian\npublisher: Caspian Daily\ndate: 2025-03-06\n"
        "interviewee: Aida Nurlan (port director)\nauthor: Dana Lee\n---\n\n" + ONE_EXCHANGE,
        encoding="utf-8")
    settings = settings_factory(tmp_path, chunk_size=400, chunk_overlap=40)
    store = ChunkStore(settings, embeddings=embeddings)
    assert not ingest([str(folder)], settings, store=store, progress=False).failed
    engine = Engine(settings, store)
    try:
        said = engine.ask("How many new ferries does the Aktau-Baku line need?").statements
        intro = engine.ask("Who gave an interview at the forum in Aktau?").statements
    finally:
        engine.close()
    answer = next(st for st in said if "four new vessels" in st.text)
    assert answer.text.startswith("Nurlan answered")  # no "**Aida Nurlan:**" in front
    assert answer.attribution == "Aida Nurlan (Caspian Daily, 2025-03-06)"
    opening = next(st for st in intro if "At a forum in Aktau" in st.text)
    assert opening.speaker is None and opening.attribution == "Caspian Daily (2025-03-06)"


# -- the about block -----------------------------------------------------------------------------------------

def test_about_block_is_an_exact_span_of_facts_for_every_bundled_document() -> None:
    for path in sorted(BUNDLED_CORPUS.glob("*.md")):
        doc = load(path)
        assert doc.about_end > 0, path.name  # every bundled file names at least a publisher
        about = doc.text[:doc.about_end]
        assert doc.text[doc.about_end:doc.about_end + 2] == "\n\n"
        for line in about.splitlines():
            assert line.split(":", 1)[0] in LABELS and line.split(":", 1)[1].strip(), (path.name, line)
        first = chunk_document(doc, 700, 120)[0]
        assert first.kind == "about" and (first.start, first.end) == (0, doc.about_end)
        assert f"Title: {doc.title}" in about.splitlines()
    interview = load(INTERVIEW)
    about = interview.text[:interview.about_end].splitlines()
    for fact in ("Author: Tural Heybatov", "Interviewer: Tural Heybatov",
                 "Interviewee: Engin Ozer (Turkish expert)", "Publisher: News.Az",
                 "Published: 2025-08-04 (4 August 2025)"):
        assert fact in about
    crs = load(BUNDLED_CORPUS / "10-crs-kazakhstan-background-and-issues-2024.md")
    assert "Published: 2024-08-16 (16 August 2024)" in crs.text[:crs.about_end].splitlines()


def test_about_block_needs_more_than_a_title_and_the_structure_version_is_in_the_hash(monkeypatch) -> None:
    bare = make_document(doc_id="x", text="# Notes\n\nKazakh grain goes west by rail and by sea.", source="m")
    assert bare.about_end == 0 and bare.text.startswith("# Notes")
    byline = make_document(doc_id="y", source="m",
                           text="# Notes\n\nBy Ada Writer\n\nKazakh grain goes west by rail and by sea.")
    assert byline.author == "Ada Writer" and byline.text.startswith("Title: Notes\nAuthor: Ada Writer\n\n")
    before = bare.content_hash
    monkeypatch.setattr(clean, "STRUCTURE_VERSION", clean.STRUCTURE_VERSION + 1)
    again = make_document(doc_id="x", text=bare.text, source="m")
    assert again.content_hash != before  # a new chunker version re-chunks every stored document


# -- infoboxes -----------------------------------------------------------------------------------------------

def test_infobox_rows_are_facts_and_furniture_is_gone(ingested) -> None:
    _, store = ingested
    texts = [t for _, batch in store.iter_texts() for t in batch]
    for bad in FURNITURE:
        assert not any(bad in t for t in texts), bad
    empty_row = re.compile(r"^\s*(?:-\s+)?[A-Z][\w ]*:\s*[,\s]*$", re.MULTILINE)
    assert not any(empty_row.search(t) for t in texts)
    bt = load(BUNDLED_CORPUS / "06-wikipedia-baku-tbilisi-kars-railway.md")
    assert "- Linelength: 826 km" in bt.text.splitlines()
    assert "- Linelength: 826 km" in sentences(next(c.text for c in chunk_document(bt, 700, 120)
                                                    if "Linelength" in c.text))  # a sentence of its own
    eaeu = load(BUNDLED_CORPUS / "07-wikipedia-eurasian-economic-union.md").text.splitlines()
    for fact in ("- Population Estimate: 190,336,992", "- Established Date: 1994", "- Largest City: Moscow",
                 "- Leader Name: Alexander Lukashenko", "- Official Website: eaeunion.org/?lang=en"):
        assert fact in eaeu
    relations = load(BUNDLED_CORPUS / "01-wikipedia-kazakhstan-turkey-relations.md").text
    assert "- Mission: Kazakh embassy, Ankara" in relations.splitlines() and "Mission2" not in relations
    zangezur = load(BUNDLED_CORPUS / "04-wikipedia-zangezur-corridor.md").text.splitlines()
    assert "- Armenia–Azerbaijan peace agreement: 8 August 2025" in zangezur
    assert "- Trump Route for International Peace and Prosperity" in zangezur
    assert not any(line.startswith("- Map of") for line in zangezur)
    ots = load(BUNDLED_CORPUS / "05-wikipedia-organization-of-turkic-states.md").text.splitlines()
    assert "  - 2023 estimate: 160,616,392" in ots
    assert "- Official languages" not in ots and "- Emblem" not in ots
    assert "- Leaders" in ots  # a group label with rows under it stays


def test_a_flattened_infobox_run_is_split_one_fact_per_line() -> None:
    text = ("# BTK\n\nBaku–Tbilisi–Kars Railway - Image Width: 300 - Locale: , , - Electrification: overhead "
            "catenary - Linelength: 826 km - Status: Active\n\nThe railway opened in 2017 - on time.")
    assert clean_text(text).splitlines() == [
        "# BTK", "", "Baku–Tbilisi–Kars Railway", "Electrification: overhead catenary", "Linelength: 826 km",
        "Status: Active", "", "The railway opened in 2017 - on time."]
    two = "Intro line.\n\nTrade: it grew.\nImage: ferry.jpg"
    assert clean_infoboxes(two) == two  # two rows are not an infobox: nothing is dropped
    three = "Trade: it grew.\nPorts: they expanded.\nImage caption: a ferry at Aktau\nSeats: , ,"
    assert clean_infoboxes(three) == "Trade: it grew.\nPorts: they expanded."


# -- PDFs ----------------------------------------------------------------------------------------------------

def write_pdf(path: Path, pages: list[list[str]], meta: dict[str, str]) -> None:
    """A PDF with one text line per item (Helvetica), written with pypdf's object API."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    for lines in pages:
        page = writer.add_blank_page(width=612, height=792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        stream = DecodedStreamObject()
        body = "".join(f"({ln}) Tj 0 -16 Td " for ln in lines)
        stream.set_data(f"BT /F1 11 Tf 72 720 Td {body}ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    if meta:
        writer.add_metadata(meta)
    with open(path, "wb") as fh:
        writer.write(fh)


REVIEW_PAGES = [
    ["Caspian Ports Review",
     "The transport ministry of Kazakhstan said on Monday that the",
     "Aktau-Baku ferry line to need at least four new vessels by 2027. The ministry",
     "also expects the Kuryk port to double its container handling capacity",
     "within three years, as trans-",
     "port demand grows along the well-known route.",
     "A short closing line."],
    ["Operators on the second page expect that the well-",
     "known bottlenecks at the Caspian ports will ease once the new vessels arrive in service.",
     "Rail links to Baku are also being upgraded by the Azerbaijani railway company."],
]


def test_pdf_wrapped_sentences_pages_and_metadata_through_the_store(tmp_path, settings_factory,
                                                                    embeddings) -> None:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    write_pdf(folder / "review.pdf", REVIEW_PAGES, {"/Title": "Caspian Ports Review",
                                                    "/Author": "Aigerim Sadykova",
                                                    "/CreationDate": "D:20241105093000+05'00'"})
    write_pdf(folder / "untitled.pdf", REVIEW_PAGES[:1], {})
    settings = settings_factory(tmp_path, chunk_size=300, chunk_overlap=40)
    store = ChunkStore(settings, embeddings=embeddings)
    report = ingest([str(folder)], settings, store=store, progress=False)
    assert sorted(report.added) == ["review", "untitled"] and not report.failed
    got = store.collection.get(where={"doc_id": "review"}, include=[])
    stored = store.get_passages(got["ids"])
    chunks = sorted((c for c, _ in stored.values()), key=lambda c: c.start)
    meta = next(iter(stored.values()))[1]
    assert (meta.title, meta.author, meta.date) == ("Caspian Ports Review", "Aigerim Sadykova", "2024-11-05")
    said = ("The transport ministry of Kazakhstan said on Monday that the Aktau-Baku ferry line to need at "
            "least four new vessels by 2027.")
    assert any(said in sentences(c.text) for c in chunks)  # one sentence, not two lines
    body = " ".join(c.text for c in chunks)
    assert "as transport demand grows" in body  # "trans-" + "port": the line-end hyphen is undone
    assert "the well-known bottlenecks" in body  # the document writes "well-known": its hyphen stays
    assert chunks[0].kind == "about" and chunks[0].page is None
    assert "Author: Aigerim Sadykova" in chunks[0].text.splitlines()
    pages = {c.page for c in chunks[1:]}
    assert pages == {1, 2}
    second = next(c for c in chunks if "Operators on the second page" in c.text)
    assert second.page == 2 and "Caspian Ports Review" not in second.text  # no chunk spans two pages
    assert Citation.from_passage(1, passage(second, meta)).page == 2
    untitled = next(iter(store.get_passages(store.collection.get(where={"doc_id": "untitled"})["ids"])
                         .values()))[1]
    assert untitled.title == "untitled" and untitled.author is None and untitled.date is None


def test_unwrap_keeps_paragraphs_lists_and_headings(tmp_path) -> None:
    page = ("Summary\nThe corridor carried more cargo in 2022 than in any year\nbefore it. Shippers "
            "moved west.\nShort end.\n• first item\n• second item that wraps\nover a line\n\nNext paragraph.")
    assert unwrap(page).split("\n") == [
        "Summary", "",
        "The corridor carried more cargo in 2022 than in any year before it. Shippers moved west.",
        "", "Short end.", "• first item", "• second item that wraps over a line", "", "Next paragraph."]
    assert unwrap_pages(["Aktau-\nBaku ferries, re-\nsumed in May, are well-\nknown."])[0] == \
        "Aktau-Baku ferries, resumed in May, are wellknown."
    write_pdf(tmp_path / "one.pdf", [["One page with a line of text about the Caspian ports."]],
              {"/Author": "Ada Writer"})
    doc = from_pdf((tmp_path / "one.pdf").read_bytes(), doc_id="one", source="m")
    assert doc.page_starts == [doc.about_end + 2]
    assert doc.text.startswith("Title: one\nAuthor: Ada Writer\n\n")


# -- HTML ----------------------------------------------------------------------------------------------------

HTML = (b"<html><head><title>Kazakhstan plans new Caspian ferries | Caspian Daily</title>"
        b"<meta name='author' content='Aigerim Sadykova'>"
        b"<meta property='og:site_name' content='Caspian Daily'>"
        b"<meta property='og:title' content='Kazakhstan plans new Caspian ferries'>"
        b"<meta property='article:published_time' content='2024-11-05T09:00:00Z'></head><body><nav>Menu</nav>"
        b"<article><h1>Kazakhstan plans new Caspian ferries</h1><p class='byline'>By Aigerim Sadykova</p>"
        b"<p>The Aktau-Baku ferry line will need at least four new vessels by 2027, officials in Astana said "
        b"on Tuesday. The plan is part of the Middle Corridor upgrade.</p><p>Port capacity at Kuryk is also "
        b"being expanded to handle more container traffic across the Caspian Sea in the coming years.</p>"
        b"</article><footer>Footer links</footer></body></html>")


class _Page(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(HTML)))
        self.end_headers()
        self.wfile.write(HTML)


def test_html_metadata_fills_the_about_block_over_http(tmp_path, settings_factory, embeddings) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/news/ferries.html"
        settings = settings_factory(tmp_path, allow_private_urls=True)
        store = ChunkStore(settings, embeddings=embeddings)
        report = ingest([url], settings, store=store, progress=False)
    finally:
        server.shutdown()
        server.server_close()
    assert len(report.added) == 1 and not report.failed
    stored = store.get_passages(store.collection.get()["ids"])
    chunk, meta = next(v for v in stored.values() if v[0].kind == "about")
    assert (meta.title, meta.author, meta.publisher, meta.date, meta.url) == (
        "Kazakhstan plans new Caspian ferries", "Aigerim Sadykova", "Caspian Daily", "2024-11-05", url)
    assert chunk.text.splitlines() == [
        "Title: Kazakhstan plans new Caspian ferries", "Author: Aigerim Sadykova", "Publisher: Caspian Daily",
        "Published: 2024-11-05 (5 November 2024)"]
    cite = Citation.from_passage(1, Passage(chunk=chunk, doc=meta, score=1.0))
    assert (cite.author, cite.publisher, cite.date, cite.quote) == (
        "Aigerim Sadykova", "Caspian Daily", "2024-11-05", chunk.text)


@pytest.mark.parametrize(("tag", "author"), [
    ("News.Az", "News.Az"),  # trafilatura alone gives "News Az"
    ("N. Kirtskhalia", "N. Kirtskhalia"),  # "N Kirtskhalia"
    ("invest.e-vko.kz", "invest.e-vko.kz"),  # "Invest E-Vko Kz"
    ("Kavkaz Plus (from Agenda.ge)", "Kavkaz Plus"),  # more apart than punctuation: trafilatura's stands
])
def test_html_author_keeps_the_page_s_spelling(tag: str, author: str) -> None:
    page = (f'<html><head><title>Ferries</title><meta name="author" content="{tag}"></head><body><article>'
            "<h1>Ferries</h1><p>Kazakhstan plans to order four new ferries for the Caspian route to Baku, "
            "the ministry said on Tuesday.</p></article></body></html>").encode()
    assert from_html(page, doc_id="d", source="d").author == author
