"""Answers as Discord messages: limits, clean splits, citation embeds; plus rate limit, memory, feedback."""

from __future__ import annotations

import re

import pytest

from bot.conversations import Conversations
from bot.discord_format import (
    CONTENT_LIMIT,
    EMBEDS_PER_MESSAGE,
    EMBEDS_TOTAL_LIMIT,
    answer_messages,
    ingest_summary,
    sources_messages,
    split_long,
)
from bot.feedback import FeedbackStore, RecentAnswers
from bot.ratelimit import RateLimiter, retry_message
from corridor.records import Answer, Citation, DocumentMeta, IngestReport, SourceInfo, Statement, Turn

MARK = re.compile(r"\[(\d+)\]")


def citation(n: int, quote_len: int = 700) -> Citation:
    return Citation(
        number=n,
        doc_id=f"doc-{n}",
        title=f"Document number {n} about the Middle Corridor",
        url=f"https://example.org/{n}",
        date="2025-08-04",
        chunk_id=f"c{n}",
        start=0,
        end=quote_len,
        quote=("Passage text. " * 200)[:quote_len],
    )


def long_answer(n_statements: int = 24, n_citations: int = 6) -> Answer:
    statements = [
        Statement(
            text=f"Statement {i} explains how freight moves across the Caspian Sea and why Türkiye and "
            f"Kazakhstan invest in ports, railways and customs reforms along the route.",
            citations=[i % n_citations + 1, (i + 1) % n_citations + 1]
            if i % 3 == 0
            else [i % n_citations + 1],
        )
        for i in range(n_statements)
    ]
    return Answer(
        question="q",
        standalone_question="q",
        statements=statements,
        citations=[citation(n) for n in range(1, n_citations + 1)],
    )


def within_limits(messages) -> None:
    for m in messages:
        assert len(m.content) <= CONTENT_LIMIT
        assert len(m.embeds) <= EMBEDS_PER_MESSAGE
        assert sum(len(e) for e in m.embeds) <= EMBEDS_TOTAL_LIMIT
        for e in m.embeds:
            assert len(e.title or "") <= 256 and len(e.description or "") <= 4096 and len(e.fields) <= 25
        assert m.content or m.embeds


def test_a_3000_character_answer_is_split_between_statements() -> None:
    answer = long_answer()
    assert 3000 <= len(answer.text) <= 6000
    messages = answer_messages(answer)
    within_limits(messages)
    contents = [m.content for m in messages if m.content]
    assert len(contents) >= 2
    assert " ".join(contents) == answer.text  # nothing lost, nothing reordered
    statements = {f"{s.text} {''.join(f'[{n}]' for n in s.citations)}" for s in answer.statements}
    for content in contents:  # every chunk is whole statements, each ending with its markers
        pieces = re.split(r"(?<=\])\s+(?=Statement)", content)
        assert all(p in statements for p in pieces), pieces
    shown = [int(MARK.match(e.title)[1]) for m in messages for e in m.embeds]
    assert sorted(shown) == [c.number for c in answer.citations]  # each cited passage once
    for m in messages:  # an embed travels with the chunk where its number first appears
        for e in m.embeds:
            n = MARK.match(e.title)[1]
            assert f"[{n}]" in m.content
            assert not any(f"[{n}]" in earlier.content for earlier in messages[: messages.index(m)])


def test_one_statement_longer_than_a_message_is_cut_between_sentences_never_in_a_marker() -> None:
    sentence = "The corridor grew quickly after 2022 as sanctions rerouted freight. "
    text = (sentence * 45).strip()
    answer = Answer(
        question="q",
        standalone_question="q",
        statements=[Statement(text=text, citations=[12, 13])],
        citations=[citation(12), citation(13)],
    )
    messages = answer_messages(answer)
    within_limits(messages)
    assert " ".join(m.content for m in messages if m.content) == answer.text
    assert messages[-1].content.endswith("[12][13]")
    assert all(m.content.endswith(".") for m in messages[:-1] if m.content)


@pytest.mark.parametrize("limit", [7, 9, 10, 11, 50])
def test_a_space_free_run_is_never_cut_inside_a_marker(limit: int) -> None:
    text = "x" * 5 + "[1][22][333]" + "y" * 30
    parts = split_long(text, limit)
    assert "".join(parts) == text and all(len(p) <= limit for p in parts)
    for p in parts:
        assert p.count("[") == p.count("]")


def test_many_long_citations_overflow_into_extra_messages() -> None:
    citations = [citation(n, quote_len=2000) for n in range(1, 15)]
    answer = Answer(
        question="q",
        standalone_question="q",
        statements=[Statement(text="One sentence cites everything.", citations=list(range(1, 15)))],
        citations=citations,
    )
    messages = answer_messages(answer)
    within_limits(messages)
    assert len(messages) >= 3
    assert messages[0].content and all(not m.content for m in messages[1:])
    assert sum(len(m.embeds) for m in messages) == 14


