"""Form and life-event definitions: the typed shape of the YAML files in ``resources/forms/``.

A municipality adds a form by writing a data file, never code. The models forbid unknown
keys so a typo is an error with its line number (see ``loader``), not a silently ignored
setting.

The representation, for whoever builds on it (e.g. a household at the counter):

- ``FormDefinition.fields`` are the form's single fields (届出日, あて先, 届出人 ...), one value
  each. ``FormDefinition.groups`` are repeating person lists (``PersonGroup``: 異動者,
  被保険者, 児童, 対象者), each with ``min``/``max`` rows and its own ``fields``. A row is one
  person. ``card_holder_row: true`` makes row 1 the person whose card was read; more rows
  come from other cards (``prefill.add_card_row``) or are entered by hand
  (``prefill.add_hand_row``: the row is marked ``by_hand`` and travels so marked). Filled
  rows are ``filled.GroupRow`` in ``FilledForm.groups``; problems in a row are named by the
  flat id ``<group>.<row>.<field>`` (row from 1); on the wire a form's rows are
  ``SubmissionItem.groups`` (``WireGroup``/``WireRow``, each row with ``by_hand``).
- ``when:`` (``Condition``) on a field: shown and required only while another field (in a
  group row: a field of the same row first, else a form field) has one of the given values.
- ``roles:`` (``Roles``): the choice field saying who files (``FilerRole``: 本人, 世帯主,
  同一世帯員, 法定代理人, 任意代理人) and, per role, the checkbox fields that record the
  documents the clerk checked (委任状 for 任意代理人). Unticked, the form cannot be queued.
- ``deadlines:`` (``Deadline``): a date field and a number of days; past it, the clerk is
  warned (「転入から14日を過ぎています」). A warning, never a refusal.
- ``basis:`` (``LegalBasis``: law + article) on the form, a group or a field. Every field
  filled from the card needs one (its own or inherited), and a field that pulls the My
  Number needs its own: a form may carry the number only where it names why.
- Structured addresses are plain fields marked with ``address_part`` (都道府県, 市区町村,
  町字, 番地, 方書, or ``foreign`` text). ``prefill: card.address.<part>`` proposes a part split
  from the chip's one-line address; it has the source ``proposed`` and blocks the form
  until a person confirms or corrects it (``validation``), so nothing is accepted silently.
- ``type: date`` with ``partial: true`` takes ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a date of
  birth partly unknown, as some foreign residents' are recorded).
- Life events: ``EventForm.values_from`` (a field takes another field's entered value instead
  of its pre-fill: 印鑑登録 at the new address), ``per_card`` (one copy of the form per card
  read in the visit — for the household flow to honour), ``card_holder_rows: false`` (the
  card holder files for others, e.g. after a death); ``LifeEvent.starts_without_card`` (国外
  からの転入: nothing from a chip, persons entered by hand) and ``order`` (list position).
- The kiosk asks ``FormDefinition.kiosk_fields()``: the card holder's row fields under their
  plain id, then ``kiosk_persons`` more persons under ``<group>.<row>.<field>``; pre-fill turns
  such flat-id answers into rows marked ``by_hand``.
"""

from __future__ import annotations

import enum
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

# UI languages in the order a language switch shows them. "ja-easy" is やさしい日本語.
LANGUAGES = ("ja", "ja-easy", "en", "zh", "ko", "vi", "pt")
Language = Literal["ja", "ja-easy", "en", "zh", "ko", "vi", "pt"]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(Strict):
    """One piece of text in every UI language."""

    ja: str = Field(min_length=1)
    ja_easy: str = Field(alias="ja-easy", min_length=1)
    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)
    ko: str = Field(min_length=1)
    vi: str = Field(min_length=1)
    pt: str = Field(min_length=1)

    def in_language(self, language: str) -> str:
        """The text in ``language``, falling back to Japanese."""
        return str(getattr(self, language.replace("-", "_"), self.ja))


class FieldType(enum.StrEnum):
    TEXT = "text"
    KATAKANA = "katakana"  # フリガナ
    DATE = "date"  # stored as ISO 8601, shown in 和暦 and 西暦
    ADDRESS = "address"
    POSTAL_CODE = "postal_code"
    CHOICE = "choice"
    CHECKBOX = "checkbox"
    NUMBER = "number"


