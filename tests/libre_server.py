"""A LibreTranslate-compatible HTTP server on 127.0.0.1 with scripted behaviours, for tests.

``POST /translate`` answers as LibreTranslate does (``{"translatedText": …}``), and
``POST /v2/translate`` as DeepL does, for the ``deepl`` engine. Each request takes the next
behaviour of ``script``, then ``default``:

- ``normal``: the text in capitals, placeholders (``[X1X]``) kept;
- ``429``: HTTP 429 with ``Retry-After: 0``; ``500``: HTTP 500; ``403``: HTTP 403;
- ``hang``: no answer at all (until the server stops);
- ``bad-json``: HTTP 200 with an HTML page;
- ``drop``: placeholders removed; ``mangle``: placeholders rewritten (``<X1>``);
- ``brackets``: the text's own square brackets removed (its Markdown breaks);
- ``append``: the translation followed by ``server.appendix`` (Liquid, kramdown, secrets);
  ``wrap``: the translation between the next pair of ``server.additions``;
- ``echo-key``, ``echo-key-url``, ``echo-key-b64``, ``echo-key-entities``: the translation
  followed by the key the request carried, as it came, percent-encoded, in base64, as HTML
  character references;
- ``huge``: an answer of ``HUGE`` bytes with its Content-Length; ``huge-unsized``: the same
  without (until the client hangs up); ``gzip-bomb``: a small gzip body that inflates to it;
- ``trickle``: a normal answer sent one byte every ``TRICKLE_PAUSE`` seconds, padded to
  ``TRICKLE_BYTES``; ``trickle-headers``: its status line and headers sent that way;
- ``429-long``: HTTP 429 with ``Retry-After: 3600``; ``429-date``: with an HTTP date an
  hour ahead; ``429-5``: with ``Retry-After: 5``.

Every request is recorded (path, text, key); nothing leaves the machine. A scripted answer
that would go on (hang, trickle) ends when the server stops, whatever the client does.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from loopback import Loopback

PLACEHOLDER = re.compile(r"(\[X\d+X\]|<x i=\"\d+\"/>)")  # DeepL keeps its tags
HANG_LIMIT = 15.0  # seconds a hanging request waits at most, should a test forget to stop
HUGE = 18_000_000  # bytes of a huge answer (the size the trial sent)
TRICKLE_PAUSE = 0.2  # seconds between two bytes of a trickled answer
TRICKLE_BYTES = 200  # bytes of a trickled answer: 40 s at that pace


def capitals(text: str) -> str:
    """The fake translation: letters in capitals, placeholders as they are."""
    return "".join(
        part if PLACEHOLDER.fullmatch(part) else part.upper() for part in PLACEHOLDER.split(text)
    )


def answer_text(behaviour: str, text: str) -> str:
    translated = capitals(text)
    if behaviour == "drop":
        return PLACEHOLDER.sub("", translated)
    if behaviour == "mangle":
        return re.sub(r"\[X(\d+)X\]", r"<X\1>", translated)
    if behaviour == "brackets":
        return "".join(
            part if PLACEHOLDER.fullmatch(part) else part.replace("[", "")
            for part in PLACEHOLDER.split(translated)
        )
    return translated


@dataclass
class Request:
    path: str
    text: str
    key: str | None
    behaviour: str


@dataclass
class FakeServer(Loopback):
    """Start with ``with FakeServer(script) as server:``; ``server.url`` is its address."""

    script: list[str] = field(default_factory=list)
    default: str = "normal"
    requests: list[Request] = field(default_factory=list)
    appendix: str = ""  # what ``append`` adds to the translation
    # (before, after) the translation, for the next ``append`` requests (then ``appendix``)
    additions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def texts(self) -> list[str]:
        return [request.text for request in self.requests]

    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler(self)

    def wait_for_stop(self) -> None:
        self._stop.wait(HANG_LIMIT)

    def pause(self, seconds: float) -> bool:
        """Wait ``seconds``; False once the server stops."""
        return not self._stop.wait(seconds)


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
                self._send(
                    int(behaviour),
                    json.dumps({"error": "scripted failure"}),
                    {"Retry-After": "0"} if behaviour == "429" else {},
                )
                return
            if behaviour.startswith("429-"):
                later = {
                    "long": "3600",
                    "5": "5",
                    "date": formatdate(time.time() + 3600, usegmt=True),
                }
                self._send(
                    429, json.dumps({"error": "slow down"}), {"Retry-After": later[behaviour[4:]]}
                )
                return
            if behaviour == "bad-json":
                self._send(200, "<html><body>Bad gateway</body></html>")
                return
            if behaviour.startswith("huge") or behaviour == "gzip-bomb":
                self._huge(behaviour)
                return
            translated = answer_text(behaviour, text) + self._addition(behaviour, key)
            if behaviour == "wrap":
                with server._lock:
                    before, after = server.additions.pop(0) if server.additions else ("", "")
                translated = before + translated + after
            if deepl:
                payload = {
                    "translations": [
                        {
                            "detected_source_language": "DE",
                            "text": translated,
                            "billed_characters": len(text),
                        }
                    ]
                }
            else:
                payload = {"translatedText": translated}
            if behaviour.startswith("trickle"):
                self._trickle(json.dumps(payload), behaviour == "trickle-headers")
                return
            self._send(200, json.dumps(payload))

        def _addition(self, behaviour: str, key: str | None) -> str:
            key = (key or "").removeprefix("DeepL-Auth-Key ")
            if behaviour == "append":
                return server.appendix
            if behaviour == "wrap":
                return ""
            if behaviour == "echo-key":
                return f" ({key})"
            if behaviour == "echo-key-url":
                return f" ({quote(key, safe='')})"
            if behaviour == "echo-key-b64":
                return f" ({base64.b64encode(key.encode()).decode()})"
            if behaviour == "echo-key-entities":
                return " (" + "".join(f"&#{ord(char)};" for char in key) + ")"
            return ""

        def _huge(self, behaviour: str) -> None:
            """``HUGE`` bytes of JSON (one long translation), or a gzip body inflating to it."""
            head, tail = b'{"translatedText": "', b'"}'
            filler = HUGE - len(head) - len(tail)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if behaviour == "gzip-bomb":
                body = gzip.compress(head + b"A" * filler + tail)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
            elif behaviour == "huge":
                self.send_header("Content-Length", str(HUGE))
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                if behaviour == "gzip-bomb":
                    self.wfile.write(body)
                    return
                self.wfile.write(head)
                block = b"A" * 65536
                for _ in range(filler // len(block)):
                    self.wfile.write(block)
                self.wfile.write(b"A" * (filler % len(block)) + tail)
            except OSError:  # the client hung up: what a guarded client does
                pass

        def _trickle(self, body: str, headers_too: bool) -> None:
            """``body`` padded to ``TRICKLE_BYTES``, one byte at a time (with its status line
            and headers too if ``headers_too``), until done or the server stops."""
            data = body.encode("utf-8")
            data += b" " * max(0, TRICKLE_BYTES - len(data))
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\n\r\n"
            ).encode("ascii")
            if not headers_too:
                self.wfile.write(head)
                self.wfile.flush()
            self.close_connection = True
            try:
                for byte in (head if headers_too else b"") + data:
                    if not server.pause(TRICKLE_PAUSE):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
            except OSError:
                pass

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
