"""``python -m backoffice``: the same entry point as the ``backoffice`` console script."""

from backoffice.cli import main

main()
