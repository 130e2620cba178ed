"""Dates in questions (answering/dates.py), the year coverage check that reads document dates, and the
date-aware ordering of statements (answering/recency.py) — pure functions, no store."""

from __future__ import annotations

from datetime import date

import pytest

from answering import recency
from answering.attribution import attribute, short_source
from answering.coverage import missing_years
from answering.dates import EARLIEST, asks_latest, asks_timeline, periods
from corridor.records import Chunk, DocumentMeta, Passage, Statement, parse_iso

TODAY = date(2026, 12, 2)


def one(question: str):
    [p] = periods(question, TODAY)
    return p.start, p.end, p.kind


@pytest.mark.parametrize(("question", "expected"), [
    ("What happened in November 2024?", (date(2024, 11, 1), date(2024, 11, 30), "point")),
    ("What was signed in Nov. 2024?", (date(2024, 11, 1), date(2024, 11, 30), "point")),
    ("What was agreed in 2025?", (date(2025, 1, 1), date(2025, 12, 31), "point")),
    ("What happened on 6 November 2024?", (date(2024, 11, 6), date(2024, 11, 6), "point")),
    ("What happened on November 6, 2024?", (date(2024, 11, 6), date(2024, 11, 6), "point")),
    ("What happened on 2024-02-29?", (date(2024, 2, 29), date(2024, 2, 29), "point")),
    ("How has cargo grown since 2022?", (date(2022, 1, 1), TODAY, "since")),
    ("How has cargo grown since March 2023?", (date(2023, 3, 1), TODAY, "since")),
    ("What changed after 2021?", (date(2022, 1, 1), TODAY, "since")),
    ("What did the ministry say last year?", (date(2025, 1, 1), date(2025, 12, 31), "point")),
    ("What was announced this year?", (date(2026, 1, 1), date(2026, 12, 31), "point")),
    ("What was announced last month?", (date(2026, 11, 1), date(2026, 11, 30), "point")),
    ("What happened in the past three years?", (date(2023, 12, 2), TODAY, "since")),
    ("How did freight move between 2023 and 2024?", (date(2023, 1, 1), date(2024, 12, 31), "range")),
    ("How did freight move from 2022 to 2024?", (date(2022, 1, 1), date(2024, 12, 31), "range")),
    ("Freight volumes in 2022–2024?", (date(2022, 1, 1), date(2024, 12, 31), "range")),
    ("What was the volume as of March 2025?", (EARLIEST, date(2025, 3, 31), "until")),
    ("What was built before 2020?", (EARLIEST, date(2019, 12, 31), "until")),
    ("What happened in the 2010s?", (date(2010, 1, 1), date(2019, 12, 31), "point")),
    ("How much was invested between January and April 2025?", (date(2025, 1, 1), date(2025, 4, 30), "point")),
    ("How much cargo moved in the first half of 2024?", (date(2024, 1, 1), date(2024, 6, 30), "point")),
    ("How much cargo moved in Q3 2024?", (date(2024, 7, 1), date(2024, 9, 30), "point")),
    ("How much cargo moved in the last quarter of 2023?", (date(2023, 10, 1), date(2023, 12, 31), "point")),
    ("How did the target change between May 2024 and November 2024?",
     (date(2024, 5, 1), date(2024, 11, 30), "range")),
])
def test_periods_in_questions(question, expected) -> None:
    assert one(question) == expected


@pytest.mark.parametrize(("question", "month", "text"), [
    ("Kasım 2024'te Erdoğan ne dedi?", (2024, 11), "November 2024"),  # Turkish
    ("Temmuz 2025'te Ankara'da ne imzalandı?", (2025, 7), "July 2025"),
    ("Что подписали в июле 2025 года?", (2025, 7), "July 2025"),  # Russian, with its case endings
    ("С кем встретился Токаев в мае 2024 года?", (2024, 5), "May 2024"),
    ("2025 жылғы шілдеде Анкарада қандай кеңес өтті?", (2025, 7), "July 2025"),  # Kazakh: year, then month
    ("2024 жылдың қазан айында не болды?", (2024, 10), "October 2024"),
])
def test_months_in_turkish_russian_and_kazakh(question, month, text) -> None:
    [p] = periods(question, TODAY)
    assert (p.start, p.end, p.kind) == (date(*month, 1), date(month[0], month[1] + 1, 1) - date.resolution,
                                        "point")
    assert p.text == text  # notes name the month in English, the language of the sources


