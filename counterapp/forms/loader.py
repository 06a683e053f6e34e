"""Load and check form files, reporting every problem with its line number.

Form files may say ``- use: name`` to take a field from the shared catalogue
(``fields.yaml``), overriding single keys such as ``required`` or ``label``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from counterapp.forms.definition import FieldDefinition, FormDefinition, LifeEvent
from counterapp.forms.index import (
    CACHE_KIND,
    EVENTS_FOLDER,
    Procedure,
    library_key,
    library_root,
    procedures_of,
)
from counterapp.resources import resource_path
from counterapp.wire import parsecache

CATALOGUE_FILE = "fields.yaml"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    line: int | None  # 1-based; None when the problem is not tied to one place
    where: str
    message: str

    def __str__(self) -> str:
        place = f"line {self.line}" if self.line else "file"
        return (
            f"{place}: {self.where}: {self.message}" if self.where else f"{place}: {self.message}"
        )


class DefinitionError(ValueError):
    """A form, life-event or catalogue file is not valid; ``problems`` says where and why."""

    message_key = "form.definition_invalid"

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class LoadedForm:
    """A form definition with the hash that a signature and a queued form refer to."""

    definition: FormDefinition
    sha256: str


@dataclass(frozen=True)
class FormLibrary:
    """Every form and life event a terminal offers."""

    forms: dict[str, LoadedForm]
    events: dict[str, LifeEvent] = field(default_factory=dict)

    def event(self, name: str) -> LifeEvent:
        """A life event by id (``moving-in``) or by its Japanese name (``転入``)."""
        for event in self.events.values():
            if name in (event.id, event.name.ja):
                return event
        raise KeyError(name)

    def procedures(self) -> list[Procedure]:
        """The procedure list (quick forms, then life events), as ``index`` reads it."""
        return procedures_of(_entry_of(self).model_dump(mode="json", by_alias=True))


def definition_hash(definition: BaseModel) -> str:
    """SHA-256 of the resolved definition: changes whenever anything a resident sees changes."""
    canonical = json.dumps(
        definition.model_dump(mode="json", by_alias=True),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def load_library(folder: Path | None = None) -> FormLibrary:
    """The checked library: from the start-up cache when the files are unchanged, else parsed."""
    root = library_root(folder)
    key = library_key(root)  # the procedure list is read from this entry too (index.py)
    entry = parsecache.read_entry(CACHE_KIND, key)
    if entry is not None:
        try:
            return _library_from_entry(entry)
        except ValueError:  # pydantic's ValidationError too: an invalid entry is rebuilt
            log.info("form library cache entry %s is invalid; rebuilding", key[:12])
    library = parse_library(root)
    entry = _entry_of(library).model_dump_json(by_alias=True).encode()
    parsecache.write_entry(CACHE_KIND, key, entry)
    return library


class _CachedForm(BaseModel):
    definition: FormDefinition
    sha256: str


class _LibraryEntry(BaseModel):
    forms: dict[str, _CachedForm]
    events: dict[str, LifeEvent]


def _entry_of(library: FormLibrary) -> _LibraryEntry:
    forms = {
        form_id: _CachedForm(definition=form.definition, sha256=form.sha256)
        for form_id, form in library.forms.items()
    }
    return _LibraryEntry(forms=forms, events=library.events)


def _library_from_entry(entry: bytes) -> FormLibrary:
    # Checked when it was parsed (the cache key covers the rules' code too).
    parsed = _LibraryEntry.model_validate_json(entry, context={"defer_consistency": True})
    forms = {
        form_id: LoadedForm(cached.definition, cached.sha256)
        for form_id, cached in parsed.forms.items()
    }
    return FormLibrary(forms, dict(parsed.events))


def parse_library(root: Path) -> FormLibrary:
    """Parse the catalogue, every form and every life event; check events name real forms."""
    catalogue = load_catalogue(root / CATALOGUE_FILE)
    forms = {}
    for path in sorted(root.glob("*.yaml")):
        if path.name != CATALOGUE_FILE:
            loaded = load_form(path, catalogue)
            forms[loaded.definition.id] = loaded
    parsed = [load_event(path, forms) for path in sorted((root / EVENTS_FOLDER).glob("*.yaml"))]
    events = {event.id: event for event in sorted(parsed, key=lambda e: e.order)}
    return FormLibrary(forms, events)


def load_catalogue(path: Path) -> dict[str, dict[str, Any]]:
    """The shared field catalogue: field id → field definition without its id (read-only).

    Parsed once per file version in a process: ``form check`` of many files (and the
    CLI fuzz test) would otherwise spend most of its time re-reading the same catalogue.
    """
    try:
        version = path.stat()
    except OSError:
        return _load_catalogue(path)
    return _cached_catalogue(path, version.st_mtime_ns, version.st_size)


@functools.lru_cache(maxsize=8)
def _cached_catalogue(path: Path, _mtime_ns: int, _size: int) -> dict[str, dict[str, Any]]:
    return _load_catalogue(path)


def _load_catalogue(path: Path) -> dict[str, dict[str, Any]]:
    data = _read_yaml(path)
    problems: list[Problem] = []
    if not isinstance(data, Mapping) or data.get("kind") != "field-catalogue":
        raise DefinitionError(str(path), [Problem(1, "kind", "must be 'field-catalogue'")])
    entries = data.get("fields")
    if not isinstance(entries, Mapping):
        raise DefinitionError(str(path), [Problem(_line(data, ["fields"]), "fields", "mapping")])
    for field_id, entry in entries.items():
        try:
            FieldDefinition.model_validate({**entry, "id": field_id})
        except (ValidationError, TypeError) as exc:
            problems.extend(_problems(exc, data, ["fields", field_id]))
    if problems:
        raise DefinitionError(str(path), problems)
    return {str(k): dict(v) for k, v in entries.items()}


def load_form(path: Path, catalogue: Mapping[str, Mapping[str, Any]] | None = None) -> LoadedForm:
    """Load one form file, taking ``use:`` fields from the catalogue."""
    if catalogue is None:
        catalogue = load_catalogue(resource_path("forms", CATALOGUE_FILE))
    data = _read_yaml(path)
    resolved, problems = _resolve_form(data, catalogue)
    try:
        definition = FormDefinition.model_validate(resolved, context={"defer_consistency": True})
    except ValidationError as exc:
        reported = {p.where for p in problems}  # an unknown "use:" is reported once
        problems.extend(p for p in _problems(exc, data, []) if not _within(p.where, reported))
    else:
        problems.extend(
            Problem(_line(data, list(where)), ".".join(map(str, where)), message)
            for where, message in definition.consistency_problems()
        )
    if problems:
        raise DefinitionError(str(path), problems)
    return LoadedForm(definition, definition_hash(definition))


def load_event(path: Path, forms: Mapping[str, LoadedForm]) -> LifeEvent:
    """Load one life-event file; every form it names must exist and presets must fit."""
    data = _read_yaml(path)
    try:
        event = LifeEvent.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(str(path), _problems(exc, data, [])) from exc
    problems = [
        Problem(_line(data, ["forms", index]), f"forms.{index}", message)
        for index, item in enumerate(event.forms)
        for message in _event_form_problems(item.form, item.preset, forms)
    ]
    problems += [
        Problem(_line(data, ["forms", index, "values_from"]), f"forms.{index}.values_from", message)
        for index, item in enumerate(event.forms)
        if item.form in forms
        for message in _values_from_problems(item.values_from, forms[item.form])
    ]
    if problems:
        raise DefinitionError(str(path), problems)
    return event


def check_file(path: Path, library_folder: Path | None = None) -> str:
    """Validate any definition file (form, life event or catalogue); return its kind."""
    root = library_folder or resource_path("forms")
    data = _read_yaml(path)
    kind = data.get("kind") if isinstance(data, Mapping) else None
    if kind == "field-catalogue":
        load_catalogue(path)
    elif kind == "form":
        load_form(path, load_catalogue(root / CATALOGUE_FILE))
    elif kind == "life-event":
        library = parse_library(root)
        load_event(path, library.forms)
    else:
        raise DefinitionError(
            str(path), [Problem(1, "kind", "must be 'form', 'life-event' or 'field-catalogue'")]
        )
    return str(kind)


def _event_form_problems(
    form_id: str, preset: Mapping[str, str], forms: Mapping[str, LoadedForm]
) -> Iterable[str]:
    if form_id not in forms:
        yield f"no form with id {form_id!r}"
        return
    definition = forms[form_id].definition
    for field_id, value in preset.items():
        try:
            target = definition.field(field_id)
        except KeyError:
            yield f"preset names {field_id!r}, which form {form_id} does not have"
            continue
        if target.choices and value not in {c.value for c in target.choices}:
            yield f"preset {field_id}={value!r} is not one of the field's choices"


def _values_from_problems(values_from: Mapping[str, str], form: LoadedForm) -> Iterable[str]:
    known = {f.id for f in form.definition.fields}
    for target in values_from:
        if target not in known:
            yield f"values_from names {target!r}, which form {form.definition.id} does not have"


def _resolve_form(
    data: Any, catalogue: Mapping[str, Mapping[str, Any]]
) -> tuple[Any, list[Problem]]:
    """Resolve ``use:`` in the form's fields and in each person group's fields."""
    resolved, problems = _resolve_fields(data, catalogue, data, [])
    groups = resolved.get("groups") if isinstance(resolved, Mapping) else None
    if not isinstance(groups, list):
        return resolved, problems
    resolved_groups = []
    for index, group in enumerate(groups):
        group_resolved, group_problems = _resolve_fields(group, catalogue, data, ["groups", index])
        resolved_groups.append(group_resolved)
        problems.extend(group_problems)
    return {**resolved, "groups": resolved_groups}, problems


def _resolve_fields(
    data: Any, catalogue: Mapping[str, Mapping[str, Any]], root: Any, prefix: list[Any]
) -> tuple[Any, list[Problem]]:
    """Replace ``use:`` entries by catalogue fields with the entry's overrides on top."""
    if not isinstance(data, Mapping) or not isinstance(data.get("fields"), list):
        return data, []
    problems: list[Problem] = []
    fields: list[Any] = []
    for index, entry in enumerate(data["fields"]):
        if isinstance(entry, Mapping) and "use" in entry:
            name = entry["use"]
            if not isinstance(name, str) or name not in catalogue:
                where = [*prefix, "fields", index]
                problems.append(
                    Problem(
                        _line(root, where),
                        ".".join(map(str, where)),
                        f"no catalogue field {name!r}",
                    )
                )
            overrides = {k: v for k, v in entry.items() if k != "use"}
            known = catalogue.get(name, {}) if isinstance(name, str) else {}
            fields.append({"id": name, **known, **overrides})
        else:
            fields.append(entry)
    return {**data, "fields": fields}, problems


