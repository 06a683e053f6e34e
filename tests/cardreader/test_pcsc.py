"""End to end through a real pcscd: pyscard → pcscd → vpcd → the emulator bridge."""

from __future__ import annotations

import queue
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cardreader.emulator.resident import DEFAULT_RESIDENT
from cardreader.errors import CardRemoved, NoCard, ReaderNotFound
from cardreader.pcsc import CardEventHandlers, CardEvents, PcscConnection, list_readers
from cardreader.pin import PinKind
from cardreader.sessions import MyNumberCard
from tests.conftest import StartCard
from tests.counterapp.cli_runner import run_counterapp
from tests.pcscd import VirtualReader

pytestmark = [pytest.mark.pcscd, pytest.mark.slow]


def test_card_info_through_pcscd(virtual_card: StartCard, tmp_path: Path) -> None:
    reader = virtual_card("valid").reader
    assert any(r.name == reader and r.card_present for r in list_readers())
    result = run_counterapp(tmp_path, "card", "info", "--reader", reader, "--json")
    assert result.code == 0, result.stderr
    info = result.json()
    assert info["token"]["kind"] == "mynumber_card"
    assert "JPKI for user authentication" in info["auth_certificate"]["issuer"]
    assert info["pins"]["auth"] == {"tries_left": 3, "blocked": False}


def test_pin_and_signature_through_pcscd(virtual_card: StartCard) -> None:
    reader = virtual_card("valid").reader
    with MyNumberCard(PcscConnection.open(reader)) as card:
        jpki = card.jpki()
        cert = jpki.read_auth_certificate()
        assert card.channel.extended_supported is True  # vpcd passes extended APDUs
        jpki.verify_pin(PinKind.AUTH, DEFAULT_RESIDENT.auth_pin)
        signature = jpki.sign_sha256(PinKind.AUTH, b"counter challenge")
    key = cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature, b"counter challenge", padding.PKCS1v15(), hashes.SHA256())


def test_pulled_card_raises_card_removed(virtual_card: StartCard) -> None:
    reader = virtual_card("valid", "--remove-after", "2").reader
    with MyNumberCard(PcscConnection.open(reader)) as card:
        card.jpki().read_auth_certificate()
        with pytest.raises(CardRemoved):
            card.kenhojo()


def test_empty_slot_and_unknown_reader_are_told_apart(pcscd: VirtualReader) -> None:
    with pytest.raises(NoCard):
        PcscConnection.open(pcscd.empty_slot)
    with pytest.raises(ReaderNotFound):
        PcscConnection.open("No Such Reader")


def test_insert_and_remove_events_arrive(virtual_card: StartCard) -> None:
    events: queue.Queue[tuple[str, str]] = queue.Queue()
    handlers = CardEventHandlers(
        card_inserted=lambda reader, atr: events.put(("inserted", reader)),
        card_removed=lambda reader: events.put(("removed", reader)),
    )
    with CardEvents(handlers):
        card = virtual_card("valid")
        assert events.get(timeout=10) == ("inserted", card.reader)
        card.toggle()
        assert events.get(timeout=10) == ("removed", card.reader)
        card.toggle()
        assert events.get(timeout=10) == ("inserted", card.reader)
