"""Running the service: uvicorn with mutual TLS against the municipal CA."""

from __future__ import annotations

import ssl
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from backoffice.ca import CaFiles
from backoffice.config import Settings
from backoffice.limits import ConnectionLimits, HandshakeBoundServer, guarded_protocol

GRACEFUL_SHUTDOWN_SECONDS = 10


def uvicorn_config(
    settings: Settings,
    host: str,
    port: int,
    app: FastAPI,
    limits: ConnectionLimits = ConnectionLimits(),  # noqa: B008 - frozen, shared safely
) -> uvicorn.Config:
    """uvicorn settings: TLS with a required client certificate, our guarded h11 protocol."""
    files = CaFiles(settings.ca_dir)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=guarded_protocol(limits),
        timeout_keep_alive=max(1, round(limits.keep_alive)),
        limit_concurrency=limits.total,
        ws="none",
        lifespan="on",
        ssl_certfile=files.server_cert,
        ssl_keyfile=files.server_key,
        ssl_ca_certs=files.ca_cert,
        ssl_cert_reqs=ssl.CERT_REQUIRED,
        ssl_context_factory=_tls12_or_newer,
        proxy_headers=False,  # terminals connect directly; no proxy may rewrite who they are
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


def run(
    settings: Settings,
    host: str,
    port: int,
    app: FastAPI,
    limits: ConnectionLimits = ConnectionLimits(),  # noqa: B008 - frozen, shared safely
) -> None:
    """Serve until interrupted."""
    config = uvicorn_config(settings, host, port, app, limits)
    HandshakeBoundServer(config, limits.handshake_timeout).run()


def _tls12_or_newer(
    _config: uvicorn.Config, default_factory: Callable[[], ssl.SSLContext]
) -> ssl.SSLContext:
    context = default_factory()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
