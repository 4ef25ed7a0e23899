"""A server on 127.0.0.1 that speaks the part of DeepL's API the ``deepl`` client uses for
drafting: ``POST /v2/translate`` (a batch of texts, XML tag handling: ``<x i="1"/>`` kept,
the rest in capitals) and the v2 glossaries (list, create, delete). Every request is
recorded; glossaries live in ``server.glossaries`` (id -> record with its entries)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from loopback import Loopback

TAG = re.compile(r"(<x i=\"\d+\"/>)")


def capitals(text: str) -> str:
    return "".join(part if TAG.fullmatch(part) else part.upper() for part in TAG.split(text))


@dataclass
class Seen:
    method: str
    path: str
    body: dict[str, Any]


@dataclass
class DeeplServer(Loopback):
    requests: list[Seen] = field(default_factory=list)
    glossaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    made: int = 0

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    def calls(self, method: str, path: str) -> list[Seen]:
        return [seen for seen in self.requests if (seen.method, seen.path) == (method, path)]

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler(self)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.made += 1
            ident = f"g{self.made}"
        entries = dict(line.split("\t") for line in str(body["entries"]).splitlines() if line)
        record = {
            "glossary_id": ident,
            "name": body["name"],
            "ready": True,
            "source_lang": body["source_lang"],
            "target_lang": body["target_lang"],
            "creation_time": "2024-05-06T10:00:00.000000+00:00",
            "entry_count": len(entries),
            "entries": entries,
        }
        self.glossaries[ident] = record
        return {k: v for k, v in record.items() if k != "entries"}


def _handler(server: DeeplServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length) if length else b""
            return dict(json.loads(raw)) if raw.strip() else {}

        def _record(self, body: dict[str, Any]) -> None:
            with server._lock:
                server.requests.append(Seen(self.command, self.path.split("?")[0], body))

        def do_GET(self) -> None:
            self._record({})
            if self.path.startswith("/v2/glossaries"):
                listed = [
                    {k: v for k, v in g.items() if k != "entries"}
                    for g in server.glossaries.values()
                ]
                return self._send(200, {"glossaries": listed})
            return self._send(404, {"message": "no"})

        def do_DELETE(self) -> None:
            self._record({})
            ident = self.path.rsplit("/", 1)[-1]
            if server.glossaries.pop(ident, None) is None:
                return self._send(404, {"message": "Glossary not found"})
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None

        def do_POST(self) -> None:
            body = self._body()
            self._record(body)
            if self.path == "/v2/glossaries":
                return self._send(201, server.create(body))
            if self.path == "/v2/translate":
                texts = body["text"]
                glossary = server.glossaries.get(str(body.get("glossary_id", "")), {})
                out = []
                for text in texts:
                    translated = capitals(text)
                    for source, target in glossary.get("entries", {}).items():
                        translated = translated.replace(source.upper(), target)
                    out.append(
                        {
                            "detected_source_language": "DE",
                            "text": translated,
                            "billed_characters": len(text),
                        }
                    )
                return self._send(200, {"translations": out})
            return self._send(404, {"message": "no"})

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
