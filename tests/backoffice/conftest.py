"""Back-office fixtures: every test that takes ``database_url`` runs on SQLite and on
PostgreSQL (a throwaway cluster started once per session).

Without Debian's postgresql packages the PostgreSQL runs skip, unless
COUNTERAPP_REQUIRE_POSTGRES=1 turns that into a failure (CI must not pass by skipping).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.backoffice.postgres import REQUIRE_ENV, PostgresCluster, find_bin_dir

# The PostgreSQL runs repeat the SQLite ones on another database: CI's, not the fast tier's.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)]


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One PostgreSQL cluster for the whole session."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        reason = "PostgreSQL is not installed (.ci/install-system-deps installs postgresql)"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason} ({REQUIRE_ENV}=1)")
        pytest.skip(reason)
    cluster = PostgresCluster(bin_dir)
    cluster.start()
    yield cluster
    cluster.stop()


def _url(request: pytest.FixtureRequest) -> str | None:
    if request.param == "sqlite":
        return None  # the service's default: backoffice.db in its data folder
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str | None:
    """A fresh database per test: None = SQLite in the data folder, else a PostgreSQL URL."""
    return _url(request)


@pytest.fixture(scope="module", params=BACKENDS)
def module_database_url(request: pytest.FixtureRequest) -> str | None:
    """Like ``database_url``, shared by a module's tests (one server per backend)."""
    return _url(request)
