"""Addresses of the site's pages, and the outside links a page may show.

>>> node_url("method:vit-b/16", "Method")
'/method/vit-b%2F16'
>>> safe_url("javascript:alert(1)") is None, safe_url("https://github.com/a/b")
(True, 'https://github.com/a/b')
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from kg.schema import ENTITY_LABELS

# the labels with a page of their own (the others share the entity page)
PAGES = {lab: lab.lower() for lab in ENTITY_LABELS if lab not in ("Metric", "Repository")}


def node_url(key: str, label: str) -> str:
    """The page of a node: /task/NAME, /dataset/NAME, /method/NAME (NAME: the key's part
    after the type), /paper/ID, else /entity/KEY."""
    if label == "Paper" and key.startswith("paper:"):
        return f"/paper/{quote(key[6:], safe='')}"
    page = PAGES.get(label)
    if page and key.startswith(page + ":"):
        return f"/{page}/{quote(key[len(page) + 1 :], safe='')}"
    return f"/entity/{quote(key, safe='')}"


def safe_url(url: str | None) -> str | None:
    """`url` if it is an http(s) address (a link the page may show), else None."""
    if not url:
        return None
    try:
        parts = urlsplit(str(url).strip())
    except ValueError:
        return None
    return str(url).strip() if parts.scheme in ("http", "https") and parts.netloc else None


def external_links(node: dict) -> list[dict]:
    """A paper's links out: its URL, arXiv, DOI, OpenAlex, Semantic Scholar."""
    out = []
    if safe_url(node.get("url")):
        out.append({"name": "paper", "url": node["url"]})
    if node.get("arxiv_id"):
        out.append({"name": "arXiv", "url": f"https://arxiv.org/abs/{quote(node['arxiv_id'])}"})
    if node.get("doi"):
        out.append({"name": "DOI", "url": f"https://doi.org/{quote(node['doi'], safe='/')}"})
    if node.get("openalex_id"):
        out.append(
            {
                "name": "OpenAlex",
                "url": f"https://openalex.org/{quote(node['openalex_id'], safe='')}",
            }
        )
    if node.get("s2_id"):
        out.append(
            {
                "name": "Semantic Scholar",
                "url": f"https://www.semanticscholar.org/paper/{quote(node['s2_id'], safe='')}",
            }
        )
    return out
