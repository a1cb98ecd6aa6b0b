"""The tables, indexes and views of a store's database (``STORE/kg.db``).

Two halves: what was extracted, one row per thing (``papers`` and the tables named after
a paper's parts), and the resolved graph that kg builds from it (``nodes``, ``edges``,
with ``names`` and ``paper_lookup`` to find them). ``meta`` holds the schema version and
how far the graph is built. The README describes every table with examples.
"""

from __future__ import annotations

# 2 added papers.content; 3 results.kind, papers_by_year, result_index; 4 node_degree and
# task_boards. Older databases are converted on opening (kg.store.migrate).
SCHEMA_VERSION = 4

TABLES = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- what was extracted -------------------------------------------------------------
CREATE TABLE IF NOT EXISTS papers (
    id       TEXT PRIMARY KEY,           -- kg's paper id (16 hex digits of the abstract)
    seq      INTEGER NOT NULL UNIQUE,    -- the order papers were stored in
    title    TEXT,
    date     TEXT,
    year     INTEGER,
    venue    TEXT,
    url      TEXT,
    authors  INTEGER,                    -- how many authors
    abstract TEXT NOT NULL,
    record   TEXT NOT NULL,              -- the rest of the record `kg extract` wrote (JSON)
    content  TEXT                        -- digest of the title and abstract its entities,
                                         -- relations and results were extracted from, and
                                         -- of the extractor that read them
                                         -- (kg.store.migrate.content_digest; NULL: unknown)
);
CREATE INDEX IF NOT EXISTS papers_by_year ON papers (year);
CREATE TABLE IF NOT EXISTS paper_sources (
    paper_id TEXT NOT NULL,
    source   TEXT NOT NULL,              -- 'path:line' of an input record
    PRIMARY KEY (paper_id, source)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS paper_ids (
    paper_id TEXT NOT NULL,
    kind     TEXT NOT NULL,              -- input, arxiv, doi, openalex, s2
    value    TEXT NOT NULL,
    PRIMARY KEY (paper_id, kind)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS paper_ids_by_value ON paper_ids (kind, value);
CREATE TABLE IF NOT EXISTS paper_authors (
    paper_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    PRIMARY KEY (paper_id, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entities (
    paper_id   TEXT NOT NULL,
    key        TEXT NOT NULL,            -- method:resnet, dataset:imagenet, ...
    type       TEXT NOT NULL,
    name       TEXT NOT NULL,            -- as the paper writes it
    aliases    TEXT NOT NULL,            -- JSON list
    confidence REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS entities_by_paper ON entities (paper_id);
CREATE INDEX IF NOT EXISTS entities_by_key ON entities (key);
CREATE TABLE IF NOT EXISTS mentions (
    paper_id   TEXT NOT NULL,
    key        TEXT NOT NULL,
    field      TEXT NOT NULL,            -- abstract or title
    sentence   INTEGER,
    start      INTEGER NOT NULL,         -- character offsets into that field
    "end"      INTEGER NOT NULL,
    confidence REAL
);
CREATE INDEX IF NOT EXISTS mentions_by_paper ON mentions (paper_id);
CREATE TABLE IF NOT EXISTS facts (       -- one row per relation read, with its evidence span
    paper_id   TEXT NOT NULL,
    head       TEXT NOT NULL,            -- an entity key, or PAPER for the paper itself
    type       TEXT NOT NULL,            -- PROPOSES, EVALUATED_ON, OUTPERFORMS, ...
    tail       TEXT NOT NULL,
    confidence REAL NOT NULL,
    field      TEXT,                     -- abstract or title (NULL: no evidence span)
    sentence   INTEGER,
    start      INTEGER,
    "end"      INTEGER
);
CREATE INDEX IF NOT EXISTS facts_by_paper ON facts (paper_id);
CREATE INDEX IF NOT EXISTS facts_by_head ON facts (head, type);
CREATE INDEX IF NOT EXISTS facts_by_tail ON facts (tail, type);
CREATE TABLE IF NOT EXISTS results (     -- one row per number reported
    paper_id   TEXT NOT NULL,
    method     TEXT NOT NULL,
    metric     TEXT NOT NULL,
    dataset    TEXT,
    value      TEXT NOT NULL,
    unit       TEXT,
    confidence REAL NOT NULL,
    field      TEXT,
    sentence   INTEGER,
    start      INTEGER,
    "end"      INTEGER,
    kind       TEXT NOT NULL DEFAULT 'score'  -- score, or a change of one: increase, decrease
);
CREATE INDEX IF NOT EXISTS results_by_paper ON results (paper_id);
CREATE INDEX IF NOT EXISTS results_by_method ON results (method);

-- the resolved graph ---------------------------------------------------------------
CREATE TABLE IF NOT EXISTS nodes (
    key        TEXT PRIMARY KEY,         -- method:resnet, paper:<id>, result:<hash>
    label      TEXT NOT NULL,            -- Paper, Method, Dataset, Task, Metric, Repository, Result
    name       TEXT,
    confidence REAL,
    papers     INTEGER NOT NULL,         -- how many papers mention it (entities)
    data       TEXT NOT NULL             -- every attribute but the papers, as JSON
);
CREATE TABLE IF NOT EXISTS edges (
    id         INTEGER PRIMARY KEY,
    head       TEXT NOT NULL,
    type       TEXT NOT NULL,
    tail       TEXT NOT NULL,
    support    INTEGER NOT NULL,         -- number of papers that state it
    confidence REAL NOT NULL,
    papers     TEXT NOT NULL,            -- JSON list of paper ids
    evidence   TEXT NOT NULL             -- JSON list of {paper, sentence, start, end, field}
);
CREATE TABLE IF NOT EXISTS names (       -- the forms a node is found by (names, aliases)
    form TEXT NOT NULL,
    key  TEXT NOT NULL,
    PRIMARY KEY (form, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS paper_lookup (  -- kind:value of a paper node's ids, title:...
    lookup TEXT NOT NULL,
    key    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS result_index (  -- each Result node on a dataset, with its dataset,
    dataset    TEXT NOT NULL,            -- metric and method keys: what the leaderboards
    metric     TEXT NOT NULL,            -- read (kept with the graph)
    kind       TEXT NOT NULL,            -- score, increase, decrease
    method     TEXT NOT NULL,
    value      REAL,                     -- the number (NULL: not a number)
    confidence REAL NOT NULL,
    result     TEXT NOT NULL,            -- the Result node
    paper      TEXT NOT NULL             -- the paper that reports it
);
CREATE TABLE IF NOT EXISTS node_degree (  -- each node's number of distinct neighbours (either
    key    TEXT PRIMARY KEY,             -- direction): what kg viz ranks nodes by (kept with
    degree INTEGER NOT NULL              -- the graph)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS task_boards (  -- the leaderboards within each task: the scores of
    task    TEXT NOT NULL,               -- the papers that mention it, by dataset and metric
    dataset TEXT NOT NULL,               -- (kept with the graph)
    metric  TEXT NOT NULL,
    methods INTEGER NOT NULL,            -- how many methods the board ranks
    scores  INTEGER NOT NULL,            -- how many scores it saw
    PRIMARY KEY (task, dataset, metric)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS graph_state (  -- what an incremental update needs (JSON)
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    data BLOB NOT NULL
);
"""

# the graph's tables: what a build writes (the last three derived from the first four)
GRAPH_TABLES = (
    "nodes",
    "edges",
    "names",
    "paper_lookup",
    "result_index",
    "node_degree",
    "task_boards",
)

# the indexes of the graph tables: a full build drops them and makes them again at the
# end (sorting once is far faster than inserting in key order row by row)
GRAPH_INDEXES = [
    "CREATE INDEX IF NOT EXISTS nodes_by_label ON nodes (label, papers)",
    "CREATE UNIQUE INDEX IF NOT EXISTS edges_by_head ON edges (head, type, tail)",
    "CREATE INDEX IF NOT EXISTS edges_by_tail ON edges (tail, type, support, head)",
    "CREATE INDEX IF NOT EXISTS names_by_key ON names (key)",
    "CREATE INDEX IF NOT EXISTS paper_lookup_by_lookup ON paper_lookup (lookup)",
    "CREATE INDEX IF NOT EXISTS paper_lookup_by_key ON paper_lookup (key)",
    "CREATE INDEX IF NOT EXISTS result_index_by_board ON result_index (dataset, metric, kind, "
    "method, value)",
    "CREATE INDEX IF NOT EXISTS result_index_by_result ON result_index (result)",
    "CREATE INDEX IF NOT EXISTS result_index_by_paper ON result_index (paper, kind, dataset, "
    "metric, method, value)",
    "CREATE INDEX IF NOT EXISTS node_degree_by_degree ON node_degree (degree DESC, key)",
    "CREATE INDEX IF NOT EXISTS task_boards_by_size ON task_boards (task, methods DESC, "
    "scores DESC)",
]
TABLES += "".join(f"{x};\n" for x in GRAPH_INDEXES)

VIEW_NAMES = ("evaluations", "comparisons", "result_values", "entity_papers")

VIEWS = """
CREATE VIEW IF NOT EXISTS evaluations AS   -- which methods were evaluated on which data
SELECT m.name AS method, d.name AS dataset, e.support, e.confidence, e.papers,
       e.head AS method_key, e.tail AS dataset_key
FROM edges e JOIN nodes m ON m.key = e.head JOIN nodes d ON d.key = e.tail
WHERE e.type = 'EVALUATED_ON' AND d.label = 'Dataset';

CREATE VIEW IF NOT EXISTS comparisons AS   -- what the papers say beats what
SELECT w.name AS winner, l.name AS loser, e.support, e.confidence, e.papers
FROM edges e JOIN nodes w ON w.key = e.head JOIN nodes l ON l.key = e.tail
WHERE e.type = 'OUTPERFORMS';

CREATE VIEW IF NOT EXISTS result_values AS  -- every reported number, resolved
SELECT json_extract(r.data, '$.paper') AS paper_id, p.title AS paper,
       m.name AS method, k.name AS metric, d.name AS dataset,
       json_extract(r.data, '$.value') AS value, json_extract(r.data, '$.unit') AS unit,
       coalesce(json_extract(r.data, '$.kind'), 'score') AS kind,
       eo.confidence, r.key AS result_key
FROM nodes r
JOIN edges eo ON eo.head = r.key AND eo.type = 'OF' JOIN nodes m ON m.key = eo.tail
JOIN edges eb ON eb.head = r.key AND eb.type = 'BY' JOIN nodes k ON k.key = eb.tail
LEFT JOIN edges en ON en.head = r.key AND en.type = 'ON' LEFT JOIN nodes d ON d.key = en.tail
LEFT JOIN papers p ON p.id = json_extract(r.data, '$.paper')
WHERE r.label = 'Result';

CREATE VIEW IF NOT EXISTS entity_papers AS  -- the papers that mention each entity
SELECT n.key, n.label, n.name, p.id AS paper_id, p.title
FROM nodes n JOIN edges e ON e.tail = n.key AND e.type = 'MENTIONS'
JOIN papers p ON 'paper:' || p.id = e.head;
"""
