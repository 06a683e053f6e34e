"""Filled forms: every value with where it came from, and the bytes a signature covers.

A form's single fields are ``FilledForm.values``; each person group's rows are
``FilledForm.groups[group_id]`` (``GroupRow``: the row's values, each with its Source, and
``by_hand`` for a member entered without a card). In the queue the rows are stored as flat
values with ids ``<group>.<row>.<field>`` plus one ``<group>.<row>`` marker per row
(``stored_values`` / ``from_stored``); on the wire they are ``WireGroup``/``WireRow``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from cardreader.mynumber import MyNumber
from counterapp.forms.loader import LoadedForm
from counterapp.wire.schema import (
    CanonicalGroup,
    WireField,
    WireGroup,
    WireRow,
    canonical_form_bytes,
)
from counterapp.wire.schema import ValueSource as Source  # re-exported: forms speak of a "source"

ROW_MARKER_BY_HAND = "by_hand"
ROW_MARKER_CARD = "card"


@dataclass(frozen=True)
class CardData:
    """The verified items a card pre-fills, exactly as the chip gives them."""

    name: str
    address: str
    birth_date: dt.date
    sex: str  # JIS X 0303 code: "1" male, "2" female, "9" not applicable
    my_number: MyNumber

    def __repr__(self) -> str:
        return "CardData(<personal data>)"


@dataclass(frozen=True)
class FieldValue:
    """One field's value (a string: ISO dates, "true"/"false", digits) and its provenance."""

    field_id: str
    value: str
    source: Source  # who gave the value: IC chip, system, event, resident, clerk or blank
    chip_value: str | None = None  # what the chip said, kept when someone changed it

    @property
    def edited_from_chip(self) -> bool:
        return self.chip_value is not None and self.chip_value != self.value

    def __repr__(self) -> str:
        return f"FieldValue({self.field_id!r}, source={self.source.value})"


def _changed(old: FieldValue, value: str, source: Source) -> FieldValue:
    """``old`` set to ``value``; a changed chip (or proposed) value keeps the original."""
    kept = old.source in (Source.IC_CHIP, Source.PROPOSED)
    chip_value = old.value if kept else old.chip_value
    return FieldValue(old.field_id, value, source, chip_value)


def _value_of(values: tuple[FieldValue, ...], field_id: str) -> FieldValue:
    for item in values:
        if item.field_id == field_id:
            return item
    raise KeyError(field_id)


def _with_changed(
    values: tuple[FieldValue, ...], field_id: str, value: str, source: Source
) -> tuple[FieldValue, ...]:
    new = _changed(_value_of(values, field_id), value, source)
    return tuple(new if v.field_id == field_id else v for v in values)


@dataclass(frozen=True)
class GroupRow:
    """One person of a repeating group: a value per row field, and how the row was made."""

    values: tuple[FieldValue, ...]
    by_hand: bool = False  # a member without a card, entered by hand (marked as such)

    def value(self, field_id: str) -> FieldValue:
        """The value of one row field (KeyError if the row has no such field)."""
        return _value_of(self.values, field_id)

    def with_value(self, field_id: str, value: str, source: Source) -> GroupRow:
        """A copy with one field changed (the chip's original kept, as for form fields)."""
        return replace(self, values=_with_changed(self.values, field_id, value, source))


def _row_address(field_id: str) -> tuple[str, int, str] | None:
    """``movers.2.name`` → (``movers``, 1, ``name``): group, row index from 0, field."""
    parts = field_id.split(".")
    if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) < 1:
        return None
    return parts[0], int(parts[1]) - 1, parts[2]


def row_field_id(group_id: str, row: int, field_id: str) -> str:
    """The flat id of a row's field in the queue and in audit entries (row from 1)."""
    return f"{group_id}.{row}.{field_id}"