@pytest.mark.parametrize("question", [
    "Қазан қаласында не болды?",  # Kazan the city, not October: no year beside it
    "How much wheat did Kazakhstan export in the 2024/25 marketing year?",  # a season, not a period
    "How much wheat in the 2024-25 season?",
    "Is the railway 2000 km long?",  # a length, not a year
    "What does the CRS report R48158 say?",
    "What is the capital of Kazakhstan?",
])
def test_no_period_where_there_is_none(question) -> None:
    assert periods(question, TODAY) == []


def test_two_separate_years_are_two_periods_and_relative_ones_are_not_literal() -> None:
    found = periods("Compare 2022 and 2024", TODAY)
    assert [(p.start.year, p.end.year, p.kind) for p in found] == [(2022, 2022, "point"),
                                                                   (2024, 2024, "point")]
    assert [p.literal for p in periods("What happened last year?", TODAY)] == [False]
    assert periods("since 2022", TODAY)[0].label == "the period since 2022"
    assert periods("in November 2024", TODAY)[0].label == "November 2024"
    assert periods("between January and April 2025", TODAY)[0].label == "between January and April 2025"


@pytest.mark.parametrize(("question", "latest", "timeline"), [
    ("What is the latest figure for Kazakh oil through BTC?", True, False),
    ("How many Turkish companies operate in Kazakhstan today?", True, False),
    ("What is the current trade volume?", True, False),
    ("What is the most recent estimate?", True, False),
    ("Who said trade had grown steadily in recent years?", False, False),  # a span, not the newest state
    ("What did the recent summit decide?", True, False),
    ("What was the current account deficit in 2022?", False, False),
    ("How has the trade target changed over the years?", False, True),
    ("How has cargo grown since 2022?", False, True),
    ("What did Trend report about the ports?", False, False),  # a publisher, not a trend
    ("How long is the Baku–Tbilisi–Kars railway?", False, False),
    # one change, the newest: not how things changed over time
    ("What is the most recent development in freight on the BTK railway?", True, False),
    ("What was the latest change in the trade target?", True, False),
    ("Describe the development of the Middle Corridor.", False, True),
    # two dated events, "from" the first "to" (or "through") the next: the ends of a timeline
    ("How did the forums move on from Bolat's visit in December 2023 to the second forum of December 2025?",
     False, True),
    ("How did the cable plan go from the memorandum of May 2024 through the report of June 2025 to "
     "March 2026?", False, True),
    # "from" and "to" of places, two reports' dates: no timeline
    ("How long does a train take from Xi'an to Turkey? The reports of 2019 and of 2020 differ.",
     False, False),
    ("Which event ran from June 11 to 22 in Aktau?", False, False),
])
def test_latest_and_timeline_questions(question, latest, timeline) -> None:
    assert asks_latest(question) is latest
    assert asks_timeline(question, periods(question, TODAY)) is timeline


def passage(text: str, date_value: str | None, doc_id: str = "d", **meta) -> Passage:
    doc = DocumentMeta(doc_id=doc_id, title=meta.pop("title", "A title"), source="x", date=date_value,
                       content_hash="h", **meta)
    return Passage(chunk=Chunk(chunk_id=f"{doc_id}-0", doc_id=doc_id, ordinal=0, text=text, start=0,
                               end=len(text)), doc=doc, score=1.0)


