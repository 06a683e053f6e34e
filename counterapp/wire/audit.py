"""Audit entries on the wire: every sync sends the terminal's new entries to the back office.

An entry carries ids, event names, counts and reason keys, never personal data (the
terminal refuses such details when it writes the entry). The back office keeps its own copy
per terminal, which anchors the chain outside the terminal: an entry rewritten, removed or
cut off on the terminal after it was sent no longer matches the copy.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from counterapp.wire.auditchain import audit_entry_hash
from counterapp.wire.schema import Sha256Hex, WholeNumber

MAX_AUDIT_ENTRIES = 500
MAX_SEQ = 2**31 - 1
Short = Annotated[str, StringConstraints(max_length=256)]


class AuditRecord(BaseModel):
    """One entry as the terminal wrote it (its HMAC stays on the terminal: it proves nothing
    to a server without the key)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: WholeNumber = Field(ge=1, le=MAX_SEQ)  # a database INTEGER (PostgreSQL: 32 bits)
    at: Short
    terminal: Short
    operator: Short
    event: Short
    record_id: Short | None = None
    detail: dict[str, str | int | bool | None] = Field(max_length=32)
    prev_hash: Sha256Hex
    hash: Sha256Hex

    def computed_hash(self) -> str:
        return audit_entry_hash(self, self.detail)


class AuditBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    entries: tuple[AuditRecord, ...] = Field(min_length=1, max_length=MAX_AUDIT_ENTRIES)


class AuditReceipt(BaseModel):
    """What the back office now holds for this terminal: its highest sequence number."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stored: int
    last_seq: int
