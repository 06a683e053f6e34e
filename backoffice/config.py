"""The back office's settings: one typed value, built once by the CLI and passed in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

APP_NAME = "counterapp-backoffice"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8443
DATABASE_FILE = "backoffice.db"
# psycopg 3 is the driver we ship; plain postgresql:// would make SQLAlchemy pick psycopg2.
_POSTGRES_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg"}


class ConfigError(Exception):
    """A setting the operator has to fix (bad URL, missing file): exit code 4."""


@dataclass(frozen=True)
class Settings:
    """Where the back office keeps its data and which database and CRLs it uses."""

    data_dir: Path
    database_url: str
    crl_files: tuple[Path, ...] = ()

    @classmethod
    def build(
        cls, data_dir: Path | None = None, database: str | None = None, crls: Sequence[Path] = ()
    ) -> Settings:
        """Fill in the defaults: the per-user data folder and a SQLite file inside it."""
        folder = data_dir if data_dir is not None else default_data_dir()
        url = normalise_database_url(database) if database else sqlite_url(folder)
        return cls(folder, url, tuple(crls))

    @property
    def ca_dir(self) -> Path:
        return self.data_dir / "ca"

    @property
    def trust_dir(self) -> Path:
        return self.data_dir / "trust"

    @property
    def crl_dir(self) -> Path:
        return self.data_dir / "crl"


def default_data_dir() -> Path:
    """The per-user data folder, e.g. ~/.local/share/counterapp-backoffice."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def sqlite_url(data_dir: Path) -> str:
    """The default database: a SQLite file in the data folder."""
    return f"sqlite:///{(data_dir / DATABASE_FILE).resolve()}"


def normalise_database_url(url: str) -> str:
    """Accept sqlite:/// and postgresql[+psycopg]:// URLs; PostgreSQL always via psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(
            "データベースURLを解釈できません / cannot parse the database URL"
        ) from exc
    if parsed.drivername in _POSTGRES_SCHEMES:
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.drivername in {"sqlite", "sqlite+pysqlite"}:
        return url
    raise ConfigError(
        f"対応していないデータベースです / unsupported database: {parsed.drivername} "
        "(sqlite:///FILE or postgresql://USER@HOST/DB)"
    )


def redacted_url(url: str) -> str:
    """The URL with its password masked, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)
