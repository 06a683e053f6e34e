from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from counterapp.audit import AuditLog
from counterapp.forms.loader import load_library
from counterapp.forms.prefill import Answers, fill_form
from counterapp.queue import FormQueue
from counterapp.store import open_database
from counterapp.vault import open_vault
from tests.counterapp.conftest import CONTEXT, card_of
from tests.counterapp.sync.tls import Pki, make_pki


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return make_pki(tmp_path / "pki")


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[FormQueue]:
    data = tmp_path / "data"
    db = open_database(data)
    yield FormQueue(db, open_vault(data, "t1", "file"), AuditLog(db, terminal="t1", operator="o"))
    db.conn.close()


def queue_forms(queue: FormQueue, count: int) -> list[str]:
    """``count`` queued 住民票 requests of the test resident."""
    form = load_library().forms["juminhyo-request"]
    filled = fill_form(form, card_of(), Answers(resident={"copies": "1"}), CONTEXT)
    return [record_id for _ in range(count) for record_id in queue.save([filled], visit="v")]


ClientFactory = Callable[..., httpx.Client]


@pytest.fixture
def client_for(pki: Pki) -> ClientFactory:
    """An HTTPS client like the terminal's, with a test-sized timeout."""

    def factory(port: int, timeout: float = 1.0) -> httpx.Client:
        import ssl

        context = ssl.create_default_context(cafile=str(pki.ca))
        context.load_cert_chain(pki.client_cert, pki.client_key)
        return httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=context, timeout=timeout)

    return factory
