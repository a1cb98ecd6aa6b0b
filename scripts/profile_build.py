"""Where the time of a full graph build goes, step by step, on an existing store.

Usage::

    python scripts/profile_build.py STORE

Runs the steps of a store's rebuild (kg.graph.parts.merge_parts: the same functions, in
the same order) and times each: reading the shard indexes, folding the parts' tallies,
resolution, entity nodes, the papers (runs copied from the parts, papers whose keys
resolution moved rendered again), the edges between entities, and writing graph.json and
the state. Prints a table with papers per second for each step.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from kg.graph import build as B
from kg.graph import parts as P
from kg.sinks.embedded import GraphFile, Store, _save_state, atomic_write


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    st = Store.open(argv[0])
    steps: list[tuple[str, float]] = []

    def step(name: str, t0: float) -> float:
        t = time.perf_counter()
        steps.append((name, t - t0))
        return t

    with B.paused_gc():
        t = time.perf_counter()
        parts = list(st._parts())
        n = sum(len(st._shard_index(s)) for s in st.shards()) - sum(len(s) for _, s in parts)
        t = step(f"shard indexes and parts ({len(parts)} shards)", t)
        state = B.GraphState()
        key_papers: dict[str, set[str]] = {}
        for part, skip in parts:
            if skip:
                body, blobs = part.body()
                for d in P._digests(body, blobs, skip):
                    B.tally(state, d, key_papers)
            else:
                P._add_head(state, key_papers, part.head())
        t = step("read the parts' heads, fold the tallies", t)
        state.resolve()
        t = step(f"resolution ({len(state.info):,} keys)", t)
        entity_nodes = B.entity_nodes(state, key_papers)
        t = step(f"entity nodes ({len(entity_nodes):,})", t)
        moved = {k for k, c in state.canon.items() if c != k}
        shared: dict = {}
        tmp = Path(tempfile.mkdtemp(dir=st.path, prefix=".profile-"))
        with (tmp / "graph.json").open("wb") as fh:
            g = GraphFile(fh, st._shard_names())
            g.add_nodes(entity_nodes)
            for part, skip in parts:
                P._merge_body(part, skip, state.canon, moved, shared, g)
            t = step(f"papers: read the parts' bodies, copy runs, redo papers with keys moved "
                     f"({len(moved):,} moved keys)", t)
            g.add_links([B.link(e, shared[e]) for e in sorted(shared)])
            g.finish()
            t = step(f"edges between entities ({len(shared):,})", t)
        atomic_write(tmp / "graph2.json", lambda fh: fh.write((tmp / "graph.json").read_bytes()),
                     binary=True)
        size = (tmp / "graph.json").stat().st_size
        t = step(f"write and fsync graph.json again ({size / 2**20:,.0f} MiB)", t)
        _save_state(tmp / "state", st._shard_names(), state)
        step("save the state", t)
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
    total = sum(s for _, s in steps)
    print(f"{n:,} papers in {argv[0]}\n")
    print("| step | seconds | papers/s | share |")
    print("|---|---:|---:|---:|")
    for name, s in [*steps, ("total", total)]:
        print(f"| {name} | {s:.2f} | {n / s:,.0f} | {s / total:.0%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
