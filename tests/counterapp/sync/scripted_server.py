"""A real HTTPS server (mutual TLS) that misbehaves on cue, then answers like the back office.

Each request takes the next behaviour from ``script``: ``"500"``, ``"429"`` (Retry-After:
``retry_after``), ``"garbage"`` (200 with a body that is not JSON), ``"drop"`` (closes the
connection without an answer), ``"slow"`` (answers after ``slow_seconds``), ``"reject:N"``
(rejects the N-th item), ``"partial"`` (answers only the first item). An empty script means
healthy: every item accepted once, duplicates reported as such.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.counterapp.sync.tls import Pki


@dataclass
class Behaviour:
    script: list[str] = field(default_factory=list)
    retry_after: int = 1
    slow_seconds: float = 2.0
    stored: list[str] = field(default_factory=list)  # client ids, in arrival order
    requests: list[tuple[float, str]] = field(default_factory=list)  # (time, behaviour)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self) -> str:
        with self.lock:
            step = self.script.pop(0) if self.script else "ok"
            self.requests.append((time.monotonic(), step))
            return step

    def answer(self, ids: list[str], step: str) -> list[dict[str, object]]:
        results = []
        for index, client_id in enumerate(ids):
            if step == "partial" and index > 0:
                break
            if step == f"reject:{index}":
                results.append(
                    {"client_id": client_id, "status": "rejected", "reason": "submission.test"}
                )
                continue
            if step == f"conflict:{index}":
                results.append(
                    {"client_id": client_id, "status": "conflict", "reason": "submission.conflict"}
                )
                continue
            with self.lock:
                duplicate = client_id in self.stored
                if not duplicate:
                    self.stored.append(client_id)
            results.append(
                {"client_id": client_id, "status": "duplicate" if duplicate else "accepted"}
            )
        return results


def _handler(behaviour: Behaviour) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: object) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path.endswith("/audit"):  # audit entries: kept, outside the script
                entries = json.loads(body)["entries"]
                receipt = {"stored": len(entries), "last_seq": entries[-1]["seq"]}
                self._send(200, json.dumps(receipt).encode())
                return
            step = behaviour.next()
            if step == "drop":
                self.close_connection = True
                self.connection.close()
                return
            if step == "slow":
                time.sleep(behaviour.slow_seconds)
            if step in ("500", "429"):
                extra = {"Retry-After": str(behaviour.retry_after)} if step == "429" else {}
                self._send(int(step), b'{"code": "busy", "detail": "try later"}', extra)
                return
            if step == "garbage":
                self._send(200, b"<html>proxy error</html>")
                return
            ids = [item["client_id"] for item in json.loads(body)["items"]]
            payload = {"results": behaviour.answer(ids, step)}
            self._send(200, json.dumps(payload).encode())

        def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def scripted_server(pki: Pki, port: int, behaviour: Behaviour) -> Iterator[Behaviour]:
    """Serve HTTPS on 127.0.0.1:``port`` until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(behaviour))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(pki.ca))
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(pki.server_cert, pki.server_key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield behaviour
    finally:
        server.shutdown()
        server.server_close()