def test_a_document_dated_in_the_year_covers_it_even_when_its_text_names_only_day_and_month() -> None:
    dated = passage("Leaders met in Bishkek on 6 November and signed eight documents.", "2024-11-07")
    q = "What did the leaders sign in November 2024?"
    assert missing_years(q, [dated], TODAY) == []
    undated = passage("Leaders met in Bishkek on 6 November and signed eight documents.", None)
    assert missing_years(q, [undated], TODAY) == ["November 2024"]
    assert missing_years("What was signed in 2019?", [dated], TODAY) == ["2019"]
    assert missing_years("How has trade grown since 2022?", [dated], TODAY) == []
    assert missing_years("What happened last year?", [undated], TODAY) == []  # relative: never refuses


def test_seasons_still_match_the_text_only() -> None:
    dated = passage("Wheat exports reached 8 million tonnes.", "2024-08-16")
    assert missing_years("How much wheat was exported in the 2024/25 marketing year?", [dated], TODAY) \
        == ["2024/25"]
    season = passage("For MY 2024/25 exports are forecast at 9 million tonnes.", None)
    assert missing_years("How much wheat was exported in the 2024/25 marketing year?", [season], TODAY) == []


def test_parse_iso_and_short_sources() -> None:
    assert parse_iso("2025-08-04") == date(2025, 8, 4) and parse_iso(None) is None
    assert parse_iso("revision date not shown") is None
    wiki = DocumentMeta(doc_id="w", title="T", source="x", content_hash="h",
                        publisher="Wikipedia (English), Wikimedia Foundation; article text by contributors")
    assert short_source(wiki) == "Wikipedia"
    state = wiki.model_copy(update={"publisher": "U.S. Department of State, Bureau of Economic Affairs"})
    assert short_source(state) == "U.S. Department of State"
    author = wiki.model_copy(update={"publisher": None, "author": "Aru Satbayeva"})
    assert short_source(author) == "Aru Satbayeva"
    assert short_source(author.model_copy(update={"author": None})) == "T"


def test_attribution_uses_the_speaker_when_the_chunk_has_one() -> None:
    p = passage("Trade rose.", "2025-08-04", publisher="News.Az", author="Tural Heybatov")
    spoken = p.model_copy(update={"chunk": p.chunk.model_copy(update={"speaker": "Engin Ozer"})})
    [a, b] = attribute([Statement(text="Trade rose.", citations=[1]), Statement(text="Trade rose.",
                                                                                citations=[2])],
                       {1: spoken, 2: p})
    assert a.attribution == "Engin Ozer (News.Az, 2025-08-04)"
    assert b.attribution == "News.Az (2025-08-04)"  # without a speaker: the publisher, not the author
    assert Statement(text="x", source="Wikipedia").attribution == "Wikipedia"
    assert Statement(text="x").attribution is None


def test_latest_puts_the_newest_source_first_and_timelines_go_oldest_first() -> None:
    statements = [
        Statement(text="Trade was $4.2 billion.", citations=[1], source="Old Herald", date="2021-03-02"),
        Statement(text="It grew fast.", citations=[1], source="Old Herald", date="2021-03-02"),
        Statement(text="Trade was about $5 billion.", citations=[2], source="Wikipedia"),
        Statement(text="Trade reached $6.1 billion.", citations=[3], source="New Post", date="2025-06-10"),
    ]
    latest = recency.read("What is the latest trade figure?", TODAY)
    assert [s.citations[0] for s in recency.order(statements, latest)] == [3, 1, 1, 2]
    notes = recency.notes(recency.order(statements, latest), latest, "What is the latest trade figure?")
    assert notes[0] == "As of 2025-06-10: the newest dated source quoted here (New Post) comes first."
    assert any("different figures" in n and "newest first" in n for n in notes)
    timeline = recency.read("How has the trade figure changed over the years?", TODAY)
    assert [s.citations[0] for s in recency.order(statements, timeline)] == [1, 1, 3, 2]
    capped = recency.read("What was the trade figure as of March 2024?", TODAY)
    assert [s.citations[0] for s in recency.order(statements, capped)] == [1, 1, 3, 2]
    assert recency.notes(statements, capped, "What was the trade figure as of March 2024?")[0].startswith(
        "As of 2021-03-02")
    plain = recency.read("What was the trade figure?", TODAY)
    assert recency.order(statements, plain) == statements
    # a passage quoted only for detail (added after the answer's own sentences) never opens: it goes last
    aside = frozenset({"Trade was $4.2 billion.", "It grew fast."})
    assert [s.citations[0] for s in recency.order(statements, timeline, detail=aside)] == [3, 2, 1, 1]
    assert [s.citations[0] for s in recency.order(statements, latest, detail=aside)] == [3, 2, 1, 1]


