"""``counterapp trust``: the J-LIS CA certificates and CVC issuer keys this terminal trusts.

The shipped ones come from the package; ``add`` and ``add-cvc`` add to the data folder,
each only with a published or typed SHA-256. ``status`` names every CA generation J-LIS
has published (installed, expired or missing) and every CVC issuer key.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from counterapp.cli.common import EXIT_NOT_GENUINE, AppContext, echo_json
from counterapp.verification.install import (
    CvcKeyInput,
    cvc_key_input,
    install_anchor,
    install_cvc_keys,
    parse_cvc_key_file,
)
from counterapp.verification.shipped import key_id_label, shipped_trust
from counterapp.verification.status import GenerationState, GenerationStatus, trust_status
from counterapp.verification.trust import TrustConfig, TrustError, known_fingerprints, load_trust

KIND_NAMES = {"auth": "利用者証明用 / auth", "sign": "署名用 / sign"}
STATE_MARKS = {
    GenerationState.INSTALLED: ("✔", "green"),
    GenerationState.EXPIRED: ("!", "yellow"),
    GenerationState.MISSING: ("✘", "red"),
}


@click.group()
def trust() -> None:
    """信頼点（J-LIS CA 証明書・CVC 発行者鍵）の管理 / Manage trust anchors and CVC keys."""


def _load(app: AppContext) -> TrustConfig:
    try:
        return load_trust(app.settings.data_dir)
    except TrustError as exc:
        raise click.UsageError(str(exc)) from exc


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
    if any(anchor.sha256 == digest for anchor in shipped_trust().anchors):
        click.echo(f"同梱済みです / already shipped: {digest}")
        return
    name = known_fingerprints().get(digest, "confirmed by the administrator")
    click.echo(f"追加しました / installed: {digest} ({name})")


@trust.command("add-cvc")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--key-id",
    help="FILE is one public key (PEM/DER); this is its full 16-byte issuer key id in hex.",
)
@click.option(
    "--confirm-sha256",
    multiple=True,
    help="SHA-256 of a key's DER SubjectPublicKeyInfo, checked against its source (repeatable).",
)
@click.pass_obj
def add_cvc(
    app: AppContext, file: Path, key_id: str | None, confirm_sha256: tuple[str, ...]
) -> None:
    """CVC 発行者鍵を追加 / Add CVC issuer keys.

    \b
    FILE is a TOML of [[cvc_issuer]] tables (name, key_id, modulus in hex,
    exponent), or with --key-id a single RSA public key file. A key already
    shipped is accepted as is; any other key needs its SHA-256 typed with
    --confirm-sha256. J-LIS test keys (6000xxx) count only with
    test_trust = "test-lab".
    """
    try:
        keys = _cvc_inputs(file, key_id)
        results = install_cvc_keys(app.settings.data_dir, keys, confirm_sha256)
    except TrustError as exc:
        raise click.UsageError(str(exc)) from exc
    for item, outcome in results:
        label = "同梱済み / shipped" if outcome == "shipped" else "追加しました / installed"
        click.echo(f"{label}: {item.name} {item.key_id.hex()} sha256 {item.sha256}")


def _cvc_inputs(file: Path, key_id: str | None) -> list[CvcKeyInput]:
    data = file.read_bytes()
    if key_id is not None:
        return [cvc_key_input(key_id, data)]
    keys = parse_cvc_key_file(data)
    if not keys:
        raise TrustError(f"{file} lists no [[cvc_issuer]] key (or pass --key-id)")
    return keys


@trust.command("list")
@click.pass_obj
def list_anchors(app: AppContext) -> None:
    """設定済みの信頼点 / List the anchors and CVC issuer keys in use."""
    config = _load(app)
    for anchor in config.anchors:
        click.echo(f"CA   {anchor.subject.rfc4514_string()}  ({config.generation_of(anchor)})")
    status = trust_status(config, dt.datetime.now(dt.UTC).date())
    for key in status.cvc_keys:
        origin = "shipped" if key.shipped else "added"
        click.echo(f"CVC  {key_id_label(key.key_id)}  ({origin}: {key.used_for})")


@trust.command("status")
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--at",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Report as of this date (e.g. to see when a generation expires). Default: today.",
)
@click.pass_obj
def status(app: AppContext, as_json: bool, at: dt.datetime | None) -> None:
    """J-LIS CA の世代ごとの状態と CVC 発行者鍵 / Every CA generation and CVC key.

    Exit code 1 when a generation in force is missing (cards under it stay undetermined).
    """
    today = at.date() if at else dt.datetime.now(dt.UTC).date()
    result = trust_status(_load(app), today)
    if as_json:
        echo_json(result.to_json())
    else:
        for generation in result.generations:
            click.echo(_generation_line(generation))
        for key in result.cvc_keys:
            origin = "同梱 / shipped" if key.shipped else "追加 / added"
            test = " [TEST: test-lab only]" if key.test else ""
            click.echo(f"✔ CVC {key_id_label(key.key_id)}: {origin}{test} — {key.used_for}")
        for anchor in result.other_anchors:
            click.echo(f"+ CA {anchor.subject.rfc4514_string()} (added)")
    sys.exit(EXIT_NOT_GENUINE if result.missing_in_force else 0)


def _generation_line(status: GenerationStatus) -> str:
    g = status.generation
    mark, colour = STATE_MARKS[status.state]
    if status.state is GenerationState.MISSING and not status.in_force:
        mark, colour = "!", "yellow"  # only old signatures made under it are affected
    text = (
        f"{mark} {KIND_NAMES[g.kind]} 第{g.number}世代 / generation {g.number} "
        f"({g.valid_from} – {g.valid_until}): {status.state.value}"
    )
    if status.state is GenerationState.MISSING and status.in_force:
        text += f" — counterapp trust add {g.install_file}"
    elif status.state is GenerationState.MISSING:
        text += " (not in force: only old signatures made under it cannot be checked)"
    elif status.state is GenerationState.EXPIRED:
        text += " (kept for signatures made while it was valid)"
    return click.style(text, fg=colour)
