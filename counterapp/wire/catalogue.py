"""The message catalogue: every user-visible text, by key, in YAML files.

One format for the terminal (``resources/ui/*.yaml``: the core's message keys in
``core.yaml``, the windows' texts beside them) and the back office (``backoffice/texts/``).
Each file is a mapping ``key: {language: text}``; a file whose texts include machine
translations says so in its header comment (``MACHINE_TRANSLATION_NOTE``), so a reviewer
can find them.

It lives in the shared package because both sides read their texts with it: only the
standard library, ruamel.yaml and platformdirs are imported (no Qt, nothing of the
terminal). Each file is read on first use and kept for the life of the process; its parsed
form is cached as JSON in the user's cache folder (see ``_cache_file``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
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
    raw = path.read_bytes()
    cache = _cache_file(path, raw)
    if cache is not None:
        with contextlib.suppress(CatalogueError):  # a damaged cache is parsed again
            return _checked(_read_json(cache), path.name)
    entries = _checked(_parse_yaml(raw, path.name), path.name)
    if cache is not None:
        _write_json(cache, {key: dict(texts) for key, texts in entries.items()})
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


# The parsed files are kept as JSON in the user's cache folder, named by a hash of the YAML
# (and of this format's version): parsing YAML costs far more than reading JSON at start-up,
# and a changed file simply gets a new name. Any trouble with the cache means parsing again.
_CACHE_VERSION = b"catalogue-cache-1"


def _cache_file(path: Path, raw: bytes) -> Path | None:
    try:
        import platformdirs

        folder = Path(platformdirs.user_cache_dir("counterapp", appauthor=False)) / "catalogue"
    except (ImportError, OSError, RuntimeError):
        return None
    source = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    content = hashlib.sha256(_CACHE_VERSION + raw).hexdigest()[:32]
    return folder / f"{path.stem}.{source}.{content}.json"


def _read_json(cache: Path) -> object:
    try:
        data: object = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def _write_json(cache: Path, data: object) -> None:
    prefix = cache.name.rsplit(".", 2)[0]
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=cache.parent, suffix=".tmp", delete=False
        ) as file:
            json.dump(data, file, ensure_ascii=False)
        os.replace(file.name, cache)
        for old in cache.parent.glob(f"{prefix}.*.json"):
            if old != cache:
                old.unlink(missing_ok=True)
    except OSError:
        return
