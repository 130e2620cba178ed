"""Infoboxes (Wikipedia's key/value side panels) as one quotable "Field: value" fact per line.

A flattened run ("Railway - Image Width: 300 - Locale: , , - Linelength: 826 km - Status: Active") is split
into lines; inside an infobox (a run of field lines, or the lines after an "Infobox" label), rows that are
page furniture (image, map, caption, width, locale, coordinates, file names) or have no value are dropped,
and template numbering is taken off labels ("Mission2" → "Mission"). Hand-written: no library parses
infoboxes that were already flattened to text.
"""

from __future__ import annotations

import re

_LABEL = r"[A-Z][A-Za-z0-9()/.'’ –-]{0,40}?"
_FIELD = re.compile(rf"^(?P<indent>[^\S\n]*)(?P<bullet>[-*•][^\S\n]+)?(?P<key>{_LABEL}):"
                    r"(?:[^\S\n]+(?P<value>.*))?$")
# A " - " that starts another "Key:" pair in a flattened run (or the dangling " -" at its end).
_RUN_SPLIT = re.compile(rf" [-–|•] (?={_LABEL}:(?:\s|$))")  # single spaces: linear on long blank runs
_DEBRIS_KEY = re.compile(
    r"\b(?:image|images|img|map|maps|caption|width|upright|locale|coord|coords|coordinates|"
    r"filetype|file|logo|flag|emblem|seal|pushpin|relief|mapframe|iso3166code|footnote)\b|"
    r"^(?:image|map|coordinates|logo|flag)",
    re.IGNORECASE)
_DEBRIS_BARE = re.compile(r"^(?:emblem|logo|flag|seal|image|map)\b|\((?:map|image|locator)\)\s*$",
                          re.IGNORECASE)
_FILE_VALUE = re.compile(r"\.(?:png|svg|jpe?g|gif|webp|tiff?)\s*$|^\d+\s*px$|^(?:omit|none)$",
                         re.IGNORECASE)
_NUMBERED = re.compile(r"(?<=[A-Za-z]{4})\d{1,2}$")  # "Mission2", "Leader Name1": template parameter numbers
_INFOBOX_LABEL = re.compile(r"^\s*Infobox\b.*$", re.IGNORECASE)
MIN_RUN = 3  # field lines in a row that make an infobox


def _is_field(line: str) -> bool:
    m = _FIELD.match(line)
    return bool(m) and not (m.group("value") or "").startswith("//")  # "https://…" is not "Key: value"


def split_runs(line: str) -> list[str]:
    """A flattened "A - Key: v - Key: v" line as separate lines (other lines unchanged)."""
    parts = _RUN_SPLIT.split(line)
    if len(parts) < 3 or sum(1 for p in parts if _FIELD.match(p.strip())) < 2:
        return [line]
    return [p.strip().rstrip(" -–").strip() for p in parts if p.strip().rstrip(" -–").strip()]


def _empty(value: str) -> bool:
    """No content once separators, dashes and parenthesised qualifiers are taken away ("' , (Court)")."""
    return not re.sub(r"\([^()]*\)|[\s,;|/·•\-–—]+", "", value)


def clean_row(line: str) -> str | None:
    """An infobox row as a "Key: value" fact, or None for furniture and empty rows."""
    m = _FIELD.match(line)
    if not m:
        bare = line.strip().lstrip("-*• ").strip()
        return None if _DEBRIS_BARE.search(bare) else line
    key, value = m.group("key").strip(), (m.group("value") or "").strip()
    if _DEBRIS_KEY.search(key) or _empty(value) or _FILE_VALUE.search(value):
        return None
    key = _NUMBERED.sub("", key).rstrip()
    value = re.sub(r"^\d=", "", value).rstrip(" ,;")  # template debris: "1=eaeunion.org", "Moscow,"
    return f"{m.group('indent')}{m.group('bullet') or ''}{key}: {value}"


def _infobox_lines(lines: list[str]) -> set[int]:
    """Indexes of lines inside an infobox: runs of MIN_RUN+ field lines, and the list after an
    "Infobox" label line (with the label itself)."""
    inside: set[int] = set()
    i = 0
    while i < len(lines):
        if _INFOBOX_LABEL.match(lines[i]) and len(lines[i]) < 40:
            j = i + 1
            while j < len(lines) and lines[j].strip() and lines[j].lstrip().startswith(("-", "*", "•")):
                j += 1
            inside.update(range(i + 1, j))
            i = j
            continue
        j = i
        while j < len(lines) and _is_field(lines[j]):
            j += 1
        if j - i >= MIN_RUN:
            inside.update(range(i, j))
            i = j
        else:
            i += 1
    return inside


def clean_infoboxes(text: str) -> str:
    """Split flattened key/value runs into lines and drop infobox furniture and empty rows."""
    lines: list[str] = []
    for line in text.split("\n"):
        lines.extend(split_runs(line) if " - " in line or " – " in line else [line])
    inside = _infobox_lines(lines)
    out = []
    for i, line in enumerate(lines):
        if i not in inside:
            out.append(line)
            continue
        row = clean_row(line)
        if row is not None and ":" not in row and i - 1 in inside and not _has_children(lines, i):
            row = None  # a label with no value and nothing under it ("- Official languages")
        if row is not None:
            out.append(row)
    return "\n".join(out)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _has_children(lines: list[str], i: int) -> bool:
    return i + 1 < len(lines) and bool(lines[i + 1].strip()) and _indent(lines[i + 1]) > _indent(lines[i])
