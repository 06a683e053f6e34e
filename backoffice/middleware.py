"""ASGI layers in front of the routes: who is calling, and how much they may send.

Both run before a byte of the body is parsed: a terminal is identified from the TLS
extension first (401/403), then the body is counted (413), and only then does FastAPI
read JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from cryptography import x509
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backoffice.ca import fingerprint
from backoffice.problems import problem_response
from backoffice.store import Store, Terminal
from counterapp.wire.schema import API_PREFIX, MAX_BODY_BYTES

# Open to any client the TLS layer let in (a certificate from the municipal CA).
PUBLIC_PATHS = frozenset({f"{API_PREFIX}/health", f"{API_PREFIX}/openapi.json"})
# A rejected body is read and thrown away up to this much, so that the client gets to
# read our answer instead of a reset connection; beyond it the connection is dropped.
DRAIN_LIMIT_BYTES = 8 * MAX_BODY_BYTES
STATE_TERMINAL = "terminal"


def client_fingerprint(scope: Scope) -> str | None:
    """SHA-256 of the client certificate in the ASGI TLS extension, if there is one."""
    tls = (scope.get("extensions") or {}).get("tls")
    if not isinstance(tls, dict):
        return None
    chain = tls.get("client_cert_chain") or []
    if not chain or not isinstance(chain[0], str):
        return None
    try:
        certificate = x509.load_pem_x509_certificate(chain[0].encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    return fingerprint(certificate)


class TerminalAuth:
    """Only registered, enabled terminals get past; the terminal goes into request state."""

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        sha256 = client_fingerprint(scope)
        if sha256 is None:
            await _refuse(problem_response(401, "terminal.no_certificate"), scope, receive, send)
            return
        terminal: Terminal | None = await run_in_threadpool(
            self.store.terminal_by_certificate, sha256
        )
        if terminal is None or not terminal.enabled:
            code = "terminal.unknown" if terminal is None else "terminal.disabled"
            await _refuse(problem_response(403, code), scope, receive, send)
            return
        scope.setdefault("state", {})[STATE_TERMINAL] = terminal
        await self.app(scope, receive, send)


class BodyLimit:
    """413 for a body over the limit, by Content-Length or by counting what arrives."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _refuse(problem_response(413, "request.too_large"), scope, receive, send)
            return
        body, complete = await _read_body(receive, self.max_bytes)
        if body is None:
            too_large = problem_response(413, "request.too_large")
            await _refuse(too_large, scope, receive, send, drain=not complete)
            return
        await self.app(scope, _replay(body, receive), send)


async def _read_body(receive: Receive, limit: int) -> tuple[bytes | None, bool]:
    """The whole body (None once it grows past ``limit``) and whether all of it arrived."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True  # the client went away: nothing more will come
        chunk = message.get("body", b"")
        size += len(chunk)
        complete = not message.get("more_body", False)
        if size > limit:
            return None, complete
        chunks.append(chunk)
        if complete:
            return b"".join(chunks), True


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()  # e.g. http.disconnect, for whoever listens for it
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(
    response: Response, scope: Scope, receive: Receive, send: Send, *, drain: bool = True
) -> None:
    # Draining a body that has fully arrived would wait for a message that never comes.
    if drain:
        await _drain(receive)
    await response(scope, receive, send)


async def _drain(receive: Receive) -> None:
    size = 0
    while size <= DRAIN_LIMIT_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            return
