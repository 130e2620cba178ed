"""Property tests of what the bot sends (bot/discord_format.py): whatever text the answer, a source or an
ingest report carries, no message exceeds Discord's limits and no content holds a raw ping."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.discord_format import (
    CONTENT_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELDS_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBEDS_PER_MESSAGE,
    EMBEDS_TOTAL_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    answer_messages,
    ingest_summary,
    sources_messages,
)
from corridor.records import Answer, Citation, DocumentMeta, IngestReport, SourceInfo, Statement
from tests.reliability.test_questions import NASTY

RAW_PING = re.compile(r"@(everyone|here)|<@[!&]?\d+>")  # what Discord would turn into a ping

# Text a stored document might contain, which the bot then quotes.
doc_text = st.one_of(
    st.text(min_size=1, max_size=400),
    st.lists(st.sampled_from(NASTY) | st.text(min_size=1, max_size=40), min_size=1, max_size=40).map("".join),
    st.integers(1, 9000).map(lambda n: "@everyone" * (n // 9 + 1)),
    st.integers(1, 9000).map(lambda n: "x" * n),
)


@st.composite
def answers(draw) -> Answer:
    n_cit = draw(st.integers(0, 14))
    citations = [
        Citation(number=i, doc_id=draw(doc_text), title=draw(doc_text), url=draw(st.none() | doc_text),
                 date=draw(st.none() | st.just("2025-08-04")), chunk_id=f"c{i}", start=0, end=10,
                 heading=draw(st.none() | doc_text), quote=draw(doc_text))
        for i in range(1, n_cit + 1)
    ]
    statements = [
        Statement(text=draw(doc_text), citations=draw(st.lists(st.integers(1, max(1, n_cit)), max_size=3)))
        for _ in range(draw(st.integers(1, 8)))
    ]
    closest = [DocumentMeta(doc_id="d", title=draw(doc_text), source="s", url=draw(st.none() | doc_text),
                            content_hash="h") for _ in range(draw(st.integers(0, 3)))]
    return Answer(question=draw(doc_text), standalone_question="q", statements=statements,
                  citations=citations, abstained=draw(st.booleans()), closest_sources=closest,
                  notes=draw(st.lists(doc_text, max_size=3)))


def assert_fits(messages) -> None:
    assert messages
    for m in messages:
        assert m.content or m.embeds, "an empty message"
        assert len(m.content) <= CONTENT_LIMIT
        assert not RAW_PING.search(m.content), m.content[:200]
        assert len(m.embeds) <= EMBEDS_PER_MESSAGE
        assert sum(len(e) for e in m.embeds) <= EMBEDS_TOTAL_LIMIT
        for e in m.embeds:
            assert len(e.title or "") <= EMBED_TITLE_LIMIT
            assert len(e.description or "") <= EMBED_DESCRIPTION_LIMIT
            assert len(e.fields) <= EMBED_FIELDS_LIMIT
            for f in e.fields:
                assert len(f.name) <= FIELD_NAME_LIMIT and len(f.value) <= FIELD_VALUE_LIMIT
            assert len(e.footer.text or "") <= FOOTER_LIMIT
            assert e.url is None or e.url.startswith(("http://", "https://"))


@settings(max_examples=120, deadline=None)
@given(answers())
def test_answer_messages_always_fit_discord_and_never_ping(answer: Answer) -> None:
    assert_fits(answer_messages(answer))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.builds(SourceInfo, doc_id=doc_text, title=doc_text, date=st.none() | doc_text,
                          url=st.none() | doc_text, source=doc_text, chunks=st.integers(0, 10**6)),
                max_size=25),
       st.dictionaries(doc_text, doc_text, max_size=10), st.lists(doc_text, max_size=10))
def test_sources_and_ingest_summaries_always_fit_and_never_ping(sources, failed, added) -> None:
    assert_fits(sources_messages(sources))
    summary = ingest_summary(IngestReport(added=added, failed=failed))
    assert len(summary) <= CONTENT_LIMIT and not RAW_PING.search(summary)
