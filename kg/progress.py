"""Progress on long work, on standard error: tqdm bars with the count, the rate and (when
the total is known) the time left, and one-line notes of what is happening meanwhile.

Bars and notes show only when standard error is a terminal (or when `show` says so), so
piped output and logs stay clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TypeVar

from tqdm import tqdm

T = TypeVar("T")

MODEL_NOTE = (
    "loading the extraction model (spaCy en_core_web_sm and kg's entity "
    "recogniser; a few seconds, per worker process)..."
)


def _shown(show: bool | None, file: IO[str] | None) -> bool:
    if show is not None:
        return show
    stream = file or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


def note(message: str, show: bool | None = None, file: IO[str] | None = None) -> None:
    """Say what is happening (a line on standard error)."""
    if _shown(show, file):
        print(message, file=file or sys.stderr, flush=True)


def bar(
    total: int | None, desc: str, unit: str, show: bool | None = None, file: IO[str] | None = None
) -> tqdm:
    """A progress bar: count, rate, and with a `total` the percentage and time left."""
    return tqdm(
        total=total,
        desc=desc,
        unit=f" {unit}",
        disable=not _shown(show, file),
        file=file or sys.stderr,
        dynamic_ncols=True,
        mininterval=0.5,
        smoothing=0.05,
    )


def track(
    items: Iterable[T],
    total: int | None,
    desc: str,
    unit: str,
    show: bool | None = None,
    file: IO[str] | None = None,
) -> Iterator[T]:
    """`items`, advancing a bar as each is taken."""
    with bar(total, desc, unit, show, file) as b:
        for item in items:
            yield item
            b.update(1)


class PaperProgress:
    """The progress of extraction, as build_store and the extract command report it:
    called with 0 when reading has grouped the inputs and extraction is about to start
    (the model load follows), then with the number of papers done.

    `total` gives the number of papers to extract once reading has counted them (asked
    again if more are done: papers found to be extracted again once reading is over).
    """

    def __init__(
        self,
        desc: str,
        total: Callable[[], int | None],
        show: bool | None = None,
        file: IO[str] | None = None,
    ) -> None:
        self.desc, self.total, self.show, self.file = desc, total, show, file
        self.bar: tqdm | None = None

    def __call__(self, n: int) -> None:
        if self.bar is None:
            total = self.total()
            if total is not None:
                note(f"{total:,} papers to extract", self.show, self.file)
            note(MODEL_NOTE, self.show, self.file)
            self.bar = bar(total, self.desc, "papers", self.show, self.file)
        elif n > (self.bar.total or n):  # more to extract than counted at first
            self.bar.total = self.total() or self.bar.total
        if n > self.bar.n:
            self.bar.update(n - self.bar.n)

    def done(self) -> None:
        if self.bar is not None:
            self.bar.close()
