"""A terminal sends batches to a real ``backoffice serve`` over mutual TLS.

One server per database backend for the module; each test uses fresh client ids.
"""

from __future__ import annotations

import datetime as dt
import json
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backoffice import ca
from counterapp.wire.schema import MAX_BATCH_ITEMS, MAX_BODY_BYTES, WireField
from tests.backoffice.forms import (
    RESIDENT_ADDRESS,
    RESIDENT_MY_NUMBER,
    RESIDENT_NAME,
    batch,
    item,
)
from tests.backoffice.server import (
    BackofficeServer,
    TerminalCredentials,
    running_backoffice,
)

SUBMISSIONS = "/v1/submissions"
CHECKED_IN_OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "backoffice-openapi.json"


@pytest.fixture(scope="module")
def server(
    module_database_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BackofficeServer]:
    data_dir = tmp_path_factory.mktemp("backoffice")
    with running_backoffice(data_dir, database_url=module_database_url) as running:
        yield running


@pytest.fixture(scope="module")
def terminal(server: BackofficeServer) -> TerminalCredentials:
    return server.issue_terminal("kita-01")


@pytest.fixture(scope="module")
def client(server: BackofficeServer, terminal: TerminalCredentials) -> Iterator[httpx.Client]:
    with terminal.client(server) as http:
        yield http


def stored(server: BackofficeServer, *client_ids: str) -> dict[str, str]:
    """client id -> name of the terminal it is stored for, for the ids that are stored."""
    store = server.open_store()
    try:
        found = {cid: store.submission(cid) for cid in client_ids}
    finally:
        store.close()
    return {cid: row.terminal_name for cid, row in found.items() if row is not None}


def statuses(response: httpx.Response) -> list[tuple[str, str | None]]:
    return [(r["status"], r["reason"]) for r in response.json()["results"]]


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"code", "detail"} and body["code"] == code
    assert "Traceback" not in body["detail"]


# -- accepted, duplicate, other terminal --------------------------------------------------


@pytest.mark.slow
def test_a_batch_is_accepted_and_the_same_batch_again_is_all_duplicate(
    server: BackofficeServer, client: httpx.Client
) -> None:
    items = [item() for _ in range(3)]
    ids = [i.client_id for i in items]
    first = client.post(SUBMISSIONS, json=batch(*items))
    assert first.status_code == 200
    assert [r["client_id"] for r in first.json()["results"]] == ids  # in order
    assert statuses(first) == [("accepted", None)] * 3
    again = client.post(SUBMISSIONS, json=batch(*items))
    assert statuses(again) == [("duplicate", None)] * 3
    assert stored(server, *ids) == dict.fromkeys(ids, "kita-01")


def test_a_changed_resubmission_is_a_conflict_and_logged_without_values(
    server: BackofficeServer, client: httpx.Client
) -> None:
    form = item()
    assert statuses(client.post(SUBMISSIONS, json=batch(form))) == [("accepted", None)]
    changed = form.model_copy(update={"visit": "visit-0002"})
    response = client.post(SUBMISSIONS, json=batch(changed))
    assert statuses(response) == [("conflict", "submission.conflict")]
    store = server.open_store()
    try:
        kept = store.submission(form.client_id)
    finally:
        store.close()
    assert kept is not None and kept.visit == "visit-0001"  # nothing overwritten
    assert statuses(client.post(SUBMISSIONS, json=batch(form))) == [("duplicate", None)]
    log = server.log()
    assert f"conflict: client id {form.client_id}" in log
    assert RESIDENT_NAME not in log and "visit-0002" not in log


def test_a_client_id_repeated_inside_one_batch_is_stored_once(
    server: BackofficeServer, client: httpx.Client
) -> None:
    form = item()
    response = client.post(SUBMISSIONS, json=batch(form, form))
    assert statuses(response) == [("accepted", None), ("duplicate", None)]


def test_another_terminal_sending_a_stored_client_id_is_rejected(
    server: BackofficeServer, client: httpx.Client
) -> None:
    form, fresh = item(), item()
    assert statuses(client.post(SUBMISSIONS, json=batch(form))) == [("accepted", None)]
    other = server.issue_terminal("minami-02")
    with other.client(server) as other_client:
        response = other_client.post(SUBMISSIONS, json=batch(form, fresh))
    assert statuses(response) == [
        ("rejected", "submission.other_terminal"),
        ("accepted", None),
    ]
    assert stored(server, form.client_id, fresh.client_id) == {
        form.client_id: "kita-01",
        fresh.client_id: "minami-02",
    }


