"""`kg leaderboard` and `kg serve`: the leaderboards of a dataset, and the local site.

Both read the store only. Kept in this one module (registered in kg.cli._register) so the
command line can move into a package without touching them.
"""

from __future__ import annotations

import click

from kg.cli.options import STORE_OPTION


@click.command()
@click.argument("dataset")
@click.option(
    "--metric",
    "-m",
    metavar="NAME",
    default=None,
    help="The metric (name or alias). Without it: the leaderboards the dataset has.",
)
@click.option(
    "--task",
    "-t",
    metavar="NAME",
    default=None,
    help="Only results reported by papers that mention this task.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "markdown"]),
    default="table",
    show_default=True,
    help="How to print it.",
)
@STORE_OPTION
def leaderboard(dataset, metric, task, fmt, store) -> None:
    """The best score of each method on DATASET in one metric, ranked.

    Without --metric, lists the dataset's leaderboards (one per metric with scores).
    Changes ("improves accuracy by 2%") are not scores and are left out; a metric whose
    direction kg does not know is shown unranked.
    """
    import kg
    from kg.query.leaderboard import render, render_boards

    graph = kg.open(store)
    if metric is None:
        items = graph.leaderboards(dataset, task)
        if fmt == "table" and items:
            click.echo(f"leaderboards of {items[0].dataset} (show one with --metric NAME):")
        click.echo(render_boards(items, fmt))
        return
    click.echo(render(graph.leaderboard(dataset, metric, task), fmt))


@click.command()
@STORE_OPTION
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on (loopback: this machine only).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="The port (0: any free one; the address is printed).",
)
def serve(store, host, port) -> None:
    """Serve a local site over the store: tasks, datasets, methods, papers, leaderboards.

    Read-only, offline (every asset ships with kg), and it keeps answering while
    `kg build` adds papers. Stop it with Ctrl-C.
    """
    import uvicorn

    from kg.site.app import create_app
    from kg.site.listen import listen

    app = create_app(store)  # opens the store first: a bad --store fails here, clearly
    # bound here, served by uvicorn as they are: a busy port or a wrong host fails with
    # one line, before the server starts (uvicorn would log the OSError and exit 3)
    sockets = listen(host, port)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)

    original = server.startup

    async def startup(sockets=None) -> None:
        await original(sockets)
        for s in server.servers:
            for sock in s.sockets:
                h, p = sock.getsockname()[:2]
                h = f"[{h}]" if ":" in h else h  # an IPv6 address
                click.echo(f"kg serve: http://{h}:{p}/  (store {store}; Ctrl-C stops)")

    server.startup = startup  # type: ignore[method-assign]
    try:
        server.run(sockets=sockets)
    finally:
        for sock in sockets:
            sock.close()
