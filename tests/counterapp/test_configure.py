"""Changing a setting: checked by the typed settings, saved atomically, audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from counterapp.audit import AuditLog, entries
from counterapp.configure import change_setting, shown_settings
from counterapp.settings import SETTINGS_FILE, SettingsError, load_settings
from counterapp.store import audit_log


def _changes(audit: AuditLog) -> list[dict[str, object]]:
    return [e.detail for e in entries(audit.db) if e.event == "settings.changed"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / SETTINGS_FILE).write_text('# 窓口1の端末\nterminal_id = "kiosk-1"\n', "utf-8")
    return tmp_path


def test_a_change_is_saved_kept_with_the_files_comments_and_audited(folder: Path) -> None:
    settings = load_settings(folder)
    audit = audit_log(settings)
    changed = change_setting(settings, audit, "kiosk_idle_seconds", "120")
    changed = change_setting(changed, audit, "municipality", "千代田区")
    assert (changed.kiosk_idle_seconds, changed.municipality) == (120, "千代田区")
    assert load_settings(folder) == changed  # what the next start reads
    text = (folder / SETTINGS_FILE).read_text("utf-8")
    assert text.startswith("# 窓口1の端末\n") and 'terminal_id = "kiosk-1"' in text
    assert _changes(audit) == [
        {"setting": "kiosk_idle_seconds", "value": 120},
        {"setting": "municipality"},  # a name is not a key: the value stays out of the log
    ]


@pytest.mark.parametrize(
    ("name", "text", "allowed"),
    [
        ("kiosk_idle_seconds", "0", "10 to 3600"),
        ("kiosk_idle_seconds", "soon", "10 to 3600"),
        ("backoffice_url", "http://10.0.0.5:8443", "https URL"),
        ("terminal_id", "窓口 1", "1–64 of A–Z"),
        ("kiosk_idle_second", "60", "did you mean: kiosk_idle_seconds"),
    ],
)
def test_a_wrong_value_is_refused_naming_the_setting_and_nothing_changes(
    folder: Path, name: str, text: str, allowed: str
) -> None:
    settings = load_settings(folder)
    audit = audit_log(settings)
    before = (folder / SETTINGS_FILE).read_bytes()
    with pytest.raises(SettingsError) as caught:
        change_setting(settings, audit, name, text)
    assert name in str(caught.value) and allowed in str(caught.value)
    assert (folder / SETTINGS_FILE).read_bytes() == before
    assert _changes(audit) == []


def test_the_operators_name_is_audited_without_its_value(folder: Path) -> None:
    settings = load_settings(folder)
    audit = audit_log(settings)
    change_setting(settings, audit, "operator", "yamada")
    assert _changes(audit) == [{"setting": "operator"}]


def test_unsetting_returns_to_the_default(folder: Path) -> None:
    settings = load_settings(folder)
    changed = change_setting(settings, audit_log(settings), "terminal_id", None)
    assert changed.terminal_id == "terminal-01"
    assert ("terminal_id", "terminal-01") in shown_settings(changed)


def _certificate(path: Path, days_left: int) -> None:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "counterapp test CA")])
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kiosk-1")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days_left, hours=1))
        .sign(key, hashes.SHA256())
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


@pytest.mark.parametrize(("days_left", "soon"), [(10, True), (29, True), (90, False)])
def test_the_terminal_certificate_warns_within_30_days(
    folder: Path, days_left: int, soon: bool
) -> None:
    import datetime as dt

    from counterapp.configure import certificate_status

    settings = load_settings(folder)
    assert not certificate_status(settings).found
    _certificate(folder / settings.client_certificate, days_left)
    status = certificate_status(settings)
    now = dt.datetime.now(dt.UTC)
    assert status.found and status.issuer == "CN=counterapp test CA"
    assert status.days_left(now) == days_left
    assert status.expires_soon(now) is soon
