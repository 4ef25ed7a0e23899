"""What build's gate costs: a site of generated posts, every entry translated (a changed copy
of its msgid, markup kept), built once; CPU time of the build and of the judging in it.

    python bench/gate.py [--posts 1000] [--work DIR]

The gate (``postlingo.variant.build.Gate``) runs check's entry rules on every translation that
differs from its msgid and is used; a sync of untranslated posts (bench/run.py) never runs it.
CPU time (``time.process_time``), not wall time: the machines this runs on are shared.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polib

sys.path.insert(0, str(Path(__file__).parent))
from sitegen import generate

from postlingo import pipeline as project
from postlingo.config import load_config
from postlingo.incremental import sync
from postlingo.variant import build as variant


def translated_site(root: Path, posts: int) -> None:
    generate(root, posts, ["en"])
    assert sync(load_config(root)).ok
    for path in (root / "locales/en/LC_MESSAGES").glob("*.po"):
        po = polib.pofile(str(path))
        for entry in po:
            if not entry.obsolete:
                entry.msgstr = "EN " + entry.msgid
        po.save(str(path))


def timed_gate(spent: list[float]) -> Callable[..., Any]:
    judge = variant.Gate.refusal

    def refusal(self: variant.Gate, *args: Any) -> Any:
        start = time.process_time()
        try:
            return judge(self, *args)
        finally:
            spent[0] += time.process_time() - start
            spent[1] += 1

    return refusal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="postlingo-gate-"))
    try:
        translated_site(work / "site", args.posts)
        config = load_config(work / "site")
        spent = [0.0, 0]
        variant.Gate.refusal = timed_gate(spent)  # type: ignore[method-assign]
        for path in (work / "site/content/_posts/en").glob("*.md"):
            path.unlink()
        start = time.process_time()
        outcome = project.build(config)
        total = time.process_time() - start
        assert outcome.ok and not outcome.warnings, (outcome.errors, outcome.warnings)
        print(
            f"build of {args.posts} translated posts: {total:.2f} s CPU; judging "
            f"{spent[1]} entries: {spent[0]:.2f} s ({1e6 * spent[0] / max(spent[1], 1):.0f} "
            f"us an entry, {100 * spent[0] / total:.0f}% of the build)"
        )
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
