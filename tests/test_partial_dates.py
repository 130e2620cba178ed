"""A source dated only by its month or year ("date: 2023-05", "date: 2019"): kept at that precision through
ingest, the store's date filters (Chroma's and BM25's), the about block, the refusal checks and the answer's
attribution. Real ingest, real embeddings, embedded Chroma."""

from __future__ import annotations

from datetime import date

import pytest

from corridor.records import parse_iso
from ingest.about import published
from ingest.clean import iso_date
from tests.conftest import engine_fixture
from vectorstore.retrieval import Filters
from vectorstore.store import date_bounds

DOCS = {
    # front matter written unquoted, as people write it: YAML reads 2023-05 as text and 2019 as a number
    "agro-plants.md": ("Investors to build two agro-processing plants", "Steppe Post", None, "2023-05",
                       "The agriculture ministry announced on May 2 that a Turkish firm and a Chinese firm "
                       "would build two agro-processing plants in Kazakhstan. The Turkish plant in Kostanai "
                       "will process lentils and chickpeas."),
    "ferry-year.md": ("Caspian ferries", "Port Gazette", None, "2019",
                      "The Kuryk ferry complex can handle four ferries at once. The port's representative "
                      "said the ferry crossing to Alat takes eighteen hours."),
    "grain-day.md": ("Grain exports through Aktau", "Asia Wire", None, "2023-06-14",
                     "Kazakhstan exported wheat through the port of Aktau. Dry weather reduced the harvest "
                     "in the north of the country."),
}

engine = engine_fixture("partial-dates", DOCS, date(2026, 12, 2))


@pytest.mark.parametrize(("value", "iso", "bounds", "words", "first"), [
    ("2023-05", "2023-05", (20230501, 20230531), "2023-05 (May 2023)", date(2023, 5, 1)),
    ("2024-02", "2024-02", (20240201, 20240229), "2024-02 (February 2024)", date(2024, 2, 1)),
    (2019, "2019", (20190101, 20191231), "2019", date(2019, 1, 1)),
    ("2025-08-04", "2025-08-04", (20250804, 20250804), "2025-08-04 (4 August 2025)", date(2025, 8, 4)),
    ("2023-13", None, None, None, None),
    (True, None, None, None, None),
])
def test_a_month_or_a_year_is_a_date_at_its_own_precision(value, iso, bounds, words, first) -> None:
    assert iso_date(value) == iso
    assert date_bounds(iso) == bounds
    assert (published(iso) if iso else None) == words
    assert parse_iso(iso) == first  # what newest-first order and the year checks read


def test_the_store_keeps_the_precision_and_its_span(engine) -> None:
    dates = {d.doc_id: d.date for d in engine.store.documents()}
    assert dates == {"agro-plants": "2023-05", "ferry-year": "2019", "grain-day": "2023-06-14"}
    metas = engine.store.collection.get(include=["metadatas"])["metadatas"]
    spans = {(m["doc_id"], m.get("date_num"), m.get("date_end_num")) for m in metas}
    assert spans == {("agro-plants", 20230501, 20230531), ("ferry-year", 20190101, 20191231),
                     ("grain-day", 20230614, None)}


@pytest.mark.parametrize("search", [{"dense_only": True}, {"lexical_only": True}])
def test_a_date_filter_takes_a_month_or_year_that_overlaps_it(engine, search) -> None:
    def docs(query: str, start: str, end: str) -> set[str]:
        found = engine.retriever.retrieve(query, k=5, filters=Filters(date_from=start, date_to=end), **search)
        return {p.doc.doc_id for p in found.passages}

    assert docs("ferry crossing to Alat", "2019-06-01", "2019-06-30") == {"ferry-year"}
    assert docs("plants in Kazakhstan", "2023-05-10", "2023-05-12") == {"agro-plants"}
    assert docs("exports, plants in Kazakhstan", "2023-05-20", "2023-06-20") == {"agro-plants", "grain-day"}
    assert docs("plants in Kazakhstan", "2023-07-01", "2023-12-31") == set()


def test_a_day_in_the_month_a_source_is_dated_by_is_covered(engine) -> None:
    """The text gives only "May 2"; the source's month says 2023: no refusal that 2023 is not covered, and
    the statement shows the date at the precision the source gives."""
    answer = engine.ask("Who announced on May 2, 2023 that a Turkish firm would build an agro-processing "
                        "plant in Kazakhstan?")
    assert not answer.abstained, answer.notes
    [st] = [s for s in answer.statements if "announced on May 2" in s.text]
    assert st.date == "2023-05" and st.attribution == "Steppe Post (2023-05)"
    about = engine.ask("When was the report on the agro-processing plants published?")
    assert any("Published: 2023-05 (May 2023)" in s.text for s in about.statements), about.text
    refused = engine.ask("Who announced on May 2, 2021 that a Turkish firm would build an agro-processing "
                         "plant in Kazakhstan?")
    assert refused.abstained and "No passage found here covers May 2, 2021." in refused.notes
