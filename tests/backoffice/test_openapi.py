"""The service's OpenAPI document: checked in, and honoured by the service (schemathesis)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from starlette.types import ASGIApp, Receive, Scope, Send

from backoffice import ca
from backoffice.app import OPENAPI_PATH, create_app
from backoffice.config import Settings
from backoffice.store import Store

pytestmark = pytest.mark.slow  # left out of the fast tier (see README)


class AsTerminal:
    """Every request carries the ASGI TLS extension of one registered terminal, as the
    server's h11 protocol would add it after a mutual-TLS handshake."""

    def __init__(self, app: ASGIApp, certificate_pem: str) -> None:
        self.app = app
        self.tls = {"client_cert_chain": [certificate_pem], "client_cert_error": None}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "extensions": {**(scope.get("extensions") or {}), "tls": self.tls}}
        await self.app(scope, receive, send)


@pytest.fixture
def app(database_url: str | None, tmp_path: Path) -> Iterator[FastAPI]:
    """The in-process app on a fresh database, terminal kita-01 registered."""
    config = Settings.build(tmp_path, database_url)
    store = Store.open(config.database_url)
    yield create_app(config, store)
    store.close()


@pytest.fixture
def api_schema(app: FastAPI) -> Any:
    now = dt.datetime.now(dt.UTC)
    config: Settings = app.state.settings
    files = ca.CaFiles(config.ca_dir)
    ca.init_ca(files, now)
    issued = ca.issue_terminal(files, "kita-01", now)
    app.state.store.add_terminal("kita-01", ca.fingerprint(issued.certificate), now)
    pem = issued.certificate.public_bytes(Encoding.PEM).decode("ascii")
    return schemathesis.openapi.from_asgi(OPENAPI_PATH, AsTerminal(app, pem))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_service_honours_its_own_schema(api_schema: Any, mode: GenerationMode) -> None:
    """No 5xx, documented status codes and content types, responses match their schemas."""
    # schemathesis' pytest integration (from_fixture) trips over pytest 9, so the cases
    # are drawn from the schema's strategy inside an ordinary hypothesis test.

    @given(case=api_schema.as_strategy(generation_mode=mode))
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        response = case.call()
        # An invalid body over 4 MiB is refused by size before anyone reads it: the
        # documented 413 is right there, though schemathesis' list of rejections lacks it.
        too_large = response.status_code == 413
        excluded = [schemathesis.checks.negative_data_rejection] if too_large else []
        case.validate_response(response, excluded_checks=excluded)

    check()
