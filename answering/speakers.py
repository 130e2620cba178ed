"""Whose words a news sentence reports, for the statement's attribution: "Er stressed …", "…, Kondybayev
said.", "According to Raimkulova, …", and "He said …" after a sentence of the same document that names him;
the name as the document gives it in full before ("Mehmet Süreyya Er"), so a reader sees
"Mehmet Süreyya Er (A News, 2018-03-25): He said …" where the publisher alone stood.

By rule, and on purpose narrow (a wrong name is worse than none): the name must be capitalised and the
subject of a verb of saying at the sentence's start, after an opening phrase ("Speaking to reporters,
Bayraktar said …"), as a parenthesis ("…, Erdoğan said, have …") or at its end ("…, according to Ahmet
Türkoğlu."); an organisation ("TİKA said") counts, a post alone ("The minister said") or the publisher
itself does not. Interview answers
keep the speaker ingest recorded (answering.attribution). No answer's text changes: the refusal checks run
before, on the interview speakers only. In llm mode a sentence the model wrote gets the speaker of the source
sentence that backs it best, read from the source's words, never from the model's.
"""

from __future__ import annotations

import re

from corridor.records import Passage, Statement

from .attribution import cited_passage
from .citations import FLAG_BELOW, support
from .features import MONTH_NAMES, WEEKDAY_NAMES
from .sentences import sentence_spans, sentences_before

# sentences searched back for the one that names a "he said" sentence's speaker (here and in what
# answering.extractive quotes after such an opening)
NAMING_REACH = 4

_UP = "A-ZÇĞİÖŞÜ"
# a capitalised word, an initial ("A.") or a title's abbreviation ("Dr."); no other word may end in a full
# stop ("… the Social Fund. Dzhumatayeva said" is two sentences), and a name does not run over a line break
_WORD = rf"(?:[{_UP}]\.|(?:Dr|Prof|Mr|Mrs|Ms|Gen|Lt|Col|Capt|Sgt|St)\.|[{_UP}][\w’'-]*)"
_NAME = rf"(?P<name>{_WORD}(?:[ \u00a0]+{_WORD}){{0,4}})"
_VERB = (r"(?:said|says|stressed|noted|added|told|explained|emphasi[sz]ed|pointed\s+out|recalled|stated|"
         r"announced|underlined|warned|urged|proposed|suggested|argued|assured|believes|thinks|hopes|remarked|"
         r"observed|insisted|confirmed|highlighted|spoke)")
# "Ahmet Haluk Dursun, Turkey's Deputy Minister of Culture, said"; "Georgia's Finance Minister, Dimitry
# Kumsishvili, said": a post before, the person's name between the commas
_APPOSITION = r"(?:,\s(?P<apposition>[^,]{1,100}),)?"
_ADVERB = r"(?:(?:also|further|then|later|again)\s+)?"
_TO_WHOM = rf"(?:\s+(?:to\s+)?{_WORD}(?:[ \u00a0]+{_WORD}){{0,3}})?"  # "…, Makhkamov told Trend."
_PATTERNS = (
    re.compile(rf"^\W*{_NAME}{_APPOSITION}\s+{_ADVERB}{_VERB}\b"),  # "Er stressed …"
    # after an opening phrase: "Speaking to reporters, Bayraktar said …", "In Astana, Tokayev said …"
    re.compile(rf"^[^,]{{3,80}},\s+{_NAME}{_APPOSITION}\s+{_ADVERB}{_VERB}\b"),
    re.compile(rf",\s+{_NAME}{_APPOSITION}\s+{_ADVERB}{_VERB}{_TO_WHOM}\W*$"),  # "…, Kondybayev said."
    re.compile(rf",\s+{_NAME}\s+{_VERB},\s"),  # "Turkish companies, Erdoğan said, have finished …"
    re.compile(rf",\s+{_VERB}\s+{_NAME}\W*$"),  # "…, said Kondybayev."
    re.compile(rf"^\W*According\s+to\s+{_NAME},"),  # "According to Raimkulova, …"
    re.compile(rf",\s+according\s+to\s+{_NAME}(?:,\s[^,]{{1,100}})?\W*$"),  # "…, according to Türkoğlu."
    re.compile(rf"^\W*In\s+{_NAME}[’']s\s+(?:view|words|opinion)\b"),  # "In Kasseinov's words, …"
)
_PRONOUN = re.compile(rf"^\W*(?:He|She)\s+(?:also\s+)?{_VERB}\b"
                      r"|^\W*In\s+(?:his|her)\s+(?:view|words|opinion)\b"
                      rf"|,\s*(?:he|she)\s+{_VERB}\W*$")
_NOT_NAMES = {"The", "This", "That", "These", "Those", "It", "Its", "He", "She", "They", "We", "I", "A", "An",
              "In", "On", "At", "As", "By", "For", "But", "However", "Both", "Some", "Many", "Officials",
              "Experts", "Analysts", "Sources", "Earlier", "Later", "Yesterday", "Today", "Then", "Also",
              "Meanwhile", "Now", "Here", "There", "When", "While", "After", "Before", "During", "Since",
              "Speaking", "Mr", "Mrs", "Ms"}
