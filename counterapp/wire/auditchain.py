"""The hash an audit entry carries: one definition for the terminal and the back office.

The terminal computes it when it writes an entry and again when ``audit verify`` walks the
chain; the back office when a terminal sends entries. All three read it from here. Only the
standard library: the terminal's audit path stays free of pydantic (the wire models in
``counterapp.wire.audit`` are needed only for a sync).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Protocol


class ChainedEntry(Protocol):
    """What an audit entry's hash covers, beside its detail (whose form differs by holder)."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> str: ...
    @property
    def terminal(self) -> str: ...
    @property
    def operator(self) -> str: ...
    @property
    def event(self) -> str: ...
    @property
    def record_id(self) -> str | None: ...
    @property
    def prev_hash(self) -> str: ...


def canonical_audit_bytes(
    seq: int,
    at: str,
    terminal: str,
    operator: str,
    event: str,
    record_id: str | None,
    detail: Mapping[str, Any],
    prev_hash: str,
) -> bytes:
    """The bytes an entry's hash covers: everything but the hash itself, as compact JSON."""
    body = [seq, at, terminal, operator, event, record_id, dict(detail), prev_hash]
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def audit_entry_hash(entry: ChainedEntry, detail: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) an entry with these fields and this detail must carry."""
    canonical = canonical_audit_bytes(
        entry.seq,
        entry.at,
        entry.terminal,
        entry.operator,
        entry.event,
        entry.record_id,
        detail,
        entry.prev_hash,
    )
    return hashlib.sha256(canonical).hexdigest()