def test_abstention_shows_the_closest_sources_and_notes() -> None:
    doc = DocumentMeta(
        doc_id="d",
        title="Baku–Tbilisi–Kars railway",
        source="x",
        url="https://example.org/btk",
        date="2024-01-01",
        content_hash="h",
    )
    answer = Answer(
        question="q",
        standalone_question="q",
        abstained=True,
        closest_sources=[doc],
        statements=[Statement(text="The sources do not say.")],
        notes=["the LLM timed out"],
    )
    [message] = answer_messages(answer)
    assert message.content.startswith("The sources do not say.") and "*the LLM timed out*" in message.content
    assert "Baku–Tbilisi–Kars railway" in message.embeds[0].description


def test_sources_and_ingest_summaries_fit() -> None:
    sources = [
        SourceInfo(doc_id=f"d{i}", title=f"Title {i} " + "x" * 150, date=None, source="s", chunks=i)
        for i in range(200)
    ]
    messages = sources_messages(sources)
    within_limits(messages)
    assert messages[0].content.startswith("200 documents")
    text = "".join(e.description for m in messages for e in m.embeds)
    assert text.count("undated") == 200
    report = IngestReport(
        added=["a"], unchanged=["b", "c"], failed={"https://x": "timed out"}, chunks_written=3
    )
    summary = ingest_summary(report)
    assert summary.startswith("**added 1** · updated 0 · unchanged 2") and "timed out" in summary


def test_rate_limiter_sliding_window_and_bounded_memory() -> None:
    now = [0.0]
    limiter = RateLimiter(3, 10.0, max_keys=100, clock=lambda: now[0])
    assert [limiter.hit("u") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.hit("u") == pytest.approx(10.0)
    now[0] = 4.0
    assert limiter.hit("u") == pytest.approx(6.0) and limiter.hit("v") == 0.0
    now[0] = 10.5
    assert limiter.hit("u") == 0.0
    assert retry_message(5.2) == "You're asking quickly — try again in 6 s." and "in 1 s" in retry_message(
        0.01
    )
    for i in range(1000):
        limiter.hit(i)
    assert len(limiter) <= 100


def test_conversations_are_bounded() -> None:
    conv = Conversations(turns=2, max_conversations=3)
    for i in range(5):
        conv.add("t", Turn(question=f"q{i}", standalone=f"q{i}", answer="a"))
    assert [t.question for t in conv.history("t")] == ["q3", "q4"]
    for key in range(10):
        conv.add(key, Turn(question="q", standalone="q", answer="a"))
    assert len(conv) == 3 and "t" not in conv and conv.history("nope") == []


def test_feedback_store_appends_json_lines(tmp_path) -> None:
    store = FeedbackStore(tmp_path / "sub" / "feedback.jsonl")
    store.record(user_id=1, question="q", answer="a [1]", citations=[{"number": 1}], helpful=True)
    store.record(user_id=2, question="q", answer="a [1]", citations=[], helpful=False, answer_id="ab")
    rows = store.read()
    assert [r["helpful"] for r in rows] == [True, False] and rows[1]["user_id"] == "2"
    assert {"timestamp", "user_id", "question", "answer", "citations", "helpful"} <= set(rows[0])
    recent = RecentAnswers(size=2)
    ids = [recent.remember(long_answer(1, 1)) for _ in range(3)]
    assert recent.get(ids[0]) is None and recent.get(ids[2]) is not None


def test_the_cited_sentence_is_bold_and_inside_the_excerpt_even_deep_in_a_long_passage() -> None:
    filler = "Background sentence about *ports* and_rail. " * 60
    cited = "The ferry terminal at Kuryk doubled its capacity in 2024."
    c = citation(1).model_copy(update={"quote": filler + cited + " After text."})
    answer = Answer(question="q", standalone_question="q", statements=[Statement(text=cited, citations=[1])],
                    citations=[c])
    [message] = answer_messages(answer)
    description = message.embeds[0].description
    assert f"**{cited}**" in description
    assert description.startswith("> …") and len(description) <= 1000
    assert "\\*ports\\*" in description  # the passage's own Markdown is shown literally


def test_mentions_quoted_from_a_source_are_inert_even_before_allowed_mentions() -> None:
    raw = re.compile(r"@(everyone|here)|<@[!&]?\d+>")
    text = "Ping @everyone and @here and <@123> and <@&45>."
    answer = Answer(question="q", standalone_question="q", statements=[Statement(text=text, citations=[1])],
                    citations=[citation(1)], notes=["note for <@!678>"])
    [message] = answer_messages(answer)
    assert not raw.search(message.content)
    assert message.content.replace("\u200b", "").startswith(text)
    summary = ingest_summary(IngestReport(added=["@everyone"], failed={"<@1>": "@here"}))
    assert not raw.search(summary)