def test_identical_batches_sent_at_the_same_time_are_stored_exactly_once(
    server: BackofficeServer, terminal: TerminalCredentials
) -> None:
    items = [item() for _ in range(20)]
    body = batch(*items)
    answers: list[list[tuple[str, str | None]]] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        with terminal.client(server) as http:
            barrier.wait()
            answers.append(statuses(http.post(SUBMISSIONS, json=body)))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 6
    for position in range(len(items)):
        column = [answer[position][0] for answer in answers]
        assert column.count("accepted") == 1 and column.count("duplicate") == 5
    assert len(stored(server, *(i.client_id for i in items))) == len(items)


def test_no_personal_data_reaches_the_server_log(
    server: BackofficeServer, client: httpx.Client
) -> None:
    client.post(SUBMISSIONS, json=batch(item()))
    client.post(SUBMISSIONS, json={"items": [{**batch(item())["items"][0], "x": 1}]})
    log = server.log()
    for personal in (RESIDENT_NAME, RESIDENT_MY_NUMBER, RESIDENT_ADDRESS):
        assert personal not in log


# -- who may send -------------------------------------------------------------------------


def test_without_a_client_certificate_the_handshake_is_refused(server: BackofficeServer) -> None:
    form = item()
    context = ssl.create_default_context(cafile=str(server.ca_cert))  # no client cert
    anonymous = httpx.Client(base_url=server.url, verify=context)
    with anonymous, pytest.raises(httpx.TransportError):
        anonymous.post(SUBMISSIONS, json=batch(form))
    assert stored(server, form.client_id) == {}


def test_a_certificate_from_another_ca_is_refused_at_the_handshake(
    server: BackofficeServer, tmp_path: Path
) -> None:
    now = dt.datetime.now(dt.UTC)
    foreign = ca.CaFiles(tmp_path / "foreign-ca")
    ca.init_ca(foreign, now)
    issued = ca.issue_terminal(foreign, "kita-01", now)  # same name, other CA
    files = ca.write_terminal(tmp_path / "foreign", issued, ca.load_certificate(foreign.ca_cert))
    impostor = TerminalCredentials("kita-01", files.certificate, files.key, server.ca_cert)
    form = item()
    with impostor.client(server) as http, pytest.raises(httpx.TransportError):
        http.post(SUBMISSIONS, json=batch(form))
    assert stored(server, form.client_id) == {}


def test_an_unregistered_certificate_from_our_ca_gets_403_unknown(
    server: BackofficeServer, tmp_path: Path
) -> None:
    files = ca.CaFiles(server.data_dir / "ca")
    issued = ca.issue_terminal(files, "not-registered", dt.datetime.now(dt.UTC))
    written = ca.write_terminal(tmp_path, issued, ca.load_certificate(files.ca_cert))
    stranger = TerminalCredentials("not-registered", written.certificate, written.key, written.ca)
    form = item()
    with stranger.client(server) as http:
        assert_problem(http.post(SUBMISSIONS, json=batch(form)), 403, "terminal.unknown")
        assert_problem(http.get("/v1/crl"), 403, "terminal.unknown")
        assert http.get("/v1/health").status_code == 200  # open to any certificate of our CA
    assert stored(server, form.client_id) == {}


@pytest.mark.slow
def test_a_disabled_terminal_gets_403_and_nothing_is_stored_until_enabled(
    server: BackofficeServer,
) -> None:
    terminal = server.issue_terminal("disabled-03")
    server.cli("terminals", "disable", "disabled-03")
    form = item()
    with terminal.client(server) as http:
        assert_problem(http.post(SUBMISSIONS, json=batch(form)), 403, "terminal.disabled")
        assert stored(server, form.client_id) == {}
        server.cli("terminals", "enable", "disabled-03")
        assert statuses(http.post(SUBMISSIONS, json=batch(form))) == [("accepted", None)]


# -- what may be sent ---------------------------------------------------------------------


def _oversized_batch() -> tuple[dict[str, object], list[str]]:
    # Valid by the schema in every respect but its size.
    long_fields = tuple(
        WireField(id=f"note_{n}", value="あ" * 2000, source="resident")  # type: ignore[arg-type]
        for n in range(100)
    )
    items = [item(fields=long_fields) for _ in range(10)]
    return batch(*items), [i.client_id for i in items]


