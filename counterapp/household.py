"""A household at the counter: which person goes into which person list, and their rows.

The visit (``counterapp.visit``) owns the steps; this module holds the pure rules it
applies when it fills the forms of a household:

- the first card holder is row 1 of every group marked ``card_holder_row`` (the forms'
  own pre-fill does that);
- every further member with a card gets a row in the same groups, filled from their own
  chip; a member without a card gets a row entered by hand, marked ``by_hand``;
- a member joins a group of a form that a yes/no question chose (e.g. 国保 for
  ``join_nhi``) only when their own answer to that question is yes (default: the visit's);
- a member is added to a group that does not list the card holder (e.g. the 児童 of a
  児童手当 認定請求, whose claimant is the card holder) only when the clerk names it;
- a form the event has once per card (``per_card``, e.g. the card's 継続利用): every further
  card holder gets their own copy, filled from their own chip and the household's shared
  values (new address, date of the move) — when the event always has the form, or when
  they said yes themselves to the question that chose it.

Row field values are addressed by their flat id ``<group>.<row>.<field>`` (row from 1),
as the queue, the validation and the audit log name them (``FilledForm.value``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from counterapp.forms.definition import (
    EventForm,
    FieldDefinition,
    FilerRole,
    FormDefinition,
    LifeEvent,
    PersonGroup,
    Prefill,
)
from counterapp.forms.filled import CardData, FilledForm, GroupRow, Source
from counterapp.forms.loader import FormLibrary
from counterapp.forms.prefill import (
    Answers,
    Context,
    card_row,
    fill_per_card,
    gaiji_flags,
    hand_row,
)


@dataclass(frozen=True)
class Person:
    """One further person of the household as the forms need them (no PIN, no read state)."""

    card: CardData | None  # None: no card, the row is entered by hand
    values: Mapping[str, str] = field(default_factory=dict)
    answers: Mapping[str, bool] = field(default_factory=dict)
    groups: frozenset[str] = frozenset()  # groups named for them beyond the usual ones

    def __repr__(self) -> str:
        return f"Person(by_hand={self.card is None}, <personal data>)"


def groups_for(
    filled: FilledForm,
    event: LifeEvent | None,
    person: Person,
    visit_answers: Mapping[str, bool],
) -> tuple[PersonGroup, ...]:
    """The groups of ``filled`` that list ``person`` (see the module's rules)."""
    question = _question_of(event, filled.form_id)
    joins = question is None or person.answers.get(question, visit_answers.get(question, False))
    return tuple(
        group
        for group in filled.form.definition.groups
        if group.id in person.groups or (group.card_holder_row and joins)
    )


def _question_of(event: LifeEvent | None, form_id: str) -> str | None:
    """The yes/no question that chose this form in the event (None: always there)."""
    item = _event_item(event, form_id)
    return item.when if item is not None else None


def with_household(
    forms: Sequence[FilledForm],
    library: FormLibrary,
    event: LifeEvent | None,
    people: Iterable[Person],
    visit_answers: Mapping[str, bool],
    context: Context,
) -> tuple[FilledForm, ...]:
    """The forms with a row per further person in each group that lists them, and each
    further card holder's own copy of the event's ``per_card`` forms (e.g. 継続利用)."""
    result = list(forms)
    shared = household_entries(forms)
    for person in people:
        for index, filled in enumerate(list(result)):
            for group in groups_for(filled, event, person, visit_answers):
                result[index] = result[index].with_row(group.id, _row(group, person, context))
        for copy in _own_copies(library, event, person, shared, context):
            same = [i for i, f in enumerate(result) if f.form_id == copy.form_id]
            result.insert(max(same) + 1 if same else len(result), copy)
    return tuple(_flagged(filled) for filled in result)


def household_entries(forms: Sequence[FilledForm]) -> Answers:
    """What people entered on the forms that holds for the whole household (the new
    address, the date of the move ...): not a person's own value, nothing from a chip."""
    personal = {f.id for f in person_fields(f.form.definition for f in forms)}
    entered: dict[Source, dict[str, str]] = {Source.RESIDENT: {}, Source.CLERK: {}}
    for filled in forms:
        for value in filled.values:
            prefill = filled.form.definition.field(value.field_id).prefill
            from_card = prefill is not None and prefill.from_card
            if value.source in entered and value.field_id not in personal and not from_card:
                entered[value.source].setdefault(value.field_id, value.value)
    return Answers(resident=entered[Source.RESIDENT], clerk=entered[Source.CLERK])


def _own_copies(
    library: FormLibrary,
    event: LifeEvent | None,
    person: Person,
    shared: Answers,
    context: Context,
) -> tuple[FilledForm, ...]:
    """A further card holder's own ``per_card`` forms: those the event always has, and
    those whose question they said yes to themselves (the questions asked were the first
    card holder's)."""
    if person.card is None or event is None:
        return ()
    answers = replace(
        shared,
        questions={k: v for k, v in person.answers.items() if v},
        resident={**shared.resident, **person.values},
    )
    return fill_per_card(library, event, person.card, answers, context)


def _event_item(event: LifeEvent | None, form_id: str) -> EventForm | None:
    for item in event.forms if event is not None else ():
        if item.form == form_id:
            return item
    return None


def _first_of_each(forms: Sequence[FilledForm]) -> list[FilledForm]:
    seen: dict[str, FilledForm] = {}
    for filled in forms:
        seen.setdefault(filled.form_id, filled)
    return list(seen.values())


def without_person(
    forms: Sequence[FilledForm],
    event: LifeEvent | None,
    people: Sequence[Person],
    index: int,
    visit_answers: Mapping[str, bool],
) -> tuple[FilledForm, ...]:
    """The forms without the rows of ``people[index]`` and without their own copies
    (everyone else's rows and forms stay as edited)."""
    result = []
    firsts = {id(f) for f in _first_of_each(forms)}
    card = people[index].card
    for filled in forms:
        if card is not None and id(filled) not in firsts and _copy_of(filled, card):
            continue
        listed = [
            {g.id for g in groups_for(filled, event, person, visit_answers)} for person in people
        ]
        for group_id in sorted(listed[index]):
            holder = 1 if filled.form.definition.group(group_id).card_holder_row else 0
            earlier = sum(1 for ids in listed[:index] if group_id in ids)
            filled = filled.without_row(group_id, holder + earlier)
        result.append(_flagged(filled))
    return tuple(result)


def _copy_of(filled: FilledForm, card: CardData) -> bool:
    """Whether the chip that filled this form was ``card`` (its name and birth date)."""
    chip = {Prefill.CARD_NAME: card.name, Prefill.CARD_BIRTH_DATE: card.birth_date.isoformat()}
    found = [
        (v.chip_value if v.chip_value is not None else v.value) == chip[definition.prefill]
        for definition, v in zip(filled.form.definition.fields, filled.values, strict=True)
        if definition.prefill in chip
    ]
    return bool(found) and all(found)


def _flagged(filled: FilledForm) -> FilledForm:
    """The form with its 外字 flags for every person now on it (row ids shift on removal)."""
    return replace(filled, flags=gaiji_flags(filled))


def _row(group: PersonGroup, person: Person, context: Context) -> GroupRow:
    wanted = {k: v for k, v in person.values.items() if _has_field(group, k)}
    if person.card is None:
        return hand_row(group, wanted)
    return card_row(group, person.card, context, ((wanted, Source.RESIDENT),))


def _has_field(group: PersonGroup, field_id: str) -> bool:
    return any(item.id == field_id for item in group.fields)


def person_fields(forms: Iterable[FormDefinition]) -> tuple[FieldDefinition, ...]:
    """The row fields of the forms' person groups, once each (what a member is asked for)."""
    found: dict[str, FieldDefinition] = {}
    for form in forms:
        for group in form.groups:
            for definition in group.fields:
                found.setdefault(definition.id, definition)
    return tuple(found.values())


def extra_groups(forms: Iterable[FormDefinition]) -> tuple[PersonGroup, ...]:
    """Groups that do not list the card holder (e.g. 児童): a member is put there by name."""
    found: dict[str, PersonGroup] = {}
    for form in forms:
        for group in form.groups:
            if not group.card_holder_row:
                found.setdefault(group.id, group)
    return tuple(found.values())


def deciding_questions(event: LifeEvent | None, forms: Iterable[FormDefinition]) -> tuple[str, ...]:
    """The questions that chose a form whose lists take everyone concerned (e.g. 国保に加入
    しますか): each member answers them for themselves too."""
    with_groups = {form.id for form in forms if any(g.card_holder_row for g in form.groups)}
    if event is None:
        return ()
    return tuple(dict.fromkeys(i.when for i in event.forms if i.when and i.form in with_groups))


def with_card_holder_filing(filled: FilledForm) -> FilledForm:
    """The first card holder files (本人) unless someone chose another role already."""
    roles = filled.form.definition.roles
    if roles is None or filled.value(roles.field).value:
        return filled
    choices = {choice.value for choice in filled.form.definition.field(roles.field).choices}
    if FilerRole.SELF.value not in choices:
        return filled
    return filled.with_value(roles.field, FilerRole.SELF.value, Source.SYSTEM)
