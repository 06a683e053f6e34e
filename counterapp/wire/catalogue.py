"""The message catalogue: every user-visible text, by key, in YAML files.

One format for the terminal (``resources/ui/*.yaml``: the core's message keys in
``core.yaml``, the windows' texts beside them) and the back office (``backoffice/texts/``).
Each file is a mapping ``key: {language: text}``; a file whose texts include machine
translations says so in its header comment (``MACHINE_TRANSLATION_NOTE``), so a reviewer
can find them.

It lives in the shared package because both sides read their texts with it: only the
standard library, ruamel.yaml and platformdirs are imported (no Qt, nothing of the
terminal). Each file is read on first use and kept for the life of the process; its parsed
form is kept in the start-up cache (``parsecache``) beside the form library's.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from counterapp.wire import parsecache

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
    """One file's texts: from the start-up cache while the file (and this code) are unchanged.

    Parsing YAML costs far more than reading JSON at start-up; a damaged entry is parsed again.
    """
    kind = f"catalogue.{path.stem}"
    key = parsecache.content_key(kind, [path], path.parent, code=[Path(__file__)])
    entry = parsecache.read_entry(kind, key)
    if entry is not None:
        with contextlib.suppress(CatalogueError, ValueError):
            return _checked(json.loads(entry), path.name)
    entries = _checked(_parse_yaml(path.read_bytes(), path.name), path.name)
    document = json.dumps({key: dict(texts) for key, texts in entries.items()}, ensure_ascii=False)
    parsecache.write_entry(kind, key, document.encode())
    return entries


def _parse_yaml(raw: bytes, name: str) -> object:
    # Imported here: importing the catalogue stays cheap, and a cache hit never needs it.
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe").load(raw.decode("utf-8")) or {}
    except (YAMLError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{name}: not readable as YAML ({exc})") from exc


def _checked(data: object, name: str) -> Mapping[str, Texts]:
    if not isinstance(data, dict):
        raise CatalogueError(f"{name}: not a mapping of keys")
    entries: dict[str, Texts] = {}
    for key, texts in data.items():
        if not isinstance(texts, dict):
            raise CatalogueError(f"{name}: {key!r} is not a mapping of languages")
        entries[str(key)] = MappingProxyType(
            {str(lang): str(text) for lang, text in texts.items() if text is not None}
        )
    return MappingProxyType(entries)
