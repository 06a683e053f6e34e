"""The back office installs and runs on a server without the terminal.

A fresh virtual environment gets only the back office's distribution
(``pip install ./backoffice``) and the tools to run its tests. There PySide6, pyscard,
keyring and reportlab are not importable and no Qt package is installed, ``backoffice
serve`` answers over mutual TLS, and the intake tests pass against it: they run from a copy
outside the repository, so not a line of terminal code is within reach.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tomllib
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grimp
import pytest
from cryptography.hazmat.primitives import serialization

from cardreader.emulator import pki
from tests.backoffice.card_signed import signed
from tests.backoffice.forms import SIGNED_AT, item
from tests.backoffice.server import running_backoffice

REPO = Path(__file__).resolve().parents[2]
BACKOFFICE_DISTRIBUTION = REPO / "backoffice"
SHARED_PACKAGE = "counterapp.wire"
# Terminal parts a server must not have: Qt, pyscard, keyring, reportlab, and our own.
NOT_ON_A_SERVER = (
    "PySide6",
    "shiboken6",
    "smartcard",
    "keyring",
    "reportlab",
    "cardreader",
    "ui",
    "counterapp.signing",
)
QT_DISTRIBUTION = re.compile(r"pyside|shiboken|\bqt", re.IGNORECASE)
# What the server-only tests need besides the back office, pinned as for development.
TEST_TOOLS = ("pytest", "pytest-timeout", "httpx", "python-ulid")
# The intake tests and the helpers they use: none imports the terminal.
SERVER_ONLY_SUITE = (
    "tests/__init__.py",
    "tests/backoffice/__init__.py",
    "tests/backoffice/conftest.py",
    "tests/backoffice/postgres.py",
    "tests/backoffice/server.py",
    "tests/backoffice/forms.py",
    "tests/backoffice/test_intake.py",
    "docs/backoffice-openapi.json",
)
SUITE_CONFIG = """\
[pytest]
addopts = -ra --strict-markers -p no:cacheprovider
timeout = 300
markers =
    slow: takes more than a few seconds
