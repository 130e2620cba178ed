"""Ingest end to end with the real model and an embedded Chroma: incremental, idempotent, robust."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest

from corridor.errors import IngestBusy
from ingest.pipeline import ingest, write_lock
from tests.conftest import BUNDLED_CORPUS
from vectorstore.store import ChunkStore

pytestmark = pytest.mark.slow


def stored_state(store: ChunkStore) -> dict[str, tuple[str, ...]]:
    """doc_id → sorted chunk ids; asserts the store holds no stale or duplicate chunks."""
    got = store.collection.get(include=["metadatas", "documents"])
    by_doc: dict[str, list[str]] = {}
    for cid, meta in zip(got["ids"], got["metadatas"], strict=True):
        by_doc.setdefault(meta["doc_id"], []).append(cid)
        assert meta["chunk_id"] == cid
    for doc_id, ids in by_doc.items():
        metas = store.collection.get(ids=ids, include=["metadatas"])["metadatas"]
        hashes = {m["content_hash"] for m in metas}
        assert len(hashes) == 1, f"{doc_id} mixes versions"
        ordinals = Counter(m["ordinal"] for m in metas)
        assert sorted(ordinals) == list(range(len(ids))) and max(ordinals.values()) == 1, doc_id
        assert all(m["n_chunks"] == len(ids) for m in metas)
    return {k: tuple(sorted(v)) for k, v in by_doc.items()}


def test_bundled_corpus_is_ingested_with_full_metadata(ingested, ingest_report) -> None:
    _, store = ingested
    assert len(ingest_report.added) == 14 and not ingest_report.failed
    assert ingest_report.chunks_written == ingest_report.chunks_embedded == store.count() > 14
    docs = store.documents()
    assert [d.doc_id for d in docs] == sorted(p.stem for p in BUNDLED_CORPUS.glob("*.md"))
    assert sum(d.chunks for d in docs) == store.count()
    stored_state(store)
    got = store.collection.get(where={"doc_id": "10-crs-kazakhstan-background-and-issues-2024"},
                               include=["metadatas", "documents"])
    meta = next(m for m in got["metadatas"] if m.get("kind") != "about")  # the about block has no heading
    assert meta["date"] == "2024-08-16" and meta["date_num"] == 20240816
    assert meta["licence"].startswith("Public domain") and meta["url"].startswith("https://")
    for key in ("title", "source", "publisher", "content_hash", "start", "end", "ordinal", "heading"):
        assert key in meta


def test_second_run_is_a_no_op(ingested) -> None:
    settings, store = ingested
    generation = store.generation()
    report = ingest(None, settings, store=store, progress=False)
    assert len(report.unchanged) == 14
    assert not (report.added or report.updated or report.removed or report.failed)
    assert report.chunks_embedded == report.chunks_written == 0
    assert store.generation() == generation  # nothing written, nothing for BM25 to rebuild


class CountingEmbeddings:
    """Wraps the real model and records which texts it was asked to embed."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def embed_documents(self, texts):
        self.texts.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_editing_one_file_re_embeds_only_its_new_text(tmp_path, settings_factory, embeddings,
                                                      small_corpus) -> None:
    settings = settings_factory(tmp_path)
    counting = CountingEmbeddings(embeddings)
    store = ChunkStore(settings, embeddings=counting)
    first = ingest([str(small_corpus)], settings, store=store, progress=False)
    assert len(first.added) == 3
    before = stored_state(store)
    counting.texts.clear()

    target = small_corpus / "04-wikipedia-zangezur-corridor.md"
    target.write_text(target.read_text() + "\n\nA brand new closing paragraph about the corridor in 2026.\n")
    generation = store.generation()
    report = ingest([str(small_corpus)], settings, store=store, progress=False)
    assert report.updated == ["04-wikipedia-zangezur-corridor"]
    assert sorted(report.unchanged) == ["00-news-az-engin-ozer-interview",
                                        "13-usda-fas-kazakhstan-grain-and-feed-update-2014"]
    assert 0 < report.chunks_embedded == len(counting.texts) < report.chunks_written
    new_texts = store.collection.get(where={"doc_id": "04-wikipedia-zangezur-corridor"},
                                     include=["documents"])["documents"]
    assert set(counting.texts) <= set(new_texts)  # only the edited document's new texts were embedded
    assert any("2026" in t for t in counting.texts)
    after = stored_state(store)
    assert after["00-news-az-engin-ozer-interview"] == before["00-news-az-engin-ozer-interview"]
    assert after["04-wikipedia-zangezur-corridor"] != before["04-wikipedia-zangezur-corridor"]
    assert store.generation() != generation


def test_prune_removes_deleted_files_only(tmp_path, settings_factory, embeddings, small_corpus) -> None:
    settings = settings_factory(tmp_path)
    store = ChunkStore(settings, embeddings=embeddings)
    extra = tmp_path / "single.md"
    extra.write_text("# Outside\n\nA document ingested on its own, outside the folder.\n")
    ingest([str(small_corpus), str(extra)], settings, store=store, progress=False)
    (small_corpus / "13-usda-fas-kazakhstan-grain-and-feed-update-2014.md").unlink()

    no_prune = ingest([str(small_corpus)], settings, store=store, progress=False)
    assert no_prune.removed == []
    assert "13-usda-fas-kazakhstan-grain-and-feed-update-2014" in stored_state(store)
    report = ingest([str(small_corpus)], settings, store=store, prune=True, progress=False)
    assert report.removed == ["13-usda-fas-kazakhstan-grain-and-feed-update-2014"]
    assert set(stored_state(store)) == {"00-news-az-engin-ozer-interview", "04-wikipedia-zangezur-corridor",
                                        "single"}


def _write_pdf(path, text: str) -> None:
    """A one-page PDF with real text, written with pypdf (Helvetica, one line per text line)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=612, height=792)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    lines = "".join(f"({ln}) Tj 0 -16 Td " for ln in text.splitlines())
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 72 720 Td {lines}ET".encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    writer.add_metadata({"/Title": "Caspian ports memo", "/Author": "Test Author"})
    with open(path, "wb") as fh:
        writer.write(fh)


def test_bad_files_are_reported_by_name_and_the_rest_goes_on(tmp_path, settings_factory, embeddings,
                                                             small_corpus) -> None:
    settings = settings_factory(tmp_path, max_file_bytes=50_000)
    store = ChunkStore(settings, embeddings=embeddings)
    ingest([str(small_corpus)], settings, store=store, progress=False)
    before = stored_state(store)

    (small_corpus / "00-news-az-engin-ozer-interview.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (small_corpus / "bad-utf8.md").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (small_corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not really a pdf")
    (small_corpus / "empty.txt").write_bytes(b"")
    (small_corpus / "blank.md").write_text("---\ntitle: Only front matter\n---\n\n   \n")
    (small_corpus / "huge.md").write_text("word " * 20_000)
    (small_corpus / "bad-yaml.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    _write_pdf(small_corpus / "memo.pdf", "Aktau and Kuryk ports handle Caspian ferries.\nSecond memo line.")
    (small_corpus / "page.html").write_text(
        "<html><head><title>Page</title></head><body><nav>Home | About</nav><article><h1>Grain routes</h1>"
        "<p>Kazakh wheat reaches Turkish mills through Caspian and Black Sea routes, a long paragraph "
        "that trafilatura keeps as main text because it is long enough.</p></article>"
        "<footer>Copyright footer</footer></body></html>")

    report = ingest([str(small_corpus)], settings, store=store, progress=False)
    failed = {name.rsplit("/", 1)[-1]: why for name, why in report.failed.items()}
    assert set(failed) == {"00-news-az-engin-ozer-interview.md", "bad-utf8.md", "broken.pdf", "empty.txt",
                           "blank.md", "huge.md", "bad-yaml.md"}
    assert "binary" in failed["00-news-az-engin-ozer-interview.md"]
    assert "UTF-8" in failed["bad-utf8.md"]
    assert "PDF" in failed["broken.pdf"]
    assert "empty" in failed["empty.txt"] and "no text" in failed["blank.md"]
    assert "too large" in failed["huge.md"] and "YAML" in failed["bad-yaml.md"]
    assert sorted(report.added) == ["memo", "page"]
    after = stored_state(store)
    assert after["00-news-az-engin-ozer-interview"] == before["00-news-az-engin-ozer-interview"]  # intact

    memo = store.doc_chunks("memo")["metadatas"][0]
    assert memo["title"] == "Caspian ports memo" and memo["author"] == "Test Author"
    memo_text = "\n".join(store.collection.get(where={"doc_id": "memo"}, include=["documents"])["documents"])
    assert "Aktau and Kuryk" in memo_text and "Author: Test Author" in memo_text  # text, and the about block
    page = store.collection.get(where={"doc_id": "page"}, include=["documents", "metadatas"])
    page_text = "\n".join(page["documents"])
    assert "Kazakh wheat" in page_text and "Copyright footer" not in page_text
    assert page["metadatas"][0]["title"] == "Grain routes"


class FailingStore(ChunkStore):
    """Dies in the write step after `allowed` successful deletes: simulates an interrupted run. The pipeline
    writes a group of documents (every one of the small corpus) and then deletes their stale chunks in one
    call, so with none allowed every document's new version is stored and its old one not yet deleted."""

    allowed = 0

    def delete(self, ids):
        if ids:
            if self.allowed <= 0:
                raise KeyboardInterrupt("simulated crash between upsert and delete")
            self.allowed -= 1
        return super().delete(ids)


