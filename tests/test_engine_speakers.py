"""A quoted sentence that names its speaker only as "he" or "she", through the real pipeline (real
embeddings, embedded Chroma): the sentence before it, which names the speaker, follows it in the answer."""

from __future__ import annotations

from datetime import date

import pytest

from answering.engine import Engine
from tests.conftest import dated_engine

NAMING = ("Aidarbek Saparov, Kazakhstan's Minister of Agriculture, spoke at the opening of a greenhouse "
          "complex in Shymkent.")
SAID = "Kazakhstan is carrying out 14 projects with Turkish investors, worth $1.1 billion in total, he said."
DOCS = {
    "greenhouse.md": ("A greenhouse complex opens in Shymkent", "Steppe Post", None, "2025-04-10",
                      f"{NAMING} {SAID} The complex will grow tomatoes and cucumbers all year round."),
    "grain-notes.md": ("Notes on the grain trade", "Corridor Desk", None, "2024-03-01",
                       "Kazakhstan exports most of its wheat to Central Asia and Afghanistan. Grain moves by "
                       "rail to the Caspian ports of Aktau and Kuryk. Turkish millers buy Kazakh wheat."),
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory, settings_factory, embeddings) -> Engine:
    eng = dated_engine(tmp_path_factory.mktemp("speakers"), DOCS, settings_factory, embeddings,
                       date(2026, 12, 2))
    yield eng
    eng.close()


def test_a_he_said_opening_is_followed_by_the_sentence_naming_him(engine) -> None:
    answer = engine.ask("Who said that Kazakhstan has 14 projects with Turkish investors?")
    assert not answer.abstained, answer.notes
    texts = [s.text for s in answer.statements]
    assert texts[0] == SAID, texts  # the sentence that answers opens …
    assert texts[1] == NAMING, texts  # … and the one that says who "he" is comes next, from the same source
    assert answer.statements[0].citations == answer.statements[1].citations
    assert "Saparov" in answer.text
