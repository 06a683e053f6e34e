"""Named card scenarios: the genuine card and the failures a counter meets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from cardreader.emulator import contents, pki, uncertain
from cardreader.emulator.model import (
    Application,
    CardProfile,
    EmulatedFile,
    Secret,
    SigningKey,
)
from cardreader.emulator.resident import (
    DEFAULT_RESIDENT,
    GAIJI_RESIDENT,
    LONG_ADDRESS_RESIDENT,
    PARTNER_RESIDENT,
    Resident,
)
from cardreader.sessions.jpki import JPKI_AID
from cardreader.sessions.kenhojo import KENHOJO_AID
from cardreader.sessions.kenkaku import KENKAKU_AID

# The contactless ATR a PC/SC reader synthesises for the card (sheet §7, PCSC list).
CONTACTLESS_ATR = bytes.fromhex("3B888001000041E0B381A1003B")
OTHER_CARD_ATR = bytes.fromhex("3B8F8001804F0CA0000003060300030000000068")
COLLATION_MAX_TRIES = uncertain.COLLATION_MAX_TRIES  # UNCERTAIN, see uncertain.py
CERTIFICATE_EF_SIZE = 2048
PADDING = 0xFF


@dataclass(frozen=True)
class CertificateWindow:
    not_before: dt.datetime
    not_after: dt.datetime


def _utc(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, tzinfo=dt.UTC)


# End-entity certificates run to the holder's 5th birthday after issue (sheet §6).
CURRENT = CertificateWindow(_utc(2026, 4, 1), _utc(2031, 2, 17))
EXPIRED = CertificateWindow(_utc(2016, 4, 1), _utc(2021, 2, 17))
FUTURE = CertificateWindow(_utc(2040, 4, 1), _utc(2043, 2, 17))


@dataclass(frozen=True)
class Scenario:
    """How one scenario's card differs from a genuine card."""

    description: str
    resident: Resident = DEFAULT_RESIDENT
    window: CertificateWindow = CURRENT
    impostor: bool = False
    tampered: bool = False
    face_tampered: bool = False
    revoked: bool = False
    auth_tries: int = 3
    kenhojo_tries: int = 3
    collation_tries: int = COLLATION_MAX_TRIES
    cloned_chip: bool = False  # internal authentication answers with a key J-LIS never signed
    signed_key_broken: bool = False  # EF 0007's issuer signature does not verify
    remove_after: int | None = None
    token_label: str = "JPKIAPICCTOKEN2"
    mynumber_card: bool = True
    smartphone: bool = False


SCENARIO_SPECS: dict[str, Scenario] = {
    "valid": Scenario("有効なカード / a genuine card"),
    "expired": Scenario("証明書の有効期限切れ / certificates expired", window=EXPIRED),
    "not-yet-valid": Scenario("証明書の有効期間前 / certificates not yet valid", window=FUTURE),
    "revoked": Scenario("失効した証明書 / certificates on the test CA's CRL", revoked=True),
    "wrong-issuer": Scenario("同じDNの偽CA / chain to an impostor CA", impostor=True),
    "tampered-kenhojo": Scenario("署名後に住所を改ざん / text edited after signing", tampered=True),
    "tampered-card-face": Scenario(
        "署名後に券面の住所画像を改ざん / card-face address image edited after signing",
        face_tampered=True,
    ),
    "auth-pin-last-try": Scenario(
        "利用者証明用暗証番号 残り1回 / auth PIN: 1 try left", auth_tries=1
    ),
    "auth-pin-blocked": Scenario("利用者証明用暗証番号 ロック / auth PIN blocked", auth_tries=0),
    "kenhojo-pin-blocked": Scenario(
        "券面事項入力補助用暗証番号 ロック / Kenhojo PIN blocked", kenhojo_tries=0
    ),
    "forgotten-pins": Scenario(
        "暗証番号を忘れた（両方ロック、照合番号は正常） / both PINs blocked, 照合番号 fine",
        auth_tries=0,
        kenhojo_tries=0,
    ),
    "collation-last-try": Scenario(
        "照合番号 残り1回 / 照合番号A and B: 1 try left", collation_tries=1
    ),
    "bad-internal-auth": Scenario(
        "内部認証の署名が検証できない（複製チップ） / internal authentication does not verify "
        "(a cloned chip)",
        cloned_chip=True,
    ),
    "tampered-signed-key": Scenario(
        "EF 0007 の署名が壊れている / EF 0007 issuer signature broken", signed_key_broken=True
    ),
    "removed-mid-read": Scenario(
        "読み取り中にカードが離れる / removed after 4 APDUs", remove_after=4
    ),
    "smartphone-token": Scenario(
        "スマホ用電子証明書 / Android JPKI token",
        token_label="JPKIAPGPSETOKEN",
        smartphone=True,
    ),
    "not-a-mynumber-card": Scenario("マイナンバーカード以外 / another card", mynumber_card=False),
    "long-address": Scenario("長い住所 / a long address", resident=LONG_ADDRESS_RESIDENT),
    "household-partner": Scenario(
        "同じ世帯の2人目（番号 太郎、別の暗証番号） / a second resident, same household, own PINs",
        resident=PARTNER_RESIDENT,
    ),
    "gaiji-name": Scenario(
        "JIS X 0208 外の氏名 / name outside JIS X 0208", resident=GAIJI_RESIDENT
    ),
}
SCENARIOS: dict[str, str] = {name: spec.description for name, spec in SCENARIO_SPECS.items()}
TAMPERED_ADDRESS_SUFFIX = "１０１号"


