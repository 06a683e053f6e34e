"""``--member``: the further persons of a household visit, as a clerk's script names them.

``--member SOURCE[:FILE]``, once per person after the first card holder, in the order they
come to the counter:

- ``SOURCE`` is ``card`` (the next card on the ``--reader``), an emulator scenario (with
  ``--simulate``, e.g. ``household-partner``), or ``manual`` (a person without a card, whose
  row the clerk enters by hand; FILE is then required);
- ``FILE`` is a YAML file with what the card does not record, or everything for ``manual``::

    values: {name: 番号　さくら, birth_date: 2019-05-05, sex: "2", relationship: 子}
    questions: {join_nhi: true}    # this person's own answers (default: the visit's)
    groups: [children]             # person lists to add them to beyond the usual ones
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from counterapp.cli.answers import AnswersFileError, Scalar, as_text, read_yaml_file
from counterapp.forms.validation import UnstorableValue, check_storable

BY_HAND = "manual"
NEXT_CARD = "card"


@dataclass(frozen=True)
class MemberSpec:
    """One ``--member``: where the person's data comes from and what was entered for them."""

    source: str  # "card", a scenario name, or "manual"
    values: dict[str, str] = field(default_factory=dict)
    answers: dict[str, bool] = field(default_factory=dict)
    groups: tuple[str, ...] = ()

    @property
    def by_hand(self) -> bool:
        return self.source == BY_HAND

    def __repr__(self) -> str:
        return f"MemberSpec({self.source!r}, <personal data>)"


class _MemberFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    values: dict[str, Scalar] = {}
    questions: dict[str, bool] = {}
    groups: list[str] = Field(default=[], max_length=20)


def parse_member(spec: str) -> MemberSpec:
    """A ``--member`` value; a bad one raises AnswersFileError (before any card is read)."""
    source, _, file = spec.partition(":")
    if not source:
        raise AnswersFileError(f"--member {spec!r}: say card, a scenario or {BY_HAND}")
    if source == BY_HAND and not file:
        raise AnswersFileError(f"--member {BY_HAND} needs a values file: {BY_HAND}:FILE")
    if not file:
        return MemberSpec(source)
    parsed = read_yaml_file(Path(file), _MemberFile)
    values = {k: as_text(v) for k, v in parsed.values.items()}
    try:
        check_storable(values)
    except UnstorableValue as exc:
        raise AnswersFileError(f"{file}: {exc}") from exc
    return MemberSpec(source, values, dict(parsed.questions), tuple(parsed.groups))
