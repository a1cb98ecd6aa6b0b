"""Write the graph as CSV files for ``neo4j-admin database import full`` (the bulk path).

One node file per label (``nodes-Method.csv``) and one relationship file per type
(``rels-USES.csv``), each with a typed header (``key:ID``, ``aliases:string[]``,
``:START_ID``...). Arrays are joined with U+001F (unit separator), given to neo4j-admin as
``--array-delimiter=U+001F``; quoted fields may hold newlines (``--multiline-fields=true``).
The ready-to-run command is written to ``DIR/import.sh``. Exporting into a directory that
holds an earlier export replaces it: node and relationship files of labels and types the
graph no longer has are removed, so ``DIR/rels-*.csv`` is always one graph.
"""

from __future__ import annotations

import csv
import shlex
from dataclasses import dataclass
from pathlib import Path

from kg.errors import SinkError
from kg.sinks import cypher
from kg.sinks.base import GraphLike, read_graph

ARRAY_DELIMITER = "\x1f"
ARRAY_DELIMITER_ARG = "U+001F"


def _type_of(values: list) -> str:
    """The neo4j-admin header type for a column's values.

    >>> _type_of([1, 2]), _type_of([1.5, 2]), _type_of([["a"]]), _type_of([True])
    ('long', 'double', 'string[]', 'boolean')
    """
    vals = [v for v in values if v is not None]
    if vals and all(isinstance(v, list) for v in vals):
        inner = [x for v in vals for x in v]
        return (_type_of(inner) if inner else "string") + "[]"
    if vals and all(isinstance(v, bool) for v in vals):
        return "boolean"
    if vals and all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return "long"
    if vals and all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
        return "double"
    return "string"


def _cell(v, where: str) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        items = [_cell(x, where) for x in v]
        if any(ARRAY_DELIMITER in x for x in items):
            raise SinkError(
                f"{where} holds the array delimiter U+001F in a list value; "
                "remove that control character from the input"
            )
        return ARRAY_DELIMITER.join(items)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


@dataclass
class CsvExport:
    """The files written into `directory` and the neo4j-admin command that imports them."""

    directory: str | Path
    node_files: list[Path]
    rel_files: list[Path]
    nodes: int
    rels: int
    command: str

    def lines(self) -> list[str]:
        return [
            f"wrote {len(self.node_files)} node files ({self.nodes} nodes) and "
            f"{len(self.rel_files)} relationship files ({self.rels} relationships) to "
            f"{self.directory}",
            "import them (Neo4j stopped, database empty or to be overwritten) with:",
            self.command,
        ]


@dataclass
class Neo4jCsvSink:
    """``kg export neo4j-csv``: node and relationship CSVs of the store's graph in
    `directory`, for ``neo4j-admin database import full`` into `database`."""

    directory: str | Path
    database: str = "neo4j"

    def write(self, store: str | Path, show: bool | None = False) -> CsvExport:
        with read_graph(store, "exporting", show) as g:
            return export(g, self.directory, self.database)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _remove_stale(out: Path, kept: set[str]) -> None:
    """Remove the node and relationship files an earlier export left in `out` that this
    one does not write (a label or type the graph no longer has): a ``rels-*.csv`` glob
    would otherwise mix two graphs. Other files are left alone; files this export
    rewrites keep their mode."""
    for pattern in ("nodes-*.csv", "rels-*.csv"):
        for f in out.glob(pattern):
            if f.name not in kept and (f.is_file() or f.is_symlink()):
                f.unlink()


def export(g: GraphLike, out_dir: str | Path, database: str = "neo4j") -> CsvExport:
    """Write node and relationship CSVs for `g` into `out_dir` and an import.sh.

    Node and relationship files (``nodes-*.csv``, ``rels-*.csv``) that an earlier export
    left in `out_dir` and this one does not write are removed; other files are kept."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SinkError(f"{out} is a file; give a directory for the CSV files")
    out.mkdir(parents=True, exist_ok=True)
    rows = cypher.graph_rows(g)
    by_type: dict[str, list[tuple[str, str, dict]]] = {}
    for (_s, typ, _d), pairs in rows.rels.items():
        by_type.setdefault(typ, []).extend((s, d, p) for (s, d), p in pairs.items())
    _remove_stale(
        out,
        {f"nodes-{lbl}.csv" for lbl in cypher.LABELS if rows.nodes.get(lbl)}
        | {f"rels-{typ}.csv" for typ in cypher.REL_TYPES if by_type.get(typ)},
    )
    node_files, rel_files = [], []
    for lbl in cypher.LABELS:
        nodes = rows.nodes.get(lbl)
        if not nodes:
            continue
        cols = sorted({k for p in nodes.values() for k in p})
        types = {c: _type_of([p.get(c) for p in nodes.values()]) for c in cols}
        header = ["key:ID", *(f"{c}:{types[c]}" for c in cols), ":LABEL"]
        body = [
            [key, *(_cell(p.get(c), f"node {key!r}") for c in cols), lbl]
            for key, p in sorted(nodes.items())
        ]
        f = out / f"nodes-{lbl}.csv"
        _write(f, header, body)
        node_files.append(f)
    for typ in cypher.REL_TYPES:
        rels = sorted(by_type.get(typ, []), key=lambda r: (r[0], r[1]))
        if not rels:
            continue
        cols = sorted({k for _, _, p in rels for k in p})
        types = {c: _type_of([p.get(c) for _, _, p in rels]) for c in cols}
        header = [":START_ID", ":END_ID", ":TYPE", *(f"{c}:{types[c]}" for c in cols)]
        body = [
            [s, d, typ, *(_cell(p.get(c), f"relationship {s}-{typ}->{d}") for c in cols)]
            for s, d, p in rels
        ]
        f = out / f"rels-{typ}.csv"
        _write(f, header, body)
        rel_files.append(f)
    command = import_command(node_files, rel_files, database)
    (out / "import.sh").write_text(
        "#!/bin/sh\n# Import kg's graph into an EMPTY (or "
        "overwritten) Neo4j database; stop the database first.\n" + command + "\n",
        encoding="utf-8",
    )
    return CsvExport(out_dir, node_files, rel_files, rows.node_count(), rows.rel_count(), command)


def import_command(node_files: list[Path], rel_files: list[Path], database: str = "neo4j") -> str:
    """The neo4j-admin (Neo4j 5) command line that imports the files.

    >>> print(import_command([Path("/x/nodes-Method.csv")], [Path("/x/rels-USES.csv")]))
    ... # doctest: +NORMALIZE_WHITESPACE
    neo4j-admin database import full --nodes=/x/nodes-Method.csv
    --relationships=/x/rels-USES.csv --array-delimiter=U+001F --multiline-fields=true
    --overwrite-destination=true neo4j
    """
    parts = ["neo4j-admin", "database", "import", "full"]
    parts += [f"--nodes={f}" for f in node_files]
    parts += [f"--relationships={f}" for f in rel_files]
    parts += [
        f"--array-delimiter={ARRAY_DELIMITER_ARG}",
        "--multiline-fields=true",
        "--overwrite-destination=true",
        database,
    ]
    return " ".join(shlex.quote(p) for p in parts)
