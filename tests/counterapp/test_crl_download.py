"""A CRL configured by its URL: fetched from a real HTTP server, kept, and used while fresh;
a server that sends (or announces) far more than any CRL is refused, not read into memory."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from counterapp.settings import Settings
from counterapp.verification import revocation
from counterapp.verification.verdict import Outcome
from tests.counterapp.test_crl_fuzz import genuine_crl, revocation_of, verify_with

CHUNK = 16 * 1024


@dataclass
class Script:
    """What the server answers: a body, or only a length it announces, or endless chunks."""

    body: bytes = b""
    announced: int | None = None  # Content-Length sent without the body
    chunks: int = 0  # chunked transfer of this many CHUNK-sized pieces
    requests: list[str] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    script: Script

    def do_GET(self) -> None:
        self.script.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/pkix-crl")
        if self.script.chunks:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(self.script.chunks):
                self.wfile.write(b"%x\r\n%s\r\n" % (CHUNK, b"\0" * CHUNK))
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(self.script.announced or len(self.script.body)))
        self.end_headers()
        if self.script.announced is None:
            self.wfile.write(self.script.body)

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def crl_server() -> Iterator[tuple[str, Script, ThreadingHTTPServer]]:
    script = Script()
    handler = type("Handler", (_Handler,), {"script": script})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/auth-ca.crl"
    yield url, script, server
    server.shutdown()
    server.server_close()


def settings_with(url: str, folder: Path) -> Settings:
    return Settings(data_dir=folder, crl_sources=(url,))


def test_a_crl_at_a_url_is_fetched_once_and_used_while_fresh(
    crl_server: tuple[str, Script, ThreadingHTTPServer], tmp_path: Path
) -> None:
    url, script, server = crl_server
    script.body = genuine_crl().public_bytes(serialization.Encoding.DER)
    assert revocation_of(verify_with(settings_with(url, tmp_path))).outcome is Outcome.PASS
    server.shutdown()  # the CRL's server goes away: the kept copy is fresh, so it is enough
    assert revocation_of(verify_with(settings_with(url, tmp_path))).outcome is Outcome.PASS
    assert script.requests == ["/auth-ca.crl"]


def test_a_server_announcing_more_than_any_crl_is_refused_unread(
    crl_server: tuple[str, Script, ThreadingHTTPServer], tmp_path: Path
) -> None:
    url, script, _ = crl_server
    script.announced = revocation.MAX_DOWNLOAD_BYTES + 1
    check = revocation_of(verify_with(settings_with(url, tmp_path)))
    assert (check.outcome, check.reason) == (Outcome.UNKNOWN, "crl.unreadable")
    assert dict(check.params)["sources"] == url  # the clerk's hint names what to fix
    assert "larger than 256 MiB" in check.detail
    assert not list(tmp_path.rglob("*.crl"))  # nothing kept


def test_a_body_growing_past_the_cap_is_cut_off(
    crl_server: tuple[str, Script, ThreadingHTTPServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, script, _ = crl_server
    monkeypatch.setattr(revocation, "MAX_DOWNLOAD_BYTES", 8 * CHUNK)  # a cap the test can pass
    script.chunks = 64  # no length announced: the body just keeps coming
    check = revocation_of(verify_with(settings_with(url, tmp_path)))
    assert (check.outcome, check.reason) == (Outcome.UNKNOWN, "crl.unreadable")
    assert "larger than" in check.detail
    assert not list(tmp_path.rglob("*.crl"))
