"""``doctor``: one line per part the terminal depends on, each ok, warn or fail."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

from cardreader.errors import CardError
from counterapp import audit, outbox
from counterapp.auditkey import AuditKeyError
from counterapp.keyguard import backoffice_key, key_state, open_checked_vault
from counterapp.settings import Settings
from counterapp.store import open_database, pending_migrations, schema_version
from counterapp.vault import KeyMismatch, KeyMissing, KeyStoreKind, VaultError
from counterapp.verification.revocation import UnreadableCrl, load_crls
from counterapp.verification.sources import BACKOFFICE_CRLS
from counterapp.verification.status import GenerationState, trust_status
from counterapp.verification.trust import TrustError, load_trust
from counterapp.wire.sealing import key_id


class Health(enum.StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Finding:
    part: str  # reader, key_store, database, audit_log, trust_anchors, crl, municipality
    health: Health
    detail: str


def run_checks(settings: Settings, now: dt.datetime | None = None) -> list[Finding]:
    """Every check; one that raises unexpectedly is reported as failed, not as a crash."""
    moment = now or dt.datetime.now(dt.UTC)
    checks: list[tuple[str, Callable[[], tuple[Health, str]]]] = [
        ("reader", lambda: _reader(settings)),
        ("key_store", lambda: _key_store(settings)),
        ("sealing", lambda: _sealing(settings)),
        ("database", lambda: _database(settings)),
        ("audit_log", lambda: _audit_log(settings)),
        ("trust_anchors", lambda: _trust(settings, moment.date())),
        ("crl", lambda: _crl(settings, moment)),
        ("municipality", lambda: _municipality(settings)),
        ("backoffice", lambda: _backoffice(settings)),
        ("rejected", lambda: _rejected(settings)),
    ]
    findings = []
    for part, check in checks:
        try:
            health, detail = check()
        except Exception as exc:
            health, detail = Health.FAIL, f"{type(exc).__name__}: {exc}"
        findings.append(Finding(part, health, detail))
    return findings


def _reader(settings: Settings) -> tuple[Health, str]:
    if settings.reader is None:
        return Health.WARN, f"no reader configured: card emulator ({settings.scenario})"
    from cardreader.pcsc import find_reader  # pyscard is loaded only when a reader is used

    try:
        return Health.OK, find_reader(settings.reader)
    except CardError as exc:
        return Health.FAIL, f"{settings.reader!r}: {exc.message_key}"


def _key_store(settings: Settings) -> tuple[Health, str]:
    db = open_database(settings.data_dir)
    try:
        vault = open_checked_vault(db, settings)
    except (KeyMissing, KeyMismatch) as exc:
        state = key_state(db)
        return Health.FAIL, (
            f"{exc} ({state.deliverable} of the {state.sealed_forms} form(s) have a copy "
            "sealed for the back office)"
        )
    except VaultError as exc:
        return Health.FAIL, str(exc)
    if vault.kind is KeyStoreKind.FILE:
        return Health.WARN, f"key file {vault.location} (weaker than the OS key store)"
    return Health.OK, f"OS key store ({vault.location})"


def _sealing(settings: Settings) -> tuple[Health, str]:
    key = backoffice_key(settings)
    if key is None:
        return Health.WARN, (
            f"no back-office sealing key ({settings.backoffice_sealing_key}): a lost master key "
            "would lose the queued forms; copy sealing.pem (backoffice ca issue-terminal) there"
        )
    return Health.OK, f"forms are also sealed for the back office (key {key_id(key)[:16]})"


def _rejected(settings: Settings) -> tuple[Health, str]:
    failed = outbox.status(open_database(settings.data_dir)).failed
    if failed:
        return Health.FAIL, (
            f"{failed} form(s) refused by the back office and kept here: see 'counterapp queue "
            "list' (outbox=failed), then 'counterapp queue resend ID' or 'queue discard ID'"
        )
    return Health.OK, "none"


def _database(settings: Settings) -> tuple[Health, str]:
    db = open_database(settings.data_dir)
    result = db.execute("PRAGMA integrity_check").fetchone()[0]
    pending = pending_migrations(db)
    if result != "ok" or pending:
        return Health.FAIL, f"integrity {result}; pending migrations {pending}"
    return Health.OK, f"{settings.data_dir} (schema {schema_version(db)})"


def _audit_log(settings: Settings) -> tuple[Health, str]:
    try:
        db = open_database(settings.data_dir)
        check = audit.verify(db, audit.audit_key(db, settings.key_store))
    except AuditKeyError as exc:
        return Health.FAIL, str(exc)
    if check.record_id is not None:
        return Health.FAIL, f"record {check.record_id}: {check.problem}"
    if not check.ok:
        return Health.FAIL, f"entry {check.first_bad}: {check.problem}"
    return Health.OK, f"{check.entries} entries, chain and keys intact"


def _trust(settings: Settings, today: dt.date) -> tuple[Health, str]:
    try:
        trust = load_trust(settings.data_dir)
    except TrustError as exc:
        return Health.FAIL, str(exc)
    status = trust_status(trust, today)
    missing = status.missing_in_force
    if missing:
        names = ", ".join(f"{g.generation.kind} generation {g.generation.number}" for g in missing)
        files = ", ".join(g.generation.install_file for g in missing)
        return Health.FAIL, (
            f"J-LIS CA {names} missing (cards issued under it would be undetermined): "
            f"get {files} from J-LIS and run 'counterapp trust add FILE'"
        )
    installed = sum(g.state is GenerationState.INSTALLED for g in status.generations)
    detail = f"{installed} J-LIS CA generation(s) in force, {len(status.cvc_keys)} CVC key(s)"
    notes = []
    if status.expired:
        kept = ", ".join(f"{g.generation.kind} {g.generation.number}" for g in status.expired)
        notes.append(f"expired generation(s) kept for old signatures: {kept}")
    gone = [g for g in status.generations if g.state is GenerationState.MISSING]
    if gone:
        names = ", ".join(f"{g.generation.kind} {g.generation.number}" for g in gone)
        notes.append(f"generation(s) no longer in force and not installed: {names}")
    if notes:
        return Health.WARN, f"{detail}; " + "; ".join(notes)
    if trust.test_only:
        return Health.WARN, f"{detail}; TEST hierarchy installed (lab only)"
    return Health.OK, detail


def _crl(settings: Settings, now: dt.datetime) -> tuple[Health, str]:
    sources = list(settings.crl_sources)
    if not sources and settings.backoffice_url:  # the sync keeps the back office's CRLs here
        sources = [str(p) for p in sorted((settings.data_dir / BACKOFFICE_CRLS).glob("*.crl"))]
    if not sources:
        health = Health.WARN if settings.reader is None else Health.FAIL
        return health, "no CRL sources configured"
    loaded = load_crls(sources, settings.data_dir, now)
    crls = [crl for crl in loaded if not isinstance(crl, UnreadableCrl)]
    unreadable = "; ".join(
        f"{crl.source} ({crl.problem})" for crl in loaded if isinstance(crl, UnreadableCrl)
    )
    if not crls:
        return Health.FAIL, f"no configured CRL could be read: {unreadable}"
    newest = max(crl.last_update_utc for crl in crls)
    age = now - newest
    stale = [crl for crl in crls if crl.next_update_utc is None or crl.next_update_utc < now]
    detail = f"{len(crls)} CRL(s), newest issued {age.total_seconds() / 3600:.1f} h ago"
    if stale:
        detail += f", {len(stale)} past next update"
    if unreadable:
        detail += f", cannot read: {unreadable}"
    return (Health.FAIL if stale or unreadable else Health.OK), detail


def _municipality(settings: Settings) -> tuple[Health, str]:
    if not settings.municipality:
        return Health.WARN, "not set: forms leave the municipality blank (setting 'municipality')"
    return Health.OK, settings.municipality


def _backoffice(settings: Settings) -> tuple[Health, str]:
    if not settings.backoffice_url:
        return Health.WARN, "no backoffice_url: forms stay on this terminal"
    files = (settings.client_certificate, settings.client_key, settings.server_ca)
    missing = [name for name in files if not (settings.data_dir / name).exists()]
    if missing:
        return Health.FAIL, f"{settings.backoffice_url}: missing {', '.join(missing)}"
    state = outbox.status(open_database(settings.data_dir))
    detail = (
        f"{settings.backoffice_url}: {state.pending} pending, {state.failed} failed, "
        f"last success {state.last_success_at or 'never'}"
    )
    if state.failed or state.consecutive_failures:
        return Health.WARN, f"{detail}, last error {state.last_error}"
    return Health.OK, detail
