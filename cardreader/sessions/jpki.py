"""The JPKI application (公的個人認証AP): certificates, PINs and signatures."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from cardreader.apdu import CommandApdu
from cardreader.errors import MalformedResponse
from cardreader.pin import PinKind, PinStatus
from cardreader.sessions.base import SFI_FLAG, ApplicationSession

JPKI_AID = bytes.fromhex("D392F000260100000001")

EF_SIGNING_CERT = 0x01
EF_SIGNING_CA = 0x02
EF_TOKEN_INFO = 0x06
EF_AUTH_CERT = 0x0A
EF_AUTH_CA = 0x0B
EF_AUTH_KEY = 0x17
EF_AUTH_PIN = 0x18
EF_SIGNING_KEY = 0x1A
EF_SIGNING_PIN = 0x1B

TOKEN_LABEL_LENGTH = 32
SIGNATURE_LENGTH = 256
SHA256_DIGEST_INFO_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


class TokenKind(enum.Enum):
    """What answers as the JPKI application (label in EF 0006)."""

    MYNUMBER_CARD = "JPKIAPICCTOKEN2"
    JUKI_CARD = "JPKIAPICCTOKEN"
    ANDROID = "JPKIAPGPSETOKEN"
    IPHONE = "JPKIAPIOSTOKEN"
    UNKNOWN = ""

    @property
    def is_smartphone(self) -> bool:
        return self in (TokenKind.ANDROID, TokenKind.IPHONE)


@dataclass(frozen=True)
class TokenInfo:
    label: str
    kind: TokenKind


class CertificateKind(enum.Enum):
    """The four certificates of the JPKI application, with their EF."""

    AUTH = EF_AUTH_CERT
    AUTH_CA = EF_AUTH_CA
    SIGNING = EF_SIGNING_CERT
    SIGNING_CA = EF_SIGNING_CA


_PIN_EF = {PinKind.AUTH: EF_AUTH_PIN, PinKind.SIGNING: EF_SIGNING_PIN}
_KEY_EF = {PinKind.AUTH: EF_AUTH_KEY, PinKind.SIGNING: EF_SIGNING_KEY}


def sha256_digest_info(message: bytes) -> bytes:
    """DER DigestInfo of SHA-256(message), the input the card signs."""
    return SHA256_DIGEST_INFO_PREFIX + hashlib.sha256(message).digest()


class JpkiSession(ApplicationSession):
    """Commands of the JPKI application. Selecting another application ends the session."""

    AID = JPKI_AID
    LABEL = "JPKI"

    def read_token_info(self) -> TokenInfo:
        """Tell a My Number card from a smartphone JPKI token (no PIN)."""
        raw = self._read_file(EF_TOKEN_INFO, size=TOKEN_LABEL_LENGTH)
        label = raw.decode("ascii", "replace").strip(" \x00")
        kind = next((k for k in TokenKind if k.value == label), TokenKind.UNKNOWN)
        return TokenInfo(label, kind)

    def read_certificate(self, kind: CertificateKind) -> x509.Certificate:
        """Read one certificate; the signing certificate needs the signing password first."""
        return parse_certificate(self._read_file(kind.value), kind.name)

    def read_auth_certificate(self) -> x509.Certificate:
        """The 利用者証明用電子証明書 (no PIN)."""
        return self.read_certificate(CertificateKind.AUTH)

    def read_signing_certificate(self) -> x509.Certificate:
        """The 署名用電子証明書 (after ``verify_pin(PinKind.SIGNING, ...)``)."""
        return self.read_certificate(CertificateKind.SIGNING)

    def pin_status(self, kind: PinKind) -> PinStatus:
        """Tries left for the auth PIN or the signing password; uses no try."""
        return self._pin_status(kind, _pin_ef(kind))

    def verify_pin(
        self, kind: PinKind, pin: bytes | bytearray | str, *, allow_last_try: bool = False
    ) -> None:
        """Verify the PIN once; refuses the last try unless ``allow_last_try``."""
        self._verify_pin(kind, _pin_ef(kind), pin, allow_last_try=allow_last_try)

    def sign_digest_info(self, kind: PinKind, digest_info: bytes) -> bytes:
        """Have the card sign a DER DigestInfo with the auth or signing key (PKCS#1 v1.5)."""
        command = CommandApdu(0x80, 0x2A, 0x00, SFI_FLAG | _KEY_EF[kind], digest_info, le=256)
        signature = self._send(command)
        if len(signature) != SIGNATURE_LENGTH:
            raise MalformedResponse("signature has the wrong length")
        return signature

    def sign_sha256(self, kind: PinKind, message: bytes) -> bytes:
        """Sign SHA-256(message) with the given key."""
        return self.sign_digest_info(kind, sha256_digest_info(message))


# What cryptography raises, at load time or lazily on access, for a garbled certificate.
_UNPARSABLE = (
    ValueError,
    UnsupportedAlgorithm,
    x509.UnsupportedGeneralNameType,
    x509.InvalidVersion,
    x509.DuplicateExtension,
)


def parse_certificate(der: bytes, what: str = "card") -> x509.Certificate:
    """A DER X.509 certificate as read from the card; MalformedResponse if it is not one."""
    try:
        cert = x509.load_der_x509_certificate(der)
        # cryptography decodes these lazily: touch them so a garbled certificate fails here.
        _ = (cert.subject, cert.issuer, cert.extensions, cert.signature_algorithm_oid)
        cert.public_key()
    except _UNPARSABLE as exc:
        raise MalformedResponse(f"{what} certificate is not valid DER") from exc
    return cert


def _pin_ef(kind: PinKind) -> int:
    if kind not in _PIN_EF:
        raise ValueError(f"the JPKI application has no {kind.value} PIN")
    return _PIN_EF[kind]
