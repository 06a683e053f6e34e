"""Exactly-once delivery of queued forms to the back office.

The back office stores each form id at most once and acknowledges every item on its own;
the terminal marks a form sent (and deletes its personal data) only after that per-item
acknowledgement. Whatever is killed when, resending is safe and nothing is lost: a form
is either still in the outbox or acknowledged. While the back office is unreachable the
sync pauses with exponential backoff and jitter (longer if the server asks with
Retry-After) and resumes by itself.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import os
import ssl
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
from cryptography import x509
from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_random_exponential

from counterapp import audit, outbox
from counterapp.audit import AuditEvent
from counterapp.outbox import Owner
from counterapp.queue import FormQueue
from counterapp.settings import Settings
from counterapp.verification.sources import BACKOFFICE_CRLS
from counterapp.wire.audit import MAX_AUDIT_ENTRIES, AuditBatch, AuditReceipt
from counterapp.wire.schema import API_PREFIX, BatchResult, CrlResponse, ItemStatus, SubmissionBatch

Answer = TypeVar("Answer", bound=BaseModel)
RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
FAILPOINT_ENV = "COUNTERAPP_SYNC_FAILPOINT"
# Answers after which a form is never resent: shown to the clerk with their reason.
PERMANENT_FAILURES = {
    ItemStatus.REJECTED: "submission.rejected",
    ItemStatus.CONFLICT: "submission.conflict",
}
# A form whose record key the master key does not open and that has no sealed copy.
UNREADABLE = "queue.unreadable"


class SyncError(Exception):
    message_key = "sync.failed"


class SyncNotConfigured(SyncError):
    message_key = "sync.not_configured"


class ServerUnavailable(SyncError):
    """Network down, timeout, 5xx, 429 or an unreadable answer: try again later."""

    message_key = "sync.unavailable"

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class SyncRefused(SyncError):
    """The back office refuses this terminal or its requests (e.g. a disabled certificate)."""

    message_key = "sync.refused"

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Schedule:
    idle: float  # seconds between looks at the outbox when all is sent
    max_wait: float  # longest backoff pause during an outage
    crl_every: float  # seconds between CRL fetches
    crl_folder: Path | None = None

    @classmethod
    def of(cls, settings: Settings) -> Schedule:
        return cls(
            idle=settings.sync_interval_seconds,
            max_wait=settings.sync_backoff_max_seconds,
            crl_every=settings.crl_refresh_hours * 3600,
            crl_folder=settings.data_dir / BACKOFFICE_CRLS,
        )


@dataclass
class DrainReport:
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0


def failpoint(name: str) -> None:
    """Test hook for the crash harness: stop here (announced on stderr) to be killed."""
    if os.environ.get(FAILPOINT_ENV) == name:
        print(f"FAILPOINT {name}", file=sys.stderr, flush=True)
        time.sleep(3600)


def http_client(settings: Settings) -> httpx.Client:
    """HTTPS to the back office: the server checked against our CA, our certificate sent."""
    if not settings.backoffice_url:
        raise SyncNotConfigured("no backoffice_url in the settings")
    folder = settings.data_dir
    try:
        context = ssl.create_default_context(cafile=str(folder / settings.server_ca))
        context.load_cert_chain(folder / settings.client_certificate, folder / settings.client_key)
    except (OSError, ssl.SSLError) as exc:
        raise SyncNotConfigured(f"terminal TLS files: {exc}") from exc
    return httpx.Client(
        base_url=settings.backoffice_url,
        verify=context,
        timeout=httpx.Timeout(15.0, connect=5.0),
        headers={"User-Agent": f"counterapp-sync/{settings.terminal_id}"},
    )


class Syncer:
    """Moves due outbox rows to the back office in batches."""

    def __init__(
        self,
        queue: FormQueue,
        client: httpx.Client,
        *,
        batch_size: int = 50,
        owner: Owner | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.queue = queue
        self.db = queue.db
        self.client = client
        self.batch_size = batch_size
        self.owner = owner or Owner.current()
        self.clock = clock
        self.requests = 0  # every request made, for the "does not spin" check

    def recover(self) -> int:
        """At start: take back rows a dead process left in ``sending``."""
        return outbox.recover_orphans(self.db)

    def drain(self) -> DrainReport:
        """Send every due row; raise ServerUnavailable (rows given back) when the server is."""
        report = DrainReport()
        try:
            while ids := outbox.claim(self.db, self.owner, self.batch_size, self.clock()):
                self._send(ids, report)
            self.send_audit()
        except SyncError as exc:
            outbox.record_attempt(self.db, error=getattr(exc, "reason", exc.message_key))
            raise
        outbox.record_attempt(self.db, error=None)
        return report

    def _send(self, ids: list[str], report: DrainReport) -> None:
        try:
            outgoing = self.queue.outgoing(ids)
            ids = self._set_aside_unreadable(ids, outgoing.unreadable, report)
            if not ids:
                return
            batch = SubmissionBatch(items=outgoing.items)
            failpoint("before_send")
            result = self._post(batch.model_dump_json())
        except BaseException:
            outbox.release(self.db, ids, "sync.unavailable", self.clock())
            raise
        failpoint("after_response")
        self._record(ids, result, report)
        report.batches += 1

    def _set_aside_unreadable(
        self, ids: list[str], unreadable: tuple[str, ...], report: DrainReport
    ) -> list[str]:
        """Forms neither this terminal nor the back office can open fail, audited; the rest go."""
        with self.db.atomic():
            for record_id in unreadable:
                outbox.mark_failed(self.db, record_id, UNREADABLE)
                self.queue.audit.append(AuditEvent.FORM_REJECTED, record_id, reason=UNREADABLE)
        report.rejected += len(unreadable)
        return [i for i in ids if i not in set(unreadable)]

    def _post(self, body: str) -> BatchResult:
        return self._exchange(f"{API_PREFIX}/submissions", body, BatchResult)

    def _exchange(self, path: str, body: str, answer: type[Answer]) -> Answer:
        """POST JSON and read the back office's answer; an unreadable one is transient."""
        response = self._request(path, body)
        try:
            return answer.model_validate_json(response.content)
        except ValidationError as exc:
            raise ServerUnavailable("sync.bad_response") from exc

    def _record(self, ids: list[str], result: BatchResult, report: DrainReport) -> None:
        by_id = {item.client_id: item for item in result.results}
        done = [i for i in ids if i in by_id and by_id[i].status not in PERMANENT_FAILURES]
        with self.db.atomic():
            self.queue.acknowledge(*done)
            for record_id in ids:
                item = by_id.get(record_id)
                if item is not None and item.status in PERMANENT_FAILURES:
                    reason = item.reason or PERMANENT_FAILURES[item.status]
                    outbox.mark_failed(self.db, record_id, reason)
                    self.queue.audit.append(AuditEvent.FORM_REJECTED, record_id, reason=reason)
            unanswered = [i for i in ids if i not in by_id]
            outbox.release(self.db, unanswered, "sync.unanswered", self.clock())
            failpoint("mid_commit")
        self.queue.drop_old_pages()
        report.accepted += sum(by_id[i].status is ItemStatus.ACCEPTED for i in done)
        report.duplicates += sum(by_id[i].status is ItemStatus.DUPLICATE for i in done)
        report.rejected += len(ids) - len(done) - len(unanswered)

    def send_audit(self) -> int:
        """Send the audit entries the back office does not have yet; how many were sent.

        The back office's copy anchors the chain outside the terminal (see counterapp/audit.py).
        """
        sent = 0
        while records := audit.unsent(self.db, MAX_AUDIT_ENTRIES):
            body = AuditBatch(entries=tuple(records)).model_dump_json()
            self._exchange(f"{API_PREFIX}/audit", body, AuditReceipt)
            audit.mark_sent(self.db, records[-1])
            sent += len(records)
        return sent

    def _request(self, path: str, body: str) -> httpx.Response:
        """POST JSON; transient failures raise ServerUnavailable, refusals SyncRefused."""
        self.requests += 1
        try:
            response = self.client.post(
                path, content=body.encode(), headers={"Content-Type": "application/json"}
            )
        except httpx.TimeoutException as exc:
            raise ServerUnavailable("sync.timeout") from exc
        except httpx.TransportError as exc:
            raise ServerUnavailable("sync.network") from exc
        if response.status_code in RETRYABLE_STATUS:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise ServerUnavailable(f"sync.http_{response.status_code}", retry_after)
        if response.status_code != 200:
            raise SyncRefused(_problem_code(response))
        return response

    def retrying(self, stop: threading.Event, max_wait: float) -> Retrying:
        """Retry transient failures with jittered exponential backoff until ``stop`` is set."""
        return Retrying(
            retry=retry_if_exception_type(ServerUnavailable),
            wait=RetryAfterAware(wait_random_exponential(multiplier=0.5, max=max_wait)),
            stop=lambda _state: stop.is_set(),
            sleep=_waiter(stop),
            reraise=True,
        )

    def run(self, stop: threading.Event, schedule: Schedule) -> None:
        """Drain, wait, drain again, until ``stop`` is set; outages back off on their own."""
        self.recover()
        next_crl = time.monotonic()
        while not stop.is_set():
            try:
                self.retrying(stop, schedule.max_wait)(self.drain)
            except ServerUnavailable:
                return  # stopped during an outage: the rows are pending again
            if schedule.crl_folder and time.monotonic() >= next_crl:
                self.refresh_crls(schedule.crl_folder)
                next_crl = time.monotonic() + schedule.crl_every
            stop.wait(schedule.idle)

    def refresh_crls(self, folder: Path) -> bool:
        """Fetch CRLs; a failure is recorded and the old copies stay in use."""
        try:
            self.fetch_crls(folder)
        except ServerUnavailable as exc:
            outbox.record_attempt(self.db, error=exc.reason)
            return False
        return True

    def fetch_crls(self, folder: Path) -> int:
        """Fetch the back office's current CRLs into ``folder`` for the verification engine."""
        self.requests += 1
        try:
            response = self.client.get(f"{API_PREFIX}/crl")
            response.raise_for_status()
            crls = CrlResponse.model_validate_json(response.content).crls
        except (httpx.HTTPError, ValidationError) as exc:
            raise ServerUnavailable("sync.crl_unavailable") from exc
        folder.mkdir(parents=True, exist_ok=True)
        for index, entry in enumerate(crls):
            der = base64.b64decode(entry.der)
            x509.load_der_x509_crl(der)  # never store something the engine cannot read
            temporary = folder / f".{index}.crl.tmp"
            temporary.write_bytes(der)
            temporary.replace(folder / f"{index}.crl")
        return len(crls)


def _waiter(stop: threading.Event) -> Callable[[float], None]:
    """A sleep that ends early when ``stop`` is set, so shutdown never waits out a backoff."""

    def sleep(seconds: float) -> None:
        stop.wait(seconds)

    return sleep


class RetryAfterAware:
    """Jittered exponential backoff, but never sooner than the server's Retry-After."""

    def __init__(self, backoff: Callable[[RetryCallState], float]) -> None:
        self.backoff = backoff

    def __call__(self, state: RetryCallState) -> float:
        delay = self.backoff(state)
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        return max(delay, retry_after) if retry_after else delay


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def _problem_code(response: httpx.Response) -> str:
    try:
        return str(response.json()["code"])
    except (ValueError, KeyError, TypeError):
        return f"http_{response.status_code}"