def test_latest_puts_a_newer_source_far_from_the_question_after_the_close_ones() -> None:
    """Newest first among the sources the ranker rates close to the best sentence (at its fitted share for
    another source): a newer report quoted for a side remark comes after, and the note says so."""
    statements = [
        Statement(text="Trade reached $6.1 billion.", citations=[1], source="Steppe Post", date="2024-05-20"),
        Statement(text="The figures come from the bank's report.", citations=[2], source="Bank Monitor",
                  date="2025-02-25"),
        Statement(text="Trade was $4.2 billion.", citations=[3], source="Old Herald", date="2021-03-02"),
    ]
    scores = {statements[0].text: 0.9, statements[1].text: 0.4, statements[2].text: 0.8}
    question = "What is the latest trade figure?"
    latest = recency.read(question, TODAY)
    ordered = recency.order(statements, latest, scores)
    assert [s.citations[0] for s in ordered] == [1, 3, 2]
    assert recency.notes(ordered, latest, question)[0] == (
        "As of 2024-05-20: the newest source quoted here that answers closely (Steppe Post) comes first; a "
        "newer one (Bank Monitor), of 2025-02-25, is further from the question.")
    close = {**scores, statements[1].text: 0.85}  # close enough: newest first, as before
    assert [s.citations[0] for s in recency.order(statements, latest, close)] == [2, 1, 3]
    assert [s.citations[0] for s in recency.order(statements, latest)] == [2, 1, 3]  # no scores (llm mode)


def test_a_timeline_puts_an_older_source_far_from_the_question_after_the_close_ones() -> None:
    """Date order among the sources the ranker rates close to the best sentence: an older report quoted for
    a side remark (fresh-dev fd128 opened with another country's turnover) no longer opens."""
    statements = [
        Statement(text="Kazakhstan offered 34 kinds of goods worth $630 million in 2024.", citations=[1],
                  source="Steppe Post", date="2024-04-20"),
        Statement(text="Uzbekistan's turnover with Türkiye came to $418 million in 2023.", citations=[2],
                  source="Bank Monitor", date="2023-03-05"),
        Statement(text="The offer grew to $1 billion in 2025.", citations=[3], source="Astana Daily",
                  date="2025-07-02"),
    ]
    scores = {statements[0].text: 0.9, statements[1].text: 0.3, statements[2].text: 0.8}
    timeline = recency.read("How did the value of the goods offered change between 2023 and 2025?", TODAY)
    assert timeline.timeline
    ordered = recency.order(statements, timeline, scores)
    assert [s.citations[0] for s in ordered] == [1, 3, 2]
    question = "How did the value change?"
    assert recency.notes(ordered, timeline, question, scores)[-1].endswith(  # the note says so
        "each is shown with its source and date in date order; sources further from the question come last.")
    close = {**scores, statements[1].text: 0.85}  # close enough: it opens, as the oldest
    assert [s.citations[0] for s in recency.order(statements, timeline, close)] == [2, 1, 3]
    assert recency.notes(recency.order(statements, timeline, close), timeline, question, close)[-1].endswith(
        "each is shown with its source and date in date order.")
    assert [s.citations[0] for s in recency.order(statements, timeline)] == [2, 1, 3]  # no scores (llm mode)


