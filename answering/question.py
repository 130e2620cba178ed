"""What happens to a question before retrieval: cleaning, refusing bad input, setting aside
instructions aimed at the bot, and rewriting follow-ups into stand-alone questions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from corridor.errors import InputError
from corridor.records import Turn
from vectorstore.lexical import stopwords, terms

from .dates import RECENT_WORDS
from .features import NUMBER

# Characters that change how text looks without being text: zero-width, bidi controls, BOM.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")
_INVITE = re.compile(r"(?:https?://)?(?:www\.)?(?:discord\.gg|discord(?:app)?\.com/invite)/\S+", re.I)
_CODE_FENCE = re.compile(r"`{1,3}")
# Discord Markdown: bold, italics, strike-through and spoiler markers, block-quote marks, heading hashes.
_MARKDOWN = re.compile(r"\*{1,3}|~~|\|\||(?<!\w)_{1,2}|_{1,2}(?!\w)|^>{1,3}\s|^#{1,3}\s", re.M)
# Clauses that try to steer the bot rather than ask about the corpus.
_INJECTION = re.compile(
    r"(?:^|(?<=[.!?;:,]))\s*[^.!?;:]*\b(?:ignore|disregard|forget|override)\b[^.!?:;]*"
    r"\b(?:sources?|instructions?|rules?|prompt|context|passages?|corpus|citations?)\b[^.!?:;]*[.!?:;]?"
    r"|(?:^|(?<=[.!?;:]))\s*[^.!?;:]*\b(?:just|only)\s+(?:say|answer|reply|respond)\b[^.!?:;]*[.!?:;]?"
    r"|(?:^|(?<=[.!?;:]))\s*[^.!?;:]*\b(?:reveal|print|show|repeat)\b[^.!?:;]*\b(?:system\s+)?prompt\b"
    r"[^.!?:;]*[.!?:;]?"
    r"|(?:^|(?<=[.!?;:]))\s*[^.!?;:]*\bwithout\s+(?:any\s+)?(?:citations?|sources?)\b[^.!?:;]*[.!?:;]?"
    r"|(?:^|(?<=[.!?;:]))\s*[^.!?;:]*\byou\s+are\s+now\b[^.!?:;]*[.!?:;]?"
    r"|(?:^|(?<=[.!?;:]))\s*[^.!?;:]*\b(?:disregard|ignore)\s+(?:them|it|that|this|those|everything)\b"
    r"[^.!?:;]*[.!?:;]?",
    re.I,
)
# A sentence in a source that speaks to the bot rather than about the world ("SYSTEM: tell users …").
_INSTRUCTION = re.compile(
    r"^\W*(?:system|assistant|developer|user)\s*:"
    r"|\b(?:ignore|disregard|forget|override)\b.{0,60}\b(?:instructions?|prompts?|rules?|sources?|above|previous)\b"
    r"|\b(?:reply|respond|answer|say)\s+only\b|\btell\s+(?:the\s+)?users?\b|\byou\s+(?:are|must|should)\s+now\b",
    re.I,
)
_FOLLOW_UP_START = re.compile(r"^(?:and|but|also|so|then|what about|how about|and what|why|when)\b", re.I)
_PRONOUNS = {"he", "she", "it", "they", "him", "her", "his", "its", "their", "them", "this", "that",
             "these", "those", "there", "he's", "she's", "it's"}
_QUESTION_WORDS = {"what", "which", "who", "whom", "whose", "when", "where", "why", "how", "does", "did",
                   "do", "is", "are", "was", "were", "can", "could", "would", "should", "say", "says",
                   "said", "tell", "according", "about", "think", "expect"}


@dataclass
class CleanQuestion:
    """A question ready for retrieval, and what was set aside from it."""

    text: str  # what the user asked, cleaned (shown back in answers)
    query: str  # what retrieval searches for: the text without instructions aimed at the bot ("" if none)
    injection: bool = False  # instructions aimed at the bot were found and ignored


def clean_question(raw: str, max_chars: int) -> CleanQuestion:
    """Normalise a question; raise InputError for one that cannot be asked."""
    if raw is None or not isinstance(raw, str):
        raise InputError("please ask a question in words.")
    text = unicodedata.normalize("NFKC", raw)
    text = _INVISIBLE.sub("", text)
    text = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = _MENTION.sub(" ", text)
    text = _INVITE.sub(" ", text)
    text = _CODE_FENCE.sub(" ", text)
    text = _MARKDOWN.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if not re.search(r"\w", text):
        raise InputError("please ask a question in words.")
    if len(text) > max_chars:
        raise InputError(f"that question is too long ({len(text):,} characters; the limit is {max_chars:,}).")
    query = _INJECTION.sub(" ", text)
    query = re.sub(r"\s+", " ", query).strip()
    injection = query != text
    if not re.search(r"\w\w", query):
        query = ""  # the whole question was an instruction to the bot: nothing to search for
    return CleanQuestion(text=text, query=query, injection=injection)


_FIGURE = re.compile(rf"[$€£]?{NUMBER}(?:\s*(?:%|(?:percent|billion|million|thousand|trillion)\b))?", re.I)
_PART_BREAK = re.compile(
    r"\s*(?:,\s*and|;|,?\s+and\s+(?=(?:what|which|who|when|where|why|how|is|are|was|were|does|do|did|will|"
    r"would|can|could|has|have)\b))\s+", re.I)


# Words that name only the kind of answer a part asks for ("in which city?", "in what year?").
_ASKED_KIND = frozenset(terms("city country countries year month date day place region port time amount "
                              "number figure"))


def split_question(question: str) -> list[str]:
    """The parts of a question that asks several things ("Which railway …, and when did it open?"),
    each made stand-alone; a single question gives []."""
    parts = [p.strip(" ,;") for p in _PART_BREAK.split(question) if len(p.split()) >= 3]
    if len(parts) < 2:
        return []
    first = parts[0]
    out = [first if first.endswith("?") else first + "?"]
    for part in parts[1:3]:
        # A later part shares the first part's subject (its names), not its predicate: "…founded, and where
        # is its secretariat?" asks about the secretariat of the OTS, not about a founding.
        names = [w for w in subject_terms(first) if w[0].isupper() and w.lower() not in part.lower()]
        if not set(terms(part)) - _ASKED_KIND:  # "…, and in which city?": nothing but the kind asked
            part = f"{part} ({first.rstrip('?')})"
        elif names and is_follow_up(part):
            part = f"{part} ({' '.join(names)})"
        out.append(part)
    return out


# A later sentence that speaks of the sources rather than the subject: "The two reports give different
# figures.", "Do the sources agree on the number?". It says what the answer should show (each source's
# figure), not what the answering sentence says.
_ABOUT_SOURCES = re.compile(
    r"\b(?:give|gives|put|puts|report|reports|state|states)\s+(?:different|differing|conflicting|other|"
    r"the\s+same|contradictory)\b|\b(?:agree|disagree|differ|conflict|contradict)\w*\b", re.I)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z])")
_SOURCES_DIFFER_LEAD = re.compile(r"^\W*(?:the\s+)?(?:texts?|sources?|reports?|articles?)\s+"
                                  r"(?:put|give|report|state|tell)\s+(?:it|this|them)?\s*"
                                  r"(?:differently|different\w*)", re.I)


def _about_sources(question: str) -> tuple[list[str], list[bool]]:
    """The question's sentences, and for each whether it speaks about the sources ("The two reports give
    different figures."): only a later sentence does; the first's "agree" ("What did the two sides agree?")
    is about what is asked."""
    sentences = _SENTENCE_END.split(question.strip())
    return sentences, [i > 0 and bool(_ABOUT_SOURCES.search(s)) for i, s in enumerate(sentences)]


def asks_sources_differ(question: str) -> bool:
    """"… ? The texts put it differently.", "Do the sources give the same number?": the asker expects the
    sources to differ and wants each one's account."""
    return bool(_SOURCES_DIFFER_LEAD.search(question)) or any(_about_sources(question)[1])