@dataclass(frozen=True)
class FilledForm:
    """A form definition with a value for every field and a row per person of each group."""

    form: LoadedForm
    values: tuple[FieldValue, ...]
    event: str | None = None
    flags: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field id → 外字 found
    groups: Mapping[str, tuple[GroupRow, ...]] = field(default_factory=dict)

    @property
    def form_id(self) -> str:
        return self.form.definition.id

    def value(self, field_id: str) -> FieldValue:
        """The value of one field, or of a row field by its flat id ``<group>.<row>.<field>``
        (KeyError if there is no such field or row)."""
        row = _row_address(field_id)
        if row is None:
            return _value_of(self.values, field_id)
        group_id, index, own_id = row
        rows = self.rows(group_id)
        if index >= len(rows):
            raise KeyError(field_id)
        return rows[index].value(own_id)

    def with_value(self, field_id: str, value: str, source: Source) -> FilledForm:
        """A copy with one field (or row field, by flat id) changed; a changed chip value
        keeps the chip's original."""
        row = _row_address(field_id)
        if row is not None:
            self.value(field_id)  # KeyError for no such row or field
            return self.with_row_value(*row, value, source)
        return replace(self, values=_with_changed(self.values, field_id, value, source))

    def rows(self, group_id: str) -> tuple[GroupRow, ...]:
        """The rows of a person group (none yet: empty; KeyError for no such group)."""
        self.form.definition.group(group_id)
        return tuple(self.groups.get(group_id, ()))

    def with_rows(self, group_id: str, rows: Iterable[GroupRow]) -> FilledForm:
        """A copy with the group's rows replaced."""
        self.form.definition.group(group_id)
        return replace(self, groups={**self.groups, group_id: tuple(rows)})

    def with_row(self, group_id: str, row: GroupRow) -> FilledForm:
        """A copy with one more row (person) at the end of the group."""
        return self.with_rows(group_id, (*self.rows(group_id), row))

    def without_row(self, group_id: str, index: int) -> FilledForm:
        """A copy without the row at ``index`` (from 0)."""
        rows = self.rows(group_id)
        return self.with_rows(group_id, rows[:index] + rows[index + 1 :])

    def with_row_value(
        self, group_id: str, index: int, field_id: str, value: str, source: Source
    ) -> FilledForm:
        """A copy with one field of one row (``index`` from 0) changed."""
        rows = list(self.rows(group_id))
        rows[index] = rows[index].with_value(field_id, value, source)
        return self.with_rows(group_id, rows)

    def all_values(self) -> tuple[FieldValue, ...]:
        """Form values, then every row value under its flat id (``<group>.<row>.<field>``)."""
        return self.values + tuple(
            replace(value, field_id=row_field_id(group_id, number, value.field_id))
            for group_id, rows in self.groups.items()
            for number, row in enumerate(rows, start=1)
            for value in row.values
        )

    def edited_chip_fields(self) -> tuple[str, ...]:
        """Fields whose chip value a person changed (recorded in the audit log by id)."""
        return tuple(v.field_id for v in self.all_values() if v.edited_from_chip)

    def stored_values(self) -> tuple[FieldValue, ...]:
        """Every value as the queue stores it: form values, then per row a marker and its values."""
        stored = list(self.values)
        for group_id, rows in self.groups.items():
            for number, row in enumerate(rows, start=1):
                marker = ROW_MARKER_BY_HAND if row.by_hand else ROW_MARKER_CARD
                stored.append(FieldValue(f"{group_id}.{number}", marker, Source.SYSTEM))
                stored.extend(
                    replace(v, field_id=row_field_id(group_id, number, v.field_id))
                    for v in row.values
                )
        return tuple(stored)

    @classmethod
    def from_stored(
        cls, form: LoadedForm, stored: Iterable[FieldValue], event: str | None = None
    ) -> FilledForm:
        """The filled form ``stored_values`` gave (the inverse)."""
        values, groups = split_stored(stored)
        return cls(form, values, event, groups=groups)

    def wire_fields(self) -> tuple[WireField, ...]:
        """The form's single fields as the back office receives them."""
        return tuple(_wire_field(v) for v in self.values)

    def wire_groups(self) -> tuple[WireGroup, ...]:
        """The person groups as the back office receives them (groups with rows only)."""
        return _wire_groups(self.groups)

    def canonical(self) -> bytes:
        """The exact bytes a resident's signature covers: definition, version, hash, values."""
        return canonical_form_bytes(
            self.form_id,
            self.form.definition.version,
            self.form.sha256,
            ((v.field_id, v.value) for v in self.values),
            self._canonical_groups(),
        )

    def _canonical_groups(self) -> tuple[CanonicalGroup, ...]:
        return tuple(
            (
                group_id,
                tuple(
                    (row.by_hand, tuple((v.field_id, v.value) for v in row.values)) for row in rows
                ),
            )
            for group_id, rows in self.groups.items()
            if rows
        )

    def __repr__(self) -> str:
        return f"FilledForm({self.form_id!r}, {len(self.values)} fields)"


def split_stored(
    stored: Iterable[FieldValue],
) -> tuple[tuple[FieldValue, ...], dict[str, tuple[GroupRow, ...]]]:
    """Stored flat values → the form's values and its group rows."""
    values: list[FieldValue] = []
    groups: dict[str, list[GroupRow]] = {}
    for item in stored:
        parts = item.field_id.split(".")
        if len(parts) == 1:
            values.append(item)
        elif len(parts) == 2:
            row = GroupRow((), by_hand=item.value == ROW_MARKER_BY_HAND)
            groups.setdefault(parts[0], []).append(row)
        else:
            rows = groups[parts[0]]
            own = replace(item, field_id=parts[2])
            rows[-1] = replace(rows[-1], values=(*rows[-1].values, own))
    return tuple(values), {group_id: tuple(rows) for group_id, rows in groups.items()}


def wire_parts(stored: Iterable[FieldValue]) -> tuple[tuple[WireField, ...], tuple[WireGroup, ...]]:
    """Stored flat values → the wire's fields and groups."""
    values, groups = split_stored(stored)
    return tuple(_wire_field(v) for v in values), _wire_groups(groups)


def _wire_groups(groups: Mapping[str, tuple[GroupRow, ...]]) -> tuple[WireGroup, ...]:
    return tuple(
        WireGroup(
            id=group_id,
            rows=tuple(
                WireRow(by_hand=r.by_hand, fields=tuple(_wire_field(v) for v in r.values))
                for r in rows
            ),
        )
        for group_id, rows in groups.items()
        if rows
    )


def _wire_field(value: FieldValue) -> WireField:
    return WireField(
        id=value.field_id, value=value.value, source=value.source, chip_value=value.chip_value
    )


__all__ = [
    "CardData",
    "FieldValue",
    "FilledForm",
    "GroupRow",
    "Source",
    "row_field_id",
    "split_stored",
    "wire_parts",
]
