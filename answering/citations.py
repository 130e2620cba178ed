"""Citation checks shared by both answer modes: a marker must point at a passage, and the passage must
support the sentence it is attached to."""

from __future__ import annotations

import re
from collections.abc import Callable

from corridor.records import Passage, Statement
from vectorstore.lexical import terms

from .features import NUMBER
from .question import looks_like_instruction

DROP_BELOW = 0.35  # support under this: the sentence is dropped
FLAG_BELOW = 0.6  # support under this: kept, but flagged as weakly supported
_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


_NUMBER = re.compile(NUMBER)


def support(sentence: str, passage_text: str, weight: Callable[[str], float] | None = None) -> float:
    """How much of the sentence the passage backs: 1.0 for a verbatim quote, else the weighted share of
    the sentence's content terms (stemmed, stop words out) found in the passage, where `weight` gives
    rare terms more say (a claim about "bananas" is not backed by a passage about grain). A figure in
    the sentence that the passage does not contain caps support under the drop line."""
    if _norm(sentence) and _norm(sentence) in _norm(passage_text):
        return 1.0
    s_terms = set(terms(sentence))
    if not s_terms:
        return 0.0
    p_terms = set(terms(passage_text))
    w = weight or (lambda _t: 1.0)
    share = sum(w(t) for t in s_terms & p_terms) / (sum(w(t) for t in s_terms) or 1.0)
    passage_numbers = {n.replace(",", "") for n in _NUMBER.findall(passage_text)}
    if any(n.replace(",", "") not in passage_numbers for n in _NUMBER.findall(sentence)) or \
            not _measures(sentence) <= _measures(passage_text):
        share = min(share, DROP_BELOW - 0.05)
    return share


_UNIT = {"km": "km", "kilometre": "km", "kilometer": "km", "mile": "mi", "%": "%", "percent": "%",
         "million": "e6", "mln": "e6", "billion": "e9", "bn": "e9", "trillion": "e12", "thousand": "e3",
         "tonne": "t", "ton": "t", "metric": "t", "kg": "kg", "hectare": "ha", "ha": "ha", "dollar": "usd",
         "usd": "usd", "euro": "eur", "barrel": "bbl", "bcm": "bcm", "teu": "teu", "container": "teu"}
_MEASURE = re.compile(r"(\d+(?:[.,]\d+)*)\s*(%|[a-z]+)", re.I)


def _measures(text: str) -> set[tuple[str, str]]:
    """Figures with their unit ("826 km" → ("826", "km")): a sentence's "300 km" needs a passage's
    "300 km", not just a "300" somewhere (an image width)."""
    out = set()
    for number, word in _MEASURE.findall(text):
        word = word.lower()
        unit = _UNIT.get(word) or _UNIT.get(word.rstrip("s")) or _UNIT.get(word.removesuffix("es"))
        if unit:
            out.add((number.replace(",", ""), unit))
    return out


def parse_markers(text: str) -> tuple[str, list[int]]:
    """Split "sentence [1][3, 4]" into the bare sentence and its citation numbers, in order."""
    numbers: list[int] = []
    for m in _MARKER.finditer(text):
        for n in m.group(1).split(","):
            if int(n) not in numbers:
                numbers.append(int(n))
    return re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub("", text)).strip(), numbers


def verify(statements: list[Statement], numbered: dict[int, Passage],
           weight: Callable[[str], float] | None = None) -> tuple[list[Statement], list[str]]:
    """Keep only citations that exist and statements their citations support.

    A marker pointing at no passage is removed; a statement left without a valid citation is matched
    against every passage and cited to the best one if that one supports it; a statement whose support
    is under DROP_BELOW is dropped and one under FLAG_BELOW is flagged. Returns (kept, notes).
    """
    kept: list[Statement] = []
    notes: list[str] = []
    for st in statements:
        if looks_like_instruction(st.text):
            notes.append("left out a sentence that gives instructions instead of information")
            continue
        valid = [n for n in st.citations if n in numbered]
        if len(valid) < len(st.citations):
            notes.append(f"removed citation markers that point at no passage: "
                         f"{sorted(set(st.citations) - set(valid))}")
        scores = {n: support(st.text, numbered[n].chunk.text, weight) for n in valid}
        if not scores:
            best = max(numbered, key=lambda n: support(st.text, numbered[n].chunk.text, weight), default=None)
            if best is not None:
                scores = {best: support(st.text, numbered[best].chunk.text, weight)}
        best_support = max(scores.values(), default=0.0)
        if best_support < DROP_BELOW:
            notes.append(f"dropped a sentence its sources do not support: {st.text[:80]!r}")
            continue
        cited = [n for n, s in scores.items() if s >= DROP_BELOW]
        kept.append(st.model_copy(update={"citations": cited, "support": round(best_support, 3),
                                          "flagged": best_support < FLAG_BELOW}))
    return kept, notes
