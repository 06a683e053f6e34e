"""Pre-fill: verified card data + answers → filled forms. A pure function, no I/O.

Values are taken exactly as the chip gives them; characters outside JIS X 0208 (外字)
are flagged for the clerk, never replaced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from counterapp.forms.address import split_address
from counterapp.forms.definition import (
    EventForm,
    FieldDefinition,
    LifeEvent,
    PersonGroup,
    Prefill,
)
from counterapp.forms.filled import CardData, FieldValue, FilledForm, GroupRow, Source
from counterapp.forms.loader import FormLibrary, LoadedForm
from counterapp.forms.validation import without_hidden


@dataclass(frozen=True)
class Answers:
    """What the resident and the clerk said: yes/no questions and field values by field id."""

    questions: Mapping[str, bool] = field(default_factory=dict)
    resident: Mapping[str, str] = field(default_factory=dict)
    clerk: Mapping[str, str] = field(default_factory=dict)
    # Persons entered by hand (no card), per group id: one mapping of row field → value each.
    rows: Mapping[str, tuple[Mapping[str, str], ...]] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Answers(questions={sorted(self.questions)}, fields=<personal data>)"


@dataclass(frozen=True)
class Context:
    """What the terminal knows besides the card."""

    today: dt.date
    municipality: str


class UnknownForm(LookupError):
    """No life event or form has this name."""

    message_key = "form.unknown"


def fill_target(
    library: FormLibrary,
    target: str,
    card: CardData | None,
    answers: Answers,
    context: Context,
) -> tuple[FilledForm, ...]:
    """The forms of a life event (by id or Japanese name), or a single form by id.

    ``card`` is None for a visit without a card: nothing is taken from a chip.
    """
    try:
        event = library.event(target)
    except KeyError:
        if target not in library.forms:
            raise UnknownForm(target) from None
        return (fill_form(library.forms[target], card, answers, context),)
    return fill_event(library, event, card, answers, context)


def fill_event(
    library: FormLibrary,
    event: LifeEvent,
    card: CardData | None,
    answers: Answers,
    context: Context,
) -> tuple[FilledForm, ...]:
    """Every form the life event needs, given the answers to its questions."""
    return tuple(
        _fill_item(library, event, item, card, answers, context)
        for item in event.applicable_forms(dict(answers.questions))
    )


def fill_per_card(
    library: FormLibrary, event: LifeEvent, card: CardData, answers: Answers, context: Context
) -> tuple[FilledForm, ...]:
    """The event's ``per_card`` forms for one more card read in the visit (another member
    of the household): e.g. the 継続利用 of that member's own card."""
    return tuple(
        _fill_item(library, event, item, card, answers, context)
        for item in event.applicable_forms(dict(answers.questions))
        if item.per_card
    )


def _fill_item(
    library: FormLibrary,
    event: LifeEvent,
    item: EventForm,
    card: CardData | None,
    answers: Answers,
    context: Context,
) -> FilledForm:
    form = library.forms[item.form]
    holder_rows = item.card_holder_rows
    filled = fill_form(form, card, answers, context, item.preset, event.id, holder_rows=holder_rows)
    return _taking_values(filled, item.values_from, answers)


def _taking_values(
    filled: FilledForm, values_from: Mapping[str, str], answers: Answers
) -> FilledForm:
    """Fields that take another field's entered value instead of their own pre-fill: what
    the clerk or resident entered for the source, else blank (never the chip's value)."""
    for target, source_field in values_from.items():
        if source_field in answers.clerk:
            value, source = answers.clerk[source_field], Source.CLERK
        elif source_field in answers.resident:
            value, source = answers.resident[source_field], Source.RESIDENT
        else:
            value, source = "", Source.BLANK
        values = tuple(
            FieldValue(target, value, source) if v.field_id == target else v for v in filled.values
        )
        filled = replace(filled, values=values)
    return replace(filled, flags=gaiji_flags(filled))


def fill_form(
    form: LoadedForm,
    card: CardData | None,
    answers: Answers,
    context: Context,
    preset: Mapping[str, str] | None = None,
    event: str | None = None,
    *,
    holder_rows: bool = True,
) -> FilledForm:
    """One form: chip and system values, then the event's presets, the resident's, the clerk's.

    A group with ``card_holder_row`` gets the card holder as row 1 (the same layers apply to
    it); ``answers.rows`` adds the persons entered by hand.
    """
    filled = FilledForm(
        form, tuple(_first_value(f, card, context) for f in form.definition.fields), event
    )
    layers = (
        (preset or {}, Source.EVENT),
        (answers.resident, Source.RESIDENT),
        (answers.clerk, Source.CLERK),
    )
    for layer, source in layers:
        filled = _apply(filled, layer, source)
    for group in form.definition.groups:
        with_holder = holder_rows and group.card_holder_row and card is not None
        holder = (card_row(group, card, context, layers),) if with_holder else ()
        entered = _entered_rows(group, layers[1:])
        hand = tuple(hand_row(group, values) for values in answers.rows.get(group.id, ()))
        if holder or entered or hand:
            filled = filled.with_rows(group.id, holder + entered + hand)
    filled = without_hidden(filled)
    return replace(filled, event=event, flags=gaiji_flags(filled))