def test_interrupted_run_is_finished_by_a_rerun_without_duplicates(tmp_path, settings_factory, embeddings,
                                                                   small_corpus) -> None:
    settings = settings_factory(tmp_path)
    ingest([str(small_corpus)], settings, store=ChunkStore(settings, embeddings=embeddings), progress=False)
    for path in small_corpus.glob("*.md"):
        path.write_text(path.read_text() + f"\n\nAn edited closing paragraph for {path.stem}.\n")
    crashing = FailingStore(settings, embeddings=embeddings)
    with pytest.raises(KeyboardInterrupt):
        ingest([str(small_corpus)], settings, store=crashing, progress=False)

    store = ChunkStore(settings, embeddings=embeddings)
    assert {m["doc_id"] for m in store.collection.get(include=["metadatas"])["metadatas"]} == {
        p.stem for p in small_corpus.glob("*.md")}  # nothing was lost
    crashed_count = store.count()
    report = ingest([str(small_corpus)], settings, store=store, progress=False)
    assert report.updated and not report.failed
    state = stored_state(store)  # one version per document, no duplicates

    fresh_settings = settings_factory(tmp_path / "fresh")
    fresh = ChunkStore(fresh_settings, embeddings=embeddings)
    ingest([str(small_corpus)], fresh_settings, store=fresh, progress=False)
    assert stored_state(fresh) == state  # same ids as a clean ingest of the same files
    assert crashed_count > fresh.count()  # the crash really left a half-replaced document behind


def test_a_second_ingest_is_refused_while_one_holds_the_lock(tmp_path, settings_factory) -> None:
    settings = settings_factory(tmp_path)
    with write_lock(settings), pytest.raises(IngestBusy, match="already running"):
        ingest([str(BUNDLED_CORPUS)], settings, progress=False)


def test_missing_inputs_and_refused_roots(tmp_path, settings_factory, embeddings, small_corpus) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(BUNDLED_CORPUS / "13-usda-fas-kazakhstan-grain-and-feed-update-2014.md", outside / "x.md")
    settings = settings_factory(tmp_path, allowed_roots=[small_corpus])
    store = ChunkStore(settings, embeddings=embeddings)
    inputs = [str(tmp_path / "missing.md"), str(outside / "x.md")]
    report = ingest(inputs, settings, store=store, progress=False)
    assert report.failed[str(tmp_path / "missing.md")] == "no such file or folder"
    assert "outside the allowed folders" in report.failed[str(outside / "x.md")]
    assert store.count() == 0


KILLED_CHILD = """
import os, signal, sys
from corridor.settings import Settings
from ingest.pipeline import ingest
from vectorstore.store import ChunkStore

class DiesMidWrite(ChunkStore):
    def delete(self, ids):
        if ids:  # new chunks are stored, old ones not yet deleted: die like a power cut
            os.kill(os.getpid(), signal.SIGKILL)
        return super().delete(ids)

settings = Settings(data_dir=sys.argv[1], store_dir=sys.argv[2], chroma_host=None)
ingest([sys.argv[3]], settings, store=DiesMidWrite(settings), progress=False)
"""


