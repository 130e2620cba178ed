"""Answers, source lists and ingest reports as Discord messages within Discord's limits.

Pure functions: no network, no client. Long answers are split between statements (or, for a statement
longer than a whole message, between sentences or words), never inside a statement's `[n]` marker. Each
run of statements from one source starts a line naming who said it and when.
Each cited passage becomes an embed (number, title, date, quoted excerpt, link) attached to the message
where it is first cited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import discord

from bot.render import runs
from corridor.records import Answer, Citation, DocumentMeta, IngestReport, SourceInfo

CONTENT_LIMIT = 2000  # characters of message content
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBEDS_PER_MESSAGE = 10
EMBEDS_TOTAL_LIMIT = 6000  # characters across all embeds of one message
QUOTE_CHARS = 900  # excerpt length in a citation embed: five passages stay well under 6,000
LABEL_CHARS = 120  # who said it and when, in front of a run of statements

MARKER = re.compile(r"\[\d+\]")
MASS_MENTION = re.compile(r"@(everyone|here)")
ID_MENTION = re.compile(r"<@([!&]?\d+)>")
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass
class OutgoingMessage:
    """One Discord message: content (may be empty when embeds carry it) and embeds."""

    content: str
    embeds: list[discord.Embed] = field(default_factory=list)


def clip(text: str, limit: int) -> str:
    """text shortened to at most `limit` characters, ending with … when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def _hard_cut(text: str, limit: int) -> int:
    """Where to cut a run of text with no spaces: at `limit`, moved back out of any [n] marker."""
    cut = limit
    for m in MARKER.finditer(text):
        if m.start() < cut < m.end():
            cut = m.start()
    return cut if cut > 0 else limit


def split_long(text: str, limit: int = CONTENT_LIMIT) -> list[str]:
    """Split one over-long statement at sentence ends, then at spaces, then (last resort) mid-word."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    for unit in SENTENCE_END.split(text):
        words = unit.split(" ") if len(unit) > limit else [unit]
        for word in words:
            while len(word) > limit:  # a single "word" longer than a message (a huge URL, say)
                cut = _hard_cut(word, limit)
                parts.append(word[:cut])
                word = word[cut:]
            parts.append(word)
    return pack(parts, limit)


def pack(pieces: list[str], limit: int = CONTENT_LIMIT) -> list[str]:
    """Greedily join pieces with single spaces into chunks of at most `limit` characters."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if not piece:
            continue
        for part in split_long(piece, limit) if len(piece) > limit else [piece]:
            joined = f"{current} {part}" if current else part
            if len(joined) <= limit:
                current = joined
            else:
                chunks.append(current)
                current = part
    if current:
        chunks.append(current)
    return chunks


def no_pings(text: str) -> str:
    """Mentions in quoted text made inert (a zero-width space after the @), on top of allowed_mentions."""
    return ID_MENTION.sub("<@\u200b\\1>", MASS_MENTION.sub("@\u200b\\1", text))


def is_link(url: str | None) -> bool:
    return bool(url) and url.startswith(("http://", "https://")) and not any(c in url for c in " ()<>")


def statement_text(text: str, citations: list[int]) -> str:
    marks = "".join(f"[{n}]" for n in citations)
    return f"{no_pings(text)} {marks}".strip()


