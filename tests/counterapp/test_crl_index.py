"""Configured CRLs are indexed once per update; the revocation check is a lookup in the index."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cardreader.emulator import pki
from cardreader.emulator.scenarios import SCENARIO_SPECS, end_entity_certificates
from counterapp.verification.crlindex import IndexedCrl, wait_for_background_builds
from counterapp.verification.revocation import check_revocation, load_crls
from counterapp.verification.verdict import Outcome

NOW = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
CA = pki.authority(pki.AUTH_CA_OU)


def _card_certificate() -> x509.Certificate:
    return end_entity_certificates("valid", SCENARIO_SPECS["valid"])[0]


def _write_crl(path: Path, serials: list[int], this_update: dt.datetime, *, days: int = 7) -> None:
    crl = pki.issue_crl(
        CA, serials, this_update=this_update, next_update=this_update + dt.timedelta(days=days)
    )
    path.write_bytes(crl.public_bytes(serialization.Encoding.DER))


def _check(path: Path, data_dir: Path, at: dt.datetime = NOW) -> tuple[Outcome, str]:
    crls = load_crls([str(path)], data_dir, at)
    result = check_revocation(_card_certificate(), CA.certificate, crls, at)
    return result.outcome, result.reason


def _touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_configured_crl_is_indexed_and_finds_the_revoked_card(tmp_path: Path) -> None:
    crl = tmp_path / "auth.crl"
    _write_crl(crl, [1, 2, _card_certificate().serial_number, 99], NOW - dt.timedelta(hours=1))

    assert _check(crl, tmp_path) == (Outcome.FAIL, "cert.revoked")
    (indexed,) = load_crls([str(crl)], tmp_path, NOW)
    assert isinstance(indexed, IndexedCrl) and indexed.entries == 4
    assert (tmp_path / "crl" / "index.sqlite").exists()


def test_a_card_not_listed_passes_and_an_unchanged_crl_keeps_its_index(tmp_path: Path) -> None:
    crl = tmp_path / "auth.crl"
    _write_crl(crl, [1, 2, 3], NOW - dt.timedelta(hours=1))
    assert _check(crl, tmp_path)[0] is Outcome.PASS
    first = load_crls([str(crl)], tmp_path, NOW)
    assert load_crls([str(crl)], tmp_path, NOW) == first


def test_a_changed_crl_is_used_after_its_background_build_while_the_old_one_is_fresh(
    tmp_path: Path,
) -> None:
    crl = tmp_path / "auth.crl"
    _write_crl(crl, [1], NOW - dt.timedelta(hours=2))
    assert _check(crl, tmp_path)[0] is Outcome.PASS
    _write_crl(crl, [1, _card_certificate().serial_number], NOW - dt.timedelta(hours=1))
    _touch_later(crl)

    first = _check(crl, tmp_path)  # the previous CRL is still fresh: it answers at once
    wait_for_background_builds()
    assert first[0] is Outcome.PASS
    assert _check(crl, tmp_path) == (Outcome.FAIL, "cert.revoked")


def test_a_changed_crl_is_built_before_answering_when_the_old_one_is_stale(
    tmp_path: Path,
) -> None:
    crl = tmp_path / "auth.crl"
    _write_crl(crl, [1], NOW - dt.timedelta(days=10), days=7)
    assert _check(crl, tmp_path) == (Outcome.UNKNOWN, "crl.stale")
    _write_crl(crl, [1, _card_certificate().serial_number], NOW - dt.timedelta(hours=1))
    _touch_later(crl)

    assert _check(crl, tmp_path) == (Outcome.FAIL, "cert.revoked")


def test_a_crl_signed_by_another_key_is_not_used(tmp_path: Path) -> None:
    impostor = pki.authority(pki.AUTH_CA_OU, impostor=True)
    crl = pki.issue_crl(
        impostor,
        [_card_certificate().serial_number],
        this_update=NOW - dt.timedelta(hours=1),
        next_update=NOW + dt.timedelta(days=1),
    )
    path = tmp_path / "forged.crl"
    path.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    assert _check(path, tmp_path) == (Outcome.UNKNOWN, "crl.missing")


def test_a_garbled_crl_file_is_named_never_read_as_missing(tmp_path: Path) -> None:
    path = tmp_path / "garbled.crl"
    path.write_bytes(b"\x30\x82\x00\x10 not a CRL at all")
    assert _check(path, tmp_path) == (Outcome.UNKNOWN, "crl.unreadable")
    result = check_revocation(
        _card_certificate(), CA.certificate, load_crls([str(path)], tmp_path, NOW), NOW
    )
    assert dict(result.params) == {"sources": str(path)}
