"""A raw-socket HTTP/1.1 server that answers with whatever bytes a test scripts.

No HTTP library would send the malformed, oversized or dripping answers the engine must
refuse, so :class:`RawServer` writes them by hand: it listens on ``127.0.0.1`` (a free
port), reads each request head, and answers ``GET /NAME`` with the :class:`Script`
registered as ``NAME`` (or, for a list of scripts, the n-th one to the n-th request, the
last one from then on).  A connection stays open for the next request unless the script
closes it, so a test can see what a client does with bytes left over on a kept-alive
connection.  :attr:`RawServer.connections` counts accepted connections (reuse checks).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

__all__ = ["RawServer", "Script", "raw_server"]


@dataclass(frozen=True)
class Script:
    """One answer: ``parts`` are sent in order (``drip`` seconds apart, one byte at a
    time when ``drip`` is set and ``byte_by_byte``); ``close`` closes the connection after
    the last part.  ``parts`` may be a callable returning a fresh iterable, for endless or
    generated answers (a 100 MiB trailer is never held in memory)."""

    parts: Iterable[bytes] | Callable[[], Iterable[bytes]] = ()
    close: bool = False
    drip: float | None = None
    byte_by_byte: bool = False

    def pieces(self) -> Iterator[bytes]:
        source = self.parts() if callable(self.parts) else self.parts
        for part in source:
            if self.byte_by_byte:
                for i in range(len(part)):
                    yield part[i : i + 1]
            else:
                yield part


@dataclass
class RawServer:
    scripts: dict[str, Script | list[Script]] = field(default_factory=dict)
    connections: int = 0
    served: dict[str, int] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = int(self._listener.getsockname()[1])
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._stopping = threading.Event()
        self._socks: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        acceptor = threading.Thread(target=self._accept, name="raw-http-accept", daemon=True)
        acceptor.start()
        self._threads.append(acceptor)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._socks.append(conn)
                worker = threading.Thread(target=self._serve, args=(conn,), daemon=True)
                self._threads.append(worker)
            worker.start()

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        try:
            while not self._stopping.is_set():
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                head, _, buf = buf.partition(b"\r\n\r\n")
                target = head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
                script = self._next_script(target.lstrip("/").split("?", 1)[0])
                for piece in script.pieces():
                    if self._stopping.is_set():
                        return
                    conn.sendall(piece)
                    if script.drip is not None:
                        time.sleep(script.drip)
                if script.close:
                    return
        except OSError:
            return  # the client gave up (closed, reset): what many tests provoke
        except BaseException as exc:  # a bug of this server: the test will report it
            self.errors.append(exc)
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _next_script(self, name: str) -> Script:
        with self._lock:
            count = self.served[name] = self.served.get(name, 0) + 1
        chosen = self.scripts[name]
        return chosen if isinstance(chosen, Script) else chosen[min(count, len(chosen)) - 1]

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self._listener.close()
        with self._lock:
            socks, threads = list(self._socks), list(self._threads)
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
        for thread in threads:
            thread.join(timeout=5)


@contextlib.contextmanager
def raw_server(scripts: dict[str, Script | list[Script]]) -> Iterator[RawServer]:
    """A started :class:`RawServer` answering ``scripts``, stopped on exit."""
    server = RawServer(dict(scripts))
    try:
        yield server
    finally:
        server.stop()
