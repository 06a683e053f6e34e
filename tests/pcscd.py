"""A pcscd with the vpcd virtual reader on a port chosen per run, one test run at a time.

pcscd is one per machine (pcsc-lite 1.9 ignores ``PCSCLITE_CSOCK_NAME``), so two test runs
cannot each have their own. Instead a run takes a file lock (``LOCK_FILE``) for as long as it
uses pcscd — a second run waits for it, saying so — and starts pcscd with a private
reader.conf (``pcscd --foreground -c DIR``) whose vpcd slot listens on a free port chosen at
run time. A stray ``counterapp simulate serve`` on Debian's default port 35963 therefore
never puts a card into a test's reader.

Used by ``tests/conftest.py`` (the ``pcscd`` fixture) and by ``bench/apdu_counts.py``.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

LOCK_FILE = Path(tempfile.gettempdir()) / "counterapp-pcscd.lock"
STATE_FILE = LOCK_FILE.with_suffix(".json")  # pid and port of the pcscd a run started
RUN_DIR = Path("/run/pcscd")
SYSTEM_CONF = Path("/etc/reader.conf.d/vpcd")
DEFAULT_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
DEFAULT_PORT = 0x8C7B  # Debian's /etc/reader.conf.d/vpcd: 35963 (and 35964 for slot 2)
FRIENDLY_NAME = "Virtual PCD"
START_SECONDS = 15.0

Announce = Callable[[str], None]


class PcscdUnavailable(Exception):
    """pcscd or the vpcd driver is missing, or another pcscd without vpcd is running."""


class PcscdService:
    """The pcscd a test run started itself: a test may stop it and start it again."""

    def __init__(self, port: int, conf_dir: Path) -> None:
        self.port, self.conf_dir = port, conf_dir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = _start(self.port, self.conf_dir)
        STATE_FILE.write_text(json.dumps({"pid": self.process.pid, "port": self.port}), "utf-8")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
        STATE_FILE.unlink(missing_ok=True)


@dataclass(frozen=True)
class VirtualReader:
    """The vpcd reader of this run: slot 0 takes the virtual card, slot 1 stays empty."""

    port: int
    service: PcscdService | None = field(default=None, compare=False)  # None: not ours to stop

    @property
    def name(self) -> str:
        """PC/SC name of the slot the virtual card goes into."""
        return f"{FRIENDLY_NAME} 00 00"

    @property
    def empty_slot(self) -> str:
        """PC/SC name of vpcd's second slot (port + 1), which no test fills."""
        return f"{FRIENDLY_NAME} 00 01"

    @property
    def endpoint(self) -> str:
        """``HOST:PORT`` for ``counterapp simulate serve --vpcd``."""
        return f"127.0.0.1:{self.port}"


def vpcd_listening(port: int) -> bool:
    """Does vpcd listen on ``port``? Asked of the kernel: connecting would insert a card."""
    out = subprocess.run(
        ["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True, check=False
    )
    return bool(out.stdout.strip())


def _port_is_free(port: int) -> bool:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        try:
            probe.bind(("0.0.0.0", port))  # vpcd listens on every interface
        except OSError:
            return False
    return True


def free_port_pair() -> int:
    """A free TCP port whose successor is free too (vpcd's two slots)."""
    for _ in range(100):
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
            probe.bind(("0.0.0.0", 0))
            port = int(probe.getsockname()[1])
        if port < 65535 and _port_is_free(port + 1):
            return port
    raise PcscdUnavailable("no two free consecutive TCP ports for vpcd")


def vpcd_driver() -> Path:
    """The vpcd driver library, as Debian's reader.conf names it."""
    if SYSTEM_CONF.exists():
        for line in SYSTEM_CONF.read_text(encoding="utf-8").splitlines():
            key, _, value = line.strip().partition(" ")
            if key == "LIBPATH" and Path(value.strip()).exists():
                return Path(value.strip())
    if DEFAULT_DRIVER.exists():
        return DEFAULT_DRIVER
    raise PcscdUnavailable("the vpcd driver is not installed (Debian's vsmartcard-vpcd)")


def reader_conf(port: int, driver: Path) -> str:
    """A reader.conf for one vpcd reader listening on ``port`` (vpcd takes it in hex)."""
    return (
        f'FRIENDLYNAME "{FRIENDLY_NAME}"\n'
        f"DEVICENAME   /dev/null:0x{port:04X}\n"
        f"LIBPATH      {driver}\n"
        f"CHANNELID    0x{port:04X}\n"
    )


@contextmanager
def exclusive_use(announce: Announce) -> Iterator[None]:
    """Hold ``LOCK_FILE`` (flock) while the caller uses pcscd; wait, saying so, if taken."""
    handle: IO[str] = LOCK_FILE.open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            announce(
                f"another test run is using pcscd (lock {LOCK_FILE}); waiting for it to finish"
            )
            fcntl.flock(handle, fcntl.LOCK_EX)
            announce("pcscd is free: continuing")
        yield
    finally:
        handle.close()  # releases the lock


def _running_pcscd() -> int | None:
    """The pid of a live pcscd on this machine, if any."""
    try:
        pid = int((RUN_DIR / "pcscd.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _adopt(pid: int, announce: Announce) -> VirtualReader:
    """Use a pcscd that is already running, if it has a vpcd reader we can name."""
    try:
        state = json.loads(STATE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    if state.get("pid") == pid and vpcd_listening(int(state["port"])):
        announce(f"reusing pcscd {pid} left by an earlier test run (vpcd port {state['port']})")
        return VirtualReader(int(state["port"]))
    if vpcd_listening(DEFAULT_PORT):
        announce(f"reusing the running pcscd {pid} and its vpcd on port {DEFAULT_PORT}")
        return VirtualReader(DEFAULT_PORT)
    raise PcscdUnavailable(f"another pcscd (pid {pid}) is running without the vpcd reader")


def _start(port: int, conf_dir: Path) -> subprocess.Popen[bytes]:
    binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
    if not Path(binary).exists():
        raise PcscdUnavailable("pcscd is not installed (Debian's pcscd)")
    (conf_dir / "vpcd").write_text(reader_conf(port, vpcd_driver()), encoding="utf-8")
    # A hard-killed pcscd leaves these behind and the next one refuses to start.
    for stale in ("pcscd.comm", "pcscd.pid"):
        (RUN_DIR / stale).unlink(missing_ok=True)
    process = subprocess.Popen(
        [binary, "--foreground", "-c", str(conf_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + START_SECONDS
    while not vpcd_listening(port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise PcscdUnavailable(f"pcscd did not start with the vpcd reader on port {port}")
        time.sleep(0.05)
    return process


@contextmanager
def running_pcscd(announce: Announce = print) -> Iterator[VirtualReader]:
    """pcscd with a vpcd reader on a port of this run; the caller must hold ``exclusive_use``."""
    pid = _running_pcscd()
    if pid is not None:
        yield _adopt(pid, announce)
        return
    vpcd_driver()  # fail early and clearly when vsmartcard-vpcd is missing
    port = free_port_pair()
    with tempfile.TemporaryDirectory(prefix="counterapp-pcscd-") as conf_dir:
        service = PcscdService(port, Path(conf_dir))
        service.start()
        try:
            yield VirtualReader(port, service)
        finally:
            service.stop()
