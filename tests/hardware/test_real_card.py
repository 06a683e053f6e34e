"""Opt-in reads against a real reader and card: ``pytest tests/hardware --reader NAME``.

Only reads that need no PIN run by default. With ``-s --ask-pins`` the PIN tests
ask for each PIN once on the terminal (hidden); nothing is ever retried.
"""

from __future__ import annotations

import getpass

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cardreader.pcsc import PcscConnection
from cardreader.pin import PinKind
from cardreader.sessions import CertificateKind, MyNumberCard, TokenKind

pytestmark = pytest.mark.hardware


@pytest.fixture
def card(request: pytest.FixtureRequest) -> MyNumberCard:
    reader = request.config.getoption("--reader")
    opened = MyNumberCard(PcscConnection.open(reader))
    request.addfinalizer(opened.close)
    return opened


def _ask(request: pytest.FixtureRequest, prompt: str) -> str:
    if not request.config.getoption("--ask-pins"):
        pytest.skip("PIN tests need -s --ask-pins")
    return getpass.getpass(prompt)


def test_auth_certificate_chains_to_the_ca_on_the_card(card: MyNumberCard) -> None:
    jpki = card.jpki()
    assert jpki.read_token_info().kind is TokenKind.MYNUMBER_CARD
    cert = jpki.read_auth_certificate()
    ca = jpki.read_certificate(CertificateKind.AUTH_CA)
    cert.verify_directly_issued_by(ca)
    assert "JPKI for user authentication" in cert.issuer.rfc4514_string()


def test_pin_tries_are_readable_without_using_one(card: MyNumberCard) -> None:
    jpki = card.jpki()
    first = jpki.pin_status(PinKind.AUTH)
    assert jpki.pin_status(PinKind.AUTH) == first
    assert 0 <= card.kenhojo().pin_status().tries_left <= 3


def test_auth_signature_verifies(card: MyNumberCard, request: pytest.FixtureRequest) -> None:
    pin = _ask(request, "利用者証明用電子証明書の暗証番号 (4桁): ")
    jpki = card.jpki()
    cert = jpki.read_auth_certificate()
    jpki.verify_pin(PinKind.AUTH, pin)
    signature = jpki.sign_sha256(PinKind.AUTH, b"counterapp hardware test")
    key = cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature, b"counterapp hardware test", padding.PKCS1v15(), hashes.SHA256())


def test_basic_info_reads(card: MyNumberCard, request: pytest.FixtureRequest) -> None:
    pin = _ask(request, "券面事項入力補助用の暗証番号 (4桁): ")
    kenhojo = card.kenhojo()
    kenhojo.verify_pin(pin)
    basic = kenhojo.read_basic_info()
    assert basic.name and basic.address
