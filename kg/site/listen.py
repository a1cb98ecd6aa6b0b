"""The listening sockets of ``kg serve``, bound before the server starts.

uvicorn binds its own sockets only once it runs, and on failure logs the OSError and
exits with status 3. kg binds them itself and hands them to ``uvicorn.Server.run``, so a
busy port or a host that is not this machine's fails first, with one line that says what
to change, and the server serves the very sockets checked (no window in which another
program could take the port between a check and the start).
"""

from __future__ import annotations

import errno
import socket

from kg.errors import KGError


def listen(host: str, port: int, backlog: int = 2048) -> list[socket.socket]:
    """Sockets listening on `port` (0: a free one) at every address `host` names (as
    asyncio's ``create_server`` would bind them); KGError when one cannot."""
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as e:
        raise KGError(
            f"cannot listen on --host {host!r}: {e.strerror}; give an address or name of "
            "this machine (the default, 127.0.0.1, serves this machine only)"
        ) from None
    sockets: list[socket.socket] = []
    try:
        for family, type_, proto, _name, address in dict.fromkeys(infos):
            if family not in (socket.AF_INET, socket.AF_INET6):
                continue
            sock = socket.socket(family, type_, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(backlog)  # the port is this process's from here on
    except OSError as e:
        for sock in sockets:
            sock.close()
        raise KGError(_why(e, host, port)) from None
    if not sockets:
        raise KGError(f"--host {host!r} names no IPv4 or IPv6 address; give one of this machine")
    return sockets


def _why(e: OSError, host: str, port: int) -> str:
    if e.errno == errno.EADDRINUSE:
        return f"port {port} is in use on {host}; choose another with --port (0: any free one)"
    if e.errno == errno.EADDRNOTAVAIL:
        return (
            f"{host} is not an address of this machine; give one of its addresses with "
            "--host (the default, 127.0.0.1, serves this machine only)"
        )
    if e.errno in (errno.EACCES, errno.EPERM):
        return (
            f"listening on port {port} needs privileges kg does not have; choose a port "
            "from 1024 up with --port"
        )
    return (
        f"cannot listen on {host} port {port} ({e.strerror or e}); choose another --host or --port"
    )