def test_a_timeline_goes_by_the_years_its_sentences_name_within_the_years_asked() -> None:
    """A 2024 report's "in 2019" comes before a 2023 report that names no year; a year outside the period
    asked about ("In 2021, GDP grew" for "between 2022 and 2024") is background and does not move its
    passage to the front."""
    statements = [
        Statement(text="The new terminal will raise traffic.", citations=[1], date="2023-05-04"),
        Statement(text="In 2023 it served 9.5 million passengers.", citations=[2], date="2024-06-02"),
        Statement(text="It handled 6.4 million passengers in 2019.", citations=[2], date="2024-06-02"),
    ]
    ask = recency.read("How did traffic at the airport change over the years?", TODAY)
    assert [s.citations[0] for s in recency.order(statements, ask)] == [2, 2, 1]
    assert recency.notes(statements, ask, "How did traffic change over the years?") == [
        "The statements are in date order: by the years they name, then those naming none by their sources' "
        "dates."]
    background = [
        Statement(text="Exports reached $4 billion.", citations=[1], date="2023-03-01"),
        Statement(text="In 2021, GDP grew 11 percent.", citations=[2], date="2024-05-01"),
    ]
    bounded = recency.read("How did exports change between 2022 and 2024?", TODAY)
    assert [s.citations[0] for s in recency.order(background, bounded)] == [1, 2]


def openings(statements: list[Statement], question: str) -> list[str]:
    """Each statement's first seven characters, in the order recency.order gives them for the question."""
    return [s.text[:7] for s in recency.order(statements, recency.read(question, TODAY))]


def test_a_timeline_opens_with_an_event_and_passages_naming_no_year_follow() -> None:
    """A passage that names no year is background to a timeline: it follows the ones that do, even when its
    source is older, and the first passage's sentence naming a year opens before its background sentence."""
    statements = [
        Statement(text="He described the fund as a milestone.", citations=[1], date="2023-01-10"),
        Statement(text="Its starting capital is $500 million.", citations=[2], date="2024-05-22"),
        Statement(text="The idea was put forward in 2021.", citations=[2], date="2024-05-22"),
    ]
    order = ["The ide", "Its sta", "He desc"]
    assert openings(statements, "How did the fund develop over the years?") == order


def test_a_timeline_counts_last_year_from_its_source_and_opens_with_the_earliest_event() -> None:
    """"$6.3 billion last year" in a 2023 report is a 2022 event: its passage comes before a 2023 figure, and
    within the first passage the sentence with the earliest year opens."""
    statements = [
        Statement(text="It came to $6 billion in 2023.", citations=[1], date="2024-04-26"),
        Statement(text="Trade reached $6.3 billion last year.", citations=[2], date="2023-09-11"),
        Statement(text="It may reach $5 billion this year.", citations=[3], date="2024-06-02"),
        Statement(text="In 2019 it stood at $4 billion.", citations=[3], date="2024-06-02"),
    ]
    order = ["In 2019", "It may ", "Trade r", "It came"]
    assert openings(statements, "How did trade change from 2019 to 2024?") == order


def test_newest_first_still_opens_with_the_value_asked_for() -> None:
    """"How much … now?": the newest source goes first, and of its sentences the one with the amount opens
    (not the sentence before it that only names the fund), as the answer opens for any value question."""
    statements = [
        Statement(text="Its starting capital is $500 million.", citations=[1], date="2024-05-22"),
        Statement(text="He described the fund as a further milestone.", citations=[2], date="2025-08-13"),
        Statement(text="The capital has risen to $600 million.", citations=[2], date="2025-08-13"),
    ]
    order = ["The cap", "He desc", "Its sta"]
    assert openings(statements, "How much capital does the fund have now?") == order
    # no value asked for: source order
    assert openings(statements, "What is the latest on the fund?") == ["He desc", "The cap", "Its sta"]


def test_a_latest_answer_from_undated_sources_says_so() -> None:
    ask = recency.read("What is the current status?", TODAY)
    notes = recency.notes([Statement(text="It is active.", citations=[1], source="Wikipedia")], ask,
                          "What is the current status?")
    assert notes == ["None of the sources quoted here is dated, so this may not be the latest state."]


