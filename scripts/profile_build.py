"""Where the time of a full graph build goes, step by step, on an existing store.

Usage::

    python scripts/profile_build.py STORE

Runs the steps of kg.graph.build.build one after the other (the same functions, in the
same order) and times each: reading the digests, entity tallies, resolution, entity nodes,
the papers' own nodes and links, the edges between entities, JSON serialisation, writing
the file and the state. Prints a table with papers per second for each step.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

import orjson

from kg.graph import build as B
from kg.sinks.embedded import GraphFile, Store, _save_state


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
        digests = list(st.digests())
        t = step("read the digests (orjson)", t)
        state = B.GraphState()
        for d in digests:
            B.tally(state, d)
        t = step("entity tallies", t)
        state.resolve()
        t = step(f"resolution ({len(state.info):,} keys)", t)
        groups: dict[str, list[str]] = {}
        for key, c in state.canon.items():
            groups.setdefault(c, []).append(key)
        entity_nodes = [{"id": c, **B.entity_node(c, groups[c], state)} for c in sorted(groups)]
        t = step(f"entity nodes ({len(entity_nodes):,})", t)
        shared: dict = {}
        nodes: list[dict] = []
        links: list[dict] = []
        for d in digests:
            B._paper_part(d, state.canon, shared, nodes, links)
        t = step(f"papers' own nodes and links ({len(links):,} links)", t)
        shared_links = [B.link(e, shared[e]) for e in sorted(shared)]
        t = step(f"edges between entities ({len(shared_links):,})", t)
        buf = io.BytesIO()
        g = GraphFile(buf, st._shard_names())
        for i in range(0, len(links), 25_000):
            g.add_links(links[i:i + 25_000])
        g.add_links(shared_links)
        g.add_nodes(entity_nodes)
        g.add_nodes(nodes)
        g.finish()
        t = step(f"JSON serialisation ({buf.tell() / 2**20:,.0f} MiB)", t)
        with tempfile.NamedTemporaryFile(dir=st.path, delete=False) as fh:
            fh.write(buf.getbuffer())
            fh.flush()
            os.fsync(fh.fileno())
        Path(fh.name).unlink()
        t = step("write and fsync graph.json", t)
        tmp = st.path / ".profile-state"
        _save_state(tmp, st._shard_names(), state)
        tmp.unlink()
        step(f"save the state ({len(orjson.dumps(state.to_json())) / 2**20:,.0f} MiB)", t)
    n = len(digests)
    total = sum(s for _, s in steps)
    print(f"{n:,} papers in {argv[0]}\n")
    print("| step | seconds | papers/s | share |")
    print("|---|---:|---:|---:|")
    for name, s in [*steps, ("total", total)]:
        print(f"| {name} | {s:.2f} | {n / s:,.0f} | {s / total:.0%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
