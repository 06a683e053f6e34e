"""Audit entries on the wire: every sync sends the terminal's new entries to the back office.

An entry carries ids, event names, counts and reason keys, never personal data (the
terminal refuses such details when it writes the entry). The back office keeps its own copy
per terminal, which anchors the chain outside the terminal: an entry rewritten, removed or
cut off on the terminal after it was sent no longer matches the copy.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_AUDIT_ENTRIES = 500
MAX_SEQ = 2**31 - 1
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Short = Annotated[str, StringConstraints(max_length=256)]


def canonical_audit_bytes(
    seq: int,
    at: str,
    terminal: str,
    operator: str,
    event: str,
    record_id: str | None,
    detail: dict[str, Any],
    prev_hash: str,
) -> bytes:
    """The bytes an entry's hash covers: everything but the hash itself, as compact JSON."""
    body = [seq, at, terminal, operator, event, record_id, detail, prev_hash]
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class AuditRecord(BaseModel):
    """One entry as the terminal wrote it (its HMAC stays on the terminal: it proves nothing
    to a server without the key)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = Field(ge=1, le=MAX_SEQ)  # a database INTEGER (PostgreSQL: 32 bits)
    at: Short
    terminal: Short
    operator: Short
    event: Short
    record_id: Short | None = None
    detail: dict[str, str | int | bool | None] = Field(max_length=32)
    prev_hash: Sha256Hex
    hash: Sha256Hex

    def computed_hash(self) -> str:
        canonical = canonical_audit_bytes(
            self.seq,
            self.at,
            self.terminal,
            self.operator,
            self.event,
            self.record_id,
            dict(self.detail),
            self.prev_hash,
        )
        return hashlib.sha256(canonical).hexdigest()


class AuditBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    entries: tuple[AuditRecord, ...] = Field(min_length=1, max_length=MAX_AUDIT_ENTRIES)


class AuditReceipt(BaseModel):
    """What the back office now holds for this terminal: its highest sequence number."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stored: int
    last_seq: int
