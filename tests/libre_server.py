"""A LibreTranslate-compatible HTTP server on 127.0.0.1 with scripted behaviours, for tests.

``POST /translate`` answers as LibreTranslate does (``{"translatedText": …}``), and
``POST /v2/translate`` as DeepL does, for the ``deepl`` engine. Each request takes the next
behaviour of ``script``, then ``default``:

- ``normal``: the text in capitals, placeholders (``[X1X]``) kept;
- ``429``: HTTP 429 with ``Retry-After: 0``; ``500``: HTTP 500; ``403``: HTTP 403;
- ``hang``: no answer at all (until the server stops);
- ``bad-json``: HTTP 200 with an HTML page;
- ``drop``: placeholders removed; ``mangle``: placeholders rewritten (``<X1>``);
- ``brackets``: the text's own square brackets removed (its Markdown breaks).

Every request is recorded (path, text, key); nothing leaves the machine.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PLACEHOLDER = re.compile(r"(\[X\d+X\])")
HANG_LIMIT = 15.0  # seconds a hanging request waits at most, should a test forget to stop


def capitals(text: str) -> str:
    """The fake translation: letters in capitals, placeholders as they are."""
    return "".join(part if PLACEHOLDER.fullmatch(part) else part.upper()
                   for part in PLACEHOLDER.split(text))


def answer_text(behaviour: str, text: str) -> str:
    translated = capitals(text)
    if behaviour == "drop":
        return PLACEHOLDER.sub("", translated)
    if behaviour == "mangle":
        return re.sub(r"\[X(\d+)X\]", r"<X\1>", translated)
    if behaviour == "brackets":
        return "".join(part if PLACEHOLDER.fullmatch(part) else part.replace("[", "")
                       for part in PLACEHOLDER.split(translated))
    return translated


@dataclass
class Request:
    path: str
    text: str
    key: str | None
    behaviour: str


@dataclass
class FakeServer:
    """Start with ``with FakeServer(script) as server:``; ``server.url`` is its address."""

    script: list[str] = field(default_factory=list)
    default: str = "normal"
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def texts(self) -> list[str]:
        return [request.text for request in self.requests]

    def then(self, behaviours: Iterable[str], default: str | None = None) -> None:
        """Script the next requests (and, optionally, every one after them)."""
        with self._lock:
            self.script = list(behaviours)
            if default is not None:
                self.default = default

    def next_behaviour(self) -> str:
        with self._lock:
            return self.script.pop(0) if self.script else self.default

    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def __enter__(self) -> FakeServer:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def wait_for_stop(self) -> None:
        self._stop.wait(HANG_LIMIT)


def _handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._answer({})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8") if length else ""
            if "json" in (self.headers.get("Content-Type") or ""):
                fields = json.loads(body or "{}")
            else:
                fields = {k: v[0] for k, v in parse_qs(body).items()}
            self._answer(fields)

        def _answer(self, fields: dict[str, Any]) -> None:
            split = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(split.query).items()}
            fields = {**query, **fields}
            deepl = split.path.endswith("/v2/translate")
            text = fields.get("text", [""]) if deepl else fields.get("q", "")
            text = text[0] if isinstance(text, list) else text
            key = fields.get("api_key") or self.headers.get("Authorization")
            behaviour = server.next_behaviour()
            server.record(Request(split.path, text, key, behaviour))
            if behaviour == "hang":
                server.wait_for_stop()
                return
            if behaviour in ("429", "500", "403"):
                self._send(int(behaviour), json.dumps({"error": "scripted failure"}),
                           {"Retry-After": "0"} if behaviour == "429" else {})
                return
            if behaviour == "bad-json":
                self._send(200, "<html><body>Bad gateway</body></html>")
                return
            translated = answer_text(behaviour, text)
            if deepl:
                payload = {"translations": [{"detected_source_language": "DE",
                                             "text": translated,
                                             "billed_characters": len(text)}]}
            else:
                payload = {"translatedText": translated}
            self._send(200, json.dumps(payload))

        def _send(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler
