"""``counterapp form fill --member``: a household of three moves in from a clerk's script."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from cardreader.emulator.resident import DEFAULT_RESIDENT, PARTNER_RESIDENT
from counterapp.forms.definition import FieldDefinition, FieldType
from counterapp.forms.loader import load_library
from counterapp.household import extra_groups, person_fields
from tests.counterapp.cli_runner import Result, run_counterapp
from tests.counterapp.household_bundle import (
    CHILD,
    NEW_ADDRESS,
    address_part,
    assert_household_bundle,
)
from tests.counterapp.test_cli_form import _queue

PINS = "".join(
    f"{pin}\n"
    for pin in (
        DEFAULT_RESIDENT.auth_pin,
        DEFAULT_RESIDENT.kenhojo_pin,
        PARTNER_RESIDENT.auth_pin,
        PARTNER_RESIDENT.kenhojo_pin,
    )
)
HOLDER = {
    "relationship": "householder",
    "new_address_town": "千代田",
    "new_address_block": "１番１号",
}
PARTNER = {"relationship": "spouse", "name_kana": "バンゴウ　タロウ"}
QUESTIONS = {"join_nhi": True, "has_children": True, "register_seal": True, "has_ltc": False}


def plausible(definition: FieldDefinition) -> str:
    """A value a clerk would type for a field the chip does not fill."""
    if definition.type is FieldType.CHOICE:
        return definition.choices[0].value
    if definition.type is FieldType.CHECKBOX:
        return "true"
    part = address_part(definition.id)
    if part is not None:
        return part
    if definition.type is FieldType.ADDRESS or "address" in definition.id:
        return NEW_ADDRESS
    if definition.id == "phone":
        return "03-1234-5678"
    return {
        FieldType.KATAKANA: "バンゴウ　ハナコ",
        FieldType.DATE: "2026-11-20",
        FieldType.POSTAL_CODE: "100-0001",
        FieldType.NUMBER: "1",
    }.get(definition.type, "テスト")


def _bundle() -> list[Any]:
    library = load_library()
    event = library.event("moving-in")
    chosen = event.applicable_forms(QUESTIONS)
    return [library.forms[item.form].definition for item in chosen]


def _write(path: Path, data: dict[str, Any]) -> Path:
    with path.open("w", encoding="utf-8") as stream:
        YAML(typ="safe").dump(data, stream)
    return path


def _household_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """answers.yaml, partner.yaml, child.yaml: what the clerk's script knows of each person."""
    forms = _bundle()
    preset = {k for item in load_library().event("moving-in").forms for k in item.preset}
    typed = [f for form in forms for f in form.fields] + list(person_fields(forms))
    resident = {
        f.id: plausible(f) for f in typed if f.required and f.prefill is None and f.id not in preset
    }
    resident.update(HOLDER)
    partner = {f.id: plausible(f) for f in person_fields(forms) if f.required and f.prefill is None}
    partner.update(PARTNER)
    lists = [group.id for group in extra_groups(forms)]
    answers = _write(tmp_path / "answers.yaml", {"questions": QUESTIONS, "resident": resident})
    partner_file = _write(
        tmp_path / "partner.yaml", {"values": partner, "questions": {"join_nhi": False}}
    )
    child = _write(
        tmp_path / "child.yaml",
        {"values": CHILD, "questions": {"join_nhi": True}, "groups": lists},
    )
    return answers, partner_file, child


def _fill(tmp_path: Path, *extra: str, stdin: str = PINS) -> Result:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "settings.toml").write_text('municipality = "千代田区"\n', encoding="utf-8")
    answers, partner, child = _household_files(tmp_path)
    return run_counterapp(
        data, "form", "fill", "転入", "--simulate", "valid", "--answers", str(answers),
        "--member", f"household-partner:{partner}", "--member", f"manual:{child}",
        "--json", *extra, stdin=stdin,
    )  # fmt: skip


@pytest.mark.slow
def test_a_household_of_three_moves_in_two_cards_and_a_child_by_hand(tmp_path: Path) -> None:
    result = _fill(tmp_path)
    assert result.code == 0, result.stdout + result.stderr
    report = result.json()
    assert report["queued"]
    move = next(f for f in report["forms"] if f["form"] == "resident-move")
    assert list(move["persons"].values()) in (
        [["card", "card", "by_hand"]],
        [],  # (a 住民異動届 without person lists)
    )
    queue = _queue(tmp_path / "data")
    stored = [queue.open(form["id"], "test").filled for form in report["forms"]]
    assert_household_bundle(stored)
    shown = run_counterapp(tmp_path / "data", "queue", "show", move["id"], "--json").json()
    child = [row for row in shown["fields"] if row["value"] == CHILD["name"]]
    assert child and "手入力" in str(child[0]["label"])  # the person's row, marked by hand
    audit = run_counterapp(tmp_path / "data", "audit", "export").stdout.splitlines()
    events = [json.loads(line)["event"] for line in audit]
    assert events.count("card.read") == events.count("card.verified") == 2  # each card's own
    for secret in (DEFAULT_RESIDENT.my_number, PARTNER_RESIDENT.my_number):
        assert secret not in result.stdout + result.stderr + str(shown)


@pytest.mark.slow
def test_a_wrong_member_option_is_refused_before_any_card_is_read(tmp_path: Path) -> None:
    data = tmp_path / "data"
    unknown = _write(tmp_path / "unknown.yaml", {"value": {"name": "x"}})
    control = _write(tmp_path / "control.yaml", {"values": {"name": "番号\x07さくら"}})
    for member, said in (
        (f"manual:{unknown}", "value"),
        (f"manual:{control}", "control"),
        ("manual", "manual:FILE"),
        ("no-such-card", "unknown scenario"),
        ("card", "--reader"),
        (f"manual:{tmp_path / 'missing.yaml'}", "cannot read"),
    ):
        result = run_counterapp(
            data, "form", "fill", "転入", "--simulate", "valid", "--member", member, stdin=""
        )
        assert result.code == 4 and said in result.stderr, (member, result.stderr)
