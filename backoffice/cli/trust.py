"""``backoffice trust``: JPKI signing-CA anchors for residents' signatures."""

from __future__ import annotations

from pathlib import Path

import click

from backoffice.cli.common import data_dir_option, usage_errors
from backoffice.config import Settings
from backoffice.trust import add_anchor, list_anchors


@click.group()
def trust() -> None:
    """署名検証用のJPKI認証局 / JPKI signing-CA anchors for residents' signatures."""


@trust.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--allow-test-only", is_flag=True, help="Accept a TEST ONLY CA (test systems only).")
@data_dir_option
@usage_errors
def trust_add(file: Path, allow_test_only: bool, data_dir: Path | None) -> None:
    """署名検証用認証局の登録 / add a CA (PEM or DER) that signatures are checked against."""
    settings = Settings.build(data_dir)
    anchor = add_anchor(settings.trust_dir, file, allow_test_only=allow_test_only)
    click.echo(f"登録しました / added: {anchor.subject}")
    click.echo(f"  SHA-256: {anchor.sha256}")


@trust.command("list")
@data_dir_option
def trust_list(data_dir: Path | None) -> None:
    """登録済み認証局の一覧 / list the anchors (a changed file: CHANGED, not used)."""
    settings = Settings.build(data_dir)
    for anchor in list_anchors(settings.trust_dir):
        state = "" if anchor.intact else "\t変更あり・不使用 / CHANGED, not used"
        click.echo(f"{anchor.sha256}\t{anchor.subject}\t{anchor.not_after.date()}{state}")
