"""A certificate naming a J-LIS CA generation this terminal lacks: a trust gap, not a forgery."""

from __future__ import annotations

from cryptography import x509

from counterapp.verification.shipped import ShippedTrustError, shipped_trust


def generation_gap(
    cert: x509.Certificate, anchors: tuple[x509.Certificate, ...]
) -> dict[str, str] | None:
    """When ``cert`` names a J-LIS CA whose key (its AKI) no installed anchor has: what to install.

    None when the issuer is no J-LIS CA name, when the certificate carries no key
    identifier, or when an anchor with that name and key identifier is installed (then
    a failed path means a bad signature: not genuine).
    """
    try:
        kind = shipped_trust().kind_of_name(cert.issuer)
    except (OSError, ValueError, KeyError, ShippedTrustError):
        return None
    if kind is None:
        return None
    try:
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except x509.ExtensionNotFound:
        return None
    if aki.key_identifier is None:
        return None
    if any(a.subject == cert.issuer and _key_identifier(a) == aki.key_identifier for a in anchors):
        return None
    return {"kind": kind, "key_id": aki.key_identifier.hex(":").upper()}


def _key_identifier(anchor: x509.Certificate) -> bytes:
    try:
        return anchor.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        return x509.SubjectKeyIdentifier.from_public_key(anchor.public_key()).digest
