"""Which trust anchors and CRLs a verification uses, from the settings and the card source."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from counterapp.cardsource import CardSource
from counterapp.settings import Settings
from counterapp.verification.revocation import AnyCrl, CrlError, load_crls, read_crl_file
from counterapp.verification.trust import TrustConfig, TrustError, load_trust

BACKOFFICE_CRLS = Path("crl") / "backoffice"


def trust_for(source: CardSource, settings: Settings) -> TrustConfig:
    """The shipped and added anchors; the emulator's TEST ONLY anchors only where allowed.

    The shipped production anchors alone do not replace the emulator's test trust (no
    emulated card chains to J-LIS); anchors the operator added do. J-LIS test-card
    hierarchies (O=JPKI-TEST, CVC keys 6000xxx) count only with ``test_trust = "test-lab"``.
    """
    trust = load_trust(settings.data_dir)
    lab = settings.test_trust == "test-lab"
    test_allowed = source.is_emulator or lab
    if not trust.operator_configured and test_allowed:
        from counterapp.emulation import emulator_trust

        return emulator_trust()
    if not lab:
        trust = trust.without_test_hierarchies()
    if not trust.anchors:
        raise TrustError(
            "no trust anchors configured: install the J-LIS CA certificates with "
            "'counterapp trust add FILE'"
        )
    if trust.test_only and not test_allowed:
        raise TrustError("refusing to verify a real card against TEST ONLY trust anchors")
    return trust


def crls_for(
    trust: TrustConfig, settings: Settings, when: dt.datetime, crl_files: Sequence[Path] = ()
) -> list[AnyCrl]:
    """CRLs from explicit files, else the configured sources, else (test trust) fresh test CRLs."""
    if crl_files:
        return [read_crl_file(path) for path in crl_files]
    if not settings.crl_sources and settings.backoffice_url:
        # The sync keeps the back office's current CRLs here (counterapp.sync).
        cached = sorted((settings.data_dir / BACKOFFICE_CRLS).glob("*.crl"))
        return load_crls([str(path) for path in cached], settings.data_dir, when)
    if settings.crl_sources or not trust.test_only:
        # Configured sources that cannot be read give no CRL: the check says "missing".
        return load_crls(settings.crl_sources, settings.data_dir, when)
    from counterapp.emulation import emulator_crls

    return list(emulator_crls(when))


__all__ = ["CrlError", "TrustError", "crls_for", "trust_for"]
