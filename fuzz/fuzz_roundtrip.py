"""Fuzz the segment → build round trip (atheris).

The input is a post's bytes, optionally followed by a line ``---8<---`` and translations,
one per line (the seeds are plain posts: the fuzzer adds the rest). Reading the post either
fails with a ``PostlingoError`` (one line, naming the file) or gives segments; building
with no translation gives the file back byte for byte; building with the translations either
fails with a ``PostlingoError`` or gives a variant that reads back as a post and adds no
code (``postlingo.variant.security``). Anything else (another exception, a changed byte) is a
finding.

    python fuzz/fuzz_roundtrip.py CORPUS_DIR [SEED_DIR ...] -max_total_time=60
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from postlingo.catalogue.po import Translation
    from postlingo.errors import PostlingoError
    from postlingo.source.front_matter import front_matter_segments
    from postlingo.source.markdown import body_segments
    from postlingo.source.post import parse_post, read_post
    from postlingo.variant.build import build_variant
    from postlingo.variant.security import unsafe_additions

KEYS = ["title", "description", "tags", "image.alt"]
CUT = b"\n---8<---\n"
PATH = Path(tempfile.mkdtemp(prefix="postlingo-fuzz-")) / "fuzz.md"


def one_input(data: bytes) -> None:
    source, _, extra = data.partition(CUT)
    PATH.write_bytes(source)
    try:
        post = read_post(PATH, "fuzz")
        segments = front_matter_segments(post, KEYS) + body_segments(post)
    except PostlingoError as exc:
        assert exc.path == PATH and "\n" not in exc.message, exc
        return
    identity = build_variant(post, segments, {}, "en", {})
    assert identity.text.encode("utf-8") == source, "identity build changed the post"
    pieces = extra.decode("utf-8", "replace").split("\n")
    found = {
        segment.key: Translation(
            pieces[index % len(pieces)] or segment.msgid.upper(), Path("en.po"), index + 1
        )
        for index, segment in enumerate(segments)
    }
    try:
        variant = build_variant(post, segments, found, "en", {"lang": "en"})
    except PostlingoError as exc:
        assert "\n" not in exc.message, exc
        return
    rebuilt = parse_post(variant.text, PATH, "fuzz")
    front_matter_segments(rebuilt, KEYS)
    body_segments(rebuilt)
    assert unsafe_additions(post.text, variant.text) == [], "a variant with added code"


def main() -> None:
    sys.setrecursionlimit(1000)  # as a command-line run has it
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
