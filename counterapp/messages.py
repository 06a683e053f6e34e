"""User-facing text for every message key, Japanese first, in the terminal's seven languages.

Errors that may reach a user carry a ``message_key``; front ends turn keys into text here.
The texts live in ``resources/ui/core.yaml`` (the terminal's catalogue, see
``counterapp.wire.catalogue``) and are read on first use. Texts never include a PIN or a My Number.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from counterapp.resources import resource_path
from counterapp.wire.catalogue import LANGUAGES, Catalogue, Texts, pick

CATALOGUE = Catalogue(resource_path("ui"), LANGUAGES)
CORE_SECTION = "core"
PIN_NAME_PREFIX = "pin_name."
FALLBACK_KEY = "card.error"


class _CoreMessages(Mapping[str, Texts]):
    """The core's message keys with their texts (read from the catalogue on first use)."""

    def _entries(self) -> Mapping[str, Texts]:
        return CATALOGUE.section(CORE_SECTION)

    def __getitem__(self, key: str) -> Texts:
        if not isinstance(key, str) or key.startswith(PIN_NAME_PREFIX):
            raise KeyError(key)
        return self._entries()[key]

    def __iter__(self) -> Iterator[str]:
        return (key for key in self._entries() if not key.startswith(PIN_NAME_PREFIX))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _PinNames(Mapping[str, Mapping[str, str]]):
    """``PIN_NAMES[language][kind]``: the PIN's name as residents know it."""

    def __getitem__(self, language: str) -> Mapping[str, str]:
        if language not in LANGUAGES:
            raise KeyError(language)
        section = CATALOGUE.section(CORE_SECTION)
        return {
            key.removeprefix(PIN_NAME_PREFIX): pick(texts, language)
            for key, texts in section.items()
            if key.startswith(PIN_NAME_PREFIX)
        }

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


MESSAGES: Mapping[str, Texts] = _CoreMessages()
PIN_NAMES: Mapping[str, Mapping[str, str]] = _PinNames()


def text(key: str, lang: str = "ja", **params: Any) -> str:
    """The message for ``key`` in ``lang`` (ja-easy falls back to Japanese, others to English)."""
    entry = MESSAGES.get(key) or MESSAGES[FALLBACK_KEY]
    names = PIN_NAMES.get(lang, PIN_NAMES["ja"])
    pin = params.pop("pin_name", None)
    if pin is not None:
        params["pin"] = names.get(pin, pin)
    defaults = _Defaults(pin=names["generic"], tries_left="?")
    defaults.update(params)
    return pick(entry, lang).format_map(defaults)


class _Defaults(dict[str, Any]):
    """Fills a parameter the caller did not give, so a text never shows raw braces."""

    def __missing__(self, key: str) -> str:
        return "?"


def error_text(error: Exception, lang: str = "ja") -> str:
    """The user's text for an error that carries a message key."""
    key = getattr(error, "message_key", FALLBACK_KEY)
    params = {
        name: getattr(error, name) for name in ("tries_left", "pin_name") if hasattr(error, name)
    }
    return text(key, lang, **params)
