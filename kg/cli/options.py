"""Options several commands share."""

from __future__ import annotations

import click

STORE_OPTION = click.option(
    "--store",
    "-s",
    default="kg-data",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The store directory.",
)
