"""``counterapp trust``: install and list the J-LIS CA certificates this terminal trusts."""

from __future__ import annotations

from pathlib import Path

import click

from counterapp.cli.common import AppContext
from counterapp.verification.trust import (
    TrustError,
    install_anchor,
    known_fingerprints,
    load_trust,
)


@click.group()
def trust() -> None:
    """トラストアンカー（J-LIS CA 証明書）の管理 / Manage trust anchors."""


@trust.command("add")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--confirm-sha256",
    help="For a CA not in the shipped list: its SHA-256, checked against J-LIS's publication.",
)
@click.pass_obj
def add(app: AppContext, file: Path, confirm_sha256: str | None) -> None:
    """CA 証明書を追加（既知の指紋か、確認済みの指紋のみ）/ Install a CA certificate."""
    try:
        digest = install_anchor(
            app.settings.data_dir, file.read_bytes(), confirmed_sha256=confirm_sha256
        )
    except TrustError as exc:
        raise click.UsageError(str(exc)) from exc
    name = known_fingerprints().get(digest, "confirmed by the administrator")
    click.echo(f"追加しました / installed: {digest} ({name})")


@trust.command("list")
@click.pass_obj
def list_anchors(app: AppContext) -> None:
    """設定済みのトラストアンカー / List installed anchors."""
    try:
        config = load_trust(app.settings.data_dir)
    except TrustError as exc:
        raise click.UsageError(str(exc)) from exc
    if not config.anchors:
        click.echo("トラストアンカーは未設定です（エミュレーター使用時はテスト用を自動使用）。")
    for anchor in config.anchors:
        click.echo(f"{anchor.subject.rfc4514_string()}  ({config.generation_of(anchor)})")
