"""``backoffice terminals add`` refuses a certificate that could never identify a terminal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from backoffice import ca
from backoffice.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out + captured.err


def _authority(tmp_path: Path) -> ca.CaFiles:
    files = ca.CaFiles(tmp_path / "bo" / "ca")
    ca.init_ca(files, dt.datetime.now(dt.UTC) - dt.timedelta(days=5 * 365))
    return files


def _written(tmp_path: Path, files: ca.CaFiles, certificate_of: ca.Issued) -> Path:
    written = ca.write_terminal(tmp_path / "t", certificate_of, ca.load_certificate(files.ca_cert))
    return written.certificate


def _server_auth_only(files: ca.CaFiles) -> ca.Issued:
    authority = ca.load_ca(files)
    key = ec.generate_private_key(ec.SECP256R1())
    builder = ca._leaf(
        authority, ca._name("kita-01"), key, dt.datetime.now(dt.UTC),
        ca.TERMINAL_LIFETIME, ExtendedKeyUsageOID.SERVER_AUTH,
    )  # fmt: skip
    return ca.Issued(builder.sign(authority.key, hashes.SHA256()), key)


def test_an_expired_certificate_is_refused_naming_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _authority(tmp_path)
    four_years_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=4 * 365)
    pem = _written(tmp_path, files, ca.issue_terminal(files, "kita-01", four_years_ago))
    args = ("terminals", "add", str(pem), "--name", "kita-01", "--data-dir", str(tmp_path / "bo"))
    code, output = _run(capsys, *args)
    assert code == 4 and "expired" in output and "有効期限" in output
    code, output = _run(capsys, "terminals", "list", "--data-dir", str(tmp_path / "bo"))
    assert code == 0 and "kita-01" not in output


def test_a_certificate_without_client_auth_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _authority(tmp_path)
    pem = _written(tmp_path, files, _server_auth_only(files))
    args = ("terminals", "add", str(pem), "--name", "kita-01", "--data-dir", str(tmp_path / "bo"))
    code, output = _run(capsys, *args)
    assert code == 4 and "clientAuth" in output


def test_a_valid_terminal_certificate_is_registered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _authority(tmp_path)
    pem = _written(tmp_path, files, ca.issue_terminal(files, "kita-01", dt.datetime.now(dt.UTC)))
    args = ("terminals", "add", str(pem), "--name", "kita-01", "--data-dir", str(tmp_path / "bo"))
    code, output = _run(capsys, *args)
    assert code == 0 and "kita-01" in output
