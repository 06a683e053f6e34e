"""The ``--answers`` file: yes/no answers and the values the resident and the clerk entered.

questions: {join_nhi: true, has_children: false}
resident: {name_kana: バンゴウ　ハナコ, new_address: 東京都…}
clerk: {phone: 03-1234-5678}
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from counterapp.forms.prefill import Answers

Scalar = str | bool | int | dt.date  # YAML reads 2026-11-20 as a date


class AnswersFileError(ValueError):
    message_key = "form.answers_invalid"


class _AnswersFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: dict[str, bool] = {}
    resident: dict[str, Scalar] = {}
    clerk: dict[str, Scalar] = {}


def load_answers(path: Path) -> Answers:
    """Read and check an answers file; values become the strings forms store."""
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        parsed = _AnswersFile.model_validate(data)
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        raise AnswersFileError(f"{path}: cannot read: {exc}") from exc
    except ValidationError as exc:
        where = "; ".join(".".join(map(str, e["loc"])) + ": " + e["msg"] for e in exc.errors())
        raise AnswersFileError(f"{path}: {where}") from exc
    return Answers(
        questions=parsed.questions,
        resident={k: _as_text(v) for k, v in parsed.resident.items()},
        clerk={k: _as_text(v) for k, v in parsed.clerk.items()},
    )


def _as_text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
