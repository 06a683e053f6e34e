"""Pytest plugin: every log record of the test session goes to one file, APDU trace included.

``tests/test_zz_no_secrets_in_logs.py`` (collected last) greps that file for the
test residents' PINs and My Numbers. Loaded with ``-p tests.logguard`` from pyproject.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import pytest

from cardreader.trace import TRACE

LOG_ENV = "COUNTERAPP_TEST_SESSION_LOG"


def session_log_path() -> Path | None:
    value = os.environ.get(LOG_ENV)
    return Path(value) if value else None


def pytest_configure(config: pytest.Config) -> None:
    fd, name = tempfile.mkstemp(prefix="counterapp-test-session-", suffix=".log")
    os.close(fd)
    # Subprocesses started by tests inherit it and could log there too.
    os.environ[LOG_ENV] = name
    handler = logging.FileHandler(name, encoding="utf-8")
    handler.setLevel(1)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(1)
    logging.getLogger("cardreader.apdu").setLevel(TRACE)
    config.stash[_HANDLER] = handler


def pytest_unconfigure(config: pytest.Config) -> None:
    handler = config.stash.get(_HANDLER, None)
    if handler is not None:
        logging.getLogger().removeHandler(handler)
        handler.close()


_HANDLER = pytest.StashKey[logging.FileHandler]()
