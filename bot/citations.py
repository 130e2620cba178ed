"""Citation checks shared by both answer modes: a marker must point at a passage, and the passage must
support the sentence it is attached to."""

from __future__ import annotations

import re

from corridor.records import Passage, Statement
from vectorstore.lexical import terms

DROP_BELOW = 0.35  # support under this: the sentence is dropped
FLAG_BELOW = 0.6  # support under this: kept, but flagged as weakly supported
_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def support(sentence: str, passage_text: str) -> float:
    """How much of the sentence the passage backs: 1.0 for a verbatim quote, else the share of the
    sentence's content terms (stemmed, stop words out) that the passage contains."""
    if _norm(sentence) and _norm(sentence) in _norm(passage_text):
        return 1.0
    s_terms = set(terms(sentence))
    if not s_terms:
        return 0.0
    return len(s_terms & set(terms(passage_text))) / len(s_terms)


def parse_markers(text: str) -> tuple[str, list[int]]:
    """Split "sentence [1][3, 4]" into the bare sentence and its citation numbers, in order."""
    numbers: list[int] = []
    for m in _MARKER.finditer(text):
        for n in m.group(1).split(","):
            if int(n) not in numbers:
                numbers.append(int(n))
    return re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub("", text)).strip(), numbers


def verify(statements: list[Statement], numbered: dict[int, Passage]) -> tuple[list[Statement], list[str]]:
    """Keep only citations that exist and statements their citations support.

    A marker pointing at no passage is removed; a statement left without a valid citation is matched
    against every passage and cited to the best one if that one supports it; a statement whose support
    is under DROP_BELOW is dropped and one under FLAG_BELOW is flagged. Returns (kept, notes).
    """
    kept: list[Statement] = []
    notes: list[str] = []
    for st in statements:
        valid = [n for n in st.citations if n in numbered]
        if len(valid) < len(st.citations):
            notes.append(f"removed citation markers that point at no passage: "
                         f"{sorted(set(st.citations) - set(valid))}")
        scores = {n: support(st.text, numbered[n].chunk.text) for n in valid}
        if not scores:
            best = max(numbered, key=lambda n: support(st.text, numbered[n].chunk.text), default=None)
            if best is not None:
                scores = {best: support(st.text, numbered[best].chunk.text)}
        best_support = max(scores.values(), default=0.0)
        if best_support < DROP_BELOW:
            notes.append(f"dropped a sentence its sources do not support: {st.text[:80]!r}")
            continue
        cited = [n for n, s in scores.items() if s >= DROP_BELOW]
        kept.append(Statement(text=st.text, citations=cited, support=round(best_support, 3),
                              flagged=best_support < FLAG_BELOW))
    return kept, notes
