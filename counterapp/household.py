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
  児童手当 認定請求, whose claimant is the card holder) only when the clerk names it.

Row field values are addressed by their flat id ``<group>.<row>.<field>`` (row from 1),
as the queue, the validation and the audit log name them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from counterapp.forms.definition import FieldDefinition, FormDefinition, LifeEvent, PersonGroup
from counterapp.forms.filled import CardData, FieldValue, FilledForm, GroupRow, Source
from counterapp.forms.prefill import Context, card_row, gaiji_flags, hand_row


@dataclass(frozen=True)
class Person:
    """One further person of the household as the forms need them (no PIN, no read state)."""

    card: CardData | None  # None: no card, the row is entered by hand
    values: Mapping[str, str] = field(default_factory=dict)
    answers: Mapping[str, bool] = field(default_factory=dict)
    groups: frozenset[str] = frozenset()  # groups named for them beyond the usual ones

    def __repr__(self) -> str:
        return f"Person(by_hand={self.card is None}, <personal data>)"


def split_id(field_id: str) -> tuple[str, int, str] | None:
    """``(group, row from 1, field)`` of a flat row id, or None for a form field."""
    parts = field_id.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1]), parts[2]


def value_at(filled: FilledForm, field_id: str) -> FieldValue:
    """The value of a form field or (flat id) of a row field; KeyError if there is none."""
    where = split_id(field_id)
    if where is None:
        return filled.value(field_id)
    group, row, name = where
    rows = filled.rows(group)
    if not 1 <= row <= len(rows):
        raise KeyError(field_id)
    return rows[row - 1].value(name)


def definition_at(form: FormDefinition, field_id: str) -> FieldDefinition:
    """The definition of a form field or (flat id) of a row field."""
    where = split_id(field_id)
    if where is None:
        return form.field(field_id)
    return form.group(where[0]).field(where[2])


def with_value_at(filled: FilledForm, field_id: str, value: str, source: Source) -> FilledForm:
    """A copy with one form field or (flat id) one row field changed."""
    where = split_id(field_id)
    if where is None:
        return filled.with_value(field_id, value, source)
    value_at(filled, field_id)  # KeyError for a row or field that is not there
    group, row, name = where
    return filled.with_row_value(group, row - 1, name, value, source)


def groups_for(
    filled: FilledForm,
    event: LifeEvent | None,
    person: Person,
    visit_answers: Mapping[str, bool],
) -> tuple[PersonGroup, ...]:
    """The groups of ``filled`` that list ``person`` (see the module's rules)."""
    question = _question_of(event, filled.form_id)
    if question is not None and not person.answers.get(question, visit_answers.get(question)):
        return ()
    return tuple(
        group
        for group in filled.form.definition.groups
        if group.id in person.groups or group.card_holder_row
    )


def _question_of(event: LifeEvent | None, form_id: str) -> str | None:
    """The yes/no question that chose this form in the event (None: always there)."""
    if event is None:
        return None
    for item in event.forms:
        if item.form == form_id:
            return item.when
    return None


def with_household(
    forms: Sequence[FilledForm],
    event: LifeEvent | None,
    people: Iterable[Person],
    visit_answers: Mapping[str, bool],
    context: Context,
) -> tuple[FilledForm, ...]:
    """The forms with a row per further person in each group that lists them."""
    result = list(forms)
    for person in people:
        for index, filled in enumerate(result):
            for group in groups_for(filled, event, person, visit_answers):
                result[index] = result[index].with_row(group.id, _row(group, person, context))
    return tuple(_flagged(filled) for filled in result)


def without_person(
    forms: Sequence[FilledForm],
    event: LifeEvent | None,
    people: Sequence[Person],
    index: int,
    visit_answers: Mapping[str, bool],
) -> tuple[FilledForm, ...]:
    """The forms without the rows of ``people[index]`` (everyone else's rows stay as edited)."""
    result = []
    for filled in forms:
        listed = [
            {g.id for g in groups_for(filled, event, person, visit_answers)} for person in people
        ]
        for group_id in sorted(listed[index]):
            holder = 1 if filled.form.definition.group(group_id).card_holder_row else 0
            earlier = sum(1 for ids in listed[:index] if group_id in ids)
            filled = filled.without_row(group_id, holder + earlier)
        result.append(_flagged(filled))
    return tuple(result)


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
    """The questions that chose a form with person lists: each member answers them too."""
    with_groups = {form.id for form in forms if form.groups}
    if event is None:
        return ()
    return tuple(dict.fromkeys(i.when for i in event.forms if i.when and i.form in with_groups))
