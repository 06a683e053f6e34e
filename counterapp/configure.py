"""Change one setting: checked by the typed settings, saved atomically, audited.

The one owner of "change a setting" for ``counterapp settings set`` and the admin screen.
The audit event names the setting; its value only when it is a number or a short key and
cannot be personal (a municipality's name, a URL or a reader's name are not recorded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counterapp.audit import SAFE_VALUE, TWELVE_DIGITS, AuditEvent, AuditLog
from counterapp.settings import Settings, save_setting, setting_from_text

if TYPE_CHECKING:
    from counterapp.verification.status import TrustStatus

# Settings whose value may name or identify a person: audited by name only.
PERSONAL_SETTINGS = frozenset({"operator"})


def change_setting(settings: Settings, audit: AuditLog, name: str, text: str | None) -> Settings:
    """Set ``name`` from typed text (None: back to its default); the new settings.

    A wrong value raises SettingsError naming the key; then nothing is saved or audited.
    """
    value = None if text is None else setting_from_text(name, text)
    changed = save_setting(settings.data_dir, name, value)
    detail: dict[str, Any] = {"setting": name}
    new = getattr(changed, name)
    if name not in PERSONAL_SETTINGS and _auditable(new):
        detail["value"] = new
    audit.append(AuditEvent.SETTINGS_CHANGED, **detail)
    return changed


def _auditable(value: object) -> bool:
    """A number or a short key (a choice, an id): what the audit log may hold."""
    if isinstance(value, int):
        return True
    return (
        isinstance(value, str) and bool(SAFE_VALUE.match(value)) and not TWELVE_DIGITS.search(value)
    )


def shown_settings(settings: Settings) -> list[tuple[str, str]]:
    """Every setting with its current value as text, in declaration order."""
    return [
        (f.name, _text(getattr(settings, f.name))) for f in fields(settings) if f.name != "data_dir"
    ]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


# What the admin screen shows besides the settings: readers, the terminal's TLS
# certificate and the J-LIS trust material (the same facts as `counterapp readers`,
# `counterapp doctor` and `counterapp trust status`).

CERTIFICATE_WARNING_DAYS = 30


@dataclass(frozen=True)
class CertificateStatus:
    """The terminal's client certificate for the back office: when it ends, who issued it."""

    path: Path
    found: bool
    not_after: dt.datetime | None = None
    issuer: str = ""
    problem: str = ""

    def days_left(self, now: dt.datetime) -> int | None:
        return None if self.not_after is None else (self.not_after - now).days

    def expires_soon(self, now: dt.datetime) -> bool:
        """Within 30 days (or already expired): time to ask the back office for a new one."""
        days = self.days_left(now)
        return days is not None and days < CERTIFICATE_WARNING_DAYS


def certificate_status(settings: Settings) -> CertificateStatus:
    """Read ``client_certificate`` (relative to the data folder); a missing file is said so."""
    from cryptography import x509

    path = settings.data_dir / settings.client_certificate
    if not path.exists():
        return CertificateStatus(path, found=False)
    try:
        certificate = x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        return CertificateStatus(path, found=True, problem=str(exc))
    return CertificateStatus(
        path,
        found=True,
        not_after=certificate.not_valid_after_utc,
        issuer=certificate.issuer.rfc4514_string(),
    )


def reader_names() -> tuple[str, ...]:
    """The PC/SC readers this PC sees (none when PC/SC is not running or not installed)."""
    try:
        from cardreader.pcsc import list_readers

        return tuple(reader.name for reader in list_readers())
    except Exception:  # no PC/SC service, no pyscard: the emulator is still a choice
        return ()


def trust_overview(settings: Settings, today: dt.date) -> TrustStatus:
    """The J-LIS generations installed or missing, as ``counterapp trust status`` reports them."""
    from counterapp.verification.status import trust_status
    from counterapp.verification.trust import load_trust

    return trust_status(load_trust(settings.data_dir), today)
