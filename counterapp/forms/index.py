"""The procedures a counter offers, by title, read without the form model.

The clerk's first page lists only the procedures' titles (a few single forms, then the life
events). Checking the whole library needs pydantic and the form model, which take most of
the window's start, so the titles are read here with ``json`` alone from the library's
start-up cache entry (counterapp/wire/parsecache.py): the entry written after the same files
were checked, named by the same content hash. With no entry (the first start after an
update, or a cache that cannot be written) there is no list here, and the caller takes it
from the checked library (``FormLibrary.procedures``), through the same ``procedures_of``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counterapp.resources import resource_path
from counterapp.wire import parsecache

CACHE_KIND = "form-library"
EVENTS_FOLDER = "events"
# Single forms offered besides the life events: certificate requests are the most common.
QUICK_FORMS = ("juminhyo-request", "inkan-certificate-request")
# The code that reads and checks the files: a change to it is a new cache entry.
_CHECKERS = ("loader", "definition", "consistency")


@dataclass(frozen=True)
class Procedure:
    """One line of the procedure list: a form or life-event id and its title per language."""

    target: str
    title: Mapping[str, str]  # language code ("ja-easy" with its hyphen) -> text

    def in_language(self, language: str) -> str:
        """The title in ``language``, falling back to Japanese (as the form model does)."""
        return self.title.get(language) or self.title["ja"]


def library_root(folder: Path | None = None) -> Path:
    return folder or resource_path("forms")


def library_key(root: Path) -> str:
    """The content hash the checked library is cached under (its files and its checkers)."""
    files = [*root.glob("*.yaml"), *(root / EVENTS_FOLDER).glob("*.yaml")]
    code = [Path(__file__).with_name(f"{module}.py") for module in _CHECKERS]
    return parsecache.content_key(CACHE_KIND, files, root, code)


def offered_procedures(folder: Path | None = None) -> list[Procedure] | None:
    """The procedure list in its order, or None while the library has no cache entry."""
    entry = parsecache.read_entry(CACHE_KIND, library_key(library_root(folder)))
    if entry is None:
        return None
    try:
        return procedures_of(json.loads(entry))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # an unreadable entry: the checked library rebuilds it


def procedures_of(entry: Mapping[str, Any]) -> list[Procedure]:
    """The quick forms present in the library, then every life event, from a library entry."""
    forms, events = entry["forms"], entry["events"]
    listed = [
        Procedure(form, dict(forms[form]["definition"]["title"]))
        for form in QUICK_FORMS
        if form in forms
    ]
    listed += [Procedure(event["id"], dict(event["name"])) for event in events.values()]
    return listed
