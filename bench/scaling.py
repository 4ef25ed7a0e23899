"""Scaling: how each stage's time grows with the size of its input (10 KB to 10 MB).

    python bench/scaling.py                          # every stage, 10 KB .. 10 MB
    python bench/scaling.py --sizes 10 100 1000      # sizes in KB
    python bench/scaling.py --stages po-read merge

For each stage and size the input is generated (deterministically), the stage runs --runs
times (small inputs more often) and the fastest time counts; caches of rendered entries are
emptied and the garbage collector is off during a run, as timeit does. Printed: seconds,
microseconds per KB of input, and that figure divided by the one of the size before ("step"):
linear work keeps the step near 1 (below 10 KB, fixed costs lower it; between 10 and 100 KB
the data outgrows the processor's caches and raises it once); quadratic work multiplies the
time per KB by the growth of the input, about 10 at every step.

Stages (in process, as the commands call them):
- parse: a post (front matter and Markdown of varied blocks, hard-wrapped) into segments;
- render: one hard-wrapped paragraph of inline code spans and links re-wrapped at 79
  columns (TextBlock.render, the shape of a translated paragraph);
- po-write: the post's catalogue, every entry translated, as gettext writes it;
- po-write-long: a catalogue of one long msgstr (not ASCII, escapes, no line break);
- po-read: that catalogue read back (postlingo's strict reader);
- po-read-long: a catalogue of one msgstr wrapped over many lines;
- merge: the catalogue merged with the template of the post with 5% of its paragraphs
  changed (exact matches carried over, changed ones matched fuzzily);
- entry-checks: every entry rule on every entry of the catalogue.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.setrecursionlimit(10_000)

from sitegen import block, sentence  # noqa: E402

from postlingo import front_matter, markdown, poformat  # noqa: E402
from postlingo.catalogue.merge import merge, new_catalogue  # noqa: E402
from postlingo.catalogue.po import make_template, render  # noqa: E402
from postlingo.catalogue.poformat import parse  # noqa: E402
from postlingo.qa.rules import Settings, entry_levels, judge, make_pair  # noqa: E402
from postlingo.source.front_matter import front_matter_segments  # noqa: E402
from postlingo.source.markdown import body_segments, parse_env  # noqa: E402
from postlingo.source.post import parse_post  # noqa: E402
from postlingo.source.segment import Segment, TextBlock  # noqa: E402

KB = 1000
SOURCE = "content/_posts/2024-01-01-gross.md"


def post_text(size: int, seed: int = 1, changed: float = 0.0) -> str:
    """A post of about ``size`` bytes; with ``changed``, that share of its blocks gets one
    more word (the same blocks otherwise: the same seed)."""
    rng, edits = random.Random(seed), random.Random(seed + 1)
    parts = ["---", "layout: post", 'title: "Ein großer Beitrag"', "tags: [Vertrieb]", "---", ""]
    length = sum(len(part) + 1 for part in parts)
    blocks = []
    while length < size:
        text = block(rng, rng.choice([None, 72, 80]))
        if edits.random() < changed and text[:1].isalpha():
            text += " Neu"
        blocks.append(text)
        length += len(text) + 2
    return "\n".join(parts) + "\n\n".join(blocks) + "\n"


def segments_of(text: str) -> list[Segment]:
    post = parse_post(text, Path(SOURCE), "2024-01-01-gross")
    return [*front_matter_segments(post, ["title"]), *body_segments(post)]


def code_paragraph(size: int) -> str:
    """One paragraph of inline code and links, hard-wrapped at 72 columns (the translation
    that took 109 s to re-wrap at 250 KB)."""
    rng = random.Random(3)
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(
            [
                f"`code{len(words)}`",
                f"[Link](https://example.com/{len(words)})",
                sentence(rng, False),
            ]
        )
        words.append(word)
        length += len(word) + 1
    lines, line = [], ""
    for word in " ".join(words).split(" "):
        if line and len(line) + 1 + len(word) > 72:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


def translated(text: str) -> str:
    """A stand-in translation that keeps all markup: the first letter swaps case."""
    return text[:1].swapcase() + text[1:]


def catalogue_text(size: int) -> str:
    segments = segments_of(post_text(size))
    po = new_catalogue(make_template(segments, SOURCE, "bench"), "en")
    for entry in po:
        entry.msgstr = translated(entry.msgid)
    return render(po, 79)


def long_msgstr_entry(size: int) -> polib.POFile:
    """A catalogue of one msgstr of ``size`` bytes on one line, not ASCII, with escapes."""
    po = new_catalogue(make_template(segments_of(post_text(1)), SOURCE, "bench"), "en")
    piece = 'Größere "Änderungen" übermorgen\tdanach. '
    po[0].msgstr = piece * max(1, size // len(piece.encode("utf-8")))
    return po


def long_msgstr_catalogue(size: int) -> str:
    line = '"' + "Ein sehr langer Text, der über viele Zeilen geht. " * 1 + '"\n'
    count = max(1, size // len(line.encode("utf-8")))
    return (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n"Content-Type: text/plain; '
        'charset=UTF-8\\n"\n\nmsgid "Lang"\nmsgstr ""\n' + line * count
    )


# Each stage: (prepare(size) -> input, run(input)). Only run is timed.
Stage = tuple[Callable[[int], Any], Callable[[Any], object]]


def _prepare_merge(size: int) -> tuple[polib.POFile, polib.POFile]:
    po = parse(catalogue_text(size), wrapwidth=79)
    template = make_template(segments_of(post_text(size, changed=0.05)), SOURCE, "bench")
    return po, template


def _prepare_checks(size: int) -> tuple[polib.POFile, dict[str, Any]]:
    text = post_text(size)
    post = parse_post(text, Path(SOURCE), "2024-01-01-gross")
    po = parse(catalogue_text(size), wrapwidth=79)
    return po, parse_env(post.body)


def _run_checks(data: tuple[polib.POFile, dict[str, Any]]) -> int:
    po, env = data
    settings = Settings("de", "en")
    levels = entry_levels({})
    return sum(len(list(judge(make_pair(entry, settings, env), levels))) for entry in po)


def _write_catalogue(size: int) -> polib.POFile:
    segments = segments_of(post_text(size))
    po = new_catalogue(make_template(segments, SOURCE, "bench"), "en")
    for entry in po:
        entry.msgstr = translated(entry.msgid)
    return po


def _render(text: str) -> str:
    return TextBlock(eol="\n", width=79).render(translated(text))


def _write(po: polib.POFile) -> str:
    return render(po, 79)


def _read(text: str) -> polib.POFile:
    return parse(text, wrapwidth=79)


def _merge(data: tuple[polib.POFile, polib.POFile]) -> polib.POFile:
    return merge(data[0], data[1], "en")


STAGES: dict[str, Stage] = {
    "parse": (post_text, segments_of),
    "render": (code_paragraph, _render),
    "po-write": (_write_catalogue, _write),
    "po-write-long": (long_msgstr_entry, _write),
    "po-read": (catalogue_text, _read),
    "po-read-long": (long_msgstr_catalogue, _read),
    "merge": (_prepare_merge, _merge),
    "entry-checks": (_prepare_checks, _run_checks),
}


def forget() -> None:
    """Empty the caches of parsed bodies, rendered entries and strings: a run must not
    reuse the last one's work."""
    poformat._RENDERED.clear()
    poformat.wrap_field.cache_clear()
    markdown.parse_body.cache_clear()
    front_matter._compose.cache_clear()


