"""The `kg export` command group; each export format adds its own subcommand to it."""

from __future__ import annotations

import click


@click.group()
def export() -> None:
    """Write the store's graph in a format other tools import (Neo4j CSV, RDF...)."""
