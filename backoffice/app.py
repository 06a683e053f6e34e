"""The intake service as an ASGI app: ``create_app(settings)``.

Routes (all under /v1): ``POST /submissions`` (a terminal's batch of forms),
``POST /audit`` (a terminal's new audit entries),
``GET /crl`` (the configured CRLs), ``GET /health``, ``GET /openapi.json``.
Every error is a JSON ``Problem``; schemas come from ``counterapp.wire``.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import create_engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from backoffice.audit import receive_audit
from backoffice.config import Settings
from backoffice.crl import crl_files, crl_response
from backoffice.intake import receive_batch
from backoffice.middleware import PUBLIC_PATHS, STATE_TERMINAL, BodyLimit, TerminalAuth
from backoffice.problems import ProblemError, problem_response
from backoffice.sealing import load_or_create
from backoffice.store import Store, Terminal
from backoffice.trust import load_anchors
from counterapp.wire.audit import AuditBatch, AuditReceipt
from counterapp.wire.schema import (
    API_PREFIX,
    MAX_BODY_BYTES,
    BatchResult,
    CrlResponse,
    Health,
    Problem,
    SealedItem,
    SealingKey,
    SubmissionBatch,
)
from counterapp.wire.sealing import key_id, public_pem

API_VERSION = "1"
SECURITY_SCHEME = "terminalCertificate"
OPENAPI_PATH = f"{API_PREFIX}/openapi.json"
_MAX_REPORTED_ERRORS = 5
_MAX_LOCATION_CHARS = 80

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

_PROBLEM_DESCRIPTIONS = {
    401: "No client certificate in the TLS extension (terminal.no_certificate)",
    403: "Certificate not registered (terminal.unknown) or terminal disabled (terminal.disabled)",
    413: f"Body larger than {MAX_BODY_BYTES} bytes (request.too_large)",
    422: "Body is not JSON or does not match the schema (request.invalid)",
    500: "Internal error (server.internal_error)",
}


def _problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"model": Problem, "description": _PROBLEM_DESCRIPTIONS[status]}
        for status in statuses
    }


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# On a server the back office is its own distribution (backoffice/pyproject.toml); in a
# development checkout it comes with the terminal's.
_DISTRIBUTIONS = ("counterapp-backoffice", "counterapp")


def package_version() -> str:
    """The installed version of the distribution the back office ships in."""
    for distribution in _DISTRIBUTIONS:
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


def create_app(settings: Settings, store: Store | None = None, clock: Clock = _utc_now) -> FastAPI:
    """The intake service; opens the database (creating missing tables) unless given a store."""
    owned = store is None
    database = store if store is not None else Store.open(settings.database_url)
    app = FastAPI(
        title="counterapp back office intake / 受付サービス",
        version=API_VERSION,
        openapi_url=OPENAPI_PATH,
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan(database, owned),
    )
    app.state.store = database
    app.state.settings = settings
    _install_error_handlers(app)
    app.include_router(_router(settings, database, clock), prefix=API_PREFIX)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(TerminalAuth, store=database)  # added last = runs first
    _document_client_certificates(app)
    return app


def _document_client_certificates(app: FastAPI) -> None:
    """Declare the mutual-TLS requirement in the OpenAPI document (OpenAPI 3.1 mutualTLS)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes[SECURITY_SCHEME] = {
            "type": "mutualTLS",
            "description": "Client certificate of a registered, enabled terminal, issued by "
            "the municipal CA (backoffice ca issue-terminal).",
        }
        for path, operations in document["paths"].items():
            if path not in PUBLIC_PATHS:
                for operation in operations.values():
                    operation["security"] = [{SECURITY_SCHEME: []}]
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _lifespan(store: Store, owned: bool) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            store.close()

    return lifespan


