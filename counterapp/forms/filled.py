"""Filled forms: every value with where it came from, and the bytes a signature covers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from cardreader.mynumber import MyNumber
from counterapp.forms.loader import LoadedForm
from counterapp.wire.schema import ValueSource as Source  # re-exported: forms speak of a "source"
from counterapp.wire.schema import canonical_form_bytes


@dataclass(frozen=True)
class CardData:
    """The verified items a card pre-fills, exactly as the chip gives them."""

    name: str
    address: str
    birth_date: dt.date
    sex: str  # JIS X 0303 code: "1" male, "2" female, "9" not applicable
    # None on the PIN-less path until 照合番号A proved it (CounterService.prove_my_number).
    my_number: MyNumber | None = None

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


@dataclass(frozen=True)
class FilledForm:
    """A form definition with a value for every field."""

    form: LoadedForm
    values: tuple[FieldValue, ...]
    event: str | None = None
    flags: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field id → 外字 found

    @property
    def form_id(self) -> str:
        return self.form.definition.id

    def value(self, field_id: str) -> FieldValue:
        """The value of one field (KeyError if the form has no such field)."""
        for item in self.values:
            if item.field_id == field_id:
                return item
        raise KeyError(field_id)

    def with_value(self, field_id: str, value: str, source: Source) -> FilledForm:
        """A copy with one field changed; a changed chip value keeps the chip's original."""
        old = self.value(field_id)
        chip_value = old.value if old.source is Source.IC_CHIP else old.chip_value
        new = FieldValue(field_id, value, source, chip_value)
        values = tuple(new if v.field_id == field_id else v for v in self.values)
        return replace(self, values=values)

    def edited_chip_fields(self) -> tuple[str, ...]:
        """Fields whose chip value a person changed (recorded in the audit log by id)."""
        return tuple(v.field_id for v in self.values if v.edited_from_chip)

    def canonical(self) -> bytes:
        """The exact bytes a resident's signature covers: definition, version, hash, values."""
        return canonical_form_bytes(
            self.form_id,
            self.form.definition.version,
            self.form.sha256,
            ((v.field_id, v.value) for v in self.values),
        )

    def __repr__(self) -> str:
        return f"FilledForm({self.form_id!r}, {len(self.values)} fields)"


__all__ = ["CardData", "FieldValue", "FilledForm", "Source"]