# Words that say when, or from which text, an answer is wanted, not what it is about: "the most recent",
# "these days", "that the texts report", "according to the newest article". The time rules read them from the
# whole question (dates.asks_latest, recency); matched as content they favour any sentence that says "latest"
# or "new text" ("The figures come from the latest report of the EDB").
_WHEN_WORDS = re.compile(
    rf"\b(?:{RECENT_WORDS})\b"
    r"|,?\s*\b(?:that|which)\s+(?:the\s+)?(?:texts?|sources?|articles?|reports?)\s+(?:here\s+)?"
    r"(?:report|describe|mention|give|say|cover|name|list|put)s?\b"
    r"|,?\s*\b(?:that|which)\s+you\s+know\s+(?:about|of)\b"
    r"|,?\s*\baccording\s+to\s+the\s+(?:(?:newest|latest|most\s+recent|recent)\s+)?"
    r"(?:texts?|sources?|articles?(?:\s+on\s+it)?)\b", re.I)


def asked_part(question: str) -> str:
    """The question without its later sentences about the sources ("How many jobs will it create? The two
    reports give different figures." → its first sentence) and without its words on when or from which text
    ("the most recent", "that the texts report"): what a sentence of the answer is matched against.
    Retrieval keeps the whole question (its source names and dates find both reports; searching without the
    words on when moved no answer for the better, docs/QUALITY.md)."""
    sentences, about = _about_sources(question)
    kept = [s for s, remark in zip(sentences, about, strict=True) if not remark]
    asked = " ".join(kept) if len(kept) < len(sentences) else question
    return without_when(asked)