def test_a_span_of_years_covers_the_years_inside_it() -> None:
    """"In 2012" is covered by "from 2011 to 2013" (fd358 was refused with "No passage … covers 2012")."""
    span = passage("Tokayev was Director-General of the UN Office at Geneva from 2011 to 2013.", None)
    assert missing_years("Who was Director-General of the UN Office at Geneva in 2012?", [span], TODAY) == []
    dash = passage("The plan covers 2024–2028.", None)
    assert missing_years("What is planned for 2026?", [dash], TODAY) == []
    apart = passage("Trade grew in 2011 and 2013.", None)
    assert missing_years("What happened in 2012?", [apart], TODAY) == ["2012"]


def test_a_timeline_answer_takes_the_further_dated_events_of_the_passages_it_quotes() -> None:
    """A timeline's events sit together: from a passage already quoted, a sentence naming a further time
    joins even when the ranker rates it low ("They were lifted in June 2024." repeats none of the question's
    words); a low-rated sentence of a passage not quoted, or one naming no new time, does not."""
    from answering.extractive import Candidate
    from answering.features import SentenceFacts

    text = ("Livestock products were shut out of the Turkish market. Some restrictions were in force since "
            "2004. They were lifted in June 2024.")
    quoted, other = passage(text, "2024-08-20", doc_id="a"), passage("Grain sales rose in 2023.", None,
                                                                     doc_id="b")
    facts = SentenceFacts(asked=False, question_index=None, answer_opening=False, intro=False, position=0.0)

    def cand(p, sentence, score, rare):
        start = p.chunk.text.index(sentence)
        return Candidate(passage=p, start=start, end=start + len(sentence), text=sentence, facts=facts,
                         rare=[rare], score=[score])

    best = cand(quoted, "Livestock products were shut out of the Turkish market.", 0.95, 0.5)
    since = cand(quoted, "Some restrictions were in force since 2004.", 0.30, 0.0)
    lifted = cand(quoted, "They were lifted in June 2024.", 0.20, 0.0)
    grain = cand(other, "Grain sales rose in 2023.", 0.10, 0.0)
    question = "How has access to the Turkish market for livestock changed over the years?"
    choose = recency.chooser(recency.read(question, TODAY), question)
    chosen = choose([best], [best, since, lifted, grain])
    assert chosen == [best, since, lifted]


def test_a_timeline_reads_the_unranked_sentences_just_after_a_quoted_one() -> None:
    """Only each passage's best few sentences are ranked; a further event the ranker never read joins when it
    stands at most recency.FOLLOWING sentences after a quoted one, not further down its passage."""
    from answering.extractive import Candidate
    from answering.features import SentenceFacts

    text = ("Livestock products were shut out of the Turkish market. Some restrictions were in force for 20 "
            "years. They were lifted in June 2024. Buyers met on August 12. Grain sales rose in 2019.")
    quoted = passage(text, "2024-08-20", doc_id="a")
    facts = SentenceFacts(asked=False, question_index=None, answer_opening=False, intro=False, position=0.0)

    def cand(sentence, score):
        start = text.index(sentence)
        return Candidate(passage=quoted, start=start, end=start + len(sentence), text=sentence, facts=facts,
                         rare=[0.5 if score else 0.0], score=[score])

    best = cand("Livestock products were shut out of the Turkish market.", 0.95)
    since, lifted, met, grain = (cand(s, 0.0) for s in (
        "Some restrictions were in force for 20 years.", "They were lifted in June 2024.",
        "Buyers met on August 12.", "Grain sales rose in 2019."))
    question = "How has access to the Turkish market for livestock changed over the years?"
    choose = recency.chooser(recency.read(question, TODAY), question)
    assert recency.FOLLOWING == 2
    assert choose([best], [best], [since, lifted, met, grain]) == [best, lifted]
    assert choose([best], [best]) == [best]
