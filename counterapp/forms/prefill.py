"""Pre-fill: verified card data + answers → filled forms. A pure function, no I/O.

Values are taken exactly as the chip gives them; characters outside JIS X 0208 (外字)
are flagged for the clerk, never replaced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from counterapp.forms.address import split_address
from counterapp.forms.definition import FieldDefinition, LifeEvent, PersonGroup, Prefill
from counterapp.forms.filled import CardData, FieldValue, FilledForm, GroupRow, Source
from counterapp.forms.loader import FormLibrary, LoadedForm


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
    library: FormLibrary, target: str, card: CardData, answers: Answers, context: Context
) -> tuple[FilledForm, ...]:
    """The forms of a life event (by id or Japanese name), or a single form by id."""
    try:
        event = library.event(target)
    except KeyError:
        if target not in library.forms:
            raise UnknownForm(target) from None
        return (fill_form(library.forms[target], card, answers, context),)
    return fill_event(library, event, card, answers, context)


def fill_event(
    library: FormLibrary, event: LifeEvent, card: CardData, answers: Answers, context: Context
) -> tuple[FilledForm, ...]:
    """Every form the life event needs, given the answers to its questions."""
    return tuple(
        fill_form(library.forms[item.form], card, answers, context, item.preset, event.id)
        for item in event.applicable_forms(dict(answers.questions))
    )


def fill_form(
    form: LoadedForm,
    card: CardData,
    answers: Answers,
    context: Context,
    preset: Mapping[str, str] | None = None,
    event: str | None = None,
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
        holder = (card_row(group, card, context, layers),) if group.card_holder_row else ()
        hand = tuple(hand_row(group, values) for values in answers.rows.get(group.id, ()))
        if holder or hand:
            filled = filled.with_rows(group.id, holder + hand)
    return replace(filled, event=event, flags=gaiji_flags(filled))


def card_row(
    group: PersonGroup,
    card: CardData,
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


def add_card_row(filled: FilledForm, group_id: str, card: CardData, context: Context) -> FilledForm:
    """Another household member tapped their card: their row at the end of the group."""
    group = filled.form.definition.group(group_id)
    return filled.with_row(group_id, card_row(group, card, context))


def add_hand_row(filled: FilledForm, group_id: str, values: Mapping[str, str]) -> FilledForm:
    """A member without a card: a row the clerk entered by hand, marked as such."""
    group = filled.form.definition.group(group_id)
    return filled.with_row(group_id, hand_row(group, values))


def _first_value(definition: FieldDefinition, card: CardData, context: Context) -> FieldValue:
    if definition.prefill is None:
        return FieldValue(definition.id, "", Source.BLANK)
    value = _prefill_value(definition.prefill, card, context)
    if definition.prefill.address_part is not None:
        return FieldValue(definition.id, value, Source.PROPOSED if value else Source.BLANK)
    system = not definition.prefill.from_card
    return FieldValue(definition.id, value, Source.SYSTEM if system else Source.IC_CHIP)


def _prefill_value(prefill: Prefill, card: CardData, context: Context) -> str:
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
        case Prefill.TODAY:
            return context.today.isoformat()
        case Prefill.MUNICIPALITY:
            return context.municipality
    return ""  # pragma: no cover - every prefill is handled above


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