class Prefill(enum.StrEnum):
    """Where a field's first value comes from."""

    CARD_NAME = "card.name"
    CARD_ADDRESS = "card.address"
    CARD_BIRTH_DATE = "card.birth_date"
    CARD_SEX = "card.sex"
    CARD_MY_NUMBER = "card.my_number"
    TODAY = "today"
    MUNICIPALITY = "terminal.municipality"
    # One part of the chip's one-line address, split by the terminal: only a proposal.
    CARD_ADDRESS_PREFECTURE = "card.address.prefecture"
    CARD_ADDRESS_MUNICIPALITY = "card.address.municipality"
    CARD_ADDRESS_TOWN = "card.address.town"
    CARD_ADDRESS_BLOCK = "card.address.block"
    CARD_ADDRESS_BUILDING = "card.address.building"

    @property
    def from_card(self) -> bool:
        """True for a value the card gives (personal data), False for the terminal's own."""
        return self.value.startswith("card.")

    @property
    def address_part(self) -> str | None:
        """The part of the chip's address this prefill proposes, or None."""
        prefix = "card.address."
        return self.value.removeprefix(prefix) if self.value.startswith(prefix) else None


class AddressPart(enum.StrEnum):
    """The parts of an address as 住民記録 systems keep them."""

    PREFECTURE = "prefecture"  # 都道府県
    MUNICIPALITY = "municipality"  # 市区町村 (with 郡 and 政令市の区)
    TOWN = "town"  # 町字 (from the address master)
    BLOCK = "block"  # 番地・号
    BUILDING = "building"  # 方書 (building and room)
    FOREIGN = "foreign"  # an address abroad, as one text


class FilerRole(enum.StrEnum):
    """Who files or requests (届出人・請求者), as 住民基本台帳法 §12 and §26 distinguish."""

    SELF = "self"  # 本人
    HOUSEHOLDER = "householder"  # 世帯主
    HOUSEHOLD_MEMBER = "household_member"  # 同一世帯員
    LEGAL_REPRESENTATIVE = "legal_representative"  # 法定代理人
    DELEGATE = "delegate"  # 任意代理人 (needs a 委任状)


class LegalBasis(Strict):
    """The law and article that make a form collect an item, e.g. 住民基本台帳法 第22条."""

    law: str = Field(min_length=1, max_length=120)
    article: str = Field(min_length=1, max_length=120)

    def __str__(self) -> str:
        return f"{self.law} {self.article}"


class Condition(Strict):
    """True while the named field has one of the values (``equals``, ``in``) or none of
    them (``not_in``)."""

    field: Identifier
    equals: str | None = None
    one_of: tuple[str, ...] = Field(default=(), alias="in")
    none_of: tuple[str, ...] = Field(default=(), alias="not_in")

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        given = [self.equals is not None, bool(self.one_of), bool(self.none_of)]
        if given.count(True) != 1:
            raise ValueError("a condition takes exactly one of 'equals', 'in' or 'not_in'")
        return self

    @property
    def values(self) -> tuple[str, ...]:
        """The values the condition names."""
        return (self.equals,) if self.equals is not None else self.one_of or self.none_of

    def holds(self, value: str) -> bool:
        """Whether the condition holds for the named field's current value."""
        return (value in self.values) != bool(self.none_of)


class Choice(Strict):
    value: str = Field(min_length=1, max_length=32)
    label: Text


class FieldDefinition(Strict):
    """One field of a form."""

    id: Identifier
    type: FieldType
    label: Text
    help: Text | None = None
    required: bool = False
    prefill: Prefill | None = None
    max_length: int | None = Field(default=None, gt=0)
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[Choice, ...] = ()
    # "ask": the kiosk asks the resident for this value (the counter then only checks it).
    kiosk: Literal["ask"] | None = None
    # A repeating entry (e.g. the 世帯員 of a 転入): the group's name and this field's person.
    group: Identifier | None = None
    slot: int | None = Field(default=None, ge=1, le=20)
    # Shown and required only while this condition holds (else ignored and left blank).
    when: Condition | None = None
    # Why the form collects this item (law and article); inherited from the group or form.
    basis: tuple[LegalBasis, ...] = ()
    # A date that may be partly unknown: YYYY, YYYY-MM or YYYY-MM-DD.
    partial: bool = False
    # The part of a structured address this field holds.
    address_part: AddressPart | None = None
    # The value the field starts with when nothing fills it (e.g. 届出人: 本人).
    default: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _consistent(self) -> FieldDefinition:
        if (self.type is FieldType.CHOICE) != bool(self.choices):
            raise ValueError("'choices' is required for type choice and only allowed there")
        if (self.group is None) != (self.slot is None):
            raise ValueError("'group' and 'slot' go together (slot: the person, from 1)")
        if self.kiosk is not None:
            kiosk_problem = _kiosk_problem(self)
            if kiosk_problem:
                raise ValueError(kiosk_problem)
        if self.default is not None and self.prefill is not None:
            raise ValueError("a field takes 'default' or 'prefill', not both")
        allowed = {c.value for c in self.choices}
        if self.default is not None and allowed and self.default not in allowed:
            raise ValueError(f"default {self.default!r} is not one of the choices")
        if self.partial and self.type is not FieldType.DATE:
            raise ValueError("'partial' is only for type date")
        part = self.prefill.address_part if self.prefill is not None else None
        if part is not None and part != self.address_part:
            raise ValueError(f"prefill {self.prefill} fills a field with 'address_part: {part}'")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from exc
        return self


