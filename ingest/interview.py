"""Interviews: find the question/answer turns and who asks and who answers.

Formats recognised: dash-prefixed turns ("– question?" then "– answer", as News.Az prints them), "Q:"/"A:"
(or "Question:"/"Answer:") labels, bold questions ("**…?**") followed by the answer, and "Name:" speaker
labels that recur. Names come from front matter (author = interviewer, interviewee) or from the text ("In an
interview with News.Az, Turkish expert Engin Ozer shared …", "Interviewed by …"). Hand-written: no library
segments interview transcripts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Patterns are anchored and never put two whitespace runs side by side, so a line of 100k spaces stays linear.
_DASH_START = re.compile(r"^\s*[–—-]\s")
_DASH = re.compile(r"^\s*[–—]\s+\S|^\s*-\s+[A-Z0-9\"“]")
_QA = re.compile(r"^\s*(?:\*\*|__)?(?P<label>Q|A|Question|Answer) ?(?:\*\*|__)?[:.)]", re.IGNORECASE)
_SPEAKER = re.compile(r"^\s*(?:\*\*|__)?(?P<label>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2})(?:\*\*|__)?:"
                      r"(?:\*\*|__)?\s+\S")
_NOT_SPEAKERS = {"title", "author", "interviewer", "interviewee", "publisher", "published", "source", "note",
                 "notes", "photo", "update", "summary", "date", "tags", "read more", "see also", "q", "a",
                 "question", "answer", "editor", "image", "caption"}
_INTERVIEWER_LABELS = {"interviewer", "journalist", "host", "moderator", "reporter"}
_BYLINE = re.compile(r"^\s*[*_]*(?:By|Written by|Reporting by|Text by|Interviewed by|Interview by)\s+"
                     r"(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})[*_]*\.?\s*$")
_INTERVIEWED_BY = re.compile(r"\b(?:Interviewed|Interview conducted) by\s+"
                             r"(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})")
_VERBS = (r"shared|said|told|spoke|discussed|talked|explained|noted|gave|offered|answered|commented|"
          r"reflected|shares|says|discusses|explains|assessed|assesses|weighed|evaluated|outlined")
_NAME = r"[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]+|de|van|von|al|bin|el)){1,3}"
_WITH = re.compile(rf"\binterview with (?P<outlet>[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){{0,3}}),\s+"
                   rf"(?:[\w-]+\s+){{0,5}}?(?P<name>{_NAME}),?\s+(?:[\w-]+\s+)?(?:{_VERBS})\b")
_TOLD = re.compile(rf"(?P<name>{_NAME}),\s+(?:an?|the)\s+[^,.]{{3,80}},\s+(?:told|said to|spoke to)\s+"
                   rf"(?P<outlet>[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){{0,3}})\s+in an interview")


@dataclass
class Turn:
    """One question and its answer: text[start:answer_start] asks, text[answer_start:end] answers."""

    start: int
    answer_start: int
    end: int
    question: str  # the question without its dash, label or bold marks
    asker: str | None = None  # a speaker label from the text ("Q", "Interviewer", a name), if any
    answerer: str | None = None


@dataclass
class Names:
    interviewer: str | None = None
    interviewee: str | None = None  # as the source gives it ("Engin Ozer (Turkish expert)")
    outlet: str | None = None  # "In an interview with News.Az": the publisher


def person(name: str | None) -> str | None:
    """A name without its parenthesised description: "Engin Ozer (Turkish expert)" → "Engin Ozer"."""
    if not name:
        return None
    return re.sub(r"\s*\([^)]*\)\s*", " ", name).strip(" ,;") or None


def _asks(line: str) -> bool:
    return line.rstrip().rstrip("\"”’)*_").endswith("?")


def _dash_question(line: str) -> bool:
    return bool(_DASH_START.match(line)) and _asks(line)


def _bold_question(line: str) -> bool:
    """A whole line in bold that asks: "**What next?**"."""
    s = line.strip()
    return len(s) > 4 and s[:2] in ("**", "__") and s[-2:] == s[:2] and "*" not in s[2:-2] and _asks(s[2:-2])


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if not m.group().isspace()]


def _strip_marks(line: str) -> str:
    line = re.sub(r"^\s*[–—-]\s+", "", line)
    line = re.sub(r"^\s*(?:\*\*|__)?(?:Q|Question)\s*(?:\*\*|__)?\s*[:.)]\s*", "", line, flags=re.IGNORECASE)
    return line.replace("**", "").replace("__", "").strip()


def _labelled_lines(text: str, lines: list[tuple[int, int]]) -> dict[int, str]:
    """line index → the "Name:" speaker label it opens with, for every such line."""
    found: dict[int, str] = {}
    for i, (a, b) in enumerate(lines):
        m = _SPEAKER.match(text[a:b])
        if m and m.group("label").lower() not in _NOT_SPEAKERS and not text[a:b].lstrip().startswith("-"):
            found[i] = m.group("label")
    return found


def _speaker_labels(text: str, lines: list[tuple[int, int]]) -> dict[int, str]:
    """line index → speaker label, when "Name:" labels recur (two or more speakers, each twice or more)."""
    found = _labelled_lines(text, lines)
    counts: dict[str, int] = {}
    for label in found.values():
        counts[label] = counts.get(label, 0) + 1
    recurring = {label for label, n in counts.items() if n >= 2}
    if len(recurring) < 2:
        return {}
    return {i: label for i, label in found.items() if label in recurring}


def _end_of_answers(text: str, lines: list[tuple[int, int]]) -> int:
    """Where the last answer ends: before a closing byline ("By Tural Heybatov"), else the text's end."""
    end = len(text)
    for a, b in reversed(lines[-3:]):
        if _BYLINE.match(text[a:b]):
            end = a
    return end


