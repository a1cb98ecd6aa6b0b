"""Questions on the graph: the Python API, named questions, Cypher."""
