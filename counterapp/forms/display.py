"""How a stored field value is shown to people: dates in 和暦 and 西暦, choices by label."""

from __future__ import annotations

import datetime as dt

from cardreader.wareki import to_wareki
from counterapp.forms.definition import FieldDefinition, FieldType, Prefill
from counterapp.messages import text


def display_value(definition: FieldDefinition, value: str, language: str = "ja") -> str:
    """The value as a form shows it; an unparsable value is shown as stored.

    The My Number is always masked: it travels only inside the encrypted record, never on a
    screen, a printout or a PDF file (番号法 §20).
    """
    if not value:
        return ""
    if definition.prefill is Prefill.CARD_MY_NUMBER:
        return "*" * len(value)
    if definition.type is FieldType.DATE:
        return display_date(value, language)
    if definition.type is FieldType.CHOICE:
        for choice in definition.choices:
            if choice.value == value:
                return choice.label.in_language(language)
    if definition.type is FieldType.CHECKBOX:
        return text("value.checked" if value == "true" else "value.unchecked", language)
    return value


def display_date(value: str, language: str = "ja") -> str:
    """``1980-02-17`` → ``昭和55年2月17日（1980年2月17日）``; other languages lead with 西暦."""
    try:
        day = dt.date.fromisoformat(value)
        era = str(to_wareki(day))
    except ValueError:
        return _partial_date(value, language)
    gregorian = f"{day.year}年{day.month}月{day.day}日"
    if language.startswith("ja"):
        return f"{era}（{gregorian}）"
    return f"{day.isoformat()} ({era})"


def _partial_date(value: str, language: str) -> str:
    """A partly unknown date (``1980``, ``1980-02``): ``1980年2月`` in Japanese, else as stored."""
    parts = value.split("-")
    if not language.startswith("ja") or not all(p.isdigit() for p in parts) or len(parts) > 2:
        return value
    return "".join(f"{int(p)}{unit}" for p, unit in zip(parts, ("年", "月"), strict=False))