def card_row(
    group: PersonGroup,
    card: CardData | None,
    context: Context,
    layers: Sequence[tuple[Mapping[str, str], Source]] = (),
) -> GroupRow:
    """A person's row filled from their own card (then the given value layers on top)."""
    row = GroupRow(tuple(_first_value(f, card, context) for f in group.fields))
    for values, source in layers:
        for field_id, value in values.items():
            present = any(v.field_id == field_id for v in row.values)
            if present and row.value(field_id).value != value:
                row = row.with_value(field_id, value, source)
    return row


def hand_row(
    group: PersonGroup, values: Mapping[str, str], source: Source = Source.CLERK
) -> GroupRow:
    """A person without a card, entered by hand: marked ``by_hand``, no chip value in it."""
    return GroupRow(
        tuple(
            FieldValue(f.id, values.get(f.id, ""), source if values.get(f.id) else Source.BLANK)
            for f in group.fields
        ),
        by_hand=True,
    )


def _entered_rows(
    group: PersonGroup, layers: Sequence[tuple[Mapping[str, str], Source]]
) -> tuple[GroupRow, ...]:
    """Persons entered under flat ids (``<group>.<row>.<field>``, e.g. at the kiosk), in row
    order; a person with no value entered is no row."""
    by_row: dict[int, dict[str, tuple[str, Source]]] = {}
    for layer, source in layers:
        for key, value in layer.items():
            group_id, _, rest = key.partition(".")
            number, _, field_id = rest.partition(".")
            if group_id == group.id and number.isdigit() and value:
                by_row.setdefault(int(number), {})[field_id] = (value, source)
    rows = []
    for row_number in sorted(by_row):
        entered = by_row[row_number]
        row_values = tuple(
            FieldValue(f.id, *entered[f.id])
            if f.id in entered
            else FieldValue(f.id, "", Source.BLANK)
            for f in group.fields
        )
        rows.append(GroupRow(row_values, by_hand=True))
    return tuple(rows)


def add_card_row(filled: FilledForm, group_id: str, card: CardData, context: Context) -> FilledForm:
    """Another household member tapped their card: their row at the end of the group."""
    group = filled.form.definition.group(group_id)
    return filled.with_row(group_id, card_row(group, card, context))


def add_hand_row(filled: FilledForm, group_id: str, values: Mapping[str, str]) -> FilledForm:
    """A member without a card: a row the clerk entered by hand, marked as such."""
    group = filled.form.definition.group(group_id)
    return filled.with_row(group_id, hand_row(group, values))


def _first_value(
    definition: FieldDefinition, card: CardData | None, context: Context
) -> FieldValue:
    if definition.default is not None:
        return FieldValue(definition.id, definition.default, Source.SYSTEM)
    if definition.prefill is None or (card is None and definition.prefill.from_card):
        return FieldValue(definition.id, "", Source.BLANK)
    value = _prefill_value(definition.prefill, card, context)
    if definition.prefill.address_part is not None:
        return FieldValue(definition.id, value, Source.PROPOSED if value else Source.BLANK)
    system = not definition.prefill.from_card
    return FieldValue(definition.id, value, Source.SYSTEM if system else Source.IC_CHIP)


def _prefill_value(prefill: Prefill, card: CardData | None, context: Context) -> str:
    if prefill is Prefill.TODAY:
        return context.today.isoformat()
    if prefill is Prefill.MUNICIPALITY:
        return context.municipality
    return "" if card is None else _card_value(prefill, card)


def _card_value(prefill: Prefill, card: CardData) -> str:
    if prefill.address_part is not None:
        return split_address(card.address).part(prefill.address_part)
    match prefill:
        case Prefill.CARD_NAME:
            return card.name
        case Prefill.CARD_ADDRESS:
            return card.address
        case Prefill.CARD_BIRTH_DATE:
            return card.birth_date.isoformat()
        case Prefill.CARD_SEX:
            return card.sex
        case Prefill.CARD_MY_NUMBER:
            return card.my_number.reveal()
    return ""  # pragma: no cover - the terminal's own values are handled above


def _apply(filled: FilledForm, values: Mapping[str, str], source: Source) -> FilledForm:
    field_ids = {v.field_id for v in filled.values}
    for field_id, value in values.items():
        if field_id in field_ids and filled.value(field_id).value != value:
            filled = filled.with_value(field_id, value, source)
    return filled


def outside_jis_x_0208(text: str) -> tuple[str, ...]:
    """Characters a JIS X 0208 system cannot hold (外字), in order of appearance, once each."""
    found: list[str] = []
    for char in text:
        try:
            char.encode("iso2022_jp")  # ASCII, JIS X 0201 Roman and JIS X 0208 only
        except UnicodeEncodeError:
            if char not in found:
                found.append(char)
    return tuple(found)


def gaiji_flags(filled: FilledForm) -> dict[str, tuple[str, ...]]:
    """Field id (a row field: its flat id) → its 外字, for every field that has any."""
    flags = {v.field_id: outside_jis_x_0208(v.value) for v in filled.all_values()}
    return {field_id: chars for field_id, chars in flags.items() if chars}