def test_a_killed_ingest_releases_the_lock_and_a_rerun_repairs_the_store(tmp_path, settings_factory,
                                                                         embeddings, small_corpus) -> None:
    import subprocess
    import sys

    settings = settings_factory(tmp_path)
    ingest([str(small_corpus)], settings, store=ChunkStore(settings, embeddings=embeddings), progress=False)
    target = small_corpus / "00-news-az-engin-ozer-interview.md"
    target.write_text(target.read_text() + "\n\nA closing paragraph added before the crash.\n")
    child = subprocess.run([sys.executable, "-c", KILLED_CHILD, str(tmp_path), str(settings.store_dir),
                            str(small_corpus)], capture_output=True, text=True, timeout=300)
    assert child.returncode == -9, child.stderr[-2000:]

    store = ChunkStore(settings, embeddings=embeddings)
    report = ingest([str(small_corpus)], settings, store=store, progress=False)  # the lock was released
    assert report.updated == ["00-news-az-engin-ozer-interview"] and report.chunks_embedded == 0
    state = stored_state(store)
    assert len(state) == 3
    texts = store.collection.get(where={"doc_id": "00-news-az-engin-ozer-interview"},
                                 include=["documents"])["documents"]
    assert any("added before the crash" in t for t in texts)


def test_an_update_never_sends_a_stored_chunks_vector_again(tmp_path, settings_factory, embeddings,
                                                            small_corpus, monkeypatch) -> None:
    """Chroma's local HNSW re-inserts a vector sent again for a stored id (hnswlib updatePoint) in parallel
    with the other inserts of its batch, when written and whenever a process replays the log at open; that
    race left a live chunk unreachable by dense search (docs/RELIABILITY.md). So a chunk whose id is stored
    (same document, ordinal and text) gets only its metadata rewritten: after an edit, and in the re-run
    after an interrupted one, which finds the new version's chunks already stored."""
    from chromadb.api.models.Collection import Collection

    settings = settings_factory(tmp_path)
    store = ChunkStore(settings, embeddings=embeddings)
    ingest([str(small_corpus)], settings, store=store, progress=False)
    resent: list[str] = []
    kept: list[str] = []
    upsert, update = Collection.upsert, Collection.update

    def spying_upsert(self, ids, embeddings=None, **kwargs):
        if embeddings is not None:
            stored = set(self.get(ids=list(ids), include=[])["ids"])
            resent.extend(f"{self.name}/{cid}" for cid in ids if cid in stored)
        return upsert(self, ids=ids, embeddings=embeddings, **kwargs)

    def spying_update(self, ids, embeddings=None, **kwargs):
        kept.extend(ids if embeddings is None else [])
        return update(self, ids=ids, embeddings=embeddings, **kwargs)

    monkeypatch.setattr(Collection, "upsert", spying_upsert)
    monkeypatch.setattr(Collection, "update", spying_update)
    for path in small_corpus.glob("*.md"):  # every document changes; its about block and most chunks do not
        path.write_text(path.read_text() + f"\n\nAn edited closing paragraph for {path.stem}.\n")
    with pytest.raises(KeyboardInterrupt):
        ingest([str(small_corpus)], settings, store=FailingStore(settings, embeddings=embeddings),
               progress=False)
    report = ingest([str(small_corpus)], settings, store=store, progress=False)
    assert report.updated and not report.failed
    assert resent == []
    assert kept  # stored chunks were kept, with only their metadata rewritten (the case this guards)
    stored_state(store)  # one version per document: the kept chunks carry the new content hash


def test_a_kept_chunk_loses_the_metadata_its_new_version_no_longer_has(tmp_path, settings_factory, embeddings,
                                                                      small_corpus) -> None:
    """Chunks whose text is unchanged keep their vectors and get their metadata by Chroma's `update`, which
    merges: a field removed from the document (here its licence) must be removed from them too."""
    settings = settings_factory(tmp_path)
    store = ChunkStore(settings, embeddings=embeddings)
    ingest([str(small_corpus)], settings, store=store, progress=False)
    doc = "04-wikipedia-zangezur-corridor"
    before = set(store.collection.get(where={"doc_id": doc}, include=[])["ids"])
    path = small_corpus / f"{doc}.md"
    path.write_text("".join(line for line in path.read_text().splitlines(keepends=True)
                            if not line.startswith("license:")))
    report = ingest([str(small_corpus)], settings, store=store, progress=False)
    assert report.updated == [doc]
    got = store.collection.get(where={"doc_id": doc}, include=["metadatas"])
    assert before & set(got["ids"])  # body chunks kept (their text did not change) …
    assert not [m for m in got["metadatas"] if "licence" in m]  # … and none still carries the licence
    stored_state(store)