# a weekday or month before a name is a date, not a given name ("On Thursday Erdoğan said …")
_CALENDAR = {*MONTH_NAMES.split("|"), *WEEKDAY_NAMES.split("|")}
_POSTS = {"President", "Vice", "Prime", "Minister", "Deputy", "Secretary", "General", "Ambassador", "Consul",
          "Governor", "Mayor", "Chairman", "Chairwoman", "Chair", "Director", "Head", "Speaker", "Senator",
          "Professor", "Prof.", "Dr.", "Mr.", "Mrs.", "Ms.", "Akim", "Rector", "Colonel", "Lieutenant"}


def named(sentence: str) -> str | None:
    """The person or body a sentence says is speaking, as the sentence names it; None when it names none."""
    for pattern in _PATTERNS:
        m = pattern.search(sentence)
        if m and m.group("name").split()[0].rstrip("’'s") not in _NOT_NAMES:
            name, between = m.group("name"), m.groupdict().get("apposition")
            while len(name.split()) > 1 and name.split()[0] in _CALENDAR:
                name = name.split(None, 1)[1]
            if name.split()[-1] in _POSTS and between and re.fullmatch(_NAME, between.strip()):
                return between.strip()
            return name
    return None


def resolve(statement: str, before: list[str]) -> str | None:
    """Who speaks in `statement`: the name it gives, or for "He said …" the name the nearest of `before`
    (the document's sentences before it, nearest first) gives, through a chain of "he"s; None otherwise,
    and None past a question (in an interview the speaker changes there)."""
    if (name := named(statement)) is not None:
        return name
    if not _PRONOUN.search(statement):
        return None
    for sentence in before[:NAMING_REACH]:
        if sentence.rstrip().endswith("?"):
            return None
        if (name := named(sentence)) is not None:
            return name
        if not _PRONOUN.search(sentence):
            return None  # a sentence on something else stands between: the "he" is not safely anyone's
    return None


_FUNCTION_WORD = re.compile(r"\b(?:of|to|in|at|from|and|for)[ \u00a0]+$")
GIVEN_NAMES = 2  # words a surname's first full mention may add before it ("Mehmet Süreyya Er")


def full_name(name: str, text: str) -> str:
    """A name given by its last word alone ("Er") as the text first gives it in full, with at most
    GIVEN_NAMES words before it that are neither a post ("President") nor the end of a phrase before the name
    ("Turkey's ambassador to Bishkek Cengiz Kamil Fırat" → "Cengiz Kamil Fırat", "Minister of Culture and
    Information Aida Balayeva" → "Aida Balayeva"); the name as it is when the text gives no longer form."""
    if len(name.split()) > 1:
        return name
    m = re.search(rf"(?<![\w’'.-])((?:{_WORD}[ \u00a0]+){{1,{GIVEN_NAMES + 2}}}){re.escape(name)}(?![\w’'-])",
                  text)
    if m is None:
        return name
    words = m.group(1).split()
    if _FUNCTION_WORD.search(text[:m.start()]):  # "… and Information Aida Balayeva": not a given name
        words = words[1:]
    words = words[-GIVEN_NAMES:]
    while words and (words[0] in _POSTS or words[0] in _CALENDAR or words[0].rstrip("’'s") in _NOT_NAMES):
        words.pop(0)
    return " ".join([*words, name])


def _source(statement: str, text: str) -> tuple[str, int] | None:
    """The sentence of `text` a statement stands for, and where it starts: the statement itself where the
    text quotes it (an extractive answer), else the sentence that backs a restatement best (a model's
    answer), when `citations.support` without IDF weights (the share of the statement's terms the sentence
    holds) reaches `citations.FLAG_BELOW`; None when no sentence does. The speaker is read from the source's
    words, never from the model's."""
    at = text.find(statement[:40])
    if at >= 0:
        return statement, at
    spans = sentence_spans(text)
    backing = [(support(statement, text[a:b]), a, b) for a, b in spans]
    share, a, b = max(backing, default=(0.0, 0, 0))
    return (text[a:b], a) if share >= FLAG_BELOW else None


def reported(statements: list[Statement], numbered: dict[int, Passage]) -> list[Statement]:
    """The statements with the speaker their sentence reports filled in, where they have none yet (an
    interview answer's speaker stays) and the name is not the document's publisher. A statement a model
    wrote gets the speaker of the sentence it restates (`_source`)."""
    cited = [cited_passage(st, numbered) for st in statements]
    found = [None if p is None else _source(st.text, p.chunk.text) for st, p in zip(statements, cited,
                                                                                   strict=True)]
    out = []
    for st, passage, source in zip(statements, cited, found, strict=True):
        if st.speaker or passage is None or source is None:
            out.append(st)
            continue
        text = passage.chunk.text
        sentence, at = source
        before = sentences_before(text, sentence_spans(text), at)
        # the answer's own sentences from this document that stand before it (a name the engine brought
        # along from the chunk before, "Er stressed …" after "He said …"), as their sources word them
        doc, start = passage.doc.doc_id, passage.chunk.start
        before += [other[0] for other, p in zip(found, cited, strict=True)
                   if other is not None and p is not None and p.doc.doc_id == doc and p.chunk.start < start]
        name = resolve(sentence, before)
        if name is None or re.search(rf"\b{re.escape(name)}\b", passage.doc.publisher or "", re.I):
            out.append(st)
            continue
        context = " ".join([*(s for s in reversed(before)), text])
        out.append(st.model_copy(update={"speaker": full_name(name, context)}))
    return out
