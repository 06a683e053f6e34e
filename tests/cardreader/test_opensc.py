"""OpenSC's own JPKI driver, an independent client, against the emulator through pcscd."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cardreader.emulator.resident import DEFAULT_RESIDENT
from cardreader.pcsc import PcscConnection
from cardreader.sessions import MyNumberCard
from tests.conftest import StartCard

pytestmark = [pytest.mark.pcscd, pytest.mark.slow]

PKCS11_MODULES = (
    "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so",
    "/usr/lib/aarch64-linux-gnu/pkcs11/opensc-pkcs11.so",
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
)


def _opensc(*args: str) -> str:
    if shutil.which(args[0]) is None:
        pytest.fail(f"{args[0]} is missing: install Debian's opensc (.ci/install-system-deps)")
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _module() -> str:
    for candidate in PKCS11_MODULES:
        if Path(candidate).exists():
            return candidate
    pytest.fail("opensc-pkcs11.so not found")


def _emulator_auth_certificate(reader: str) -> x509.Certificate:
    with MyNumberCard(PcscConnection.open(reader)) as card:
        return card.jpki().read_auth_certificate()


def test_pkcs15_tool_lists_the_four_certificates(virtual_card: StartCard) -> None:
    virtual_card("valid")
    listing = _opensc("pkcs15-tool", "--list-certificates")
    for label in (
        "User Authentication Certificate",
        "Digital Signature Certificate",
        "User Authentication Certificate CA",
        "Digital Signature Certificate CA",
    ):
        assert f"[{label}]" in listing
    assert "Path           : 000a" in listing


def test_pkcs15_tool_reads_the_same_auth_certificate(virtual_card: StartCard) -> None:
    reader = virtual_card("valid").reader
    pem = _opensc("pkcs15-tool", "--read-certificate", "01")
    assert x509.load_pem_x509_certificate(pem.encode()) == _emulator_auth_certificate(reader)


def test_pkcs15_tool_sees_the_tries_left(virtual_card: StartCard) -> None:
    virtual_card("auth-pin-last-try")
    pins = _opensc("pkcs15-tool", "--list-pins")
    auth, signing = pins.split("PIN [Digital Signature PIN]")
    assert "Tries left     : 1" in auth
    assert "Tries left     : 5" in signing


def test_pkcs11_tool_signature_verifies_against_the_auth_certificate(
    virtual_card: StartCard, tmp_path: Path
) -> None:
    reader = virtual_card("valid").reader
    message, signature = tmp_path / "message.bin", tmp_path / "signature.bin"
    message.write_bytes(b"counterapp OpenSC interoperability")
    _opensc(
        "pkcs11-tool",
        "--module",
        _module(),
        "--token-label",
        "JPKI (User Authentication PIN)",
        "--login",
        "--pin",
        DEFAULT_RESIDENT.auth_pin,
        "--sign",
        "--mechanism",
        "SHA256-RSA-PKCS",
        "--id",
        "01",
        "--input-file",
        str(message),
        "--output-file",
        str(signature),
    )
    key = _emulator_auth_certificate(reader).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature.read_bytes(), message.read_bytes(), padding.PKCS1v15(), hashes.SHA256())
