"""Checks for やさしい日本語 (ja-easy) texts: kana with spaces, short sentences, not the ja text.

The house style writes easy Japanese in kana with spaces between words, so a kanji in a
ja-easy text is a word without its reading; a ja-easy text equal to its ja text was not
written at all. Used by the tests on the message catalogue and on every form and life event.
"""

from __future__ import annotations

import re

KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々]")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々]")
SENTENCE_END = re.compile("[。！？]")
MAX_KANJI_RATIO = 0.0  # kana only: each kanji would be a word without its reading
MAX_SENTENCE = 45  # characters, spaces not counted


def kanji_ratio(text: str) -> float:
    """Kanji among the Japanese characters of ``text`` (0.0 when it has none)."""
    japanese = JAPANESE.findall(text)
    return len(KANJI.findall(text)) / len(japanese) if japanese else 0.0


def easy_problems(easy: str | None, ja: str, max_kanji_ratio: float = MAX_KANJI_RATIO) -> list[str]:
    """What is wrong with a ja-easy text next to its ja text (empty: nothing)."""
    if not easy or not easy.strip():
        return ["no ja-easy text (untranslated)"]
    found = []
    if easy == ja and KANJI.search(ja):
        found.append("the ja text copied, not written in easy Japanese")
    ratio = kanji_ratio(easy)
    if ratio > max_kanji_ratio:
        kanji = "".join(dict.fromkeys(KANJI.findall(easy)))
        found.append(f"kanji {ratio:.0%} ({kanji}): write the words in kana")
    for sentence in SENTENCE_END.split(easy):
        if len(sentence.replace(" ", "")) > MAX_SENTENCE:
            found.append(f"a sentence over {MAX_SENTENCE} characters: {sentence.strip()}")
    return found