def build_profile(name: str, resident: Resident | None = None) -> CardProfile:
    """A fresh card for scenario ``name`` (optionally for another resident)."""
    try:
        spec = SCENARIO_SPECS[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}") from None
    if resident is not None:
        spec = replace(spec, resident=resident)
    if not spec.mynumber_card:
        return CardProfile(OTHER_CARD_ATR, [])
    applications = [jpki_application(name, spec)]
    if not spec.smartphone:
        applications += [kenhojo_application(spec), kenkaku_application(spec)]
    return CardProfile(CONTACTLESS_ATR, applications, remove_after=spec.remove_after)


# -- certificates -------------------------------------------------------------------------


def certificate_serial(scenario: str, resident: Resident, kind: str) -> int:
    return pki.serial_for(f"{resident.key_label}/{scenario}/{kind}")


def revoked_serials() -> list[int]:
    """Serials the test CAs list on their CRLs (the ``revoked`` scenario's certificates)."""
    spec = SCENARIO_SPECS["revoked"]
    return [certificate_serial("revoked", spec.resident, kind) for kind in ("auth", "sign")]


def end_entity_certificates(scenario: str, spec: Scenario) -> tuple[x509.Certificate, ...]:
    """(auth certificate, its CA, signing certificate, its CA) for the scenario's card."""
    resident = spec.resident
    auth_ca = pki.authority(pki.AUTH_CA_OU, impostor=spec.impostor)
    sign_ca = pki.authority(pki.SIGN_CA_OU, impostor=spec.impostor)
    auth = pki.issue_end_entity(
        auth_ca,
        pki.test_key(f"ee/{resident.key_label}/auth").public_key(),
        serial=certificate_serial(scenario, resident, "auth"),
        subject_cn=f"{pki.TEST_ONLY} {resident.key_label} auth",
        not_before=spec.window.not_before,
        not_after=spec.window.not_after,
    )
    holder = pki.Holder(resident.name, resident.sex, resident.birth_date, resident.address)
    sign = pki.issue_end_entity(
        sign_ca,
        pki.test_key(f"ee/{resident.key_label}/sign").public_key(),
        serial=certificate_serial(scenario, resident, "sign"),
        subject_cn=f"{pki.TEST_ONLY} {resident.key_label} sign",
        holder=holder,
        not_before=spec.window.not_before,
        not_after=spec.window.not_after,
    )
    return auth, auth_ca.certificate, sign, sign_ca.certificate


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def _certificate_file(ef: int, certificate: x509.Certificate, *requires: int) -> EmulatedFile:
    der = _der(certificate)
    return EmulatedFile(
        ef, der, size=max(CERTIFICATE_EF_SIZE, len(der)), read_requires=frozenset(requires)
    )


# -- applications -------------------------------------------------------------------------


def jpki_application(scenario: str, spec: Scenario) -> Application:
    auth, auth_ca, sign, sign_ca = end_entity_certificates(scenario, spec)
    label = spec.resident.key_label
    files = [
        _certificate_file(0x01, sign, 0x1B),
        _certificate_file(0x02, sign_ca),
        _certificate_file(0x0A, auth),
        _certificate_file(0x0B, auth_ca),
        EmulatedFile(0x06, contents.token_info(spec.token_label)),
        EmulatedFile(0x08, uncertain.CERTIFICATE_AVAILABILITY),  # both certificates present
    ]
    secrets = [
        Secret(0x18, spec.resident.auth_pin.encode(), 3, spec.auth_tries),
        Secret(0x1B, spec.resident.signing_password.encode(), 5, 5),
    ]
    keys = [
        SigningKey(0x17, pki.test_key(f"ee/{label}/auth"), requires=0x18),
        SigningKey(0x1A, pki.test_key(f"ee/{label}/sign"), requires=0x1B),
    ]
    return _application("JPKI", JPKI_AID, files, secrets, keys)


