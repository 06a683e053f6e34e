"""やさしい日本語 everywhere a resident reads: the UI catalogue, every form and life event."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from counterapp.easyjapanese import easy_problems, kanji_ratio
from counterapp.forms.definition import Text
from counterapp.forms.loader import load_library
from counterapp.messages import CATALOGUE


def _texts(model: object, where: str) -> Iterator[tuple[str, Text]]:
    if isinstance(model, Text):
        yield where, model
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            yield from _texts(getattr(model, name), f"{where}.{name}")
    elif isinstance(model, tuple | list):
        for index, item in enumerate(model):
            yield from _texts(item, f"{where}.{index}")


def _form_texts() -> Iterator[tuple[str, Text]]:
    library = load_library()
    for form_id, loaded in library.forms.items():
        yield from _texts(loaded.definition, form_id)
    for event_id, event in library.events.items():
        yield from _texts(event, event_id)


def test_the_checker_flags_a_kanji_only_text_a_copy_and_a_missing_one() -> None:
    ja = "利用者証明用電子証明書の暗証番号を入力してください"
    assert any(
        "kanji" in p
        for p in easy_problems("利用者証明用電子証明書の暗証番号 を いれて ください", ja)
    )
    assert any("copied" in p for p in easy_problems(ja, ja))
    assert easy_problems("", ja) == ["no ja-easy text (untranslated)"]
    assert easy_problems(None, ja) == ["no ja-easy text (untranslated)"]
    long = "この かみ は " * 10
    assert any("over 45" in p for p in easy_problems(long, ja))
    assert easy_problems("ほんにん かくにん の あんしょうばんごう を いれて ください", ja) == []
    assert kanji_ratio("暗証番号 を いれて") == pytest.approx(4 / 8)


def test_every_form_and_life_event_text_is_easy_japanese() -> None:
    found = [
        f"{where}: {problem}"
        for where, text in _form_texts()
        for problem in easy_problems(text.ja_easy, text.ja)
    ]
    assert not found, "\n".join(found)


def test_every_catalogue_text_is_easy_japanese() -> None:
    found = [
        f"{key}: {problem}"
        for key, texts in CATALOGUE.entries().items()
        for problem in easy_problems(texts.get("ja-easy"), texts["ja"])
    ]
    assert not found, "\n".join(found)
