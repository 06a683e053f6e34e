"""BER-TLV as the My Number card uses it: 1- or 2-byte tags, definite lengths."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cardreader.errors import MalformedResponse


@dataclass(frozen=True)
class Tlv:
    """One TLV: ``start`` is where its tag begins in the parsed buffer."""

    tag: int
    value: bytes
    start: int
    end: int


def _read_tag(buf: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(buf):
        raise MalformedResponse("TLV ends before its tag")
    tag = buf[pos]
    pos += 1
    if tag & 0x1F == 0x1F:
        while True:
            if pos >= len(buf):
                raise MalformedResponse("TLV tag is truncated")
            tag = (tag << 8) | buf[pos]
            pos += 1
            if not buf[pos - 1] & 0x80:
                break
            if tag > 0xFFFFFF:
                raise MalformedResponse("TLV tag is too long")
    return tag, pos


def _read_length(buf: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(buf):
        raise MalformedResponse("TLV ends before its length")
    first = buf[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    count = first & 0x7F
    if count == 0 or count > 3:
        raise MalformedResponse("TLV length form not supported")
    if pos + count > len(buf):
        raise MalformedResponse("TLV length is truncated")
    return int.from_bytes(buf[pos : pos + count], "big"), pos + count


def parse_header(buf: bytes, pos: int = 0) -> tuple[int, int, int]:
    """Return (tag, value start, value end) of the TLV at ``pos`` without needing its value."""
    tag, pos = _read_tag(buf, pos)
    length, pos = _read_length(buf, pos)
    return tag, pos, pos + length


def total_length(header: bytes) -> int:
    """Length of the whole TLV (header included) from its first bytes."""
    _tag, _start, value_end = parse_header(header)
    return value_end


def parse_one(buf: bytes, pos: int = 0) -> Tlv:
    """Parse the TLV at ``pos``; raise ``MalformedResponse`` if it does not fit in ``buf``."""
    tag, start, end = parse_header(buf, pos)
    if end > len(buf):
        raise MalformedResponse(f"TLV {tag:X} is longer than the data")
    return Tlv(tag, bytes(buf[start:end]), pos, end)


def iterate(buf: bytes) -> Iterator[Tlv]:
    """Yield consecutive TLVs filling ``buf``."""
    pos = 0
    while pos < len(buf):
        item = parse_one(buf, pos)
        yield item
        pos = item.end


def children(buf: bytes, outer_tag: int) -> dict[int, Tlv]:
    """Parse a constructed TLV with ``outer_tag`` and return its children by tag.

    Positions in the returned TLVs are relative to ``buf``'s start.
    """
    outer = parse_one(buf)
    if outer.tag != outer_tag:
        raise MalformedResponse(f"expected tag {outer_tag:X}, found {outer.tag:X}")
    value_start = outer.end - len(outer.value)
    found: dict[int, Tlv] = {}
    pos = value_start
    while pos < outer.end:
        item = parse_one(buf[: outer.end], pos)
        found[item.tag] = item
        pos = item.end
    return found


def encode_length(length: int) -> bytes:
    if length < 0x80:
        return bytes((length,))
    size = (length.bit_length() + 7) // 8
    return bytes((0x80 | size,)) + length.to_bytes(size, "big")


def encode(tag: int, value: bytes) -> bytes:
    """Encode one TLV."""
    tag_bytes = tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")
    return tag_bytes + encode_length(len(value)) + value