def test_a_body_over_the_limit_gets_413_by_content_length(
    server: BackofficeServer, client: httpx.Client
) -> None:
    body, ids = _oversized_batch()
    request = client.build_request("POST", SUBMISSIONS, json=body)
    assert int(request.headers["content-length"]) > MAX_BODY_BYTES
    assert_problem(client.send(request), 413, "request.too_large")
    assert stored(server, *ids) == {}


def test_a_streamed_body_over_the_limit_gets_413_by_counting(
    server: BackofficeServer, client: httpx.Client
) -> None:
    body, ids = _oversized_batch()
    encoded = httpx.Request("POST", "https://x", json=body).content

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer encoding
        for start in range(0, len(encoded), 64 * 1024):
            yield encoded[start : start + 64 * 1024]

    response = client.post(
        SUBMISSIONS, content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "request.too_large")
    assert stored(server, *ids) == {}
    assert client.get("/v1/health").status_code == 200  # the connection is still usable


def test_malformed_json_is_a_422_problem(client: httpx.Client) -> None:
    response = client.post(
        SUBMISSIONS, content=b'{"items": [', headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "request.invalid")


def test_unknown_keys_are_a_422_problem_and_nothing_of_the_batch_is_stored(
    server: BackofficeServer, client: httpx.Client
) -> None:
    good, bad = item(), item()
    body = batch(good, bad)
    body["items"][1]["comment"] = "not in the schema"
    response = client.post(SUBMISSIONS, json=body)
    assert_problem(response, 422, "request.invalid")
    assert "extra_forbidden" in response.json()["detail"]
    assert "not in the schema" not in response.json()["detail"]  # values are never echoed
    assert stored(server, good.client_id, bad.client_id) == {}


def test_more_than_the_maximum_items_is_a_422_problem(client: httpx.Client) -> None:
    body = batch(item())
    body["items"] = body["items"] * (MAX_BATCH_ITEMS + 1)
    assert_problem(client.post(SUBMISSIONS, json=body), 422, "request.invalid")


def test_a_form_with_text_no_database_can_store_is_rejected_alone(
    server: BackofficeServer, client: httpx.Client
) -> None:
    nul, fine = item(visit="visit\x00"), item()
    response = client.post(SUBMISSIONS, json=batch(nul, fine))
    assert statuses(response) == [("rejected", "submission.invalid"), ("accepted", None)]
    assert stored(server, nul.client_id, fine.client_id) == {fine.client_id: "kita-01"}


def test_unknown_paths_and_methods_are_json_problems(client: httpx.Client) -> None:
    assert_problem(client.get("/v1/nothing-here"), 404, "request.not_found")
    assert_problem(client.get(SUBMISSIONS), 405, "request.method_not_allowed")
    assert_problem(client.get("/"), 404, "request.not_found")


def test_a_form_version_beyond_32_bits_is_rejected_alone(
    server: BackofficeServer, client: httpx.Client
) -> None:
    huge, fine = item(form_version=2**40), item()
    response = client.post(SUBMISSIONS, json=batch(huge, fine))
    assert statuses(response) == [("rejected", "submission.invalid"), ("accepted", None)]


@pytest.mark.parametrize("version", ["1", True])
def test_a_form_version_sent_as_text_or_true_is_not_taken_for_a_number(
    server: BackofficeServer, client: httpx.Client, version: object
) -> None:
    body = batch(item())
    body["items"][0]["form_version"] = version  # the schema says integer: 1 or 1.0 only
    assert_problem(client.post(SUBMISSIONS, json=body), 422, "request.invalid")
    assert stored(server, body["items"][0]["client_id"]) == {}


def test_a_body_that_is_not_utf8_is_a_422_problem(client: httpx.Client) -> None:
    response = client.post(
        SUBMISSIONS, content=b'{"items": "\xff\xfe"}', headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "request.invalid")


def test_the_served_openapi_document_is_the_checked_in_one(client: httpx.Client) -> None:
    # After a schema change: backoffice openapi --output docs/backoffice-openapi.json
    served = client.get("/v1/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(CHECKED_IN_OPENAPI.read_text(encoding="utf-8"))


def test_health_reports_the_database(server: BackofficeServer, client: httpx.Client) -> None:
    response = client.get("/v1/health")
    assert response.status_code == 200
    expected = "sqlite" if server.database_url is None else "postgresql"
    assert response.json()["status"] == "ok" and response.json()["database"] == expected
