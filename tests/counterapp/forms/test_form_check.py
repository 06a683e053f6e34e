"""``counterapp form check``: each rule of the form model refused with the line it is on."""

from __future__ import annotations

from pathlib import Path

import pytest

from counterapp.forms.loader import DefinitionError, check_file
from tests.counterapp.cli_runner import run_counterapp

SAMPLE = Path(__file__).parent / "samples" / "household.yaml"
MY_NUMBER_ROW = (
    "      - {use: my_number, required: false, "
    "basis: [{law: 住民基本台帳法, article: 第7条第8号の2}]}"
)


def _variant(tmp_path: Path, old: str, new: str, name: str = "variant.yaml") -> Path:
    source = SAMPLE.read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / name
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        check_file(path)
    return [str(p) for p in caught.value.problems]


def test_the_sample_household_form_passes() -> None:
    assert check_file(SAMPLE) == "form"


def test_a_my_number_field_without_a_legal_basis_is_refused(tmp_path: Path) -> None:
    path = _variant(tmp_path, MY_NUMBER_ROW, "      - {use: my_number, required: false}")
    assert _problems(path) == [
        "line 44: groups.0.fields.2: field my_number pulls the My Number but names no legal "
        "basis of its own ('basis:' with law and article)"
    ]


def test_a_card_value_with_no_basis_anywhere_is_refused(tmp_path: Path) -> None:
    path = _variant(tmp_path, "basis: [{law: 住民基本台帳法, article: 第22条}]\n", "")
    found = _problems(path)
    assert any(
        p.startswith("line 40: groups.0.fields.0: field name carries personal") for p in found
    )


def test_a_condition_naming_an_unknown_field_is_refused(tmp_path: Path) -> None:
    path = _variant(tmp_path, "when: {field: filer_role,", "when: {field: filer_rol,")
    assert _problems(path) == [
        "line 27: fields.3.when.field: condition names 'filer_rol', which is no field here"
    ]


def test_a_condition_on_a_value_the_field_cannot_have_is_refused(tmp_path: Path) -> None:
    path = _variant(tmp_path, "equals: delegate}", "equals: proxy}")
    assert _problems(path) == [
        "line 27: fields.3.when.equals: 'proxy' is not a value field filer_role can have"
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("    min: 4\n    max: 3\n", "line 35: groups.0: min (4) is more than max (3)"),
        (
            "    min: 1\n    max: 0\n",
            "line 38: groups.0.max: Input should be greater than or equal to 1",
        ),
        (
            "    min: -1\n    max: 3\n",
            "line 37: groups.0.min: Input should be greater than or equal to 0",
        ),
    ],
)
def test_bad_min_and_max_rows_are_refused(tmp_path: Path, rows: str, message: str) -> None:
    path = _variant(tmp_path, "    min: 1\n    max: 3\n", rows)
    assert _problems(path) == [message]


def test_an_unknown_role_document_is_refused(tmp_path: Path) -> None:
    path = _variant(tmp_path, "delegate: [proxy_letter_checked]", "delegate: [proxy_letter]")
    assert _problems(path) == [
        "line 10: roles.documents.delegate: document 'proxy_letter' of role delegate is no "
        "checkbox field"
    ]


def test_an_unknown_role_is_refused(tmp_path: Path) -> None:
    path = _variant(tmp_path, "    delegate: [proxy", "    friend: [proxy")
    found = _problems(path)
    assert len(found) == 1 and found[0].startswith("line 10: roles.documents.friend")


def test_a_deadline_on_a_field_that_is_not_a_date_is_refused(tmp_path: Path) -> None:
    path = _variant(tmp_path, "  - field: move_date", "  - field: filer_role")
    assert _problems(path) == [
        "line 12: deadlines.0.field: deadline names 'filer_role', which is no date field"
    ]


def test_a_catalogue_field_unknown_inside_a_group_is_named_at_its_line(tmp_path: Path) -> None:
    path = _variant(tmp_path, "      - use: name\n", "      - use: nmae\n")
    assert _problems(path) == ["line 41: groups.0.fields.0: no catalogue field 'nmae'"]


def test_the_command_refuses_both_with_file_line_and_place(tmp_path: Path) -> None:
    unfounded = _variant(tmp_path, MY_NUMBER_ROW, "      - {use: my_number}", "unfounded.yaml")
    result = run_counterapp(tmp_path, "form", "check", str(unfounded))
    assert result.code == 4
    assert (
        f"{unfounded}:44: groups.0.fields.2: field my_number pulls the My Number" in result.stderr
    )
    conditional = _variant(tmp_path, "when: {field: filer_role,", "when: {field: nobody,")
    result = run_counterapp(tmp_path, "form", "check", str(conditional))
    assert result.code == 4
    assert f"{conditional}:27: fields.3.when.field: condition names 'nobody'" in result.stderr
