"""``backoffice``: run the intake service and administer its CA, terminals and trust.

Exit codes: 0 success, 1 failure (e.g. the database does not answer), 4 usage or
configuration error.
"""

from __future__ import annotations

import sys

import click

from backoffice.cli import audit, authority, export, serve, terminals, trust
from backoffice.cli.common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Failure


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """自治体窓口端末の受付サービス / counterapp back-office intake service.

    \b
    Exit codes: 0 OK, 1 failure, 4 usage or configuration error.
    """


cli.add_command(serve.serve)
cli.add_command(authority.ca_group)
cli.add_command(terminals.terminals)
cli.add_command(trust.trust)
cli.add_command(export.export_command)
cli.add_command(serve.openapi_command)
cli.add_command(audit.audit_group)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: usage errors exit 4, failures 1."""
    try:
        code = cli.main(args=argv, prog_name="backoffice", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("中止しました / Aborted.", err=True)
        sys.exit(EXIT_FAILURE)
    except Failure as exc:
        exc.show()
        sys.exit(EXIT_FAILURE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
