"""Checks a filled form must pass before it is queued; each problem names a message key."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from counterapp.forms.definition import (
    Condition,
    FieldDefinition,
    FieldType,
    FilerRole,
    FormDefinition,
    PersonGroup,
    Text,
)
from counterapp.forms.filled import FieldValue, FilledForm, GroupRow, Source, row_field_id
from counterapp.wire.schema import WireField
from counterapp.wire.values import storable_text

KATAKANA = re.compile(r"^[\u30A1-\u30FA\u30FC\u3000 ・]+$")  # full-width katakana, ー, spaces
POSTAL_CODE = re.compile(r"^[0-9]{3}-?[0-9]{4}$")
PARTIAL_DATE = re.compile(r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$")  # YYYY or YYYY-MM
UNCONFIRMED = "field.unconfirmed"  # split from the chip's address, not yet confirmed
DOCUMENT_REQUIRED = "field.document_required"  # the filer's role needs this document
TOO_FEW_ROWS = "group.too_few"
TOO_MANY_ROWS = "group.too_many"


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
    """Every field that is missing, malformed or unconfirmed, in form order; then each person
    group's row count and rows; then the documents the filer's role needs.

    A field whose ``when`` condition does not hold is not checked (it is not shown). A row
    field is named by its flat id ``<group>.<row>.<field>``.
    """
    form = filled.form.definition
    found = [
        FieldProblem(definition.id, key)
        for definition in form.fields
        if shown(definition, filled)
        and (key := value_problem(definition, filled.value(definition.id)))
    ]
    for group in form.groups:
        found.extend(_group_problems(group, filled))
    found.extend(_document_problems(form, filled))
    return tuple(found)


def shown(definition: FieldDefinition, filled: FilledForm, row: GroupRow | None = None) -> bool:
    """Whether the field applies: no ``when``, or its condition holds (row fields first)."""
    return definition.when is None or condition_holds(definition.when, filled, row)


def shown_at(filled: FilledForm, field_id: str) -> bool:
    """``shown`` for a form field or a row field named by its flat id."""
    definition = filled.form.definition.field_at(field_id)
    parts = field_id.split(".")
    row = filled.rows(parts[0])[int(parts[1]) - 1] if len(parts) == 3 else None
    return shown(definition, filled, row)


def condition_holds(condition: Condition, filled: FilledForm, row: GroupRow | None = None) -> bool:
    """The condition on the current value of the field it names."""
    if row is not None and any(v.field_id == condition.field for v in row.values):
        return condition.holds(row.value(condition.field).value)
    return condition.holds(filled.value(condition.field).value)


def without_hidden(filled: FilledForm) -> FilledForm:
    """Blank every field whose condition does not hold: a value not asked for (e.g. the My
    Number on a 転居) is not kept on the form."""
    form = filled.form.definition
    for definition in form.fields:
        if not shown(definition, filled) and filled.value(definition.id).value:
            filled = filled.with_value(definition.id, "", Source.BLANK)
    for group in form.groups:
        for index, row in enumerate(filled.rows(group.id)):
            for definition in group.fields:
                if not shown(definition, filled, row) and row.value(definition.id).value:
                    blank = row.value(definition.id)
                    row = replace(
                        row,
                        values=tuple(
                            FieldValue(v.field_id, "", Source.BLANK) if v is blank else v
                            for v in row.values
                        ),
                    )
            filled = filled.with_rows(
                group.id, (*filled.rows(group.id)[:index], row, *filled.rows(group.id)[index + 1 :])
            )
    return filled


def value_problem(definition: FieldDefinition, value: FieldValue) -> str | None:
    """What is wrong with a filled value: a proposal nobody confirmed, or ``field_problem``."""
    if value.source is Source.PROPOSED:
        return UNCONFIRMED
    return field_problem(definition, value.value)


def _group_problems(group: PersonGroup, filled: FilledForm) -> list[FieldProblem]:
    rows = filled.rows(group.id)
    found = []
    if len(rows) < group.min_rows:
        found.append(FieldProblem(group.id, TOO_FEW_ROWS))
    if len(rows) > group.max_rows:
        found.append(FieldProblem(group.id, TOO_MANY_ROWS))
    for number, row in enumerate(rows, start=1):
        for definition in group.fields:
            if not shown(definition, filled, row):
                continue
            key = value_problem(definition, row.value(definition.id))
            if key:
                found.append(FieldProblem(row_field_id(group.id, number, definition.id), key))
    return found


def _document_problems(form: FormDefinition, filled: FilledForm) -> list[FieldProblem]:
    if form.roles is None:
        return []
    try:
        role = FilerRole(filled.value(form.roles.field).value)
    except ValueError:
        return []  # no role chosen yet: the role field's own check says so
    return [
        FieldProblem(document, DOCUMENT_REQUIRED)
        for document in form.roles.documents.get(role, ())
        if filled.value(document).value != "true"
    ]


def deadline_warnings(filled: FilledForm, today: dt.date) -> tuple[Text, ...]:
    """The clerk's warnings for deadlines passed (e.g. 「転入から14日を過ぎています」).

    The form's filing date is its ``application_date`` when it has one, else ``today``.
    """
    form = filled.form.definition
    filed = _filing_date(filled) or today
    warnings = []
    for deadline in form.deadlines:
        if deadline.when is not None and not condition_holds(deadline.when, filled):
            continue
        start = _full_date(filled.value(deadline.field).value)
        if start is not None and (filed - start).days > deadline.days:
            warnings.append(deadline.warning)
    return tuple(warnings)


def _filing_date(filled: FilledForm) -> dt.date | None:
    try:
        return _full_date(filled.value("application_date").value)
    except KeyError:
        return None


def _full_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


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
            partial = definition.partial and PARTIAL_DATE.match(value)
            return None if partial or _is_date(value) else "field.date"
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
