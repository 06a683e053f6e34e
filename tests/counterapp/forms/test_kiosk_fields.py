"""Which fields the kiosk asks is data: ``kiosk: ask`` in the form files, checked on load."""

from __future__ import annotations

from pathlib import Path

import pytest

from counterapp.forms.definition import kiosk_input
from counterapp.forms.loader import DefinitionError, check_file, load_library

TEXT = "{ja: a, ja-easy: a, en: a, zh: a, ko: a, vi: a, pt: a}"


def _form(tmp_path: Path, fields: str) -> Path:
    path = tmp_path / "form.yaml"
    path.write_text(
        f"kind: form\nid: kiosk-test\nversion: 1\ntitle: {TEXT}\n"
        f"basis: [{{law: 住民基本台帳法, article: 第12条}}]\nfields:\n{fields}"
    )
    return path


def test_the_shipped_forms_let_the_kiosk_ask_kana_copies_purpose_phone_and_household() -> None:
    library = load_library()
    asked = {
        f.id: kiosk_input(f)
        for loaded in library.forms.values()
        for f in loaded.definition.kiosk_fields()
    }
    # The card holder is row 1 of the 異動者; four more persons are asked one by one.
    people = {f"movers.{n}.{part}" for n in range(2, 6) for part in ("name_kana", "relationship")}
    people |= {f"movers.{n}.birth_date" for n in range(2, 6)}
    assert {"name_kana", "relationship", "copies", "purpose", "phone"} | people <= set(asked)
    assert "movers.6.name_kana" not in asked and "birth_date" not in asked  # the chip's
    assert (asked["name_kana"], asked["copies"], asked["purpose"]) == ("kana", "stepper", "choice")
    assert (asked["phone"], asked["movers.3.birth_date"]) == ("digits", "date")


def test_form_check_refuses_asking_for_a_chip_value_with_its_line(tmp_path: Path) -> None:
    path = _form(tmp_path, "  - use: name\n    kiosk: ask\n")
    with pytest.raises(DefinitionError) as caught:
        check_file(path)
    assert "line 6" in str(caught.value) and "pre-filled" in str(caught.value)


def test_form_check_refuses_a_free_text_field_the_kiosk_cannot_take(tmp_path: Path) -> None:
    path = _form(tmp_path, f"  - id: note\n    type: text\n    kiosk: ask\n    label: {TEXT}\n")
    with pytest.raises(DefinitionError, match="kiosk can take"):
        check_file(path)


def test_form_check_refuses_an_unknown_kiosk_value(tmp_path: Path) -> None:
    path = _form(tmp_path, "  - use: phone\n    kiosk: always\n")
    with pytest.raises(DefinitionError, match="kiosk"):
        check_file(path)


def test_form_check_refuses_a_group_without_a_slot(tmp_path: Path) -> None:
    path = _form(tmp_path, "  - {use: member_name, id: member_1_name, group: household}\n")
    with pytest.raises(DefinitionError, match="'group' and 'slot' go together"):
        check_file(path)
