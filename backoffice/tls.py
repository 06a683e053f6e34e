"""The ASGI TLS extension for uvicorn: a stand-in until uvicorn ships it.

uvicorn 0.54 checks client certificates (``ssl_cert_reqs=CERT_REQUIRED``) but does not
tell the application which certificate a connection presented: the ASGI TLS extension is
not implemented yet (github.com/Kludex/uvicorn, PR #3132, open). This h11 protocol reads
the peer certificate once per connection, after the handshake, and puts it into every
request scope as ``scope["extensions"]["tls"]`` in the shape the ASGI spec defines
(``client_cert_chain``: PEM strings, leaf first). Drop it when uvicorn provides the
extension: the application only reads the scope.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

# TLS protocol versions as the extension spec wants them: the on-the-wire numbers.
_TLS_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}


class TlsExtensionH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, adding the ASGI TLS extension to each request scope."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        extension = tls_extension(transport.get_extra_info("ssl_object"))
        if extension is not None:
            # self.app is this connection's own reference: wrapping it touches no other.
            self.app = _WithTlsExtension(self.app, extension)


def tls_extension(ssl_object: ssl.SSLObject | None) -> dict[str, Any] | None:
    """The extension dict for a finished handshake; None on a plain-HTTP connection."""
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    chain: list[str] = []
    name: str | None = None
    if der:
        certificate = x509.load_der_x509_certificate(der)
        chain = [certificate.public_bytes(Encoding.PEM).decode("ascii")]
        name = certificate.subject.rfc4514_string()
    return {
        "server_cert": None,
        "client_cert_chain": chain,
        "client_cert_name": name,
        "client_cert_error": None,
        "tls_version": _TLS_VERSIONS.get(ssl_object.version() or ""),
        "cipher_suite": None,  # Python's ssl module does not expose the numeric suite
    }


class _WithTlsExtension:
    def __init__(self, app: ASGIApp, extension: dict[str, Any]) -> None:
        self._app = app
        self._extension = extension

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            extensions = dict(scope.get("extensions") or {})
            extensions["tls"] = self._extension
            scope = {**scope, "extensions": extensions}
        await self._app(scope, receive, send)
