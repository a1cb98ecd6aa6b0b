"""Where the graph goes, read from a store: one interface, a module per backend.

Graph databases are kept in step by :func:`kg.sinks.sync.load_graph` through the
:class:`kg.sinks.sync.Backend` interface (``read``, ``write``, ``ensure_constraints`` with
Cypher from :mod:`kg.sinks.cypher`): :mod:`kg.sinks.neo4j`, :mod:`kg.sinks.falkordb` (and
:mod:`kg.sinks.server`, the FalkorDB server kg runs itself). Files: Neo4j's bulk-import
CSV (:mod:`kg.sinks.neo4j_csv`), RDF (:mod:`kg.sinks.rdf`) and the HTML view
(:mod:`kg.sinks.html`).
"""
