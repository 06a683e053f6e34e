"""The emulator's TEST ONLY trust: its CA anchors, its CVC issuer keys and fresh CRLs.

Used only when the card is the emulator; a terminal reading real cards refuses it.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509

from cardreader.emulator import contents, pki
from cardreader.emulator.scenarios import cvc_issuer_key, revoked_serials
from counterapp.verification.trust import TrustConfig

CRL_LIFETIME = dt.timedelta(days=7)


def emulator_trust() -> TrustConfig:
    """The genuine test CAs (not the impostors) and the test "J-LIS" CVC issuer key."""
    anchors = tuple(pki.authority(ou).certificate for ou in (pki.AUTH_CA_OU, pki.SIGN_CA_OU))
    issuer = cvc_issuer_key().public_key()
    keys = {
        contents.key_id(contents.KENHOJO_ISSUER_KEY_ID): issuer,
        contents.key_id(contents.KENKAKU_ISSUER_KEY_ID): issuer,
    }
    return TrustConfig(anchors, keys, test_only=True)


def emulator_crls(at: dt.datetime) -> list[x509.CertificateRevocationList]:
    """CRLs from both test CAs, fresh at ``at``, listing the ``revoked`` scenario's certificates."""
    this_update = at - dt.timedelta(hours=1)
    return [
        pki.issue_crl(
            pki.authority(ou),
            revoked_serials(),
            this_update=this_update,
            next_update=this_update + CRL_LIFETIME,
        )
        for ou in (pki.AUTH_CA_OU, pki.SIGN_CA_OU)
    ]
