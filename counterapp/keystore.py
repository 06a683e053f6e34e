"""The OS key store (keyring) where the vault's master key and the audit key are kept.

``keyring.get_keyring()`` finds a backend by importing every backend it knows and scanning
all installed packages' entry points for more: about 80 ms at the start of every command
that needs a key. The terminal needs only its platform's store, so that one is chosen
directly (Windows Credential Manager, the macOS Keychain, the Secret Service on Linux
desktops). An explicit choice made for keyring (``PYTHON_KEYRING_BACKEND`` or a
``keyringrc.cfg``) still wins: then keyring chooses as it always does. keyring itself is
imported only here and only when a key is asked of the OS key store: ``key_store = "file"``
never pays for it.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "counterapp"


class KeyStoreRefused(Exception):
    """The OS key store refused access (locked, denied, gone); says only the error's kind."""

    message_key = "vault.unavailable"


@functools.cache
def os_key_store() -> KeyringBackend | None:
    """This machine's real OS key store, or None (no store, or keyring's fail/null backends)."""
    if os.environ.get("PYTHON_KEYRING_BACKEND") or _keyring_configured():
        import keyring

        chosen = keyring.get_keyring()
        usable = float(getattr(chosen, "priority", 0)) > 0
        return chosen if usable and "fail" not in type(chosen).__module__ else None
    backend = _platform_backend()
    return backend() if backend is not None and bool(backend.viable) else None


def keyring_usable() -> bool:
    """Does this machine have a real OS key store?"""
    return os_key_store() is not None


def read_secret(user: str) -> str | None:
    """The secret kept for ``user``, or None when there is none."""
    from keyring.errors import KeyringError

    try:
        return _store().get_password(SERVICE, user)
    except KeyringError as exc:
        raise KeyStoreRefused(type(exc).__name__) from exc


def write_secret(user: str, secret: str) -> None:
    from keyring.errors import KeyringError

    try:
        _store().set_password(SERVICE, user, secret)
    except KeyringError as exc:
        raise KeyStoreRefused(type(exc).__name__) from exc


def delete_secret(user: str) -> None:
    """Remove what is kept for ``user``; nothing kept is not an error."""
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        _store().delete_password(SERVICE, user)
    except PasswordDeleteError:
        return
    except KeyringError as exc:
        raise KeyStoreRefused(type(exc).__name__) from exc


def _store() -> KeyringBackend:
    store = os_key_store()
    if store is None:
        raise KeyStoreRefused("NoKeyringError")
    return store


def _keyring_configured() -> bool:
    from keyring.util import platform_

    root: Path = platform_.config_root()
    return (root / "keyringrc.cfg").is_file()


def _platform_backend() -> type[KeyringBackend] | None:
    if sys.platform == "win32":
        from keyring.backends.Windows import WinVaultKeyring

        return WinVaultKeyring
    if sys.platform == "darwin":
        from keyring.backends.macOS import Keyring as MacKeychain

        return MacKeychain
    from keyring.backends.SecretService import Keyring as SecretService

    return SecretService
