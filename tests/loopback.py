"""The part the fake engine servers share (``libre_server``, ``llm_server``, ``deepl_server``):
an HTTP server on a free port of 127.0.0.1, in a thread of the test's own process, and the
script of behaviours its next requests follow.

A helper module, not a test module: the servers import it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

S = TypeVar("S", bound="Loopback")


class Loopback:
    """``with Server() as server:`` serves ``handler()`` until the block ends. A handler that
    hangs waits on ``_stop``, which the end of the block sets, so no test outlives its server.
    Subclasses are dataclasses; their ``__post_init__`` is this one."""

    script: list[str]
    default: str

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    def handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_port

    def then(self, behaviours: Iterable[str], default: str | None = None) -> None:
        """Script the next requests (and, optionally, every one after them)."""
        with self._lock:
            self.script = list(behaviours)
            if default is not None:
                self.default = default

    def next_behaviour(self) -> str:
        with self._lock:
            return self.script.pop(0) if self.script else self.default

    def __enter__(self: S) -> S:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