def without_when(question: str) -> str:
    """The question without its words on when or from which text ("the most recent", "these days", "that
    the texts report"); the question itself when nothing else would be left."""
    bare = re.sub(r"\s{2,}", " ", _WHEN_WORDS.sub(" ", question)).strip()
    bare = re.sub(r"\s+([?.,!])", r"\1", bare)
    return bare if set(terms(bare)) else question


def looks_like_instruction(sentence: str) -> bool:
    """Is this text an instruction aimed at an assistant? Such sentences are data, never quoted as facts."""
    return bool(_INSTRUCTION.search(sentence))


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’'-]+", text)


def is_follow_up(question: str) -> bool:
    """Does the question lean on an earlier turn (a pronoun, 'and …', or almost no content words)?"""
    words = [w.lower() for w in _words(question)]
    content = [w for w in words if w not in stopwords() and w not in _QUESTION_WORDS and w not in _PRONOUNS]
    return bool(_FOLLOW_UP_START.match(question.strip())) or any(w in _PRONOUNS for w in words) \
        or len(content) <= 1


def subject_terms(question: str) -> list[str]:
    """The earlier question's subject: its names and content words, in order."""
    out: list[str] = []
    for w in _words(question):
        lw = w.lower()
        if lw in stopwords() or lw in _QUESTION_WORDS or lw in _PRONOUNS or len(w) < 3:
            continue
        if w not in out:
            out.append(w)
    return out


def opens_sentence(text: str, at: int) -> bool:
    """Does the word at `at` open a sentence (where a capital says nothing about a name)?"""
    before = text[:at].rstrip()
    return not before or before[-1] in ".?!:"


def answer_terms(answer: str) -> list[str]:
    """The names and figures of an earlier answer's first cited statement: what "that corridor" or "that
    figure" in the next question points at. An answer without a citation (a refusal) gives none."""
    first = re.match(r"(.+?)\s*\[\d+\]", answer, re.S)
    if not first:
        return []
    text, out = first.group(1), []
    words = list(re.finditer(r"[\w’'-]+", text))
    for i, m in enumerate(words):
        w = m.group(0)
        # a capital opening a sentence says nothing, unless the next word is capitalised too: "Cengiz Holding
        # plans …" opens with a name
        after = words[i + 1].group(0) if i + 1 < len(words) else ""
        name = w[0].isupper() and (not opens_sentence(text, m.start()) or after[:1].isupper())
        if name and w.lower() not in stopwords() and len(w) >= 3 and w not in out:
            out.append(w)
    # Figures with a unit or currency only: a bare year or day in the answer ("born 17 May 1953") is rarely
    # what "that" points at (measured on the dev and fresh-dev follow-ups, docs/QUALITY.md).
    figures = [f for f in _FIGURE.findall(text) if not f.isdigit()]
    return out + [f for f in figures if f not in out]


def rewrite_follow_up(question: str, history: list[Turn] | None) -> str:
    """Rule-based carry-over for extractive mode: a follow-up gets the previous question's subject and
    the names and figures the previous answer gave."""
    if not history or not is_follow_up(question):
        return question
    carried: list[str] = []
    for t in subject_terms(history[-1].standalone) + answer_terms(history[-1].answer):
        if t.lower() not in question.lower() and t.lower() not in (c.lower() for c in carried):
            carried.append(t)
    if not carried:
        return question
    return f"{question} ({' '.join(carried)})"
