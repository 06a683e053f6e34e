"""What a household's 転入 must queue (shared by the CLI and the clerk window tests)."""

from __future__ import annotations

from cardreader.emulator.resident import DEFAULT_RESIDENT, PARTNER_RESIDENT
from counterapp.forms.filled import FilledForm

NEW_ADDRESS = "東京都千代田区千代田１番１号"
# The new address in the municipality, in the parts its forms keep (町字, 番地).
NEW_ADDRESS_PARTS = {"town": "千代田", "block": "１番１号"}
CHILD = {
    "name": "番号　さくら",
    "name_kana": "バンゴウ　サクラ",
    "birth_date": "2019-05-05",
    "sex": "2",
    "relationship": "child",
}


def address_part(field_id: str) -> str | None:
    """The new address's part a field named ``…_town`` or ``…_block`` holds."""
    for part, value in NEW_ADDRESS_PARTS.items():
        if field_id.endswith(f"address_{part}"):
            return value
    return None


def rows_of(filled: FilledForm) -> list[tuple[str, bool]]:
    """(name, by hand) of every person listed on the form, in every list."""
    return [
        (row.value("name").value, row.by_hand)
        for group in filled.form.definition.groups
        for row in filled.rows(group.id)
    ]


def assert_household_bundle(stored: list[FilledForm]) -> None:
    """What the Done-when of a household 転入 asks: one 住民異動届 listing all three, 国保
    for those who join, 児童手当 for the child, 印鑑登録 at the new address, 継続利用 per card."""
    by_form: dict[str, list[FilledForm]] = {}
    for filled in stored:
        by_form.setdefault(filled.form_id, []).append(filled)
    (move,) = by_form["resident-move"]
    everyone = [
        (DEFAULT_RESIDENT.name, False),
        (PARTNER_RESIDENT.name, False),
        (CHILD["name"], True),
    ]
    assert rows_of(move) == everyone
    (nhi,) = by_form["nhi-enrolment"]  # the partner, insured at work, is not listed
    assert rows_of(nhi) == [(DEFAULT_RESIDENT.name, False), (CHILD["name"], True)]
    (allowance,) = by_form["child-allowance-claim"]  # a 認定請求 for the child
    assert rows_of(allowance) == [(CHILD["name"], True)]
    assert allowance.value("name").value == DEFAULT_RESIDENT.name  # the claimant
    (seal,) = by_form["inkan-registration"]  # at the new address, not the chip's old one
    assert seal.value("address_town").value == NEW_ADDRESS_PARTS["town"]
    assert seal.value("address_block").value == NEW_ADDRESS_PARTS["block"]
    cards = by_form["mynumber-card-address-change"]  # 継続利用: one per card read
    assert [f.value("name").value for f in cards] == [DEFAULT_RESIDENT.name, PARTNER_RESIDENT.name]
    assert {f.value("new_address_town").value for f in cards} == {NEW_ADDRESS_PARTS["town"]}
