"""Receiving a batch: check each form can be stored, verify its signature, store the batch.

Decision on signatures: a form whose signature fails is *accepted* and stored with the
verdict (``invalid`` + the reason key), never rejected. The resident did come to the
counter and the form exists; rejecting it would leave it stuck on the terminal forever
("do not resend"), while storing it lets the back office see the failure and act.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from backoffice.sealing import open_item
from backoffice.store import NewSubmission, SignatureStatus, Store, StoreOutcome
from counterapp.wire.schema import (
    BatchResult,
    ItemResult,
    ItemStatus,
    SealedItem,
    SubmissionBatch,
    SubmissionItem,
)
from counterapp.wire.sealing import SealError
from counterapp.wire.signatures import verify_detached
from counterapp.wire.values import storable

REASON_OTHER_TERMINAL = "submission.other_terminal"
REASON_CONFLICT = "submission.conflict"
REASON_INVALID = "submission.invalid"
REASON_NO_ANCHORS = "trust.no_anchors"
REASON_SEALED_UNREADABLE = "submission.sealed_unreadable"
_UNTRUSTED = "signature.untrusted"
_MALFORMED = "signature.malformed"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignatureVerdict:
    status: SignatureStatus
    reason: str | None


def receive_batch(
    store: Store,
    terminal_id: int,
    batch: SubmissionBatch,
    anchors: Sequence[x509.Certificate],
    now: dt.datetime,
    sealing_key: X25519PrivateKey | None = None,
) -> BatchResult:
    """Store what can be stored, in one transaction; one result per item, in order.

    Sealed copies are opened with ``sealing_key`` and then handled like plain items.
    """
    items = [
        _opened(sealing_key, item) if isinstance(item, SealedItem) else item for item in batch.items
    ]
    results: list[ItemResult | None] = [None] * len(items)
    indexes: list[int] = []
    rows: list[NewSubmission] = []
    for index, item in enumerate(items):
        if isinstance(item, ItemResult):
            results[index] = item
            continue
        if not storable(item):
            results[index] = _result(item, ItemStatus.REJECTED, REASON_INVALID)
            continue
        indexes.append(index)
        rows.append(_row(item, check_signature(item, anchors, now)))
    outcomes = store.store_batch(terminal_id, rows, now)
    for index, outcome in zip(indexes, outcomes, strict=True):
        stored = items[index]
        assert isinstance(stored, SubmissionItem)
        results[index] = _outcome_result(stored, outcome)
    return BatchResult(results=tuple(result for result in results if result is not None))


def _opened(key: X25519PrivateKey | None, sealed: SealedItem) -> SubmissionItem | ItemResult:
    """The form inside a sealed copy, or its rejection when it does not open here."""
    if key is not None:
        try:
            return open_item(key, sealed)
        except SealError:
            pass
    return ItemResult(
        client_id=sealed.client_id, status=ItemStatus.REJECTED, reason=REASON_SEALED_UNREADABLE
    )


def check_signature(
    item: SubmissionItem, anchors: Sequence[x509.Certificate], now: dt.datetime
) -> SignatureVerdict:
    """The verdict stored with a form: valid, invalid (why), unverified or unsigned."""
    if item.signature is None:
        return SignatureVerdict(SignatureStatus.UNSIGNED, None)
    cms_der = _decoded_signature(item)
    if cms_der is None:
        return SignatureVerdict(SignatureStatus.INVALID, _MALFORMED)
    # Checked even without anchors: a changed form is "invalid", not merely "unverified".
    check = verify_detached(cms_der, item.canonical(), anchors, now)
    if check.ok:
        return SignatureVerdict(SignatureStatus.VALID, None)
    if not anchors and check.reason == _UNTRUSTED:
        return SignatureVerdict(SignatureStatus.UNVERIFIED, REASON_NO_ANCHORS)
    return SignatureVerdict(SignatureStatus.INVALID, check.reason)


def _decoded_signature(item: SubmissionItem) -> bytes | None:
    if item.signature is None:
        return None
    try:
        return base64.b64decode(item.signature, validate=True)
    except (binascii.Error, ValueError):
        return None


def _row(item: SubmissionItem, verdict: SignatureVerdict) -> NewSubmission:
    fields = [field.model_dump(mode="json") for field in item.fields]
    return NewSubmission(
        client_id=item.client_id,
        form_id=item.form_id,
        form_version=item.form_version,
        definition_sha256=item.definition_sha256,
        event=item.event,
        visit=item.visit,
        created_at=item.created_at,
        fields_json=json.dumps(fields, separators=(",", ":")),
        signature=_decoded_signature(item),
        signature_status=verdict.status,
        signature_reason=verdict.reason,
        ticket_number=item.ticket_number,
        identity_method=item.identity_method.value,
        groups_json=_groups_json(item),
    )


def _groups_json(item: SubmissionItem) -> str | None:
    """The person groups as the store keeps them (None for a form without any)."""
    if not item.groups:
        return None
    groups = [group.model_dump(mode="json") for group in item.groups]
    return json.dumps(groups, separators=(",", ":"))


def _outcome_result(item: SubmissionItem, outcome: StoreOutcome) -> ItemResult:
    if outcome is StoreOutcome.STORED:
        return _result(item, ItemStatus.ACCEPTED)
    if outcome is StoreOutcome.DUPLICATE:
        return _result(item, ItemStatus.DUPLICATE)
    if outcome is StoreOutcome.CONFLICT:
        # Ids only: the differing values may be a name or a My Number.
        logger.warning("conflict: client id %s resubmitted with other content", item.client_id)
        return _result(item, ItemStatus.CONFLICT, REASON_CONFLICT)
    return _result(item, ItemStatus.REJECTED, REASON_OTHER_TERMINAL)


def _result(item: SubmissionItem, status: ItemStatus, reason: str | None = None) -> ItemResult:
    return ItemResult(client_id=item.client_id, status=status, reason=reason)