def excerpt(quote: str, highlights: list[str], limit: int = QUOTE_CHARS) -> str:
    """The passage, whitespace-normalised and Markdown-escaped, with the cited sentences in bold; when it
    is longer than `limit`, a window that starts just before the first cited sentence."""
    text = " ".join(quote.split())
    spans = sorted(
        (i, i + len(h)) for h in (" ".join(x.split()) for x in highlights) if h and (i := text.find(h)) >= 0
    )
    start = 0
    if len(text) > limit and spans:
        start = max(0, min(spans[0][0] - limit // 5, len(text) - limit))
    end = min(len(text), start + limit)
    out, pos = [], start
    for a, b in spans:
        a, b = max(a, pos), min(b, end)
        if a >= b:
            continue
        out += [
            discord.utils.escape_markdown(text[pos:a]),
            "**",
            discord.utils.escape_markdown(text[a:b]),
            "**",
        ]
        pos = b
    out.append(discord.utils.escape_markdown(text[pos:end]))
    return ("…" if start > 0 else "") + "".join(out).strip() + ("…" if end < len(text) else "")


def citation_embed(
    c: Citation, highlights: list[str] | None = None, quote_chars: int = QUOTE_CHARS
) -> discord.Embed:
    """One cited passage: [n] title (linked when the source has a URL), the excerpt quoted with the
    sentences that cite it in bold, the date."""
    embed = discord.Embed(
        title=clip(f"[{c.number}] {c.title}", EMBED_TITLE_LIMIT),
        url=c.url if is_link(c.url) else None,
        description=clip("> " + excerpt(c.quote, highlights or [], quote_chars), EMBED_DESCRIPTION_LIMIT),
    )
    if c.date:
        embed.add_field(name="Date", value=c.date, inline=True)
    if c.heading:
        embed.add_field(name="Section", value=clip(c.heading, FIELD_VALUE_LIMIT), inline=True)
    if c.url:
        embed.add_field(name="Link", value=clip(c.url, FIELD_VALUE_LIMIT), inline=False)
    embed.set_footer(text=clip(f"{c.doc_id} · characters {c.start}–{c.end}", FOOTER_LIMIT))
    return embed


def pack_embeds(embeds: list[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds into messages of at most 10 embeds and 6,000 characters."""
    groups: list[list[discord.Embed]] = []
    current: list[discord.Embed] = []
    size = 0
    for e in embeds:
        n = len(e)  # discord.Embed.__len__ counts title, description, fields, footer and author
        if current and (len(current) == EMBEDS_PER_MESSAGE or size + n > EMBEDS_TOTAL_LIMIT):
            groups.append(current)
            current, size = [], 0
        current.append(e)
        size += n
    if current:
        groups.append(current)
    return groups


def _closest_embed(sources: list[DocumentMeta]) -> discord.Embed:
    lines = []
    for d in sources:
        title = clip(d.title, 200)
        label = f"[{title}]({d.url})" if is_link(d.url) else title
        lines.append(f"• {label}" + (f" ({d.date})" if d.date else ""))
    return discord.Embed(title="Closest sources", description=clip("\n".join(lines), EMBED_DESCRIPTION_LIMIT))


def _pieces(answer: Answer, notes: list[str]) -> list[tuple[str, list[int], str]]:
    """(text, citation numbers, separator before it) per statement, then per note. Each run of statements
    from one source opens a line with who said it and when: "**Engin Ozer (News.Az, 2025-08-04):** …"."""
    pieces: list[tuple[str, list[int], str]] = []
    for label, group in runs(answer):
        for j, st in enumerate(group):
            text = statement_text(st.text, st.citations)
            if label and j == 0:
                text = f"**{discord.utils.escape_markdown(no_pings(clip(label, LABEL_CHARS)))}:** {text}"
            pieces.append((text, st.citations, "\n" if label and j == 0 else " "))
    labelled = any(label for label, _ in runs(answer))
    return pieces + [(n, [], "\n" if labelled else " ") for n in notes]


def answer_messages(answer: Answer, limit: int = CONTENT_LIMIT) -> list[OutgoingMessage]:
    """The answer as one or more messages: statements with [n] markers, cited passages as embeds."""
    notes = [f"*{no_pings(n)}*" for n in answer.notes]
    if answer.abstained:
        chunks = pack([no_pings(answer.text) or "The sources do not cover this question.", *notes], limit)
        messages = [OutgoingMessage(c) for c in chunks]
        if answer.closest_sources:
            messages[-1].embeds.append(_closest_embed(answer.closest_sources))
        return messages

    by_number = {c.number: c for c in answer.citations}
    cited_by: dict[int, list[str]] = {}
    for st in answer.statements:
        for n in st.citations:
            cited_by.setdefault(n, []).append(st.text)
    # Pack statements into chunks and remember which citations each chunk mentions first.
    chunks: list[tuple[str, list[int]]] = []
    current, current_nums = "", []
    for piece, nums, sep in _pieces(answer, notes):
        for i, part in enumerate(split_long(piece, limit)):
            joined = f"{current}{sep if i == 0 else ' '}{part}" if current else part
            if current and len(joined) > limit:
                chunks.append((current, current_nums))
                current, current_nums = part, []
            else:
                current = joined
        current_nums = current_nums + [n for n in nums if n not in current_nums]
    if current:
        chunks.append((current, current_nums))

    messages: list[OutgoingMessage] = []
    shown: set[int] = set()
    for content, nums in chunks:
        new = [n for n in nums if n in by_number and n not in shown]
        shown.update(new)
        groups = pack_embeds([citation_embed(by_number[n], cited_by.get(n)) for n in new]) or [[]]
        messages.append(OutgoingMessage(content, groups[0]))
        messages.extend(OutgoingMessage("", g) for g in groups[1:])
    rest = [citation_embed(c) for c in answer.citations if c.number not in shown]
    messages.extend(OutgoingMessage("", g) for g in pack_embeds(rest))
    return messages or [OutgoingMessage("The sources do not cover this question.")]


def sources_messages(sources: list[SourceInfo]) -> list[OutgoingMessage]:
    """What the corpus holds: one line per document (title, date, chunks), in embeds within limits."""
    if not sources:
        return [OutgoingMessage("The knowledge base is empty: nothing has been ingested yet.")]
    lines = []
    for s in sources:
        title = clip(s.title, 180)
        label = f"[{title}]({s.url})" if is_link(s.url) else title
        lines.append(f"• {label} — {s.date or 'undated'}, {s.chunks} chunks")
    total = sum(s.chunks for s in sources)
    header = f"{len(sources)} documents, {total} chunks."
    descriptions = pack_lines(lines, EMBED_DESCRIPTION_LIMIT)
    embeds = [
        discord.Embed(title="Sources" if i == 0 else "Sources (continued)", description=d)
        for i, d in enumerate(descriptions)
    ]
    groups = pack_embeds(embeds)
    return [OutgoingMessage(header if i == 0 else "", g) for i, g in enumerate(groups)]


def pack_lines(lines: list[str], limit: int) -> list[str]:
    """Join lines with newlines into blocks of at most `limit` characters (a too-long line is clipped)."""
    blocks: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        joined = f"{current}\n{line}" if current else line
        if len(joined) > limit:
            blocks.append(current)
            current = line
        else:
            current = joined
    if current:
        blocks.append(current)
    return blocks


def ingest_summary(report: IngestReport) -> str:
    """The ingest report in the CLI's words: added / updated / unchanged / removed / failed."""
    lines = [
        f"**added {len(report.added)}** · updated {len(report.updated)} · unchanged {len(report.unchanged)}"
        f" · removed {len(report.removed)} · failed {len(report.failed)} — {report.chunks_written} chunks"
        f" written in {report.seconds:.1f} s"
    ]
    for label, ids in (("added", report.added), ("updated", report.updated)):
        if ids:
            lines.append(f"{label}: " + ", ".join(f"`{i}`" for i in ids))
    for name, reason in report.failed.items():
        lines.append(f"failed `{clip(name, 200)}`: {reason}")
    return clip(no_pings("\n".join(lines)), CONTENT_LIMIT)
