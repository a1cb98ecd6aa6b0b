"""Where the graph goes: the embedded store, graph databases, exports."""
