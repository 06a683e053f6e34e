"""The UI's texts: the terminal's one message catalogue (``resources/ui/*.yaml``).

Every text on screen comes from ``t(key, language)``: the windows' keys and the core's
message keys (``core.yaml``) are one catalogue in all seven languages, read by
``counterapp.wire.catalogue``. A missing text falls back as ``counterapp.wire.catalogue.fallbacks``
says (the tests keep every text present in every language).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from counterapp.messages import CATALOGUE, MESSAGES, PIN_NAMES, error_text
from counterapp.wire.catalogue import Texts
from ui.languages import LANGUAGE_NAMES as LANGUAGE_NAMES
from ui.languages import LANGUAGES as LANGUAGES


def catalogue() -> Mapping[str, Texts]:
    """Every key with its texts, from all files in resources/ui (a key defined twice fails)."""
    return CATALOGUE.entries()


def t(key: str, language: str = "ja", **params: Any) -> str:
    """The text for ``key`` in ``language``, with ``params`` filled in."""
    template = CATALOGUE.text(key, language)
    return template.format(**params) if params else template


def pin_name(kind: str, language: str) -> str:
    """The PIN's name as residents know it."""
    return PIN_NAMES[language][kind]


def error_message(error: BaseException, language: str) -> str:
    """A user-facing text for an error with a message key; a generic text otherwise."""
    if getattr(error, "message_key", None) not in MESSAGES:
        return t("ui.unexpected_error", language)
    assert isinstance(error, Exception)
    return error_text(error, language)