def input_size(data: object) -> int:
    """Bytes of a stage's input: the text, or the catalogue's text as gettext writes it."""
    if isinstance(data, str):
        return len(data.encode("utf-8"))
    if isinstance(data, tuple):
        return input_size(data[0])
    return len(render(data, 79).encode("utf-8"))


def time_stage(name: str, size: int, runs: int) -> tuple[int, float]:
    prepare, run = STAGES[name]
    data = prepare(size)
    best = float("inf")
    for _ in range(runs):
        forget()
        gc.collect()
        gc.disable()  # (as timeit: a collection's cost depends on the whole heap, not the stage)
        try:
            start = time.perf_counter()
            run(data)
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return input_size(data), best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[10, 100, 1000, 10000],
        help="input sizes in KB (default: 10 100 1000 10000)",
    )
    parser.add_argument("--stages", nargs="+", choices=sorted(STAGES), default=list(STAGES))
    parser.add_argument("--runs", type=int, default=3, help="runs per size (fastest counts)")
    options = parser.parse_args()
    print(f"{'stage':<14}{'input':>12}{'seconds':>10}{'us/KB':>10}{'step':>8}")
    for name in options.stages:
        before = None
        for size in options.sizes:
            # (small inputs run more often: their times are short and the machine noisy)
            runs = 1 if size >= 5000 else max(options.runs, min(30, 1000 // size))
            actual, seconds = time_stage(name, size * KB, runs)
            per_kb = seconds / (actual / KB) * 1e6
            step = f"{per_kb / before:>8.2f}" if before else f"{'':>8}"
            before = per_kb
            print(
                f"{name:<14}{actual / KB:>10,.0f}KB{seconds:>10.3f}{per_kb:>10.1f}{step}",
                flush=True,
            )


if __name__ == "__main__":
    main()
