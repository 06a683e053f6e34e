"""The one door to the card emulator (TEST ONLY keys) for the terminal's code.

Nothing else in ``counterapp`` or ``ui`` imports ``cardreader.emulator``; callers import
this module only when ``--simulate``, the emulator as the configured source, or a test
asks for it, so a terminal reading real cards never loads the test PKI.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from pathlib import Path

from cryptography import x509

from cardreader.connection import CardConnection
from cardreader.emulator import contents, pki
from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.resident import (
    DEFAULT_RESIDENT,
    PARTNER_RESIDENT,
    Resident,
    ResidentPins,
    load_resident,
)
from cardreader.emulator.scenarios import (
    SCENARIO_SPECS,
    SCENARIOS,
    build_profile,
    cvc_issuer_key,
    revoked_serials,
)
from cardreader.emulator.vpcd import serve
from counterapp.verification.trust import TrustConfig

CRL_LIFETIME = dt.timedelta(days=7)

__all__ = [
    "DEFAULT_RESIDENT",
    "PARTNER_RESIDENT",
    "Resident",
    "ResidentPins",
    "VirtualCard",
    "connect",
    "emulated_card",
    "emulator_crls",
    "emulator_trust",
    "resident_of",
    "scenarios",
    "serve_in_vpcd",
]


def scenarios() -> Mapping[str, str]:
    """Scenario names and what each one shows."""
    return SCENARIOS


def resident_of(scenario: str) -> Resident:
    """The TEST ONLY resident whose card a scenario is (e.g. to type their PINs in a demo)."""
    return SCENARIO_SPECS[scenario].resident


def emulated_card(scenario: str, resident_file: Path | None = None) -> VirtualCard:
    """A card of ``scenario``: keep it to keep its PIN counters between reads."""
    resident: Resident | None = load_resident(resident_file) if resident_file else None
    return VirtualCard(build_profile(scenario, resident))


def connect(card: VirtualCard, latency_ms: int = 0, *, may_pull: bool = True) -> CardConnection:
    """An in-process connection to ``card`` with an optional delay per APDU.

    ``may_pull=False``: the scenario's pull mid-read (``removed-mid-read``) does not happen.
    """
    return EmulatorConnection(
        card, latency=latency_ms / 1000, remove_after="profile" if may_pull else None
    )


def serve_in_vpcd(
    card: VirtualCard,
    endpoint: tuple[str, int],
    *,
    stop: threading.Event,
    toggle: threading.Event,
    remove_after: int | None,
    trace_file: Path | None,
) -> None:
    """Keep ``card`` in pcscd's vpcd slot until ``stop`` (``toggle`` pulls it out or back)."""
    host, port = endpoint
    serve(
        card,
        host=host,
        port=port,
        remove_after=remove_after or card.profile.remove_after,
        stop=stop,
        toggle=toggle,
        trace_file=trace_file,
    )


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
