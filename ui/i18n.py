"""The one message catalogue of the UI: ``resources/ui/*.yaml`` plus the core's message keys.

Every text on screen comes from ``t(key, language)``. UI keys live in YAML files (one per
screen family) with all seven languages; error keys come from ``counterapp.messages``
(Japanese and English). A missing language falls back to English, then Japanese.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from counterapp import parsecache
from counterapp.messages import MESSAGES, PIN_NAMES, error_text
from counterapp.resources import resource_path
from ui.languages import LANGUAGE_NAMES as LANGUAGE_NAMES
from ui.languages import LANGUAGES as LANGUAGES

CACHE_KIND = "ui-texts"


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every UI key with its texts: parsed from resources/ui once, then from the start-up cache."""
    root = Path(resource_path("ui"))
    files = sorted(root.glob("*.yaml"))
    key = parsecache.content_key(CACHE_KIND, files, root, code=[Path(__file__)])
    cached = _from_entry(parsecache.read_entry(CACHE_KIND, key))
    if cached is not None:
        return cached
    merged = parse_catalogue(files)
    parsecache.write_entry(CACHE_KIND, key, json.dumps(merged, ensure_ascii=False).encode())
    return merged


def _from_entry(entry: bytes | None) -> dict[str, dict[str, str]] | None:
    """The cached catalogue, or None when absent or not a mapping of key to language to text."""
    try:
        data = json.loads(entry) if entry is not None else None
    except ValueError:
        return None
    if not isinstance(data, dict) or not data:
        return None
    for texts in data.values():
        if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
            return None
    return data


def parse_catalogue(files: list[Path]) -> dict[str, dict[str, str]]:
    """Every UI key with its texts, from the YAML files (a key defined twice fails)."""
    from ruamel.yaml import YAML  # only when the files changed since the last start

    merged: dict[str, dict[str, str]] = {}
    for path in files:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        for key, texts in data.items():
            if key in merged:
                raise ValueError(f"{path.name}: UI text {key!r} is defined twice")
            merged[key] = {str(lang): str(value) for lang, value in texts.items()}
    return merged


def t(key: str, language: str = "ja", **params: Any) -> str:
    """The text for ``key`` in ``language`` (falling back to English, then Japanese)."""
    texts = catalogue().get(key) or MESSAGES.get(key)
    if texts is None:
        raise KeyError(f"no UI text for {key!r}")
    for lang in (language, "en", "ja"):
        if lang in texts:
            return texts[lang].format(**params) if params else texts[lang]
    raise KeyError(f"no text for {key!r}")


def core_language(language: str) -> str:
    """The core's messages exist in Japanese and English: ja-easy reads Japanese."""
    return "ja" if language.startswith("ja") else "en"


def pin_name(kind: str, language: str) -> str:
    """The PIN's name as residents know it."""
    return PIN_NAMES[core_language(language)][kind]


def error_message(error: BaseException, language: str) -> str:
    """A user-facing text for an error with a message key; a generic text otherwise."""
    if getattr(error, "message_key", None) not in MESSAGES:
        return t("ui.unexpected_error", language)
    assert isinstance(error, Exception)
    return error_text(error, core_language(language))