def _within(where: str, places: set[str]) -> bool:
    return any(where == place or where.startswith(place + ".") for place in places)


def _read_yaml(path: Path) -> Any:
    from ruamel.yaml import YAML  # only when the library is parsed, not read from the cache
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(str(path), [Problem(None, "", f"cannot read: {exc}")]) from exc
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise DefinitionError(str(path), [Problem(line, "", f"YAML: {exc.problem}")]) from exc
    except YAMLError as exc:
        raise DefinitionError(str(path), [Problem(None, "", f"YAML: {exc}")]) from exc
    except RecursionError as exc:
        raise DefinitionError(str(path), [Problem(None, "", "YAML: nested too deeply")]) from exc
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise DefinitionError(str(path), [Problem(None, "", f"YAML: {str(exc)[:200]}")]) from exc


def _problems(exc: ValidationError | TypeError, data: Any, prefix: list[Any]) -> list[Problem]:
    if isinstance(exc, TypeError):
        return [Problem(_line(data, prefix), ".".join(map(str, prefix)), "must be a mapping")]
    problems = []
    for error in exc.errors():
        location = prefix + [part for part in error["loc"] if not _is_union_tag(part)]
        message = error["msg"].removeprefix("Value error, ")
        problems.append(Problem(_line(data, location), ".".join(map(str, location)), message))
    return problems


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part.startswith(("function-", "tagged-union"))


def _line(data: Any, location: list[Any]) -> int | None:
    """The 1-based line of the deepest node on ``location`` that exists in the YAML."""
    node: Any = data
    line = data.lc.line + 1 if hasattr(data, "lc") else None
    for part in location:
        try:
            if isinstance(node, Mapping) and part in node:
                line = node.lc.key(part)[0] + 1  # type: ignore[attr-defined]  # ruamel node
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                line = node.lc.item(part)[0] + 1  # type: ignore[attr-defined]  # ruamel node
            else:
                break
            node = node[part]
        except (AttributeError, KeyError, TypeError):
            break
    return line