def kiosk_input(definition: FieldDefinition) -> str | None:
    """How the kiosk's screen takes this field: kana keys, a stepper, choices, a date or digits."""
    match definition.type:
        case FieldType.KATAKANA:
            return "kana"
        case FieldType.NUMBER if definition.minimum is not None and definition.maximum is not None:
            return "stepper"
        case FieldType.CHOICE:
            return "choice"
        case FieldType.DATE:
            return "date"
        case FieldType.TEXT if definition.pattern is not None and _digits_only(definition.pattern):
            return "digits"
    return None


def _digits_only(pattern: str) -> bool:
    """A pattern that accepts some digits and nothing but digits and hyphens."""
    accepted = re.compile(pattern)
    return bool(accepted.fullmatch("0312345678")) and not accepted.search("a")


KIOSK_PREFILLED = "'kiosk: ask' is for values the resident knows, not for pre-filled fields"


def _kiosk_problem(definition: FieldDefinition) -> str | None:
    # A pre-filled field may be asked in a person group (for a member without a card);
    # on the form itself the consistency check refuses it.
    if definition.prefill is not None and kiosk_input(definition) is None:
        return KIOSK_PREFILLED
    if kiosk_input(definition) is None:
        return (
            "'kiosk: ask' needs a field the kiosk can take: katakana, number with minimum "
            "and maximum, choice, date, or text whose pattern takes only digits and hyphens"
        )
    return None


