"""Do the other records on the card say the same as the Kenhojo items?"""

from __future__ import annotations

import unicodedata

from cryptography import x509

from cardreader import tlv
from cardreader.errors import MalformedResponse
from cardreader.sessions import BasicInfo, CardFace
from counterapp.verification.verdict import CheckResult

CONSISTENCY = "consistency"
UTF8_STRING = 0x0C  # DER tag
# SAN otherName OIDs of the JPKI signing certificate (protocol sheet §6).
OID_NAME = x509.ObjectIdentifier("1.2.392.200149.8.5.5.1")
OID_SEX = x509.ObjectIdentifier("1.2.392.200149.8.5.5.3")
OID_BIRTH_DATE = x509.ObjectIdentifier("1.2.392.200149.8.5.5.4")
OID_ADDRESS = x509.ObjectIdentifier("1.2.392.200149.8.5.5.5")


def normalise(text: str) -> str:
    """Full-width digits and spaces to their half-width form, and nothing more."""
    out = []
    for char in text:
        if "０" <= char <= "９":
            char = chr(ord(char) - ord("０") + ord("0"))
        if unicodedata.category(char) == "Zs":
            continue
        out.append(char)
    return "".join(out)


def signing_certificate_items(cert: x509.Certificate) -> dict[str, str]:
    """Name, sex, birth date (YYYYMMDD) and address from the SAN otherName entries."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return {}
    wanted = {
        OID_NAME: "name",
        OID_SEX: "sex",
        OID_BIRTH_DATE: "birth_date",
        OID_ADDRESS: "address",
    }
    items = {}
    for other in san.get_values_for_type(x509.OtherName):
        if other.type_id in wanted:
            items[wanted[other.type_id]] = _utf8_string(other.value)
    return items


def _utf8_string(der: bytes) -> str:
    try:
        item = tlv.parse_one(der)
    except MalformedResponse:
        return ""
    if item.tag != UTF8_STRING:
        return ""
    return item.value.decode("utf-8", "replace")


def check_consistency(
    basic: BasicInfo | None,
    signing_certificate: x509.Certificate | None = None,
    card_face: CardFace | None = None,
) -> CheckResult:
    """Compare Kenhojo items with the signing certificate and/or the card face."""
    if basic is None or (signing_certificate is None and card_face is None):
        return CheckResult.skipped(CONSISTENCY, "consistency.not_read", "nothing to compare")
    mismatches = []
    if signing_certificate is not None:
        mismatches += _compare_certificate(basic, signing_certificate_items(signing_certificate))
    if card_face is not None:
        if card_face.birth_date != basic.birth_date:
            mismatches.append("face birth date")
        if card_face.sex != basic.sex:
            mismatches.append("face sex")
    if mismatches:
        return CheckResult.failed(
            CONSISTENCY, "consistency.mismatch", "differs: " + ", ".join(mismatches)
        )
    return CheckResult.passed(CONSISTENCY, "records agree")


def _compare_certificate(basic: BasicInfo, items: dict[str, str]) -> list[str]:
    expected = {
        "name": basic.name,
        "address": basic.address,
        "sex": basic.sex.value,
        "birth_date": f"{basic.birth_date:%Y%m%d}",
    }
    mismatches = []
    for key, value in expected.items():
        found = items.get(key, "")
        if key == "birth_date":
            found = found[-8:]  # the certificate may prefix an era digit (EYYYYMMDD)
        if normalise(found) != normalise(value):
            mismatches.append(f"certificate {key}")
    return mismatches
