"""Options several commands share."""

from __future__ import annotations

import math
from typing import Any

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


# the formats kg reads, as `--format` offers them (text layouts, then the dumps)
INPUT_FORMATS = ["lines", "pairs", "daily", "jsonl", "csv", "arxiv", "openalex", "s2", "pwc"]


class Probability(click.FloatRange):
    """A number from 0 to 1 (a confidence). Unlike click.FloatRange it refuses NaN, which
    every range check lets through (no comparison with NaN is true)."""

    name = "probability"

    def __init__(self) -> None:
        super().__init__(0.0, 1.0)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        rv = super().convert(value, param, ctx)
        if isinstance(rv, float) and math.isnan(rv):
            self.fail(f"{value!r} is not a number; give one from 0 to 1, such as 0.5", param, ctx)
        return rv


PROBABILITY = Probability()
