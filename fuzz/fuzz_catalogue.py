"""Fuzz the catalogue reader (atheris).

For any bytes as a PO file: ``load_catalogue`` either fails with an ``InputError`` (one
line, naming the file) or gives a catalogue that postlingo writes and reads back with the
same entries (obsolete ones move to the end and keep no flag but fuzzy, as gettext writes
them; a flag given twice is written once). Anything else (another exception, a changed
entry) is a finding.

    python fuzz/fuzz_catalogue.py CORPUS_DIR [SEED_DIR ...] -max_total_time=60
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris
import polib

with atheris.instrument_imports():
    from postlingo.catalogue.po import load_catalogue, render
    from postlingo.catalogue.poformat import entry_content
    from postlingo.errors import InputError

FOLDER = Path(tempfile.mkdtemp(prefix="postlingo-fuzz-"))
PATH = FOLDER / "fuzz.po"
AGAIN = FOLDER / "again.po"


def one_input(data: bytes) -> None:
    PATH.write_bytes(data)
    try:
        po = load_catalogue(PATH, language="en")
    except InputError as exc:
        assert exc.path == PATH and "\n" not in exc.message, exc
        return
    AGAIN.write_text(render(po, 79), encoding="utf-8")
    again = load_catalogue(AGAIN, language="en")
    assert contents(po) == contents(again), "written and read back, the catalogue changed"
    assert po.metadata == again.metadata, "written and read back, the header changed"


def contents(po: polib.POFile) -> list[tuple[object, ...]]:
    """The entries as postlingo keeps them, in any order: obsolete entries go after the live
    ones and keep no flag but fuzzy, as gettext writes them (``postlingo.catalogue.poformat``)."""
    found = []
    for entry in po:
        if entry.obsolete:
            entry.flags = [flag for flag in entry.flags if flag == "fuzzy"]
        entry.flags = list(dict.fromkeys(entry.flags))  # a flag twice is written once
        content = entry_content(entry)
        found.append((bool(content[0]), *content[1:]))  # polib has 0 or False for "live"
    return sorted(found, key=repr)


def main() -> None:
    sys.setrecursionlimit(1000)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