def find_turns(text: str, interview_hint: bool = False) -> list[Turn]:
    """The question/answer turns of an interview; [] when the text does not read as one.

    Needs two questions in the same format, or one when `interview_hint` (front matter names an
    interviewee) is set; "Q:"/"A:" and speaker labels need one complete pair.
    """
    lines = _lines(text)
    if not lines:
        return []
    labels = _speaker_labels(text, lines)
    qa = {i: m.group("label")[0].upper() for i, (a, b) in enumerate(lines) if (m := _QA.match(text[a:b]))}
    starts: list[tuple[int, str | None, str | None]] = []  # (line index, asker label, answerer label)
    if "Q" in qa.values() and "A" in qa.values():
        starts = [(i, "Q", "A") for i, kind in sorted(qa.items()) if kind == "Q"]
    elif labels:
        ends = {i: text[lines[i][0]:lines[i][1]].rstrip().endswith("?") for i in labels}
        asks = {lab: [ends[i] for i, x in labels.items() if x == lab] for lab in set(labels.values())}
        askers = {lab for lab, q in asks.items() if lab.lower() in _INTERVIEWER_LABELS or sum(q) > len(q) / 2}
        others = sorted(set(labels.values()) - askers)
        if askers and others:
            answerer = others[0] if len(others) == 1 else None
            starts = [(i, lab, answerer) for i, lab in sorted(labels.items()) if lab in askers]
    else:
        need = 1 if interview_hint else 2
        dash_q = [i for i, (a, b) in enumerate(lines) if _dash_question(text[a:b])]
        bold_q = [i for i, (a, b) in enumerate(lines) if _bold_question(text[a:b])]
        if len(dash_q) >= need and any(_DASH.match(text[a:b]) and i not in dash_q
                                       for i, (a, b) in enumerate(lines)):
            starts = [(i, None, None) for i in dash_q]
        elif len(bold_q) >= need:
            starts = [(i, None, None) for i in bold_q]
    # A question spanning several lines before its answer (rare) is taken as its first line plus the lines
    # up to the first answer line; consecutive question lines are merged.
    merged: list[tuple[int, str | None, str | None]] = []
    for s in starts:
        if merged and s[0] == merged[-1][0] + 1 and not labels:
            continue
        merged.append(s)
    asked_at = {s[0] for s in starts}
    stop = _end_of_answers(text, lines)
    turns: list[Turn] = []
    for n, (i, asker, answerer) in enumerate(merged):
        q_start, q_end = lines[i]
        j = i + 1
        while j < len(lines) and j in asked_at and not labels:
            q_end = lines[j][1]  # a run of question lines
            j += 1
        if j >= len(lines) or lines[j][0] >= stop:
            continue  # a question with no answer
        nxt = merged[n + 1][0] if n + 1 < len(merged) else None
        end_line = (nxt - 1) if nxt is not None else len(lines) - 1
        while end_line >= j and lines[end_line][0] >= stop:
            end_line -= 1
        if end_line < j:
            continue
        if labels and answerer is None:
            m = _SPEAKER.match(text[lines[j][0]:lines[j][1]])
            answerer = m.group("label") if m else None
        turns.append(Turn(start=q_start, answer_start=lines[j][0], end=lines[end_line][1],
                          question=_strip_marks(_label_off(text[q_start:q_end], asker if labels else None)),
                          asker=asker, answerer=answerer))
    return turns


