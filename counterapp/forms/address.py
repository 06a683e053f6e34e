"""Split the chip's one-line address into the parts a 住民記録 system keeps.

The card records the address as one line (e.g. 東京都千代田区千代田一丁目1番1号 ○○ハイツ101).
Forms and core systems want 都道府県, 市区町村, 町字, 番地 and 方書 apart. The split here is
a proposal only: its values carry the source ``proposed`` and a person must confirm or
correct each part before the form can be queued. Nothing here knows the municipality's
address master, so an unusual address may be split wrongly — which is why it is proposed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# 北海道, 東京都, 京都府/大阪府, or any prefecture ending in 県 (at most four characters before).
_PREFECTURE = re.compile(r"^(北海道|東京都|京都府|大阪府|[^\s都道府県]{2,3}県)")
# 郡 + 町/村, or a city with an optional ward (政令指定都市), or a Tokyo ward, town or village.
_MUNICIPALITY = re.compile(
    r"^(.{1,6}?郡.{1,6}?[町村]|.{1,6}?市.{1,5}?区|.{1,6}?市|.{1,5}?区|.{1,6}?[町村])"
)
# The 番地 starts at a 丁目 (in kanji numerals) or else at the first digit.
_BLOCK_STARTS = (re.compile(r"[一二三四五六七八九十]+丁目"), re.compile(r"[0-9０-９]"))
# The 方書 (building, room) follows the 番地 after a space.
_BUILDING_SEPARATOR = re.compile(r"[ \u3000]+")


@dataclass(frozen=True)
class AddressParts:
    """An address split into 都道府県, 市区町村, 町字, 番地 and 方書 (each may be empty)."""

    prefecture: str = ""
    municipality: str = ""
    town: str = ""
    block: str = ""
    building: str = ""

    def part(self, name: str) -> str:
        """One part by its name (``prefecture``, ``municipality``, ``town``, ...)."""
        return str(getattr(self, name))

    def __repr__(self) -> str:
        return "AddressParts(<personal data>)"


def split_address(one_line: str) -> AddressParts:
    """The proposed parts of a one-line Japanese address; what is not recognised stays
    in the later parts, never dropped (the parts joined give the input back, spaces aside)."""
    rest = one_line.strip()
    prefecture, rest = _take(_PREFECTURE, rest)
    municipality, rest = _take(_MUNICIPALITY, rest)
    main, _, building = _BUILDING_SEPARATOR.sub(" ", rest).partition(" ")
    start = next((m.start() for p in _BLOCK_STARTS if (m := p.search(main))), len(main))
    town, block = main[:start], main[start:]
    return AddressParts(prefecture, municipality, town, block, building)


def _take(pattern: re.Pattern[str], text: str) -> tuple[str, str]:
    match = pattern.match(text)
    if match is None:
        return "", text
    return match.group(1), text[match.end() :]
