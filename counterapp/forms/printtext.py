"""Text made ready for paper, before any layout: line breaks and 外字 (no reportlab here).

外字 are flagged, never replaced: a character the font lacks prints as 〓 (下駄記号), and a
footnote names each one by code point for the clerk to write by hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

GETA = "〓"  # the traditional stand-in for a character that cannot be printed
NO_LINE_START = frozenset(
    "、。，．・：；？！）」』】〕〉》ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.:;!?)]}"
)
# Runs of Latin letters (with Vietnamese and Portuguese accents) and of digits, half or full
# width, break only between words: "２３０１号室" must not be read as "２３" and "０１号室".
LATIN = r"!-~\u00a1-\u024f\u1e00-\u1eff\u2010-\u201f\u2212"
TOKEN = re.compile(rf"[{LATIN}\uff0d\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+|.", re.DOTALL)
SELECTOR = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")  # variation selectors (IVS)


def printable(text: str, covered: Collection[int]) -> str:
    """The text as a font covering ``covered`` code points prints it: 〓 for the rest."""
    text = SELECTOR.sub("", text)  # the base character prints; the footnote names the selector
    return "".join(c if ord(c) in covered or c == "\n" else GETA for c in text)


def wrap(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Lines that ``fits``, with 行頭禁則; every character but a break's space is kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in TOKEN.findall(paragraph):
            for piece in [token] if fits(token) else list(token):  # an over-long word breaks
                if line and not fits(line + piece):
                    carry = line[-1] if piece[0] in NO_LINE_START and len(line) > 1 else ""
                    lines.append(line[: len(line) - len(carry)].rstrip(" "))
                    line, piece = carry, piece.strip(" ")
                line += piece
        lines.append(line.rstrip(" "))
    return lines


def characters_to_check(
    shown: str, flagged: Collection[str], covered: Collection[int]
) -> tuple[str, ...]:
    """The value's 外字 and every character the font cannot print, once each, in order."""
    unprintable = [c for c in shown if printable(c, covered) != c]  # a selector prints as ""
    return tuple(dict.fromkeys([*flagged, *unprintable]))


def describe(char: str, covered: Collection[int]) -> str:
    """One 外字 for the footnote: the character (or 〓) and its code point."""
    code = f"U+{ord(char):04X}"
    if SELECTOR.match(char):
        return f"異体字セレクタ {code}（直前の字の字形を確認）"
    if printable(char, covered) == char:
        return f"{char}（{code}）"
    return f"{GETA}（{code}・印字できない文字。手書きで補記）"
