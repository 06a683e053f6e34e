"""Every behaviour the emulator assumes where the protocol sheet is UNCERTAIN — in one place.

Each is a named value the emulator uses, listed in ``ASSUMPTIONS`` with what a real card
would have to show to confirm or refute it, so the field kit can check them on real cards.
README's emulator section lists the same names (a test keeps the two in step).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes

# 照合番号A/B (and the Kenkaku birth-date key) allow this many wrong tries before blocking.
# Sources disagree or are silent: one Python project says 3.
COLLATION_MAX_TRIES = 3
# A blocked 照合番号 answers 6984 to every VERIFY, like a blocked PIN.
COLLATION_BLOCKED_SW = 0x6984
# Kenhojo answers 80 2A 00 00 (P2 00: the AP's default key, EF 0013) with no secret.
INTERNAL_AUTH_KENHOJO = True
# Kenkaku answers 80 2A 00 00 the same way with its key EF 001A (the terminal does not rely
# on it: Kenkaku has no signed record of that key to check the answer against).
INTERNAL_AUTH_KENKAKU = True
# EF 0007's DF52 is PKCS#1 v1.5 / SHA-256 over the DF51 TLV as stored, by the CVC's key.
SIGNED_KEY_HASH = hashes.SHA256()
# The CVC's 5F37 is PKCS#1 v1.5 / SHA-256 over the 5F4E body (as for the integrity record).
CVC_HASH = hashes.SHA256()
# 照合番号A opens Kenhojo 0001, 0003, 0006, 0007; 照合番号B opens 0002, 0003, 0006, 0007.
# In Kenkaku either opens the card face 0002 (A alone opens the My Number image 0005).
COLLATION_A_OPENS_BASIC_INFO = False
# The birth date in 照合番号B uses the Japanese-era year for everyone (for foreign
# residents it may be Gregorian; only an analogy with the old 住基カード suggests so).
COLLATION_B_ERA_YEAR_FOR_EVERYONE = True
# A VERIFY survives a warm reset / PC/SC reconnect; only power-off clears it.
RESET_CLEARS_SECURITY_STATE = False
# READ BINARY asking past the end returns what is left with 9000 (6282 also allowed).
SW_READ_PAST_END = 0x9000
# Signing schemes P1 01 (bare hash) and 04/05 (PSS) are refused with 6A86.
UNSUPPORTED_SIGN_SCHEMES = (0x01, 0x04, 0x05)
# The card-face signature: SHA-256 of {DF22-DF24}, {DF25-DF26}, {DF27}, the 96 bytes signed
# as a SHA-256 DigestInfo (SOL and JSA only).
CARD_FACE_SIGNED_GROUPS = ((0xDF22, 0xDF23, 0xDF24), (0xDF25, 0xDF26), (0xDF27,))
# JPKI EF 0008: both certificates present.
CERTIFICATE_AVAILABILITY = bytes.fromhex("8F8F00")
# SELECT by an AID prefix of at least the RID (5 bytes) selects the application.
MIN_AID_PREFIX = 5
# Certificate policy OIDs of the auth and signing certificates (OIDJS only).
AUTH_POLICY_OID = "1.2.392.200149.8.5.1.3.30"
SIGN_POLICY_OID = "1.2.392.200149.8.5.1.1.20"
# The signing certificate's SAN birth date is an era digit followed by YYYYMMDD (ZKM only).
SAN_BIRTH_DATE_ERA_DIGITS = (
    (dt.date(2019, 5, 1), "5"),
    (dt.date(1989, 1, 8), "4"),
    (dt.date(1926, 12, 25), "3"),
)


@dataclass(frozen=True)
class Assumption:
    name: str
    assumed: str
    check_on_a_real_card: str


ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption(
        "COLLATION_MAX_TRIES",
        "3 tries for 照合番号A and B in Kenhojo and Kenkaku",
        "empty VERIFY on EF 0014/0015 (Kenhojo), 0012/0013 (Kenkaku) of a fresh card: 63C3?",
    ),
    Assumption(
        "COLLATION_BLOCKED_SW",
        "a blocked 照合番号 answers 6984",
        "only on a card meant to be blocked: VERIFY after the last wrong try",
    ),
    Assumption(
        "INTERNAL_AUTH_KENHOJO",
        "Kenhojo signs 80 2A 00 00 with EF 0013 and no secret",
        "hardware-check: 80 2A 00 00 in Kenhojo gives 9000 and 256 bytes that verify "
        "with the EF 0007 key",
    ),
    Assumption(
        "INTERNAL_AUTH_KENKAKU",
        "Kenkaku signs 80 2A 00 00 with EF 001A and no secret",
        "80 2A 00 00 in Kenkaku: 9000 + 256 bytes, or 6985",
    ),
    Assumption(
        "SIGNED_KEY_HASH",
        "EF 0007 DF52 = PKCS#1 v1.5 / SHA-256 over the DF51 TLV, CVC key",
        "verify a real EF 0007 with the Kenhojo CVC key (a failure names this)",
    ),
    Assumption(
        "CVC_HASH",
        "CVC 5F37 = PKCS#1 v1.5 / SHA-256 over the 5F4E body",
        "verify a real CVC with the J-LIS issuer key",
    ),
    Assumption(
        "COLLATION_A_OPENS_BASIC_INFO",
        "照合番号A does not open the four items (Kenhojo 0002); B does not open 0001",
        "after 照合番号A alone: READ 0002 answers 6982?",
    ),
    Assumption(
        "COLLATION_B_ERA_YEAR_FOR_EVERYONE",
        "照合番号B's birth date uses the era year, also for foreign residents",
        "a foreign resident's card: which birth-date form opens it",
    ),
    Assumption(
        "RESET_CLEARS_SECURITY_STATE",
        "a warm reset keeps a VERIFY in effect",
        "VERIFY, reconnect, READ a protected file",
    ),
    Assumption(
        "SW_READ_PAST_END",
        "READ BINARY past the end: the rest with 9000",
        "READ BINARY with Le beyond the EF's end",
    ),
    Assumption(
        "UNSUPPORTED_SIGN_SCHEMES",
        "80 2A with P1 01, 04, 05 is refused (6A86)",
        "80 2A P1 01/04/05 in JPKI after the auth PIN",
    ),
    Assumption(
        "CARD_FACE_SIGNED_GROUPS",
        "the face signature covers three item-group digests, DigestInfo-wrapped",
        "verify a real card face with the Kenkaku CVC key",
    ),
    Assumption(
        "CERTIFICATE_AVAILABILITY",
        "JPKI EF 0008 reads 8F 8F 00",
        "READ BINARY of JPKI EF 0008",
    ),
    Assumption(
        "MIN_AID_PREFIX",
        "SELECT by an AID prefix of 5+ bytes selects the application",
        "SELECT with the first 5 bytes of the Kenhojo AID",
    ),
    Assumption(
        "AUTH_POLICY_OID",
        "the certificates' policy OIDs are ...1.3.30 (auth) and ...1.1.20 (sign)",
        "hardware-check: the auth certificate's certificatePolicies",
    ),
    Assumption(
        "SAN_BIRTH_DATE_ERA_DIGITS",
        "the signing certificate's SAN birth date is an era digit + YYYYMMDD",
        "the signing certificate's SAN (needs the signing password)",
    ),
)
