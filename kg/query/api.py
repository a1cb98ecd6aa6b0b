"""The Python API over a built graph: questions people ask, answered from the store.

>>> from kg.model import Record, Paper, Entity, Relation
>>> r = Record(paper=Paper(id="p1", text="..."),
...     entities=[Entity(key="method:resnet", type="Method", name="ResNet"),
...               Entity(key="dataset:imagenet", type="Dataset", name="ImageNet",
...                      aliases=["ILSVRC-2012"])],
...     relations=[Relation(head="method:resnet", type="EVALUATED_ON", tail="dataset:imagenet")])
>>> kg = KnowledgeGraph.from_records([r])
>>> [m["name"] for m in kg.methods_evaluated_on("ilsvrc-2012")]
['ResNet']
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from functools import cached_property

import networkx as nx

from kg.errors import QueryError
from kg.graph.build import build_graph
from kg.model import Record
from kg.names import compact_form, normal_form
from kg.query.papers import find_paper, paper_index


class KnowledgeGraph:
    """A built graph with an index of every name and alias."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.g = graph
        self._index: dict[str, list[str]] = {}
        for n, d in graph.nodes(data=True):
            if d["label"] in ("Result",):
                continue
            for name in [d.get("name") or "", *d.get("aliases", []), n.split(":", 1)[-1]]:
                for f in {normal_form(name), compact_form(name)}:
                    if f and n not in self._index.setdefault(f, []):
                        self._index[f].append(n)

    @classmethod
    def from_records(cls, records: Iterable[Record]) -> KnowledgeGraph:
        return cls(build_graph(records))

    # ------------------------------------------------------------ names
    def find(self, name: str, label: str | None = None) -> list[str]:
        """Node keys whose name or alias matches `name` (case-insensitive); a paper also by
        any of its ids (see :meth:`paper`)."""
        if name in self.g:
            return [name]
        if label == "Paper":
            node = find_paper(self.g, self._papers, name)
            if node is not None:
                return [node]
        keys: list[str] = []
        for f in (normal_form(name), compact_form(name)):
            for k in self._index.get(f, []):
                if k not in keys and (label is None or self.g.nodes[k]["label"] == label):
                    keys.append(k)
        if not keys and label is None:
            node = find_paper(self.g, self._papers, name)
            if node is not None:
                return [node]
        # a larger node first: the one most papers mention
        return sorted(keys, key=lambda k: (-len(self.g.nodes[k].get("papers", [])), k))

    def resolve(self, name: str, label: str | None = None) -> str:
        """The node key for `name`; QueryError with suggestions when there is none."""
        keys = self.find(name, label)
        if keys:
            return keys[0]
        choices = [d["name"] for _, d in self.g.nodes(data=True)
                   if d["label"] != "Result" and (label is None or d["label"] == label)]
        close = difflib.get_close_matches(name, choices, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        what = label or "entity"
        raise QueryError(f"no {what} named {name!r} in the graph{hint}")

    @cached_property
    def _papers(self) -> dict[str, str]:
        return paper_index(self.g)

    def paper(self, ident: str) -> dict:
        """A paper's data (title, ids, authors, venue, year, url, sources) by any of its
        ids: kg's, the input record's, arXiv, DOI, OpenAlex, Semantic Scholar, or its
        exact title. QueryError if no paper has it."""
        node = find_paper(self.g, self._papers, ident)
        if node is None:
            raise QueryError(f"no paper with the id or title {ident!r} in the graph; give "
                             "an arXiv id (1706.03762), a DOI, an OpenAlex (W...) or Semantic "
                             "Scholar id, the id of the input record, or kg's paper id")
        return {"key": node, **self.g.nodes[node]}

    def entity(self, name: str) -> dict:
        """A node's data (name, aliases, papers, merge record), resolving aliases."""
        key = self.resolve(name)
        return {"key": key, **self.g.nodes[key]}

    def _row(self, key: str, **extra) -> dict:
        d = self.g.nodes[key]
        return {"key": key, "name": d.get("name"), "type": d["label"],
                "confidence": d.get("confidence"), **extra}

    def _out(self, key: str, rel: str, label: str | None = None) -> list[dict]:
        rows = []
        for _, v, k, d in self.g.out_edges(key, keys=True, data=True):
            if k == rel and (label is None or self.g.nodes[v]["label"] == label):
                rows.append(self._row(v, support=d["support"], papers=d["papers"]))
        return sorted(rows, key=lambda r: (-r["support"], r["name"].lower()))

    def _in(self, key: str, rel: str, label: str | None = None) -> list[dict]:
        rows = []
        for u, _, k, d in self.g.in_edges(key, keys=True, data=True):
            if k == rel and (label is None or self.g.nodes[u]["label"] == label):
                rows.append(self._row(u, support=d["support"], papers=d["papers"]))
        return sorted(rows, key=lambda r: (-r["support"], r["name"].lower()))

    # ------------------------------------------------------------ questions
    def methods_evaluated_on(self, dataset: str) -> list[dict]:
        """Methods (or papers) evaluated on a dataset."""
        return self._in(self.resolve(dataset, "Dataset"), "EVALUATED_ON")

    def tasks_addressed_by(self, method: str) -> list[dict]:
        return self._out(self.resolve(method, "Method"), "ADDRESSES", "Task")

    def outperformers_of(self, method: str) -> list[dict]:
        """What the text says beats `method`."""
        return self._in(self.resolve(method, "Method"), "OUTPERFORMS")

    def outperformed_by(self, method: str) -> list[dict]:
        """What `method` is said to beat."""
        return self._out(self.resolve(method, "Method"), "OUTPERFORMS")

    def methods_for_task(self, task: str) -> list[dict]:
        return self._in(self.resolve(task, "Task"), "ADDRESSES")

    def _via_task(self, task: str, rel: str, label: str) -> list[dict]:
        key = self.resolve(task, "Task")
        heads = [u for u, _, k in self.g.in_edges(key, keys=True) if k == "ADDRESSES"]
        papers: dict[str, set[str]] = {}
        for h in heads:
            for _, v, k, d in self.g.out_edges(h, keys=True, data=True):
                if k == rel and self.g.nodes[v]["label"] == label:
                    papers.setdefault(v, set()).update(d["papers"])
        rows = [self._row(v, support=len(p), papers=sorted(p)) for v, p in papers.items()]
        return sorted(rows, key=lambda r: (-r["support"], r["name"].lower()))

    def datasets_for_task(self, task: str) -> list[dict]:
        """Datasets that methods addressing `task` are evaluated on, by number of papers."""
        return self._via_task(task, "EVALUATED_ON", "Dataset")

    def metrics_for_task(self, task: str) -> list[dict]:
        return self._via_task(task, "MEASURED_BY", "Metric")

    def code_for(self, name: str) -> list[dict]:
        """Repositories of the papers that propose `name` (a method) or of a paper."""
        key = self.resolve(name)
        papers = [key] if key.startswith("paper:") else [
            u for u, _, k in self.g.in_edges(key, keys=True) if k == "PROPOSES"]
        rows = {}
        for p in papers:
            for _, v, k, d in self.g.out_edges(p, keys=True, data=True):
                if k == "HAS_CODE":
                    rows[v] = self._row(v, support=d["support"], papers=d["papers"])
        return sorted(rows.values(), key=lambda r: r["name"])

    def proposed_by(self, paper: str) -> list[dict]:
        return self._out(self.resolve(paper, "Paper"), "PROPOSES")

    def papers_mentioning(self, name: str) -> list[dict]:
        key = self.resolve(name)
        return [{"key": f"paper:{p}", "name": self.g.nodes[f"paper:{p}"].get("name"),
                 "type": "Paper"} for p in self.g.nodes[key].get("papers", [])]

    def top_for_task(self, task: str, label: str) -> list[dict]:
        """The most used datasets, metrics or methods for a task, ranked by papers."""
        if label == "Method":
            return self.methods_for_task(task)
        rel = {"Dataset": "EVALUATED_ON", "Metric": "MEASURED_BY"}[label]
        return self._via_task(task, rel, label)

    def top(self, label: str, n: int = 10) -> list[dict]:
        rows = [self._row(k, support=len(d.get("papers", [])))
                for k, d in self.g.nodes(data=True) if d["label"] == label]
        return sorted(rows, key=lambda r: (-r["support"], r["name"].lower()))[:n]

    def path(self, a: str, b: str) -> list[dict]:
        """The shortest chain of relations between two entities (ignoring direction)."""
        ka, kb = self.resolve(a), self.resolve(b)
        und = self.g.to_undirected(as_view=True)
        try:
            nodes = nx.shortest_path(und, ka, kb)
        except nx.NetworkXNoPath:
            raise QueryError(f"{a!r} and {b!r} are not connected in the graph") from None
        rows = []
        for u, v in zip(nodes, nodes[1:], strict=False):
            if self.g.has_edge(u, v):
                rel, direction = next(iter(self.g[u][v])), "->"
            else:
                rel, direction = next(iter(self.g[v][u])), "<-"
            rows.append({"from": self.g.nodes[u]["name"], "rel": rel, "dir": direction,
                         "to": self.g.nodes[v]["name"]})
        return rows

    def counts(self) -> dict[str, Counter]:
        return {"nodes": Counter(d["label"] for _, d in self.g.nodes(data=True)),
                "relations": Counter(k for _, _, k in self.g.edges(keys=True))}