def kenhojo_application(spec: Scenario) -> Application:
    resident = spec.resident
    ap_key = pki.test_key(f"ap/{resident.key_label}/kenhojo")
    number = EmulatedFile(
        0x01,
        contents.my_number_file(resident.my_number),
        size=contents.MY_NUMBER_FILE_SIZE,
        read_requires=frozenset({0x11, 0x14}),
    )
    basic = contents.basic_info_file(resident.name, resident.address, resident)
    record = contents.integrity_record(number.physical, basic, ap_key)
    if spec.tampered:
        address = resident.address + TAMPERED_ADDRESS_SUFFIX
        basic = contents.basic_info_file(resident.name, address, resident)
    files = [
        number,
        EmulatedFile(0x02, basic, size=len(basic) + 16, read_requires=frozenset({0x11, 0x15})),
        EmulatedFile(
            0x03,
            record,
            size=contents.INTEGRITY_FILE_SIZE,
            read_requires=frozenset({0x11, 0x14, 0x15}),
        ),
        EmulatedFile(0x04, _cvc(contents.KENHOJO_ISSUER_KEY_ID, "kenhojo", ap_key)),
        *_pinless_key_files(spec, ap_key),
    ]
    secrets = [
        Secret(0x11, resident.kenhojo_pin.encode(), 3, spec.kenhojo_tries),
        _collation(0x14, resident.my_number, spec),
        _collation(0x15, resident.collation_number_b(), spec),
    ]
    # EF 0013 signs PIN-less internal authentication (P2 00). The record key (the CVC's)
    # also signs EF 0007, which certifies EF 0013's public half.
    chip_key = pki.test_key(f"ap/{resident.key_label}/kenhojo-chip")
    if spec.cloned_chip:  # a copy of the files on a chip without the original private key
        chip_key = pki.test_key(f"ap/{resident.key_label}/kenhojo-clone")
    keys = [SigningKey(0x13, chip_key, requires=None)] if uncertain.INTERNAL_AUTH_KENHOJO else []
    return _application("Kenhojo", KENHOJO_AID, files, secrets, keys)


def _collation(ef: int, value: str, spec: Scenario) -> Secret:
    return Secret(ef, value.encode(), COLLATION_MAX_TRIES, spec.collation_tries)


def _pinless_key_files(spec: Scenario, record_key: rsa.RSAPrivateKey) -> list[EmulatedFile]:
    """EF 0006 (session-key encryption key) and EF 0007 (the internal-auth key, signed)."""
    label = spec.resident.key_label
    chip_key = pki.test_key(f"ap/{label}/kenhojo-chip").public_key()
    session_key = pki.test_key(f"ap/{label}/kenhojo-session").public_key()
    signed = contents.signed_key_file(chip_key, record_key, broken=spec.signed_key_broken)
    opened_by = frozenset({0x11, 0x14, 0x15})
    return [
        EmulatedFile(0x06, contents.session_key_file(session_key), read_requires=opened_by),
        EmulatedFile(0x07, signed, read_requires=opened_by),
    ]


def kenkaku_application(spec: Scenario) -> Application:
    resident = spec.resident
    ap_key = pki.test_key(f"ap/{resident.key_label}/kenkaku")
    printed = resident.address + TAMPERED_ADDRESS_SUFFIX if spec.face_tampered else None
    face = contents.card_face_file(resident, ap_key, printed_address=printed)
    birth_key = resident.collation_number_b()[:6]  # era YYMMDD (sheet §4)
    files = [
        EmulatedFile(0x02, face, size=len(face) + 32, read_requires=frozenset({0x12, 0x13})),
        EmulatedFile(0x04, _cvc(contents.KENKAKU_ISSUER_KEY_ID, "kenkaku", ap_key)),
    ]
    secrets = [
        Secret(0x11, birth_key.encode(), COLLATION_MAX_TRIES, COLLATION_MAX_TRIES),
        _collation(0x12, resident.collation_number_b(), spec),
        _collation(0x13, resident.my_number, spec),
    ]
    keys = [SigningKey(0x1A, ap_key, requires=None)] if uncertain.INTERNAL_AUTH_KENKAKU else []
    return _application("Kenkaku", KENKAKU_AID, files, secrets, keys)


def cvc_issuer_key() -> rsa.RSAPrivateKey:
    """The test "J-LIS" key that signs the applications' CVCs (its public half is trust config)."""
    return pki.test_key("jlis/cvc-issuer")


def _cvc(issuer_id: str, ap: str, ap_key: rsa.RSAPrivateKey) -> bytes:
    return contents.cvc(cvc_issuer_key(), issuer_id, f"TEST-{ap}", ap_key.public_key())


def _application(
    name: str,
    aid: bytes,
    files: list[EmulatedFile],
    secrets: list[Secret],
    keys: list[SigningKey],
) -> Application:
    return Application(
        name,
        aid,
        files={file.ef: file for file in files},
        secrets={secret.ef: secret for secret in secrets},
        keys={key.ef: key for key in keys},
    )