def _label_off(line: str, label: str | None) -> str:
    if label and (m := re.match(rf"^\s*(?:\*\*|__)?{re.escape(label)}\s*(?:\*\*|__)?\s*:\s*", line)):
        return line[m.end():]
    return line


def find_names(text: str) -> Names:
    """Interviewer, interviewee and outlet named in the text itself."""
    names = Names()
    head = text[:3000]
    if (m := _WITH.search(head)) or (m := _TOLD.search(head)):
        names.interviewee, names.outlet = m.group("name"), m.group("outlet")
    if m := _INTERVIEWED_BY.search(text):
        names.interviewer = m.group("name")
    return names


def byline(text: str) -> str | None:
    """The author a "By …" line at the top or the bottom of the text names."""
    lines = _lines(text)
    for a, b in lines[:4] + lines[-3:]:
        if m := _BYLINE.match(text[a:b]):
            return m.group("name")
    return None


def _same_person(label: str, full: str) -> bool:
    """A speaker label naming the person ("Omuraliev" or "Kubanychbek Omuraliev", not "Derya Soysal")."""
    words, names = label.lower().split(), set(full.lower().split())
    return bool(words) and all(w in names for w in words)


def labelled_answers(text: str, interviewee: str) -> list[Turn]:
    """Where the interviewee speaks under a "Name:" label that the text uses too seldom to read as turns
    (one exchange: "**Kubanychbek Omuraliev:** …" once): each such stretch runs from its label to the next
    line labelled with another speaker, or to the end of the answers. Its question is the labelled line
    before it, when that line asks. Only attribution: [] when find_turns already reads the text."""
    full = person(interviewee)
    lines = _lines(text)
    if not full or not lines:
        return []
    labelled = list(_labelled_lines(text, lines).items())  # (line index, label), in order
    stop = _end_of_answers(text, lines)
    out: list[Turn] = []
    for n, (i, label) in enumerate(labelled):
        if not _same_person(label, full) or lines[i][0] >= stop or (out and lines[i][0] < out[-1].end):
            continue
        nxt = next((j for j, other in labelled[n + 1:] if not _same_person(other, full)), len(lines))
        end_line = nxt - 1
        while end_line > i and lines[end_line][0] >= stop:
            end_line -= 1
        asker, question = None, ""  # the labelled line just before, when it asks
        if n and labelled[n - 1][0] == i - 1 and _asks(line := text[lines[i - 1][0]:lines[i - 1][1]]):
            asker = labelled[n - 1][1]
            question = _strip_marks(_label_off(line, asker))
        out.append(Turn(start=lines[i][0], answer_start=lines[i][0], end=lines[end_line][1],
                        question=question, asker=asker, answerer=label))
    return out
