"""Change one setting: checked by the typed settings, saved atomically, audited.

The one owner of "change a setting" for ``counterapp settings set`` and the admin screen.
The audit event names the setting; its value only when it is a number or a short key and
cannot be personal (a municipality's name, a URL or a reader's name are not recorded).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from counterapp.audit import SAFE_VALUE, TWELVE_DIGITS, AuditEvent, AuditLog
from counterapp.settings import Settings, save_setting, setting_from_text

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
