"""Byte-exact file contents of the virtual card's EFs (protocol sheet §5)."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cardreader import tlv
from cardreader.emulator import uncertain
from cardreader.emulator.pki import cache_dir
from cardreader.emulator.resident import Resident

if TYPE_CHECKING:
    from PIL import ImageFont

MY_NUMBER_FILE_SIZE = 17
INTEGRITY_FILE_SIZE = 336
CVC_FILE_SIZE = 568
TOKEN_INFO_SIZE = 160
TOKEN_LABEL_SIZE = 32
KEY_ID_SIZE = 16
CVC_HASH = uncertain.CVC_HASH  # UNCERTAIN: see cardreader/emulator/uncertain.py
KENHOJO_ISSUER_KEY_ID = "6000033"  # test cards use 6000xxx (sheet §5.3); 5000033 is real
KENKAKU_ISSUER_KEY_ID = "6000023"

CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("C:/Windows/Fonts/msgothic.ttc"),
)
# Bump when a drawing below changes: the drawn images are kept on disk under this name.
DRAWING_VERSION = "1"


def key_id(text: str) -> bytes:
    """A 16-byte CVC key id from its printable form."""
    return text.encode("ascii").ljust(KEY_ID_SIZE, b"\x00")


def my_number_file(my_number: str) -> bytes:
    """EF 0001 of Kenhojo without its 2 filler bytes: FF 10 0C + 12 ASCII digits."""
    return tlv.encode(0xFF10, my_number.encode("ascii"))


def with_offsets(outer_tag: int, items: list[tuple[int, bytes]]) -> bytes:
    """An FFxx record whose DF21 gives each item's offset from the start of the file."""
    encoded = [tlv.encode(tag, value) for tag, value in items]
    table_size = 3 + 2 * len(items)  # DF21 tag (2) + length (1) + offsets
    body_size = table_size + sum(len(item) for item in encoded)
    header = len(tlv.encode(outer_tag, bytes(body_size))) - body_size
    offsets, position = bytearray(), header + table_size
    for item in encoded:
        offsets += position.to_bytes(2, "big")
        position += len(item)
    return tlv.encode(outer_tag, tlv.encode(0xDF21, bytes(offsets)) + b"".join(encoded))


def basic_info_file(name: str, address: str, resident: Resident) -> bytes:
    """EF 0002 of Kenhojo: FF20 { DF21 offsets, DF22 name, DF23 address, DF24 birth, DF25 sex }."""
    return with_offsets(
        0xFF20,
        [
            (0xDF22, name.encode("utf-8")),
            (0xDF23, address.encode("utf-8")),
            (0xDF24, resident.birth_date.strftime("%Y%m%d").encode("ascii")),
            (0xDF25, resident.sex.encode("ascii")),
        ],
    )


def signed_part_of_basic_info(basic: bytes) -> bytes:
    """The FF20 value from DF22 to the end: what DF32 digests (sheet §5.3)."""
    items = tlv.children(basic, 0xFF20)
    return basic[items[0xDF22].start : tlv.parse_one(basic).end]


def integrity_record(my_number_physical: bytes, basic: bytes, key: rsa.RSAPrivateKey) -> bytes:
    """EF 0003: FF30 { DF31 SHA-256(My Number file), DF32 SHA-256(basic 4), DF33 signature }."""
    digests = tlv.encode(0xDF31, hashlib.sha256(my_number_physical).digest()) + tlv.encode(
        0xDF32, hashlib.sha256(signed_part_of_basic_info(basic)).digest()
    )
    signature = key.sign(digests, padding.PKCS1v15(), hashes.SHA256())
    return tlv.encode(0xFF30, digests + tlv.encode(0xDF33, signature))


def cvc(
    issuer: rsa.RSAPrivateKey, issuer_id: str, subject_id: str, subject: rsa.RSAPublicKey
) -> bytes:
    """A card-verifiable certificate: 7F21 { 5F4E ids + RSA key, 5F37 issuer signature }."""
    body = key_id(issuer_id) + key_id(subject_id) + rsa_key_items(subject)
    signature = issuer.sign(body, padding.PKCS1v15(), CVC_HASH)
    return tlv.encode(0x7F21, tlv.encode(0x5F4E, body) + tlv.encode(0x5F37, signature))


def rsa_key_items(key: rsa.RSAPublicKey) -> bytes:
    """An RSA public key as the card stores it: 90 exponent, 91 modulus."""
    numbers = key.public_numbers()
    return tlv.encode(0x90, numbers.e.to_bytes(3, "big")) + tlv.encode(
        0x91, numbers.n.to_bytes(256, "big")
    )