def _router(settings: Settings, store: Store, clock: Clock) -> APIRouter:
    router = APIRouter()

    @router.post(
        "/submissions",
        response_model=BatchResult,
        responses=_problems(401, 403, 413, 422, 500),
        summary="Submit filled forms / 申請書の送信",
    )
    def submit(batch: SubmissionBatch, request: Request) -> BatchResult:
        """Store each form once by client id; one result per item, in order."""
        terminal = _terminal(request)
        anchors = load_anchors(settings.trust_dir)
        sealed = any(isinstance(item, SealedItem) for item in batch.items)
        sealing_key = load_or_create(settings.data_dir) if sealed else None
        return receive_batch(store, terminal.id, batch, anchors, clock(), sealing_key)

    @router.get(
        "/sealing-key",
        response_model=SealingKey,
        responses=_problems(401, 403, 500),
        summary="Public key terminals seal forms to / 申請書を封する公開鍵",
    )
    def sealing_key(request: Request) -> SealingKey:
        """The X25519 public key (PEM) every form is also sealed to at enqueue."""
        _terminal(request)
        public = load_or_create(settings.data_dir).public_key()
        return SealingKey(key_id=key_id(public), public_pem=public_pem(public).decode())

    @router.post(
        "/audit",
        response_model=AuditReceipt,
        responses=_problems(401, 403, 413, 422, 500),
        summary="Audit entries / 監査ログの送信",
    )
    def audit(batch: AuditBatch, request: Request) -> AuditReceipt:
        """Keep the terminal's new audit entries (no personal data) as its anchored copy."""
        return receive_audit(store, _terminal(request).id, batch, clock())

    @router.get(
        "/crl",
        response_model=CrlResponse,
        responses=_problems(401, 403, 500),
        summary="Certificate revocation lists / 失効リスト",
    )
    def crl(request: Request) -> CrlResponse:
        """The CRLs configured with --crl and found in the data folder's crl/."""
        _terminal(request)
        return crl_response(crl_files(settings.crl_files, settings.crl_dir))

    @router.get(
        "/health",
        response_model=Health,
        responses={503: {"model": Health, "description": "The database does not answer"}},
        summary="Service health / 稼働状況",
    )
    def health() -> JSONResponse:
        """``ok`` with 200 when the database answers, else ``unavailable`` with 503."""
        up = store.ping()
        body = Health(
            status="ok" if up else "unavailable",
            database=store.dialect if up else "unavailable",
            version=package_version(),
        )
        return JSONResponse(body.model_dump(mode="json"), status_code=200 if up else 503)

    return router


def _terminal(request: Request) -> Terminal:
    terminal = request.scope.get("state", {}).get(STATE_TERMINAL)
    if not isinstance(terminal, Terminal):
        raise ProblemError(401, "terminal.no_certificate")
    return terminal


def _install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _internal_error)


async def _problem_error(_request: Request, exc: ProblemError) -> JSONResponse:
    return problem_response(exc.status, exc.code, exc.extra)


_HTTP_CODES = {
    404: "request.not_found",
    405: "request.method_not_allowed",
    413: "request.too_large",
}


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == 400:
        # FastAPI's answer to a body it cannot decode (e.g. not UTF-8): for a terminal that
        # is the same mistake as malformed JSON, so it gets the same documented 422.
        return problem_response(422, "request.invalid", "body (not UTF-8 JSON)")
    code = _HTTP_CODES.get(exc.status_code, "request.error")
    return problem_response(exc.status_code, code, headers=headers)


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    # Where and what kind, never the submitted value: it may be a name or a My Number.
    places = [
        f"{'.'.join(str(part) for part in error.get('loc', ()))[:_MAX_LOCATION_CHARS]}"
        f" ({error.get('type', 'invalid')})"
        for error in exc.errors()[:_MAX_REPORTED_ERRORS]
    ]
    return problem_response(422, "request.invalid", "; ".join(places))


async def _internal_error(_request: Request, exc: Exception) -> JSONResponse:
    logger.error("internal error: %s", type(exc).__name__)
    return problem_response(500, "server.internal_error")


def openapi_document() -> dict[str, Any]:
    """The service's OpenAPI document, built without touching any database."""
    offline = Store(create_engine("sqlite://"))  # never connected: no route runs
    return create_app(Settings(Path("."), "sqlite://"), store=offline).openapi()
