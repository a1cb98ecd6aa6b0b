"""Which extractor made a record: a fingerprint of kg's extraction code, vocabulary,
lexicons and trained weights, so a store can tell the papers an older kg extracted."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def model_dir(path: Any = None) -> Any:
    """Where kg's trained weights are: `path`, else $KG_ENTITY_MODEL, else the ones
    shipped in kg/extract/model/."""
    path = path or os.environ.get("KG_ENTITY_MODEL") or None
    return resources.files("kg.extract") / "model" if path is None else Path(path)


def _files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".md")
    )


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """12 hex digits that change when anything extraction reads changes: the code and
    data files of kg.extract (model cards aside) and the weights in :func:`model_dir`.

    >>> len(fingerprint()) == 12 and fingerprint() == fingerprint()
    True
    """
    h = hashlib.sha1()
    roots = [HERE]
    model = Path(str(model_dir())).resolve()
    if not model.is_relative_to(HERE.resolve()):  # $KG_ENTITY_MODEL
        roots.append(model)
    for root in roots:
        for f in _files(root):
            h.update(f.relative_to(root).as_posix().encode() + b"\0")
            h.update(f.read_bytes())
    return h.hexdigest()[:12]
