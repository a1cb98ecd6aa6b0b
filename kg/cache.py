"""Where kg keeps the caches of a store (the RDF export of `kg sparql`, the FalkorDB data of
`kg cypher`): inside the store, or, when the store cannot be written (a read-only mount,
another user's store), in the user's cache directory, ``$XDG_CACHE_HOME/kg`` (default
``~/.cache/kg``), under a name made from the store's absolute path.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from pathlib import Path

from kg.errors import StoreError

log = logging.getLogger("kg.cache")


def user_cache_root() -> Path:
    """``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kg"


def _writable(d: Path) -> bool:
    """True if files can be made in `d` (made if missing)."""
    try:
        d.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=d):
            pass
    except OSError:
        return False
    return True


def cache_dir(store: str | Path, name: str) -> Path:
    """The directory for the cache `name` of `store`: ``STORE/name`` if it can be written,
    else one in the user's cache directory (with a warning saying where)."""
    inside = Path(store) / name
    if _writable(inside):
        return inside
    key = hashlib.sha1(os.fsencode(Path(store).resolve())).hexdigest()[:16]
    outside = user_cache_root() / f"store-{key}" / name
    if not _writable(outside):
        raise StoreError(
            f"cannot write the {name} cache of {store}: the store is read-only "
            f"and so is {outside.parent}; set XDG_CACHE_HOME to a writable "
            "directory"
        )
    with contextlib.suppress(OSError):
        os.chmod(outside.parent, 0o700)
    log.warning("the store %s cannot be written; keeping its %s cache in %s", store, name, outside)
    return outside
