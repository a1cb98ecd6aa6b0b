"""Options several commands share."""

from __future__ import annotations

import click

from kg.sinks.rdf import DEFAULT_BASE

STORE_OPTION = click.option(
    "--store",
    "-s",
    default="kg-data",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The store directory.",
)

BASE_OPTION = click.option(
    "--base",
    default=DEFAULT_BASE,
    show_default=True,
    help="Namespace for the data's IRIs (an absolute IRI ending in / or #). "
    "The default is a placeholder: use one you control before publishing.",
)
