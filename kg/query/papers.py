"""Find a paper by any of its identifiers: kg's id, the input record's id, arXiv id, DOI,
OpenAlex or Semantic Scholar id (in any usual spelling: ``arXiv:1706.03762v5``,
``https://doi.org/...``), or its exact title.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("paper:ab12", label="Paper", name="Attention", title="Attention",
...            arxiv_id="1706.03762", doi="10.48550/arxiv.1706.03762")
>>> index = paper_index(g)
>>> find_paper(g, index, "https://arxiv.org/abs/1706.03762v5"), find_paper(g, index, "ab12")
('paper:ab12', 'paper:ab12')
>>> find_paper(g, index, "10.48550/ARXIV.1706.03762"), find_paper(g, index, "nope")
('paper:ab12', None)
"""

from __future__ import annotations

import networkx as nx

from kg.ids import ID_PROPS, lookup_keys

_KIND_OF = {prop: kind for kind, prop in ID_PROPS.items()}


def paper_index(g: nx.MultiDiGraph) -> dict[str, str]:
    """``kind:value`` of every id of every paper (and ``title:`` its lower-cased title)
    -> the paper's node."""
    index: dict[str, str] = {}
    for n, d in g.nodes(data=True):
        if d.get("label") != "Paper":
            continue
        for prop, kind in _KIND_OF.items():
            if d.get(prop):
                index.setdefault(f"{kind}:{d[prop]}", n)
        if d.get("title"):
            index.setdefault(f"title:{' '.join(str(d['title']).lower().split())}", n)
    return index


def find_paper(g: nx.MultiDiGraph, index: dict[str, str], text: str) -> str | None:
    """The node of the paper `text` names, or None."""
    text = text.strip()
    for node in (text, f"paper:{text}"):
        if node in g and g.nodes[node].get("label") == "Paper":
            return node
    for key in lookup_keys(text):
        if key in index:
            return index[key]
    return index.get(f"title:{' '.join(text.lower().split())}")