"""
# Checks, with the installed shared package, a signature the emulated card made here.
VERIFY_ON_THE_SERVER = """\
import datetime as dt, sys
from pathlib import Path
from cryptography import x509
from counterapp.wire.signatures import verify_detached
cms, content, anchor = (Path(name).read_bytes() for name in sys.argv[1:4])
anchors = [x509.load_pem_x509_certificate(anchor)]
at = dt.datetime.fromisoformat(sys.argv[4])
print(verify_detached(cms, content, anchors, at).reason or "valid")
print(verify_detached(cms, content + b" ", anchors, at).reason)
"""
INSTALL_TIMEOUT_SECONDS = 600
SUITE_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class ServerVenv:
    """A virtual environment holding only the back office (and its test tools)."""

    root: Path
    workdir: Path  # outside the repository: nothing of it is importable from here

    @property
    def python(self) -> str:
        return str(self.root / "bin" / "python")

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run the venv's python with ``args`` in ``workdir``."""
        return subprocess.run(
            [self.python, *args],
            cwd=self.workdir,
            env=_without_repository_paths(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _without_repository_paths() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return env


def _project(path: Path) -> dict[str, object]:
    project: dict[str, object] = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    return project


def _requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match is not None, requirement
    return match.group(0).lower()


def _dev_pins(names: tuple[str, ...]) -> list[str]:
    """The development install's requirement strings for ``names`` (the pins live there)."""
    root = _project(REPO / "pyproject.toml")
    extras = root["optional-dependencies"]
    assert isinstance(extras, dict) and isinstance(root["dependencies"], list)
    development = [*root["dependencies"], *extras["dev"]]
    pins = [req for req in development if _requirement_name(req) in names]
    assert sorted(_requirement_name(pin) for pin in pins) == sorted(names)
    return pins


@pytest.fixture(scope="module")
def server_venv(tmp_path_factory: pytest.TempPathFactory) -> ServerVenv:
    root = tmp_path_factory.mktemp("server-venv")
    venv.EnvBuilder(with_pip=True).create(root)
    workdir = tmp_path_factory.mktemp("server-workdir")
    installed = ServerVenv(root, workdir).run(
        "-m",
        "pip",
        "install",
        "--quiet",
        str(BACKOFFICE_DISTRIBUTION),
        *_dev_pins(TEST_TOOLS),
        timeout=INSTALL_TIMEOUT_SECONDS,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return ServerVenv(root, workdir)


def test_the_back_office_distribution_asks_for_what_the_development_install_has() -> None:
    # Root: the terminal's distribution, whose "backoffice" extra serves development;
    # backoffice/pyproject.toml: the server's. A pin changed in one is changed in both.
    root = _project(REPO / "pyproject.toml")
    extras = root["optional-dependencies"]
    assert isinstance(extras, dict) and isinstance(root["dependencies"], list)
    development = set(root["dependencies"]) | set(extras["backoffice"])
    server = _project(BACKOFFICE_DISTRIBUTION / "pyproject.toml")
    assert isinstance(server["dependencies"], list)
    assert set(server["dependencies"]) <= development
    assert set(extras["backoffice"]) <= set(server["dependencies"])


@pytest.mark.slow
def test_no_terminal_part_is_importable_on_the_server(server_venv: ServerVenv) -> None:
    probe = (
        "import importlib.util, json, sys\n"
        "def found(name):\n"
        "    try:\n"
        "        return importlib.util.find_spec(name) is not None\n"
        "    except ModuleNotFoundError:\n"
        "        return False\n"
        "print(json.dumps({name: found(name) for name in sys.argv[1:]}))\n"
    )
    result = server_venv.run("-c", probe, *NOT_ON_A_SERVER, "counterapp.wire", "backoffice")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert [name for name in NOT_ON_A_SERVER if found[name]] == []
    assert found["counterapp.wire"] and found["backoffice"]


@pytest.mark.slow
def test_pip_lists_no_qt_package_on_the_server(server_venv: ServerVenv) -> None:
    listed = server_venv.run("-m", "pip", "list", "--format=json")
    assert listed.returncode == 0, listed.stderr
    names = [package["name"] for package in json.loads(listed.stdout)]
    assert [name for name in names if QT_DISTRIBUTION.search(name)] == []
    assert "counterapp-backoffice" in names and "counterapp" not in names
    for terminal_part in ("PySide6-Essentials", "pyscard", "keyring", "reportlab"):
        shown = server_venv.run("-m", "pip", "show", terminal_part)
        assert shown.returncode != 0, f"{terminal_part} is installed on the server"


@pytest.mark.slow
def test_backoffice_serve_answers_on_the_server(server_venv: ServerVenv) -> None:
    data_dir = server_venv.workdir / "backoffice-data"
    serve = [str(server_venv.root / "bin" / "backoffice")]  # the installed console script
    with running_backoffice(data_dir, command=serve) as server:
        terminal = server.issue_terminal("kita-01")
        with terminal.client(server) as client:
            health = client.get("/v1/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "sqlite", "version": "0.1.0"}


@pytest.mark.slow
def test_a_card_signature_verifies_on_the_server(server_venv: ServerVenv) -> None:
    form = signed(item())
    assert form.signature is not None
    files = server_venv.workdir / "signature"
    files.mkdir(exist_ok=True)
    cms, content, anchor = files / "form.p7s", files / "form.json", files / "sign-ca.pem"
    cms.write_bytes(base64.b64decode(form.signature))
    content.write_bytes(form.canonical())
    certificate = pki.authority(pki.SIGN_CA_OU).certificate
    anchor.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    paths = (str(cms), str(content), str(anchor), SIGNED_AT.isoformat())
    result = server_venv.run("-c", VERIFY_ON_THE_SERVER, *paths)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["valid", "signature.content_changed"]


@pytest.fixture
def server_only_suite(server_venv: ServerVenv) -> Iterator[Path]:
    suite = server_venv.workdir / "suite"
    for relative in SERVER_ONLY_SUITE:
        target = suite / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / relative, target)
    (suite / "pytest.ini").write_text(SUITE_CONFIG, encoding="utf-8")
    yield suite
    shutil.rmtree(suite)


@pytest.mark.slow
def test_the_intake_tests_pass_on_the_server(
    server_venv: ServerVenv, server_only_suite: Path
) -> None:
    result = subprocess.run(
        [server_venv.python, "-m", "pytest", "-q", "tests/backoffice/test_intake.py"],
        cwd=server_only_suite,
        env=_without_repository_paths(),
        capture_output=True,
        text=True,
        timeout=SUITE_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert re.search(r"\b\d+ passed\b", result.stdout), result.stdout[-2000:]


def test_the_shared_package_imports_nothing_of_ours_outside_itself() -> None:
    # import-linter cannot forbid a package's siblings (counterapp.* but counterapp.wire), so
    # the graph is asked directly: on a server nothing else of counterapp is installed.
    graph = grimp.build_graph("counterapp", "cardreader", "ui", "backoffice")
    shared = {module for module in graph.modules if _inside(module, SHARED_PACKAGE)}
    outside = {
        (module, imported)
        for module in shared
        for imported in graph.find_modules_directly_imported_by(module)
        if not _inside(imported, SHARED_PACKAGE)
    }
    assert outside == set()


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")
