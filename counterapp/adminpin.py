"""The kiosk's administrator PIN: kept only as a salted scrypt hash in the data folder.

Staff leave the locked kiosk with a hidden gesture and this PIN. It is set with
``counterapp kiosk set-admin-pin``; without one the kiosk cannot be left from the screen.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path

from counterapp.audit import AuditEvent, AuditLog

ADMIN_PIN_FILE = "kiosk-admin-pin"
MIN_LENGTH = 6
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


class AdminPinError(ValueError):
    message_key = "kiosk.admin_pin_invalid"


def _derive(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, **_SCRYPT)


@dataclass(frozen=True)
class AdminPin:
    salt: bytes = field(repr=False)
    digest: bytes = field(repr=False)

    @classmethod
    def create(cls, pin: str) -> AdminPin:
        if len(pin) < MIN_LENGTH or not pin.isascii() or not pin.isdigit():
            raise AdminPinError(f"the administrator PIN has at least {MIN_LENGTH} digits")
        salt = os.urandom(16)
        return cls(salt, _derive(pin, salt))

    def matches(self, entered: str) -> bool:
        """Constant-time comparison of the derived keys."""
        return bool(entered) and hmac.compare_digest(_derive(entered, self.salt), self.digest)

    def dump(self) -> str:
        return f"scrypt${self.salt.hex()}${self.digest.hex()}"

    @classmethod
    def parse(cls, text: str) -> AdminPin:
        scheme, salt, digest = text.strip().split("$")
        if scheme != "scrypt":
            raise AdminPinError(f"unknown scheme {scheme!r}")
        return cls(bytes.fromhex(salt), bytes.fromhex(digest))


def save_admin_pin(data_dir: Path, pin: str) -> None:
    """Replace the stored PIN hash (file mode 0600); a PIN too short changes nothing."""
    line = AdminPin.create(pin).dump() + "\n"
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / ADMIN_PIN_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(line)


def load_admin_pin(data_dir: Path) -> AdminPin | None:
    """The configured PIN, or None (then the kiosk cannot be left from the screen)."""
    path = data_dir / ADMIN_PIN_FILE
    if not path.exists():
        return None
    try:
        return AdminPin.parse(path.read_text(encoding="ascii"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise AdminPinError(f"{path}: not an administrator PIN hash") from exc


def check_admin_pin(
    expected: AdminPin | None, entered: str, audit: AuditLog, *, where: str, refused_before: int
) -> bool:
    """Whether ``entered`` is the admin PIN; a refusal is audited with its count, never the PIN.

    ``refused_before`` counts the wrong PINs already entered in this dialog; ``where`` is the
    screen that asked ("clerk" or "kiosk"). Without a configured PIN nothing opens.
    """
    if expected is not None and expected.matches(entered):
        audit.append(AuditEvent.ADMIN_OPENED, where=where)
        return True
    audit.append(AuditEvent.ADMIN_PIN_REFUSED, where=where, refused=refused_before + 1)
    return False
