"""The value check (answering/coverage.py missing_value): a question that asks for a date, a number or a
length is refused when the sentences the engine would quote name its subject but not that value."""

from __future__ import annotations

import pytest

from answering.coverage import gives_value, missing_value


@pytest.mark.parametrize(("kind", "sentence", "gives"), [
    ("count", "More than 4,300 companies with Turkish capital operate in Kazakhstan.", True),
    ("count", "Kazakhstan is ready to supply two hundred categories of products.", True),
    ("count", "The school is in Nurdağı, which was struck by the earthquake of February 6.", False),
    ("count", "The earthquake of 6 February 2023 struck the region.", False),
    ("count", "In 2023, trade grew.", False),
    ("length", "The Baku–Tbilisi–Kars railway is 826 km long.", True),
    ("length", "A street in Astana has been named Anadoly.", False),
    ("date", "The monument is to be erected in Almaty.", False),
    ("date", "Türkiye recognised Kazakhstan in December 1991.", True),
    ("date", "The railway opened in the 2010s.", True),
    ("amount", "Cargo on the corridor doubled to 1.5 million tons.", True),
    ("amount", "The ports need more container capacity.", False),
    ("amount", "In 2022, cargo on the route doubled.", True),
])
def test_gives_value(kind, sentence, gives) -> None:
    assert gives_value(kind, sentence) is gives


def test_a_dated_source_saying_today_gives_a_date() -> None:
    assert not gives_value("date", "Tokayev arrived in Ankara today.")
    assert gives_value("date", "Tokayev arrived in Ankara today.", dated=True)


@pytest.mark.parametrize(("question", "quoted", "missing"), [
    ("How long is Anadoly street in Astana?", "A street in Astana has been named Anadoly.", "length"),
    ("When will the monument to Atatürk in Almaty be unveiled?",
     "A monument to Mustafa Kemal Atatürk is to be erected in Almaty.", "date"),
    ("How many pupils will the school in Nurdağı take?",
     "He praised the school in Nurdağı, struck by the earthquake of February 6.", "number"),
    ("What is the annual container capacity of the hub in Aktau?",
     "The plan provides for more container capacity at the ports of Aktau and Kuryk.", "figure"),
    ("How many Turkish companies operate in Kazakhstan?",
     "More than 4,300 companies with Turkish capital operate in Kazakhstan.", None),
    # no value asked: "the goal", "discuss when" are not a figure and a date
    ("What is the goal of the Middle Corridor?", "It links China with Europe.", None),
    ("What did they discuss when they met in Baku?", "They discussed transport links.", None),
])
def test_missing_value(question, quoted, missing) -> None:
    reason = missing_value(question, [(quoted, True)])
    if missing is None:
        assert reason is None
    else:
        assert reason is not None and reason.endswith(f"give no {missing}.")


def test_any_quoted_sentence_may_give_the_value() -> None:
    quoted = [("The railway links Baku with Kars.", False), ("It is 826 km long.", False)]
    assert missing_value("How long is the Baku–Tbilisi–Kars railway?", quoted) is None