class PersonGroup(Strict):
    """A repeating list of persons (異動者, 被保険者, 児童, 対象者): one row per person."""

    id: Identifier
    label: Text
    help: Text | None = None
    min_rows: int = Field(default=0, ge=0, le=50, alias="min")
    max_rows: int = Field(ge=1, le=50, alias="max")
    # Row 1 is the person whose card was read (its card.* fields are filled from the chip).
    card_holder_row: bool = False
    # How many more persons the kiosk asks for one by one ("anyone else?"); 0: none, the
    # clerk adds them. Needs the kiosk texts ``kiosk.more.<group id>`` (and ``.first``).
    kiosk_persons: int = Field(default=0, ge=0, le=10)
    basis: tuple[LegalBasis, ...] = ()
    fields: tuple[FieldDefinition, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _rows(self) -> PersonGroup:
        if self.min_rows > self.max_rows:
            raise ValueError(f"min ({self.min_rows}) is more than max ({self.max_rows})")
        return self

    def field(self, field_id: str) -> FieldDefinition:
        """The row field with this id (KeyError if there is none)."""
        for item in self.fields:
            if item.id == field_id:
                return item
        raise KeyError(field_id)


class Roles(Strict):
    """Who files the form and the documents each role must show (checked by the clerk)."""

    field: Identifier  # a choice field whose values are FilerRole values
    # Role → checkbox fields the clerk ticks once the document is seen (e.g. 委任状).
    documents: dict[FilerRole, tuple[Identifier, ...]] = Field(default_factory=dict)


class Deadline(Strict):
    """Warn the clerk when the form is filed more than ``days`` after the date in ``field``."""

    field: Identifier
    days: int = Field(ge=0, le=3660)
    when: Condition | None = None
    warning: Text


# Where a consistency problem is, as the path into the form file (for its line number).
Location = tuple[str | int, ...]


class FormDefinition(Strict):
    """A form: its fields and where each field's value comes from."""

    kind: Literal["form"]
    id: Slug
    version: int = Field(ge=1)
    title: Text
    description: Text | None = None
    # 番号法: only a form that must carry the My Number may pull it from the card.
    carries_my_number: bool = False
    # Languages whose texts are machine translations awaiting review by a native speaker.
    machine_translated: tuple[Language, ...] = ()
    # The form's legal basis: covers every field and group that names none of its own.
    basis: tuple[LegalBasis, ...] = ()
    fields: tuple[FieldDefinition, ...] = Field(min_length=1)
    groups: tuple[PersonGroup, ...] = ()
    roles: Roles | None = None
    deadlines: tuple[Deadline, ...] = ()

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> FormDefinition:
        if info.context and info.context.get("defer_consistency"):
            return self  # the loader reports each problem at its own line
        found = self.consistency_problems()
        if found:
            raise ValueError("; ".join(message for _, message in found))
        return self

    def consistency_problems(self) -> list[tuple[Location, str]]:
        """What is wrong across fields (ids, My Number, bases, conditions, roles, deadlines)."""
        from counterapp.forms.consistency import form_problems  # keeps this module small

        return form_problems(self)

    def field(self, field_id: str) -> FieldDefinition:
        """The field with this id (KeyError if there is none)."""
        for item in self.fields:
            if item.id == field_id:
                return item
        raise KeyError(field_id)

    def group(self, group_id: str) -> PersonGroup:
        """The person group with this id (KeyError if there is none)."""
        for item in self.groups:
            if item.id == group_id:
                return item
        raise KeyError(group_id)

    def all_fields(self) -> tuple[FieldDefinition, ...]:
        """Form fields, then every group's row fields."""
        return self.fields + tuple(f for g in self.groups for f in g.fields)

    def field_at(self, field_id: str) -> FieldDefinition:
        """A form field by id, or a row field by its flat id ``<group>.<row>.<field>``."""
        group_id, _, rest = field_id.partition(".")
        if not rest:
            return self.field(field_id)
        return self.group(group_id).field(rest.partition(".")[2])

    def kiosk_fields(self) -> tuple[FieldDefinition, ...]:
        """What the kiosk asks (``kiosk: ask``), in order.

        People first: the card holder's row fields under their plain id (they fill row 1,
        as a form field would); then up to ``kiosk_persons`` more persons per group, each
        row field under its flat id with ``group``/``slot`` set, so the kiosk asks person by
        person ("anyone else?"); a value the card gives is asked only of these persons.
        Then the form's own fields.
        """
        asked: list[FieldDefinition] = []
        for group in self.groups:
            row_fields = [f for f in group.fields if f.kiosk == "ask"]
            if group.card_holder_row:
                asked += [f for f in row_fields if f.prefill is None]
            first = 2 if group.card_holder_row else 1
            last = min(group.max_rows, first + group.kiosk_persons - 1)
            asked += [
                f.model_copy(
                    update={
                        "id": f"{group.id}.{row}.{f.id}",
                        "group": group.id,
                        "slot": row - first + 1,
                        "prefill": None,
                    }
                )
                for row in range(first, last + 1)
                for f in row_fields
            ]
        return tuple(asked + [f for f in self.fields if f.kiosk == "ask"])


class Question(Strict):
    """A yes/no question of a life event that decides which forms apply."""

    id: Identifier
    label: Text
    help: Text | None = None


class EventForm(Strict):
    """A form of a life event, included when its conditions hold."""

    form: Slug
    when: Identifier | None = None  # included only if this question is answered yes
    unless: Identifier | None = None  # left out if this question is answered yes
    # Values the event itself decides, e.g. the kind of move on the 住民異動届.
    preset: dict[Identifier, str] = Field(default_factory=dict)
    # Field → the field whose entered value it takes instead of its own pre-fill, e.g. the
    # 印鑑登録 address during 転入 is the new address, never the chip's (old) one.
    values_from: dict[Identifier, Identifier] = Field(default_factory=dict)
    # One copy of the form per card read in the visit (e.g. the card's 継続利用).
    per_card: bool = False
    # False: the person whose card is read files for others (e.g. after a death), so person
    # groups do not start with the card holder's row; the persons are entered by hand.
    card_holder_rows: bool = True


class LifeEvent(Strict):
    """A life event (転入, 転出, ...): the forms it needs and the questions that choose them."""

    kind: Literal["life-event"]
    id: Slug
    name: Text
    description: Text | None = None
    machine_translated: tuple[Language, ...] = ()
    questions: tuple[Question, ...] = ()
    forms: tuple[EventForm, ...] = Field(min_length=1)
    # The visit starts without a card (e.g. 国外からの転入: the 在留カード is entered by hand).
    starts_without_card: bool = False
    # Where the event stands in lists (the clerk's home page keys 1–9): lower first.
    order: int = Field(default=100, ge=0, le=1000)

    @model_validator(mode="after")
    def _conditions_name_questions(self) -> LifeEvent:
        asked = {q.id for q in self.questions}
        for item in self.forms:
            for condition in (item.when, item.unless):
                if condition is not None and condition not in asked:
                    raise ValueError(f"form {item.form}: condition {condition!r} is not a question")
        return self

    def applicable_forms(self, answers: dict[str, bool]) -> tuple[EventForm, ...]:
        """The forms that apply given the yes/no answers (an unanswered question is no)."""
        return tuple(
            item
            for item in self.forms
            if (item.when is None or answers.get(item.when, False))
            and not (item.unless is not None and answers.get(item.unless, False))
        )
