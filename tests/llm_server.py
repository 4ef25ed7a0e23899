"""An OpenAI-compatible chat-completions server on 127.0.0.1 with scripted behaviours.

``POST <base>/chat/completions`` reads the request as the ``openai`` engine sends it (the
last user message is a JSON object with ``segments``) and answers with a chat completion
whose message content is ``{"translations": [{"id", "text"}]}``. Each request takes the next
behaviour of ``script``, then ``default``:

- ``normal``: each segment's text in capitals (placeholders kept), in order;
- ``reorder``: the same in reverse order; ``missing``: the last segment left out;
  ``none``: no translation at all; ``extra``: an unknown id and the first id twice with two
  different texts as well; ``fenced``: the JSON inside a Markdown code fence;
- ``bad-json``: message content that is no JSON; ``html``: an HTML page instead of JSON;
- ``429``: HTTP 429 with ``Retry-After: 0``; ``429-long``: with ``Retry-After: 3600``;
  ``500``: HTTP 500; ``401``: HTTP 401;
- ``hang``: no answer (until the server stops); ``trickle``: a normal answer one byte every
  0.2 s;
- ``echo-key``: each translation followed by the key the request carried;
- ``append``: each translation followed by ``server.appendix`` (Liquid, kramdown…).

Every request is recorded (its JSON body and Authorization header); nothing leaves the
machine; whatever would go on ends when the server stops.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from loopback import Loopback

PLACEHOLDER = re.compile(r"(\[X\d+X\])")
HANG_LIMIT = 15.0  # seconds a hanging request waits at most


def capitals(text: str) -> str:
    return "".join(
        part if PLACEHOLDER.fullmatch(part) else part.upper() for part in PLACEHOLDER.split(text)
    )


@dataclass
class Call:
    body: dict[str, Any]
    authorization: str | None
    behaviour: str

    @property
    def payload(self) -> dict[str, Any]:
        """The JSON object of the last user message."""
        user = [m for m in self.body["messages"] if m["role"] == "user"][-1]
        return dict(json.loads(user["content"]))

    @property
    def segments(self) -> list[dict[str, str]]:
        return list(self.payload["segments"])


@dataclass
class ChatServer(Loopback):
    script: list[str] = field(default_factory=list)
    default: str = "normal"
    calls: list[Call] = field(default_factory=list)
    appendix: str = ""
    # A test double's translations (text -> answer, None: left out) instead of capitals.
    translator: Callable[[str], str | None] | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}/v1"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler(self)

    def answer(self, call: Call) -> list[dict[str, str]]:
        """The translations a behaviour gives."""
        items = [{"id": s["id"], "text": capitals(s["text"])} for s in call.segments]
        if self.translator is not None:
            answers = [(s["id"], self.translator(s["text"])) for s in call.segments]
            items = [{"id": key, "text": text} for key, text in answers if text is not None]
        key = (call.authorization or "").removeprefix("Bearer ")
        behaviour = call.behaviour
        if behaviour == "reorder":
            items.reverse()
        elif behaviour == "missing":
            items = items[:-1]
        elif behaviour == "none":
            items = []
        elif behaviour == "extra":
            items += [
                {"id": "999", "text": "INVENTED"},
                {"id": items[0]["id"], "text": "ANOTHER TEXT"},
            ]
        elif behaviour == "echo-key":
            items = [{"id": i["id"], "text": f"{i['text']} {key}"} for i in items]
        elif behaviour == "append":
            items = [{"id": i["id"], "text": i["text"] + self.appendix} for i in items]
        return items


def _handler(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            behaviour = server.next_behaviour()
            call = Call(body, self.headers.get("Authorization"), behaviour)
            with server._lock:
                server.calls.append(call)
            if not self.path.endswith("/chat/completions"):
                return self._send(404, b"{}")
            if behaviour == "hang":
                server._stop.wait(HANG_LIMIT)
                return None
            if behaviour in ("429", "429-long"):
                wait = "0" if behaviour == "429" else "3600"
                return self._send(429, b'{"error": "slow down"}', {"Retry-After": wait})
            if behaviour in ("500", "401"):
                return self._send(int(behaviour), b'{"error": "no"}')
            if behaviour == "html":
                return self._send(
                    200, b"<html><body>Gateway</body></html>", {"Content-Type": "text/html"}
                )
            content = json.dumps({"translations": server.answer(call)}, ensure_ascii=False)
            if behaviour == "bad-json":
                content = "Sure! Here are your translations: " + content[:20]
            if behaviour == "fenced":
                content = f"```json\n{content}\n```"
            data = json.dumps(
                {
                    "id": "x",
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": content},
                        }
                    ],
                }
            ).encode()
            if behaviour == "trickle":
                return self._trickle(data)
            return self._send(200, data)

        def _send(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _trickle(self, data: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            for byte in data:
                if server._stop.wait(0.2):
                    return
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return

    return Handler
