"""Small sample dumps in the real formats' field names and shapes, written by the tests.

Each has a few records: one paper that is in every dump (Attention Is All You Need,
arXiv 1706.03762, written slightly differently in each), records without abstracts,
withdrawn or retracted ones, and odd Unicode (accents, CJK, an emoji, a zero-width
space, LaTeX accents in arXiv author names).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

ATTENTION = (
    "The dominant sequence transduction models are based on complex recurrent or "
    "convolutional neural networks. We propose a new simple network architecture, "
    "the Transformer, based solely on attention mechanisms. Experiments on two "
    "machine translation tasks show these models to be superior in quality."
)
AUTHORS = ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit"]
TITLE = "Attention Is All You Need"
GCN_ABSTRACT = (
    "We present a scalable approach for semi-supervised learning on "
    "graph-structured data based on graph convolutional networks. We evaluate "
    "GCN on Cora and Citeseer."
)


def arxiv_records() -> list[dict]:
    def rec(id_, title, abstract, cats, created, **extra):
        return {
            "id": id_,
            "submitter": "Someone",
            "authors": extra.pop("authors", "A. Author"),
            "title": title,
            "comments": extra.pop("comments", "15 pages"),
            "journal-ref": extra.pop("journal_ref", None),
            "doi": extra.pop("doi", None),
            "report-no": None,
            "categories": cats,
            "license": None,
            "abstract": abstract,
            "versions": [
                {"version": "v1", "created": created},
                {"version": "v2", "created": "Wed, 6 Dec 2017 03:30:32 GMT"},
            ],
            "update_date": "2023-08-02",
            "authors_parsed": extra.pop("authors_parsed", [["Author", "A.", ""]]),
        }

    return [
        rec(
            "1706.03762",
            "Attention Is All\n  You Need",
            "  " + ATTENTION.replace(". ", ".\n", 1) + "\n",
            "cs.CL cs.LG",
            "Mon, 12 Jun 2017 17:57:34 GMT",
            authors="Ashish Vaswani, Noam Shazeer, Niki Parmar, Jakob Uszkoreit",
            authors_parsed=[[n.split()[1], n.split()[0], ""] for n in AUTHORS],
        ),
        rec(
            "1609.02907",
            "Semi-Supervised Classification with Graph Convolutional Networks",
            GCN_ABSTRACT,
            "cs.LG stat.ML",
            "Fri, 9 Sep 2016 19:48:41 GMT",
            authors="Thomas N. Kipf and Max Welling",
            authors_parsed=[["Kipf", "Thomas N.", ""], ["Welling", "Max", ""]],
            journal_ref="ICLR 2017",
        ),
        rec(
            "hep-th/9901001",
            "Strings in Bal\\'azs space",
            "We study strings in a curved background and find new dualities.",
            "hep-th",
            "Fri, 1 Jan 1999 00:00:00 GMT",
            authors="C. Bal\\'azs",
            authors_parsed=[["Bal\\'azs", "C.", ""]],
            doi="10.1103/PhysRevD.76.013009",
        ),
        rec(
            "2101.00001",
            "A withdrawn paper",
            "This paper has been withdrawn by the author due to a crucial error.",
            "cs.LG",
            "Fri, 1 Jan 2021 00:00:00 GMT",
            comments="This paper has been withdrawn",
        ),
        rec(
            "2305.01234",
            "Zero-shot 多语言 retrieval with emoji \U0001f600",
            "We propose Zéro\u200bRank, a retriever for 中文 and English queries, and evaluate "
            "it on MS MARCO.",
            "cs.IR cs.CL",
            "Tue, 2 May 2023 10:00:00 GMT",
            authors="José Núñez and 王小明",
            authors_parsed=[["Núñez", "José", ""], ["王小明", "", ""]],
        ),
        rec("2306.99999", "No abstract here", "", "cs.LG", "Thu, 1 Jun 2023 00:00:00 GMT"),
    ]


def openalex_records() -> list[dict]:
    words = ATTENTION.split(" ")
    index: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        index.setdefault(w, []).append(i)
    base = {
        "type": "article",
        "is_retracted": False,
        "cited_by_count": 1,
        "concepts": [{"display_name": "Computer science"}],
    }
    return [
        {
            **base,
            "id": "https://openalex.org/W2963403868",
            "doi": "https://doi.org/10.48550/arxiv.1706.03762",
            "title": TITLE,
            "display_name": TITLE,
            "publication_year": 2017,
            "publication_date": "2017-06-12",
            "ids": {
                "openalex": "https://openalex.org/W2963403868",
                "doi": "https://doi.org/10.48550/arxiv.1706.03762",
                "mag": "2963403868",
            },
            "primary_location": {
                "is_oa": True,
                "landing_page_url": "https://arxiv.org/abs/1706.03762",
                "source": {"display_name": "arXiv (Cornell University)"},
            },
            "authorships": [
                {
                    "author_position": "first",
                    "author": {"id": "https://openalex.org/A1", "display_name": n},
                }
                for n in AUTHORS
            ],
            "abstract_inverted_index": index,
        },
        {
            **base,
            "id": "https://openalex.org/W1",
            "doi": None,
            "title": "No abstract",
            "publication_year": 2020,
            "publication_date": "2020-01-01",
            "ids": {},
            "primary_location": None,
            "authorships": [],
            "abstract_inverted_index": None,
        },
        {
            **base,
            "id": "https://openalex.org/W2",
            "doi": "https://doi.org/10.1000/retracted",
            "title": "A retracted study",
            "publication_year": 2019,
            "is_retracted": True,
            "publication_date": "2019-05-05",
            "primary_location": None,
            "authorships": [],
            "abstract_inverted_index": {"We": [0], "retract": [1], "this.": [2]},
        },
        {
            **base,
            "id": "https://openalex.org/W3",
            "doi": "https://doi.org/10.1145/3292500.3330701",
            "title": "Ünïcödé graphs",
            "publication_year": 2015,
            "publication_date": "2015-03-01",
            "primary_location": {
                "landing_page_url": "https://doi.org/10.1145/3292500.3330701",
                "source": {"display_name": "KDD"},
            },
            "authorships": [{"author": {"display_name": "Zoë Çelik"}}],
            "abstract_inverted_index": {"Graphs": [0], "über": [1], "alles.": [2]},
        },
    ]


def s2_records() -> list[dict]:
    return [
        {
            "paperId": "204e3073870fae3d05bcbc2f6a8e263d9b72e776",
            "externalIds": {
                "DBLP": "journals/corr/VaswaniSPUJGKP17",
                "MAG": "2963403868",
                "ArXiv": "1706.03762",
                "CorpusId": 13756489,
            },
            "url": "https://www.semanticscholar.org/paper/204e3073870fae3d05bcbc2f6a8e263d9b72e776",
            "title": "Attention is All you Need",
            "abstract": ATTENTION.replace("superior", "superior"),
            "venue": "Neural Information Processing Systems",
            "year": 2017,
            "publicationDate": "2017-06-12",
            "authors": [{"authorId": str(i), "name": n} for i, n in enumerate(AUTHORS)],
        },
        {
            "paperId": "0" * 40,
            "externalIds": {"DOI": "10.1145/3292500.3330701"},
            "title": "Ünïcödé graphs (S2 copy, other abstract)",
            "abstract": "Graphs über alles, as indexed by Semantic Scholar.",
            "venue": "KDD",
            "year": 2015,
            "publicationDate": None,
            "authors": [{"authorId": None, "name": "Zoë Çelik"}],
        },
        {
            "paperId": "1" * 40,
            "externalIds": {},
            "title": "Abstract not available",
            "abstract": None,
            "venue": "",
            "year": 2021,
            "authors": [],
        },
    ]


def pwc_records() -> list[dict]:
    return [
        {
            "paper_url": "https://paperswithcode.com/paper/attention-is-all-you-need",
            "arxiv_id": "1706.03762",
            "title": TITLE,
            "abstract": "The dominant sequence transduction models are based on complex "
            "recurrent networks (PwC's copy of the abstract differs).",
            "url_abs": "http://arxiv.org/abs/1706.03762v5",
            "url_pdf": "http://arxiv.org/pdf/1706.03762v5.pdf",
            "proceeding": "NeurIPS 2017 12",
            "authors": AUTHORS,
            "tasks": ["Machine Translation"],
            "date": "2017-06-12",
            "methods": [],
        },
        {
            "paper_url": "https://paperswithcode.com/paper/semi-supervised-classification-with",
            "arxiv_id": "1609.02907",
            "title": "Semi-Supervised Classification with Graph Convolutional Networks",
            "abstract": GCN_ABSTRACT,
            "url_abs": "http://arxiv.org/abs/1609.02907v4",
            "url_pdf": None,
            "proceeding": None,
            "authors": ["Thomas N. Kipf", "Max Welling"],
            "tasks": [],
            "date": "2016-09-09",
            "methods": [],
        },
        {
            "paper_url": "https://paperswithcode.com/paper/empty",
            "arxiv_id": None,
            "title": "Empty",
            "abstract": "",
            "url_abs": "https://example.org/empty",
            "url_pdf": None,
            "proceeding": None,
            "authors": [],
            "tasks": [],
            "date": None,
            "methods": [],
        },
    ]


def write_lines(path: Path, recs: list[dict], gz: bool = False) -> Path:
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs).encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def write_array(path: Path, recs: list[dict], gz: bool = False) -> Path:
    data = json.dumps(recs, ensure_ascii=False, indent=1).encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path
