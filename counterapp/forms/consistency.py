"""Checks across the fields of one form definition, each with the path to where it is wrong.

``FormDefinition`` refuses an inconsistent form; the loader asks for these problems one by
one so that ``counterapp form check`` names the line of each.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from counterapp.forms.definition import (
    KIOSK_PREFILLED,
    Condition,
    FieldDefinition,
    FieldType,
    FilerRole,
    FormDefinition,
    Location,
    Prefill,
)

Found = Iterator[tuple[Location, str]]


def form_problems(form: FormDefinition) -> list[tuple[Location, str]]:
    """Every cross-field problem of ``form``, in file order."""
    return [
        *_duplicates(form),
        *_kiosk_prefilled(form),
        *_my_number(form),
        *_bases(form),
        *_conditions(form),
        *_roles(form),
        *_deadlines(form),
    ]


def _duplicates(form: FormDefinition) -> Found:
    ids = [f.id for f in form.fields] + [g.id for g in form.groups]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        yield ("fields",), f"duplicate field id(s): {', '.join(repeated)}"
    for index, group in enumerate(form.groups):
        row_ids = [f.id for f in group.fields]
        repeated = sorted({i for i in row_ids if row_ids.count(i) > 1})
        if repeated:
            yield ("groups", index, "fields"), f"duplicate field id(s): {', '.join(repeated)}"


def _kiosk_prefilled(form: FormDefinition) -> Found:
    for index, item in enumerate(form.fields):
        if item.kiosk == "ask" and item.prefill is not None:
            yield ("fields", index), KIOSK_PREFILLED


def _placed_fields(form: FormDefinition) -> Iterator[tuple[Location, FieldDefinition]]:
    for index, item in enumerate(form.fields):
        yield ("fields", index), item
    for group_index, group in enumerate(form.groups):
        for index, item in enumerate(group.fields):
            yield ("groups", group_index, "fields", index), item


NO_DECLARATION = (
    "field {} pulls the My Number, but the form does not declare 'carries_my_number: true'"
)
NO_OWN_BASIS = (
    "field {} pulls the My Number but names no legal basis of its own "
    "('basis:' with law and article)"
)
NO_BASIS = (
    "field {} carries personal data from the card, but no legal basis is named "
    "(on the field, its group or the form)"
)


def _my_number(form: FormDefinition) -> Found:
    for where, item in _placed_fields(form):
        if item.prefill is Prefill.CARD_MY_NUMBER:
            if not form.carries_my_number:
                yield where, NO_DECLARATION.format(item.id)
            if not item.basis:
                yield where, NO_OWN_BASIS.format(item.id)


def _bases(form: FormDefinition) -> Found:
    for where, item in _placed_fields(form):
        group = form.groups[int(where[1])] if where[0] == "groups" else None
        inherited = item.basis or form.basis or (group.basis if group else ())
        pulled = item.prefill is not None and item.prefill.from_card
        if pulled and item.prefill is not Prefill.CARD_MY_NUMBER and not inherited:
            yield where, NO_BASIS.format(item.id)


def _conditions(form: FormDefinition) -> Found:
    for where, item in _placed_fields(form):
        if item.when is None:
            continue
        row = form.groups[int(where[1])].fields if where[0] == "groups" else ()
        yield from _condition_problems((*where, "when"), item.when, row, form, item.id)


def _condition_problems(
    where: Location,
    condition: Condition,
    row: Sequence[FieldDefinition],
    form: FormDefinition,
    owner: str | None = None,
) -> Found:
    if condition.field == owner:
        yield (*where, "field"), f"field {owner} cannot depend on itself"
        return
    target = _find(row, condition.field) or _find(form.fields, condition.field)
    if target is None:
        yield (*where, "field"), f"condition names {condition.field!r}, which is no field here"
        return
    allowed = _values_of(target)
    wrong = [v for v in condition.values if allowed is not None and v not in allowed]
    if wrong:
        key = "equals" if condition.equals is not None else "in" if condition.one_of else "not_in"
        yield (
            (*where, key),
            (f"{', '.join(map(repr, wrong))} is not a value field {target.id} can have"),
        )


def _find(fields: Sequence[FieldDefinition], field_id: str) -> FieldDefinition | None:
    return next((f for f in fields if f.id == field_id), None)


def _values_of(target: FieldDefinition) -> set[str] | None:
    if target.type is FieldType.CHOICE:
        return {c.value for c in target.choices}
    if target.type is FieldType.CHECKBOX:
        return {"true", "false"}
    return None


def _roles(form: FormDefinition) -> Found:
    if form.roles is None:
        return
    where: Location = ("roles",)
    target = _find(form.fields, form.roles.field)
    if target is None or target.type is not FieldType.CHOICE:
        yield (*where, "field"), f"roles name {form.roles.field!r}, which is no choice field here"
        return
    known = {role.value for role in FilerRole}
    unknown = sorted({c.value for c in target.choices} - known)
    if unknown:
        yield (
            (*where, "field"),
            (
                f"choice(s) {', '.join(unknown)} of {target.id} are no roles "
                f"(roles: {', '.join(r.value for r in FilerRole)})"
            ),
        )
    offered = {c.value for c in target.choices}
    for role, documents in form.roles.documents.items():
        place = (*where, "documents", role.value)
        if role.value not in offered:
            yield place, f"role {role.value} is not a choice of {target.id}"
        for document in documents:
            checkbox = _find(form.fields, document)
            if checkbox is None or checkbox.type is not FieldType.CHECKBOX:
                yield place, f"document {document!r} of role {role.value} is no checkbox field"


def _deadlines(form: FormDefinition) -> Found:
    for index, deadline in enumerate(form.deadlines):
        where: Location = ("deadlines", index)
        target = _find(form.fields, deadline.field)
        if target is None or target.type is not FieldType.DATE:
            yield (*where, "field"), f"deadline names {deadline.field!r}, which is no date field"
        if deadline.when is not None:
            yield from _condition_problems((*where, "when"), deadline.when, (), form)
