"""The graph, pure: records to nodes and edges (build), incremental updates, name
resolution and analytics. No database, files or processes here (tests/test_layers.py)."""
