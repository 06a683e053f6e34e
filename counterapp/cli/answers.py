"""The ``--answers`` file: yes/no answers and the values the resident and the clerk entered.

questions: {join_nhi: true, has_children: false}
resident: {name_kana: バンゴウ　ハナコ, new_address: 東京都…}
clerk: {phone: 03-1234-5678}
rows: {movers: [{name: 番号　太郎, birth_date: 2020-04, relationship: child}]}

``rows`` are persons entered by hand (no card), per person group, in order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from counterapp.forms.prefill import Answers
from counterapp.forms.validation import UnstorableValue, check_storable

SmallInt = Annotated[int, Field(gt=-(10**18), lt=10**18)]


class AnswersFileError(ValueError):
    message_key = "form.answers_invalid"


# An answer longer than any form field takes is a mistake, not a value (nor a 10^5-digit int).
_MAX_ANSWER = 2000
# YAML reads 2026-11-20 as a date
Scalar = Annotated[str, StringConstraints(max_length=_MAX_ANSWER)] | bool | SmallInt | dt.date


class _AnswersFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: dict[str, bool] = {}
    resident: dict[str, Scalar] = {}
    clerk: dict[str, Scalar] = {}
    rows: dict[str, list[dict[str, Scalar]]] = {}


ModelT = TypeVar("ModelT", bound=BaseModel)


def read_yaml_file(path: Path, model: type[ModelT]) -> ModelT:
    """A YAML file checked against ``model``; any problem is an AnswersFileError."""
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        return model.model_validate(data)
    except ValidationError as exc:
        where = "; ".join(".".join(map(str, e["loc"])) + ": " + e["msg"] for e in exc.errors())
        raise AnswersFileError(f"{path}: {where}") from exc
    except (OSError, YAMLError, ValueError, RecursionError) as exc:
        # ValueError: not UTF-8, an integer of thousands of digits; RecursionError: nesting
        reason = type(exc).__name__ if isinstance(exc, RecursionError) else str(exc)[:200]
        raise AnswersFileError(f"{path}: cannot read: {reason}") from exc


def load_answers(path: Path) -> Answers:
    """Read and check an answers file; values become the strings forms store."""
    parsed = read_yaml_file(path, _AnswersFile)
    try:
        answers = Answers(
            questions=parsed.questions,
            resident={k: as_text(v) for k, v in parsed.resident.items()},
            clerk={k: as_text(v) for k, v in parsed.clerk.items()},
            rows={
                group: tuple({k: as_text(v) for k, v in person.items()} for person in persons)
                for group, persons in parsed.rows.items()
            },
        )
        check_storable({**answers.resident, **answers.clerk})  # before any card or PIN
        for persons in answers.rows.values():
            for person in persons:
                check_storable(person)
    except UnstorableValue as exc:
        raise AnswersFileError(f"{path}: {exc}") from exc
    return answers


def as_text(value: Scalar) -> str:
    """An answer as the string a form stores (ISO dates, true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