def signed_key_file(
    ap_key: rsa.RSAPublicKey, cvc_key: rsa.RSAPrivateKey, *, broken: bool = False
) -> bytes:
    """Kenhojo EF 0007: FF50 { DF51 the AP's own key, DF52 signature over the DF51 TLV }.

    ``broken``: one bit of the signature flipped (the tampered-signed-key scenario).
    """
    public = tlv.encode(0xDF51, rsa_key_items(ap_key))
    signature = bytearray(cvc_key.sign(public, padding.PKCS1v15(), uncertain.SIGNED_KEY_HASH))
    if broken:
        signature[-1] ^= 0x01
    return tlv.encode(0xFF50, public + tlv.encode(0xDF52, bytes(signature)))


def session_key_file(key: rsa.RSAPublicKey) -> bytes:
    """Kenhojo EF 0006: A1 { the RSA key a terminal encrypts a session key to }."""
    return tlv.encode(0xA1, rsa_key_items(key))


def token_info(label: str) -> bytes:
    """JPKI EF 0006: a 160-byte CK_TOKEN_INFO whose first 32 bytes are the padded label."""
    return label.encode("ascii").ljust(TOKEN_LABEL_SIZE, b" ").ljust(TOKEN_INFO_SIZE, b"\x00")


# -- the card face (Kenkaku EF 0002) ----------------------------------------------------------


def _font_path() -> Path | None:
    return next((path for path in CJK_FONTS if path.exists()), None)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    path = _font_path()
    return ImageFont.truetype(str(path), size) if path else ImageFont.load_default()


def _drawn(label: str, draw: Callable[[], bytes]) -> bytes:
    """An image drawn once per machine and then read from the emulator's cache folder.

    Drawing the face (fonts, PNG optimisation, JPEG 2000) takes ~100 ms at every emulator
    start; the result is the same bytes every time, so it is kept next to the test keys.
    """
    name = hashlib.sha256(f"{DRAWING_VERSION}/{_font_path()}/{label}".encode()).hexdigest()
    path = cache_dir() / "card-face" / f"{name[:32]}.img"
    try:
        return path.read_bytes()
    except OSError:
        pass
    image = draw()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(image)
        os.replace(partial, path)  # atomic: parallel emulators may race here
    except OSError:
        pass  # a read-only cache only costs time
    return image


def text_image(text: str, *, width: int = 480, height: int = 40) -> bytes:
    """A 1-bit PNG of a line of text, as the card face stores the name and address."""
    return _drawn(f"text/{width}x{height}/{text}", lambda: _draw_text(text, width, height))


def _draw_text(text: str, width: int, height: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("1", (width, height), 1)
    ImageDraw.Draw(image).text((4, 4), text, font=_font(height - 10), fill=0)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def photo_image() -> bytes:
    """A greyscale JPEG 2000 'face photo' marked TEST ONLY."""
    return _drawn("photo", _draw_photo)


def _draw_photo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("L", (120, 150), 235)
    draw = ImageDraw.Draw(image)
    draw.ellipse((30, 20, 90, 95), fill=180, outline=60)
    draw.rectangle((20, 100, 100, 150), fill=150)
    draw.text((8, 4), "TEST ONLY", fill=0)
    out = io.BytesIO()
    image.save(out, "JPEG2000", irreversible=True, quality_mode="rates", quality_layers=[20])
    return out.getvalue()


def card_face_file(
    resident: Resident, key: rsa.RSAPrivateKey, *, printed_address: str | None = None
) -> bytes:
    """FF20 { DF21 offsets, DF22-DF27 face items, DF28 signature, DF29 expiry, DF2A code }.

    ``printed_address``: an address image swapped in after signing (a tampered face).
    """
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signed = [
        (0xDF22, resident.birth_date.strftime("%Y%m%d").encode("ascii")),
        (0xDF23, resident.sex.encode("ascii")),
        (0xDF24, public),
        (0xDF25, text_image(resident.name)),
        (0xDF26, text_image(resident.address, width=960)),
        (0xDF27, photo_image()),
    ]
    signature = key.sign(card_face_digests(signed), padding.PKCS1v15(), hashes.SHA256())
    if printed_address is not None:
        signed[4] = (0xDF26, text_image(printed_address, width=960))
    unsigned = [
        (0xDF28, signature),
        (0xDF29, resident.card_expiry.strftime("%Y%m%d").encode("ascii")),
        (0xDF2A, text_image(resident.security_code, width=120)),
    ]
    return with_offsets(0xFF20, signed + unsigned)


def card_face_digests(items: list[tuple[int, bytes]]) -> bytes:
    """SHA-256 of {DF22-DF24}, {DF25-DF26}, {DF27} TLVs, concatenated (sheet §5.4).

    UNCERTAIN (uncertain.py: CARD_FACE_SIGNED_GROUPS): the 96 bytes are then signed as
    SHA-256 DigestInfo, which is what ``sign(..., SHA256())`` over them produces.
    """
    encoded = {tag: tlv.encode(tag, value) for tag, value in items}
    groups = uncertain.CARD_FACE_SIGNED_GROUPS
    return b"".join(
        hashlib.sha256(b"".join(encoded[tag] for tag in group)).digest() for group in groups
    )
