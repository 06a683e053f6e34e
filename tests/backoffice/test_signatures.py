"""Residents' signatures are verified on receipt and the verdict is stored with the form.

Our choice: a form whose signature fails is still accepted (the resident did come; a
rejected form would stay stuck on the terminal) and is stored as ``invalid`` with the
reason key, for the back office to act on.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from backoffice.store import SignatureStatus, StoredSubmission
from cardreader.emulator import pki
from counterapp.emulation import emulator_trust
from counterapp.wire.schema import SubmissionItem
from counterapp.wire.signatures import verify_detached
from tests.backoffice.card_signed import signed
from tests.backoffice.forms import SIGNED_AT, batch, client_id, item, with_value
from tests.backoffice.server import BackofficeServer, running_backoffice

pytestmark = pytest.mark.slow  # left out of the fast tier (see README)

SUBMISSIONS = "/v1/submissions"


@pytest.fixture(scope="module")
def signed_form() -> SubmissionItem:
    """One form signed by the emulated card (the RSA work is shared by the tests)."""
    form = signed(item())
    assert form.signature is not None
    cms = base64.b64decode(form.signature)
    assert verify_detached(cms, form.canonical(), emulator_trust().anchors, SIGNED_AT).ok
    return form


@pytest.fixture
def server(database_url: str | None, tmp_path: Path) -> Iterator[BackofficeServer]:
    with running_backoffice(tmp_path / "backoffice", database_url=database_url) as running:
        yield running


def _send(server: BackofficeServer, *items: SubmissionItem) -> list[StoredSubmission]:
    """Send the items as one batch; the stored rows, all of them accepted."""
    terminal = server.issue_terminal(f"kita-{client_id()[-6:].lower()}")
    with terminal.client(server) as client:
        response = client.post(SUBMISSIONS, json=batch(*items))
    assert [r["status"] for r in response.json()["results"]] == ["accepted"] * len(items)
    store = server.open_store()
    try:
        rows = [store.submission(i.client_id) for i in items]
    finally:
        store.close()
    assert all(row is not None for row in rows)
    return [row for row in rows if row is not None]


def _verdict(row: StoredSubmission) -> tuple[SignatureStatus, str | None]:
    return row.signature_status, row.signature_reason


def _add_test_signing_ca(server: BackofficeServer, tmp_path: Path) -> None:
    pem = tmp_path / "jpki-sign-ca-test-only.pem"
    certificate = pki.authority(pki.SIGN_CA_OU).certificate
    pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    refused = server.cli("trust", "add", str(pem), check=False)
    assert refused.returncode == 4 and "TEST ONLY" in refused.stdout + refused.stderr
    server.cli("trust", "add", str(pem), "--allow-test-only")


def test_with_the_signing_ca_registered_a_signed_form_is_stored_valid(
    server: BackofficeServer, signed_form: SubmissionItem, tmp_path: Path
) -> None:
    _add_test_signing_ca(server, tmp_path)  # while the service runs: no restart needed
    altered = with_value(signed_form, "new_address", "東京都千代田区千代田2番2号")
    garbled = item(signature=base64.b64encode(b"not a CMS").decode())
    not_base64 = item(signature="***")
    unsigned = item()
    rows = _send(server, signed_form, altered, garbled, not_base64, unsigned)
    assert [_verdict(row) for row in rows] == [
        (SignatureStatus.VALID, None),
        (SignatureStatus.INVALID, "signature.content_changed"),
        (SignatureStatus.INVALID, "signature.malformed"),
        (SignatureStatus.INVALID, "signature.malformed"),
        (SignatureStatus.UNSIGNED, None),
    ]
    assert rows[0].signature == base64.b64decode(signed_form.signature or "")
    assert rows[2].signature == b"not a CMS" and rows[3].signature is None


def test_a_card_from_an_impostor_ca_is_stored_untrusted(
    server: BackofficeServer, tmp_path: Path
) -> None:
    _add_test_signing_ca(server, tmp_path)
    (row,) = _send(server, signed(item(), scenario="wrong-issuer"))
    assert _verdict(row) == (SignatureStatus.INVALID, "signature.untrusted")


def test_without_a_signing_ca_a_signature_is_stored_unverified(
    server: BackofficeServer, signed_form: SubmissionItem
) -> None:
    altered = with_value(signed_form, "name", "別人　太郎")
    valid_but_unverifiable, changed = _send(server, signed_form, altered)
    assert _verdict(valid_but_unverifiable) == (SignatureStatus.UNVERIFIED, "trust.no_anchors")
    # The content check needs no anchor: a changed form is invalid even so.
    assert _verdict(changed) == (SignatureStatus.INVALID, "signature.content_changed")


def test_a_changed_anchor_file_is_not_used(
    server: BackofficeServer, signed_form: SubmissionItem, tmp_path: Path
) -> None:
    _add_test_signing_ca(server, tmp_path)
    (anchor,) = (server.data_dir / "trust").glob("*.pem")
    impostor = pki.authority(pki.SIGN_CA_OU, impostor=True).certificate
    anchor.write_bytes(impostor.public_bytes(serialization.Encoding.PEM))
    listing = server.cli("trust", "list").stdout
    assert "CHANGED" in listing
    (row,) = _send(server, signed_form)
    assert _verdict(row) == (SignatureStatus.UNVERIFIED, "trust.no_anchors")
