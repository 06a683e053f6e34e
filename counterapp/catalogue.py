"""The message catalogue: every user-visible text, by key, in YAML files under ``resources/``.

One format for the terminal (``resources/ui/*.yaml``: the core's message keys in
``core.yaml``, the windows' texts beside them) and the back office
(``resources/backoffice/*.yaml``). Each file is a mapping ``key: {language: text}``; a
file whose texts include machine translations says so in its header comment
(``MACHINE_TRANSLATION_NOTE``), so a reviewer can find them.

Only the standard library and ruamel.yaml are imported here (no Qt, nothing of the
terminal), so the core, the UI and the back office can all read their texts. Each file is
parsed once, on first use, and kept for the life of the process.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

# The seven languages of the terminal, in the order the kiosk offers them.
LANGUAGES = ("ja", "ja-easy", "en", "zh", "ko", "vi", "pt")
MACHINE_TRANSLATION_NOTE = "machine-quality translations awaiting review"

Texts = Mapping[str, str]


class CatalogueError(ValueError):
    """A catalogue file that does not have the ``key: {language: text}`` shape."""


@dataclass(frozen=True)
class Catalogue:
    """A folder of catalogue files whose keys are unique across the folder."""

    folder: Path
    languages: tuple[str, ...]

    def entries(self) -> Mapping[str, Texts]:
        """Every key of every file in the folder."""
        return _merged(self.folder)

    def section(self, name: str) -> Mapping[str, Texts]:
        """The keys of one file (``name`` without ``.yaml``)."""
        return _parsed(self.folder / f"{name}.yaml")

    def text(self, key: str, language: str) -> str:
        """The text for ``key`` in ``language``, falling back as ``fallbacks`` says."""
        texts = self.entries().get(key)
        if texts is None:
            raise KeyError(f"no text for {key!r}")
        return pick(texts, language)

    def missing(self, language: str) -> list[str]:
        """The keys that have no text in ``language``."""
        return sorted(key for key, texts in self.entries().items() if not texts.get(language))


def fallbacks(language: str) -> tuple[str, ...]:
    """Where to look when a text is missing: やさしい日本語 reads Japanese, others English."""
    if language.startswith("ja"):
        return (language, "ja", "en")
    return (language, "en", "ja")


def pick(texts: Texts, language: str) -> str:
    """The text in ``language`` or the first of its fallbacks that exists."""
    for candidate in fallbacks(language):
        if texts.get(candidate):
            return texts[candidate]
    raise KeyError(f"no text in {language!r} or its fallbacks")


@functools.cache
def _merged(folder: Path) -> Mapping[str, Texts]:
    merged: dict[str, Texts] = {}
    for path in sorted(folder.glob("*.yaml")):
        for key, texts in _parsed(path).items():
            if key in merged:
                raise CatalogueError(f"{path.name}: text {key!r} is defined twice")
            merged[key] = texts
    return MappingProxyType(merged)


@functools.cache
def _parsed(path: Path) -> Mapping[str, Texts]:
    from ruamel.yaml import YAML  # here, so importing the catalogue's names stays cheap

    data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise CatalogueError(f"{path.name}: not a mapping of keys")
    entries: dict[str, Texts] = {}
    for key, texts in data.items():
        if not isinstance(texts, dict):
            raise CatalogueError(f"{path.name}: {key!r} is not a mapping of languages")
        entries[str(key)] = MappingProxyType({str(lang): str(text) for lang, text in texts.items()})
    return MappingProxyType(entries)
