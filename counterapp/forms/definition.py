"""Form and life-event definitions: the typed shape of the YAML files in ``resources/forms/``.

A municipality adds a form by writing a data file, never code. The models forbid unknown
keys so a typo is an error with its line number (see ``loader``), not a silently ignored
setting.
"""

from __future__ import annotations

import enum
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

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


def _kiosk_problem(definition: FieldDefinition) -> str | None:
    if definition.prefill is not None:
        return "'kiosk: ask' is for values the resident knows, not for pre-filled fields"
    if kiosk_input(definition) is None:
        return (
            "'kiosk: ask' needs a field the kiosk can take: katakana, number with minimum "
            "and maximum, choice, date, or text whose pattern takes only digits and hyphens"
        )
    return None


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
    fields: tuple[FieldDefinition, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> FormDefinition:
        ids = [f.id for f in self.fields]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate field id(s): {', '.join(duplicates)}")
        pulls = [f.id for f in self.fields if f.prefill is Prefill.CARD_MY_NUMBER]
        if pulls and not self.carries_my_number:
            raise ValueError(
                f"field(s) {', '.join(pulls)} pull the My Number, but the form does not "
                "declare 'carries_my_number: true'"
            )
        return self

    def field(self, field_id: str) -> FieldDefinition:
        """The field with this id (KeyError if there is none)."""
        for item in self.fields:
            if item.id == field_id:
                return item
        raise KeyError(field_id)


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


class LifeEvent(Strict):
    """A life event (転入, 転出, ...): the forms it needs and the questions that choose them."""

    kind: Literal["life-event"]
    id: Slug
    name: Text
    description: Text | None = None
    machine_translated: tuple[Language, ...] = ()
    questions: tuple[Question, ...] = ()
    forms: tuple[EventForm, ...] = Field(min_length=1)

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
