"""Checks a filled form must pass before it is queued; each problem names a message key."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from counterapp.forms.definition import FieldDefinition, FieldType
from counterapp.forms.filled import FilledForm
from counterapp.wire.schema import WireField
from counterapp.wire.values import storable_text

KATAKANA = re.compile(r"^[\u30A1-\u30FA\u30FC\u3000 ・]+$")  # full-width katakana, ー, spaces
POSTAL_CODE = re.compile(r"^[0-9]{3}-?[0-9]{4}$")


# The longest value the back office takes (the wire schema's limit).
WIRE_MAX_LENGTH = WireField.model_fields["value"].metadata[0].max_length
CONTROL_CHARACTER = "field.control_character"


class UnstorableValue(ValueError):
    """A value with a control character (or an unpaired surrogate): refused where it is
    entered, since the back office would refuse the form for good."""

    message_key = CONTROL_CHARACTER

    def __init__(self, field_id: str) -> None:
        super().__init__(f"{field_id}: contains a control character; type the value again")
        self.field_id = field_id


def check_storable(values: Mapping[str, str]) -> None:
    """Raise UnstorableValue for the first value no back office would store."""
    for field_id, value in values.items():
        if not storable_text(value):
            raise UnstorableValue(field_id)


@dataclass(frozen=True)
class FieldProblem:
    field_id: str
    key: str  # message key, e.g. "field.required"


def problems(filled: FilledForm) -> tuple[FieldProblem, ...]:
    """Every field that is missing or malformed, in form order."""
    found = []
    for definition in filled.form.definition.fields:
        key = field_problem(definition, filled.value(definition.id).value)
        if key:
            found.append(FieldProblem(definition.id, key))
    return tuple(found)


def field_problem(definition: FieldDefinition, value: str) -> str | None:
    """The message key of what is wrong with ``value``, or None."""
    if not value:
        return "field.required" if definition.required else None
    if not storable_text(value):
        return CONTROL_CHARACTER
    if len(value) > min(definition.max_length or WIRE_MAX_LENGTH, WIRE_MAX_LENGTH):
        return "field.too_long"
    if definition.pattern and not re.fullmatch(definition.pattern, value):
        return "field.pattern"
    return _type_problem(definition, value)


def _type_problem(definition: FieldDefinition, value: str) -> str | None:
    match definition.type:
        case FieldType.KATAKANA:
            return None if KATAKANA.match(value) else "field.katakana"
        case FieldType.POSTAL_CODE:
            return None if POSTAL_CODE.match(value) else "field.postal_code"
        case FieldType.DATE:
            return None if _is_date(value) else "field.date"
        case FieldType.CHOICE:
            return None if value in {c.value for c in definition.choices} else "field.choice"
        case FieldType.CHECKBOX:
            return None if value in ("true", "false") else "field.checkbox"
        case FieldType.NUMBER:
            return _number_problem(definition, value)
    return None


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _number_problem(definition: FieldDefinition, value: str) -> str | None:
    if not re.fullmatch(r"-?[0-9]+", value):
        return "field.number"
    number = int(value)
    too_small = definition.minimum is not None and number < definition.minimum
    too_big = definition.maximum is not None and number > definition.maximum
    return "field.out_of_range" if too_small or too_big else None
