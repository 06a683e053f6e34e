"""The ``backoffice`` administration commands: CA, terminals, trust, exit codes."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from backoffice import ca
from cardreader.emulator import pki
from tests.backoffice.server import BackofficeServer


@pytest.fixture
def backoffice(database_url: str | None, tmp_path: Path) -> BackofficeServer:
    """Commands against a data folder and database; the service itself is not started."""
    return BackofficeServer(tmp_path / "backoffice", database_url=database_url)


@pytest.fixture
def offline(tmp_path: Path) -> BackofficeServer:
    """For commands that touch no database."""
    return BackofficeServer(tmp_path / "backoffice")


def _certificate(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _terminals(backoffice: BackofficeServer) -> dict[str, bool]:
    listing = json.loads(backoffice.cli("terminals", "list", "--json").stdout)
    return {entry["name"]: entry["enabled"] for entry in listing}


# -- ca -----------------------------------------------------------------------------------


def test_ca_init_makes_a_ca_and_a_localhost_server_certificate(offline: BackofficeServer) -> None:
    result = offline.cli("ca", "init")
    assert str(offline.ca_cert) in result.stdout
    authority = _certificate(offline.ca_cert)
    constraints = authority.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca
    assert authority.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    server = _certificate(offline.data_dir / "ca" / "server.pem")
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    eku = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert ca.issued_by(server, authority)
    assert (offline.data_dir / "ca" / "ca.key").stat().st_mode & 0o777 == 0o600


@pytest.mark.slow
def test_ca_init_refuses_to_replace_a_ca_without_force(offline: BackofficeServer) -> None:
    offline.cli("ca", "init")
    first = offline.ca_cert.read_bytes()
    again = offline.cli("ca", "init", check=False)
    assert again.returncode == 4 and "--force" in again.stderr
    assert offline.ca_cert.read_bytes() == first
    offline.cli("ca", "init", "--force", "--server-name", "intake.city.example.lg.jp")
    assert offline.ca_cert.read_bytes() != first
    server = _certificate(offline.data_dir / "ca" / "server.pem")
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["intake.city.example.lg.jp"]


@pytest.mark.slow
def test_issue_terminal_writes_key_cert_and_ca_and_registers_it(
    backoffice: BackofficeServer,
) -> None:
    terminal = backoffice.issue_terminal("kita-01")  # creates the CA on the way
    assert terminal.key.stat().st_mode & 0o777 == 0o600
    certificate = _certificate(terminal.cert)
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "kita-01"
    eku = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert terminal.ca.read_bytes() == backoffice.ca_cert.read_bytes()
    assert ca.issued_by(certificate, _certificate(terminal.ca))
    assert _terminals(backoffice) == {"kita-01": True}
    if backoffice.database_url is None:  # personal data: owner-only folder and file
        assert backoffice.data_dir.stat().st_mode & 0o777 == 0o700
        assert (backoffice.data_dir / "backoffice.db").stat().st_mode & 0o777 == 0o600


@pytest.mark.slow
def test_issuing_a_registered_name_again_needs_replace(backoffice: BackofficeServer) -> None:
    first = backoffice.issue_terminal("kita-01")
    old = first.cert.read_bytes()
    again = backoffice.cli("ca", "issue-terminal", "kita-01", "--out", "x", check=False)
    assert again.returncode == 4 and "--replace" in again.stderr
    backoffice.cli("terminals", "disable", "kita-01")
    out = backoffice.data_dir / "renewed"
    backoffice.cli("ca", "issue-terminal", "kita-01", "--out", str(out), "--replace")
    listing = json.loads(backoffice.cli("terminals", "list", "--json").stdout)
    renewed = _certificate(out / "terminal.pem")
    assert listing == [
        {
            "name": "kita-01",
            "enabled": True,
            "cert_sha256": ca.fingerprint(renewed),
            "created_at": listing[0]["created_at"],
        }
    ]
    assert renewed.public_bytes(serialization.Encoding.PEM) != old


# -- terminals ----------------------------------------------------------------------------


@pytest.mark.slow
def test_terminals_add_disable_enable_and_list(
    backoffice: BackofficeServer, tmp_path: Path
) -> None:
    backoffice.cli("ca", "init")
    files = ca.CaFiles(backoffice.data_dir / "ca")
    issued = ca.issue_terminal(files, "minami-02", dt.datetime.now(dt.UTC))
    written = ca.write_terminal(tmp_path / "t", issued, ca.load_certificate(files.ca_cert))
    added = backoffice.cli("terminals", "add", str(written.certificate), "--name", "minami-02")
    assert ca.fingerprint(issued.certificate) in added.stdout
    backoffice.cli("terminals", "disable", "minami-02")
    assert _terminals(backoffice) == {"minami-02": False}
    backoffice.cli("terminals", "enable", "minami-02")
    assert _terminals(backoffice) == {"minami-02": True}
    assert "minami-02" in backoffice.cli("terminals", "list").stdout
    twice = backoffice.cli("terminals", "add", str(written.certificate), "--name", "x", check=False)
    assert twice.returncode == 4


@pytest.mark.slow
def test_terminals_add_refuses_a_certificate_of_another_ca(
    backoffice: BackofficeServer, tmp_path: Path
) -> None:
    backoffice.cli("ca", "init")
    foreign = ca.CaFiles(tmp_path / "foreign")
    now = dt.datetime.now(dt.UTC)
    ca.init_ca(foreign, now)
    issued = ca.issue_terminal(foreign, "kita-01", now)
    written = ca.write_terminal(tmp_path / "t", issued, ca.load_certificate(foreign.ca_cert))
    result = backoffice.cli(
        "terminals", "add", str(written.certificate), "--name", "kita-01", check=False
    )
    assert result.returncode == 4
    assert _terminals(backoffice) == {}


@pytest.mark.slow
def test_an_unknown_terminal_name_is_a_usage_error(backoffice: BackofficeServer) -> None:
    result = backoffice.cli("terminals", "disable", "nobody", check=False)
    assert result.returncode == 4 and "nobody" in result.stderr


# -- trust, usage and failures ------------------------------------------------------------


@pytest.mark.slow
def test_trust_add_takes_a_ca_and_lists_it(offline: BackofficeServer, tmp_path: Path) -> None:
    pem = tmp_path / "sign-ca.pem"
    certificate = pki.authority(pki.SIGN_CA_OU).certificate
    pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    assert offline.cli("trust", "add", str(pem), check=False).returncode == 4  # TEST ONLY
    offline.cli("trust", "add", str(pem), "--allow-test-only")
    listing = offline.cli("trust", "list").stdout
    assert ca.fingerprint(certificate) in listing and "CHANGED" not in listing


@pytest.mark.slow
def test_trust_add_refuses_a_certificate_that_is_not_a_ca(
    offline: BackofficeServer, tmp_path: Path
) -> None:
    terminal = offline.issue_terminal("kita-01")
    result = offline.cli("trust", "add", str(terminal.cert), check=False)
    assert result.returncode == 4 and "CA" in result.stderr


@pytest.mark.slow
def test_usage_errors_exit_4(offline: BackofficeServer) -> None:
    assert offline.cli("serve", "--no-such-option", check=False).returncode == 4
    assert offline.cli("export", "--format", "xml", check=False).returncode == 4
    assert offline.cli("serve", "--crl", "/does/not/exist", check=False).returncode == 4
    bad_db = offline.cli("terminals", "list", "--db", "mysql://x/y", check=False)
    assert bad_db.returncode == 4


def test_an_unreachable_database_exits_1_without_its_password(offline: BackofficeServer) -> None:
    url = "postgresql://clerk:s3cret@127.0.0.1:1/backoffice"
    result = offline.cli("terminals", "list", "--db", url, check=False)
    assert result.returncode == 1
    assert "s3cret" not in result.stdout + result.stderr and "***" in result.stderr


def test_openapi_command_prints_the_checked_in_document(offline: BackofficeServer) -> None:
    printed = json.loads(offline.cli("openapi").stdout)
    checked_in = Path(__file__).resolve().parents[2] / "docs" / "backoffice-openapi.json"
    assert printed == json.loads(checked_in.read_text(encoding="utf-8"))
