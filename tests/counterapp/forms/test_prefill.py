"""Pre-fill: chip values exactly as given, every value's provenance, 外字 flagged."""

from __future__ import annotations

import dataclasses

from cardreader.emulator.resident import GAIJI_RESIDENT, LONG_ADDRESS_RESIDENT
from counterapp.forms.display import display_date
from counterapp.forms.filled import Source
from counterapp.forms.loader import LoadedForm
from counterapp.forms.prefill import Answers, fill_form, outside_jis_x_0208
from counterapp.forms.validation import problems
from tests.counterapp.conftest import CONTEXT, card_of


def test_chip_values_are_taken_exactly_and_marked_as_chip(juminhyo: LoadedForm) -> None:
    filled = fill_form(juminhyo, card_of(LONG_ADDRESS_RESIDENT), Answers(), CONTEXT)
    assert filled.value("name").value == "長住　所太郎"  # full-width space kept
    assert filled.value("address").value == LONG_ADDRESS_RESIDENT.address
    assert filled.value("name").source is Source.IC_CHIP
    assert not filled.edited_chip_fields()


def test_gaiji_is_kept_and_flagged_for_the_clerk(juminhyo: LoadedForm) -> None:
    filled = fill_form(juminhyo, card_of(GAIJI_RESIDENT), Answers(), CONTEXT)
    assert filled.value("name").value == "髙橋　𠮷男"
    # On the requester's name and on the card holder's row of the persons on the copy.
    assert filled.flags == {"name": ("髙", "𠮷"), "subjects.1.name": ("髙", "𠮷")}
    assert outside_jis_x_0208("番号　花子、東京都千代田区１丁目") == ()


def test_a_clerk_correction_keeps_the_chip_value_and_is_reported(juminhyo: LoadedForm) -> None:
    answers = Answers(clerk={"name": "高橋　吉男"})
    filled = fill_form(juminhyo, card_of(GAIJI_RESIDENT), answers, CONTEXT)
    name = filled.value("name")
    assert (name.value, name.source, name.chip_value) == ("高橋　吉男", Source.CLERK, "髙橋　𠮷男")
    assert filled.edited_chip_fields() == ("name", "subjects.1.name")
    assert "name" not in filled.flags  # the corrected value is plain JIS X 0208


def test_resident_values_and_system_values_have_their_own_source(juminhyo: LoadedForm) -> None:
    filled = fill_form(juminhyo, card_of(), Answers(resident={"copies": "2"}), CONTEXT)
    assert filled.value("copies").source is Source.RESIDENT
    sources = {v.field_id: v.source for v in filled.values}
    if "application_date" in sources:
        assert filled.value("application_date").value == "2026-11-23"
        assert sources["application_date"] is Source.SYSTEM


def test_repeating_the_chip_value_is_not_an_edit(juminhyo: LoadedForm) -> None:
    card = card_of()
    filled = fill_form(juminhyo, card, Answers(clerk={"name": card.name}), CONTEXT)
    assert filled.value("name").source is Source.IC_CHIP


def test_canonical_form_changes_with_any_value_and_names_the_definition(
    juminhyo: LoadedForm,
) -> None:
    filled = fill_form(juminhyo, card_of(), Answers(resident={"copies": "1"}), CONTEXT)
    canonical = filled.canonical()
    assert juminhyo.sha256.encode() in canonical
    assert "番号　花子".encode() in canonical
    assert filled.with_value("copies", "2", Source.CLERK).canonical() != canonical
    other = dataclasses.replace(juminhyo, sha256="0" * 64)
    assert dataclasses.replace(filled, form=other).canonical() != canonical


def test_missing_resident_input_is_named_per_field(juminhyo: LoadedForm) -> None:
    filled = fill_form(juminhyo, card_of(), Answers(), CONTEXT)
    found = {p.field_id: p.key for p in problems(filled)}
    assert found.get("copies") == "field.required"
    assert "name" not in found and "address" not in found
    filled = filled.with_value("copies", "99", Source.RESIDENT)
    assert {p.field_id: p.key for p in problems(filled)}.get("copies") == "field.out_of_range"


def test_dates_show_era_and_gregorian_with_gannen_at_boundaries() -> None:
    assert display_date("1989-01-07") == "昭和64年1月7日（1989年1月7日）"
    assert display_date("1989-01-08") == "平成元年1月8日（1989年1月8日）"
    assert display_date("2019-04-30") == "平成31年4月30日（2019年4月30日）"
    assert display_date("2019-05-01") == "令和元年5月1日（2019年5月1日）"
    assert display_date("1912-07-30", "en") == "1912-07-30 (大正元年7月30日)"
    assert display_date("1868-10-22") == "1868-10-22"  # before 明治: shown as stored
