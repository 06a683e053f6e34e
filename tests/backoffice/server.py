"""A real ``backoffice serve`` in a subprocess, for the back office's tests and the
terminal-side sync tests.

    with running_backoffice(tmp_path / "bo") as server:
        terminal = server.issue_terminal("kita-01")
        with terminal.client(server) as client:
            client.post("/v1/submissions", json=...)
        server.kill()      # kill -9
        server.start()     # same data folder, same port

The subprocess gets ``--data-dir``/``--db`` through BACKOFFICE_DATA_DIR/BACKOFFICE_DB, so
``server.cli("terminals", "disable", "kita-01")`` administers the same service.
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from backoffice.store import Store

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 15.0


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class TerminalCredentials:
    """What ``backoffice ca issue-terminal`` hands a terminal: key, certificate, CA."""

    name: str
    cert: Path
    key: Path
    ca: Path

    def ssl_context(self) -> ssl.SSLContext:
        """Client TLS: present the terminal certificate, trust only the municipal CA."""
        context = ssl.create_default_context(cafile=str(self.ca))
        context.load_cert_chain(str(self.cert), str(self.key))
        return context

    def client(self, server: BackofficeServer, timeout: float = 30.0) -> httpx.Client:
        """An httpx client for ``server`` authenticating as this terminal."""
        return httpx.Client(base_url=server.url, verify=self.ssl_context(), timeout=timeout)


class BackofficeServer:
    """One back-office service process on a fixed port and data folder (restartable)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        database_url: str | None = None,
        port: int | None = None,
        crls: Sequence[Path] = (),
        command: Sequence[str] = (sys.executable, "-m", "backoffice"),
        serve_args: Sequence[str] = (),
    ) -> None:
        self.data_dir = data_dir
        self.serve_args = tuple(serve_args)
        self.command = tuple(command)  # how to run the back office whose install is tested
        self.database_url = database_url
        self.port = port if port is not None else free_port()
        self.crls = tuple(crls)
        self.log_file = data_dir / "server.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://{HOST}:{self.port}"

    @property
    def ca_cert(self) -> Path:
        """The municipal CA that signed the server and terminal certificates."""
        return self.data_dir / "ca" / "ca.pem"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def env(self) -> dict[str, str]:
        """Environment for any ``backoffice`` command against this service."""
        env = dict(os.environ, BACKOFFICE_DATA_DIR=str(self.data_dir))
        if self.database_url is not None:
            env["BACKOFFICE_DB"] = self.database_url
        else:
            env.pop("BACKOFFICE_DB", None)
        return env

    def start(self) -> None:
        """Start ``backoffice serve`` and wait until it accepts connections."""
        assert not self.running, "already running"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [*self.command, "serve", "--port", str(self.port), *self.serve_args]
        for crl in self.crls:
            command += ["--crl", str(crl)]
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                command, env=self.env(), stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_until_listening()

    def stop(self) -> None:
        """SIGTERM: uvicorn finishes requests in flight, then exits."""
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        """kill -9: no shutdown at all, as in a power cut."""
        self._signal(signal.SIGKILL)

    def restart(self) -> None:
        """Stop (if running) and start again on the same data folder and port."""
        if self.running:
            self.stop()
        self.start()

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``backoffice ARGS`` against this service's data folder and database."""
        result = subprocess.run(
            [*self.command, *args],
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"backoffice {' '.join(args)}: {result.stdout}{result.stderr}")
        return result

    def issue_terminal(self, name: str) -> TerminalCredentials:
        """Issue a terminal certificate and register the terminal (enabled)."""
        out = self.data_dir / "issued" / name
        self.cli("ca", "issue-terminal", name, "--out", str(out))
        return TerminalCredentials(name, out / "terminal.pem", out / "terminal.key", out / "ca.pem")

    def open_store(self) -> Store:
        """The service's database, opened in the test process (close it after use)."""
        url = self.database_url or f"sqlite:///{(self.data_dir / 'backoffice.db').resolve()}"
        return Store.open(url)

    def log(self) -> str:
        """What the server printed so far."""
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    def _signal(self, signum: int) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signum)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_SECONDS)

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"backoffice serve exited:\n{self.log()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"backoffice serve did not start in time:\n{self.log()}")


@contextmanager
def running_backoffice(
    data_dir: Path,
    *,
    database_url: str | None = None,
    port: int | None = None,
    crls: Sequence[Path] = (),
    command: Sequence[str] = (sys.executable, "-m", "backoffice"),
    serve_args: Sequence[str] = (),
) -> Iterator[BackofficeServer]:
    """A started service on a fresh (or given) data folder; stopped on exit."""
    server = BackofficeServer(
        data_dir,
        database_url=database_url,
        port=port,
        crls=crls,
        command=command,
        serve_args=serve_args,
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
