"""The card face (Kenkaku EF 0002) as J-LIS signed it: photo, printed name and address."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa

from cardreader.sessions import CardFace
from cardreader.sessions.kenhojo import CardVerifiableCertificate
from cardreader.sessions.kenkaku import card_face_signed_data
from counterapp.verification.checks import check_cvc, signature_ok
from counterapp.verification.verdict import CheckResult

CARD_FACE = "card_face"


def check_card_face(
    face: CardFace,
    cvc: CardVerifiableCertificate,
    issuer_keys: dict[bytes, rsa.RSAPublicKey],
) -> CheckResult:
    """The card face (photo, printed name and address) as J-LIS signed it (DF28, §5.4).

    The Kenkaku CVC must verify with a J-LIS issuer key (5000023 on real cards), and
    its key must verify the face signature over the three item-group digests.
    """
    problem = check_cvc(CARD_FACE, cvc, issuer_keys)
    if problem is not None:
        return problem
    if not signature_ok(cvc.public_key, face.signature, card_face_signed_data(face.raw)):
        return CheckResult.failed(CARD_FACE, "kenkaku.bad_signature", "face signature differs")
    return CheckResult.passed(CARD_FACE, "photo, name and address as the issuer signed them")
