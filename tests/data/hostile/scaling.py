"""How postlingo.variant.security's reading grows with its input: seconds for one text of 100 KB,
400 KB and 1.6 MB, per shape (a real post repeated, and texts made to defeat a scanner:
openers that never close, tags left open). Run: python tests/data/hostile/scaling.py
A linear reading takes about four times as long for each step."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from postlingo.variant.security import _active, active_content

POST = (
    Path(__file__).parents[3] / "content/_posts" / "2021-01-05-erfolgreiche-kundeninteraktionen.md"
).read_text(encoding="utf-8")
SHAPES: dict[str, Callable[[int], str]] = {
    "post repeated": lambda n: POST * (n // len(POST) + 1),
    "{% never closed": lambda n: "{% x " * (n // 5),
    "{{ never closed": lambda n: "{{ x " * (n // 5),
    '<a title=" open': lambda n: '<a title="x ' * (n // 12),
    "{: never closed": lambda n: "{: x " * (n // 5),
    "{ #goldmark": lambda n: '{ #a "x" ' * (n // 9),
    "](a: links": lambda n: "](a:" * (n // 4),
    "<a:b autolinks": lambda n: "<a:b " * (n // 5),
    "{% raw nested": lambda n: "{% raw %}" * (n // 9),
}

for name, make in SHAPES.items():
    times = []
    for size in (100_000, 400_000, 1_600_000):
        text = make(size)
        _active.cache_clear()
        start = time.perf_counter()
        active_content(text)
        times.append(time.perf_counter() - start)
    print(f"{name:18}" + "".join(f"{seconds:9.3f}s" for seconds in times), flush=True)
