"""The service after kill -9, and the CRLs it hands to terminals."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from counterapp.emulation import emulator_crls
from counterapp.wire.schema import CrlResponse
from tests.backoffice.forms import batch, item
from tests.backoffice.server import BackofficeServer, running_backoffice

pytestmark = pytest.mark.slow  # left out of the fast tier (see README)


def test_after_kill_9_the_service_restarts_on_the_same_data_and_port(
    database_url: str | None, tmp_path: Path
) -> None:
    with running_backoffice(tmp_path / "backoffice", database_url=database_url) as server:
        terminal = server.issue_terminal("kita-01")
        form = item()
        with terminal.client(server) as client:
            first = client.post("/v1/submissions", json=batch(form))
        assert first.json()["results"][0]["status"] == "accepted"
        server.kill()
        assert not server.running
        with terminal.client(server) as client, pytest.raises(httpx.ConnectError):
            client.get("/v1/health")
        server.start()
        later = item()
        with terminal.client(server) as client:
            again = client.post("/v1/submissions", json=batch(form, later))
        statuses = [result["status"] for result in again.json()["results"]]
        assert statuses == ["duplicate", "accepted"]  # the acknowledged form survived


def test_crl_serves_configured_files_and_the_data_folders_crls(
    database_url: str | None, tmp_path: Path
) -> None:
    auth, sign = emulator_crls(dt.datetime.now(dt.UTC))
    configured = tmp_path / "auth.crl"
    configured.write_bytes(auth.public_bytes(serialization.Encoding.DER))
    data_dir = tmp_path / "backoffice"
    with running_backoffice(data_dir, database_url=database_url, crls=[configured]) as server:
        terminal = server.issue_terminal("kita-01")
        with terminal.client(server) as client:
            first = CrlResponse.model_validate(client.get("/v1/crl").json())
            (data_dir / "crl").mkdir()
            pem = sign.public_bytes(serialization.Encoding.PEM)
            (data_dir / "crl" / "sign.pem").write_bytes(pem)
            second = CrlResponse.model_validate(client.get("/v1/crl").json())
    (entry,) = first.crls
    assert base64.b64decode(entry.der) == auth.public_bytes(serialization.Encoding.DER)
    assert entry.next_update == auth.next_update_utc
    assert entry.this_update == auth.last_update_utc
    assert entry.issuer == auth.issuer.rfc4514_string()
    assert [e.issuer for e in second.crls] == [
        auth.issuer.rfc4514_string(),
        sign.issuer.rfc4514_string(),
    ]  # picked up without a restart


def test_an_unreadable_crl_stops_the_service_from_starting(tmp_path: Path) -> None:
    garbage = tmp_path / "broken.crl"
    garbage.write_bytes(b"not a CRL")
    result = BackofficeServer(tmp_path / "backoffice").cli(
        "serve", "--crl", str(garbage), check=False
    )
    assert result.returncode == 4 and "CRL" in result.stderr
