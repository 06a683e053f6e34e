"""Terminals' audit logs, anchored here: each sync brings a terminal's new entries.

The back office cannot check a terminal's HMACs (the key never leaves the terminal); what it
adds is a copy the terminal cannot reach. ``verify_terminal`` walks the copy and reports
the first of: an entry that arrived again with other content (rewritten on the terminal
after it was sent, or a new chain after the database was deleted or wiped), an entry whose
hash does not match it, a gap in the numbers, or a link to the previous entry that does not
hold (the chain was restarted or cut and continued).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from backoffice.store import AuditRow, Store
from counterapp.wire.audit import AuditBatch, AuditReceipt

GENESIS = "0" * 64
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditVerdict:
    entries: int
    first_bad: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def receive_audit(
    store: Store, terminal_id: int, batch: AuditBatch, now: dt.datetime
) -> AuditReceipt:
    """Keep a batch of a terminal's entries; a rewrite is kept as an anomaly and logged."""
    rows = [
        AuditRow(
            e.seq,
            e.at,
            e.terminal,
            e.operator,
            e.event,
            e.record_id,
            json.dumps(dict(e.detail), sort_keys=True),
            e.prev_hash,
            e.hash,
        )
        for e in batch.entries
    ]
    stored, last_seq = store.store_audit(terminal_id, rows, now)
    if stored < len(rows):
        anomalies = store.audit_anomalies(terminal_id)
        if anomalies:
            logger.warning("audit anomaly for terminal %s: %s", terminal_id, anomalies[0])
    return AuditReceipt(stored=stored, last_seq=last_seq)


def verify_terminal(store: Store, terminal_id: int) -> AuditVerdict:
    """Walk the held copy and the anomalies; name the lowest-numbered problem."""
    found: list[tuple[int, str]] = [
        (seq, _ANOMALY_TEXTS.get(kind, kind)) for seq, kind in store.audit_anomalies(terminal_id)
    ]
    expected, prev, count = 1, GENESIS, 0
    for entry in store.audit_chain(terminal_id):
        count += 1
        if entry.seq != expected:
            found.append((expected, f"entries {expected}..{entry.seq - 1} missing (gap)"))
        elif entry.prev_hash != prev:
            found.append((entry.seq, "chain broken (restarted, cut or reordered)"))
        if not entry.hash_ok:
            found.append((entry.seq, "entry does not match its hash"))
        expected, prev = entry.seq + 1, entry.hash
    if not found:
        return AuditVerdict(count)
    seq, problem = min(found)
    return AuditVerdict(count, seq, problem)


_ANOMALY_TEXTS = {
    "rewritten": "entry sent again with other content (rewritten, or a new chain)",
    "hash_mismatch": "entry sent with a hash that does not match it",
}
