"""APDU encoding and the channel's GET RESPONSE / re-issue / extended-length handling."""

from __future__ import annotations

import logging

import pytest

from cardreader.apdu import (
    ApduChannel,
    CommandApdu,
    ExtendedLengthUnsupported,
    decode_response,
)
from cardreader.errors import ApduError, CardRemoved, TransportError
from cardreader.trace import TRACE, Redact


@pytest.mark.parametrize(
    ("apdu", "encoded"),
    [
        (CommandApdu(0x00, 0xA4, 0x04, 0x0C, b"\xd3\x92"), "00A4040C02D392"),
        (CommandApdu(0x00, 0xB0, 0x8A, 0x00, le=256), "00B08A0000"),
        (CommandApdu(0x00, 0xB0, 0x8A, 0x00, le=17), "00B08A0011"),
        (CommandApdu(0x00, 0x20, 0x00, 0x98), "00200098"),
        (CommandApdu(0x00, 0xB0, 0x8A, 0x00, le=65536), "00B08A00000000"),
        (CommandApdu(0x00, 0xB0, 0x00, 0x00, le=1000), "00B00000" + "0003E8"),
        (CommandApdu(0x80, 0x2A, 0x00, 0x97, b"\x01" * 300, le=256), None),
    ],
)
def test_encoding_chooses_short_or_extended_form(apdu: CommandApdu, encoded: str | None) -> None:
    raw = apdu.encode()
    if encoded is not None:
        assert raw.hex().upper() == encoded
    else:  # extended Lc (00 01 2C) and a 2-byte Le (01 00) with data
        assert raw[4:7] == b"\x00\x01\x2c"
        assert raw[-2:] == b"\x01\x00"
        assert len(raw) == 4 + 3 + 300 + 2


def test_short_encoding_of_an_extended_apdu_is_refused() -> None:
    with pytest.raises(ValueError):
        CommandApdu(0x00, 0xB0, 0, 0, le=1000).encode(extended=False)


def test_decode_response_needs_a_status_word() -> None:
    assert decode_response(b"\x01\x02\x90\x00").data == b"\x01\x02"
    with pytest.raises(TransportError):
        decode_response(b"\x90")


class ScriptedCard:
    """A card answering from a script, like a T=0 card that uses 61xx and 6Cxx."""

    def __init__(self, answers: list[tuple[bytes, int] | Exception]) -> None:
        self.answers = answers
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent.append(apdu)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self) -> None:
        pass


def test_61xx_is_followed_by_get_response_and_data_is_joined() -> None:
    card = ScriptedCard([(b"\x01" * 10, 0x6105), (b"\x02" * 5, 0x9000)])
    response = ApduChannel(card).transmit(CommandApdu(0, 0xB0, 0, 0, le=256))
    assert response.data == b"\x01" * 10 + b"\x02" * 5 and response.ok
    assert card.sent[1].hex().upper() == "00C0000005"


def test_6cxx_reissues_the_command_with_the_right_le() -> None:
    card = ScriptedCard([(b"", 0x6C11), (b"\x03" * 17, 0x9000)])
    response = ApduChannel(card).transmit(CommandApdu(0, 0xB0, 0x81, 0, le=256))
    assert response.data == b"\x03" * 17
    assert card.sent[1].hex().upper() == "00B0810011"


def test_check_raises_apdu_error_with_the_status_word() -> None:
    card = ScriptedCard([(b"", 0x6A82)])
    with pytest.raises(ApduError) as caught:
        ApduChannel(card).check(CommandApdu(0, 0xA4, 4, 0x0C, b"\x01"))
    assert caught.value.sw == 0x6A82


@pytest.mark.parametrize("refusal", [(b"", 0x6700), TransportError("reader refused")])
def test_a_reader_without_extended_length_is_detected_once(
    refusal: tuple[bytes, int] | Exception,
) -> None:
    card = ScriptedCard([refusal])
    channel = ApduChannel(card)
    with pytest.raises(ExtendedLengthUnsupported):
        channel.transmit(CommandApdu(0, 0xB0, 0x8A, 0, le=65536))
    assert channel.extended_supported is False and not channel.prefers_extended


def test_card_removed_during_the_probe_is_not_mistaken_for_no_extended_length() -> None:
    channel = ApduChannel(ScriptedCard([CardRemoved("gone")]))
    with pytest.raises(CardRemoved):
        channel.transmit(CommandApdu(0, 0xB0, 0x8A, 0, le=65536))
    assert channel.extended_supported is None


def test_trace_redacts_pin_and_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    card = ScriptedCard([(b"", 0x9000), (b"SECRETDATA", 0x9000)])
    channel = ApduChannel(card)
    with caplog.at_level(TRACE, logger="cardreader.apdu"):
        channel.transmit(CommandApdu(0, 0x20, 0, 0x98, b"1234", redact=Redact.COMMAND))
        channel.transmit(CommandApdu(0, 0xB0, 0x81, 0, le=17, redact=Redact.RESPONSE))
    text = caplog.text
    assert "31 32 33 34" not in text and "1234" not in text
    assert b"SECRETDATA".hex(" ").upper() not in text
    assert "00 20 00 98 04 <4 bytes redacted>" in text
    assert "<10 bytes redacted> 9000" in text
    assert all(r.levelno == TRACE for r in caplog.records)
    assert logging.getLevelName(TRACE) == "TRACE"
