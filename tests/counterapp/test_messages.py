"""Every reason a clerk can be shown has Japanese and English text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from counterapp.messages import MESSAGES

ROOT = Path(__file__).resolve().parents[2]
# Reason keys appear as string literals in the checks, and as message_key on errors.
REASON_LITERAL = re.compile(
    r'"((?:cert|chain|consistency|crl|cvc|data|kenhojo|kenkaku|possession|'
    r'revocation|trust|pin|card|reader|form|field|queue|vault|signature|sync|submission)\.[a-z_]+)"'
)


def _keys_in_source() -> set[str]:
    found: set[str] = set()
    for folder in ("cardreader", "counterapp"):
        for path in (ROOT / folder).rglob("*.py"):
            # Audit events and the card items forms are pre-filled from are not reasons.
            if path.name not in ("messages.py", "audit.py", "definition.py"):
                found |= set(REASON_LITERAL.findall(path.read_text("utf-8")))
    return found - {"trust.toml"}


@pytest.mark.parametrize("key", sorted(_keys_in_source()))
def test_reason_key_has_japanese_and_english_text(key: str) -> None:
    assert key in MESSAGES, f"{key} has no text"
    assert MESSAGES[key]["ja"] and MESSAGES[key]["en"]
