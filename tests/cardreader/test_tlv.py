"""BER-TLV parsing as the card's records need it."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardreader import tlv
from cardreader.errors import MalformedResponse


def test_two_byte_tags_and_long_lengths_round_trip() -> None:
    inner = tlv.encode(0xDF22, "試験\u3000太郎".encode()) + tlv.encode(0xDF23, b"x" * 300)
    outer = tlv.encode(0xFF20, inner)
    assert outer[:4] == bytes.fromhex("FF208201")
    items = tlv.children(outer + b"\xff" * 10, 0xFF20)
    assert items[0xDF22].value.decode() == "試験\u3000太郎"
    assert items[0xDF23].start == 5 + 3 + len("試験\u3000太郎".encode())
    assert tlv.total_length(outer[:8]) == len(outer)


def test_a_der_certificate_header_gives_its_length() -> None:
    assert tlv.total_length(bytes.fromhex("3082062B")) == 0x062B + 4


def test_wrong_outer_tag_is_malformed() -> None:
    with pytest.raises(MalformedResponse):
        tlv.children(tlv.encode(0xFF30, b""), 0xFF20)


def test_value_longer_than_data_is_malformed() -> None:
    with pytest.raises(MalformedResponse):
        tlv.parse_one(bytes.fromhex("DF2205414243"))


@given(st.binary(max_size=64))
def test_garbage_gives_only_typed_errors(data: bytes) -> None:
    with contextlib.suppress(MalformedResponse):
        list(tlv.iterate(data))
