"""The app without uvicorn: what it does when the TLS layer or the database is missing."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import create_engine

from backoffice import ca
from backoffice.app import create_app
from backoffice.config import ConfigError, Settings, normalise_database_url
from backoffice.store import Store
from tests.backoffice.forms import batch, item
from tests.backoffice.test_openapi import AsTerminal


def _call(app: object, method: str, path: str, **kwargs: object) -> httpx.Response:
    async def go() -> httpx.Response:
        # The app's own 500 answer is what is tested, not the exception behind it.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path, **kwargs)  # type: ignore[arg-type]

    return asyncio.run(go())


def _any_terminal_pem(tmp_path: Path) -> str:
    now = dt.datetime.now(dt.UTC)
    files = ca.CaFiles(tmp_path / "ca")
    ca.init_ca(files, now)
    issued = ca.issue_terminal(files, "kita-01", now)
    return issued.certificate.public_bytes(Encoding.PEM).decode("ascii")


def test_a_request_without_the_tls_extension_gets_401(
    database_url: str | None, tmp_path: Path
) -> None:
    settings = Settings.build(tmp_path, database_url)
    store = Store.open(settings.database_url)
    try:
        app = create_app(settings, store)
        form = item()
        response = _call(app, "POST", "/v1/submissions", json=batch(form))
        assert response.status_code == 401
        assert response.json()["code"] == "terminal.no_certificate"
        assert _call(app, "GET", "/v1/crl").status_code == 401
        assert store.submission(form.client_id) is None
    finally:
        store.close()


def test_health_is_503_when_the_database_does_not_answer(tmp_path: Path) -> None:
    # Port 1 on loopback: nothing listens there.
    unreachable = Store(create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    app = create_app(Settings.build(tmp_path, "sqlite://"), store=unreachable)
    response = _call(app, "GET", "/v1/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_an_internal_error_is_a_json_problem_without_internals(tmp_path: Path) -> None:
    unreachable = Store(create_engine("postgresql+psycopg://clerk:s3cret@127.0.0.1:1/none"))
    service = create_app(Settings.build(tmp_path, "sqlite://"), store=unreachable)
    app = AsTerminal(service, _any_terminal_pem(tmp_path))
    response = _call(app, "POST", "/v1/submissions", json=batch(item()))
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json()["code"] == "server.internal_error"
    for internal in ("Traceback", "psycopg", "s3cret", "127.0.0.1"):
        assert internal not in response.text


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://clerk@db/intake", "postgresql+psycopg://clerk@db/intake"),
        ("postgres://clerk@db/intake", "postgresql+psycopg://clerk@db/intake"),
        ("postgresql+psycopg://clerk@db/intake", "postgresql+psycopg://clerk@db/intake"),
        ("sqlite:////srv/backoffice.db", "sqlite:////srv/backoffice.db"),
    ],
)
def test_database_urls_are_normalised_to_psycopg_3(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


@pytest.mark.parametrize("given", ["mysql://x@db/y", "not a url"])
def test_other_databases_are_a_configuration_error(given: str) -> None:
    with pytest.raises(ConfigError):
        normalise_database_url(given)
