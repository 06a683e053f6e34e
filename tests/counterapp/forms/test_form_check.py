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


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            MY_NUMBER_ROW,
            "      - {use: my_number, required: false}",
            "line 44: groups.0.fields.2: field my_number pulls the My Number but names no legal "
            "basis of its own ('basis:' with law and article)",
            id="my-number-without-basis",
        ),
        pytest.param(
            "when: {field: filer_role,",
            "when: {field: filer_rol,",
            "line 27: fields.3.when.field: condition names 'filer_rol', which is no field here",
            id="condition-on-unknown-field",
        ),
        pytest.param(
            "equals: delegate}",
            "equals: proxy}",
            "line 27: fields.3.when.equals: 'proxy' is not a value field filer_role can have",
            id="condition-on-impossible-value",
        ),
        pytest.param(
            "    min: 1\n    max: 3\n",
            "    min: 4\n    max: 3\n",
            "line 35: groups.0: min (4) is more than max (3)",
            id="min-over-max",
        ),
        pytest.param(
            "    min: 1\n    max: 3\n",
            "    min: 1\n    max: 0\n",
            "line 38: groups.0.max: Input should be greater than or equal to 1",
            id="max-zero",
        ),
        pytest.param(
            "    min: 1\n    max: 3\n",
            "    min: -1\n    max: 3\n",
            "line 37: groups.0.min: Input should be greater than or equal to 0",
            id="negative-min",
        ),
        pytest.param(
            "delegate: [proxy_letter_checked]",
            "delegate: [proxy_letter]",
            "line 10: roles.documents.delegate: document 'proxy_letter' of role delegate is no "
            "checkbox field",
            id="unknown-role-document",
        ),
        pytest.param(
            "  - field: move_date",
            "  - field: filer_role",
            "line 12: deadlines.0.field: deadline names 'filer_role', which is no date field",
            id="deadline-on-non-date",
        ),
        pytest.param(
            "      - use: name\n",
            "      - use: nmae\n",
            "line 41: groups.0.fields.0: no catalogue field 'nmae'",
            id="unknown-catalogue-field-in-a-group",
        ),
    ],
)
def test_each_rule_is_refused_at_its_line(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert _problems(_variant(tmp_path, old, new)) == [expected]


def test_a_card_value_with_no_basis_anywhere_is_refused(tmp_path: Path) -> None:
    path = _variant(tmp_path, "basis: [{law: 住民基本台帳法, article: 第22条}]\n", "")
    found = _problems(path)
    assert any(
        p.startswith("line 40: groups.0.fields.0: field name carries personal") for p in found
    )


def test_an_unknown_role_is_refused(tmp_path: Path) -> None:
    path = _variant(tmp_path, "    delegate: [proxy", "    friend: [proxy")
    found = _problems(path)
    assert len(found) == 1 and found[0].startswith("line 10: roles.documents.friend")


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
