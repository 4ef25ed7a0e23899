"""Fuzz the catalogue reader (atheris).

For any bytes as a PO file: ``load_catalogue`` either fails with an ``InputError`` (one
line, naming the file) or gives a catalogue that postlingo writes and reads back with the
same entries. Anything else — another exception, a changed entry — is a finding.

    python fuzz/fuzz_catalogue.py CORPUS_DIR [SEED_DIR ...] -max_total_time=60
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from postlingo.catalogue import load_catalogue, render
    from postlingo.errors import InputError
    from postlingo.poformat import entry_content

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
    assert [entry_content(e) for e in po] == [entry_content(e) for e in again], \
        "written and read back, the catalogue changed"
    assert po.metadata == again.metadata, "written and read back, the header changed"


def main() -> None:
    sys.setrecursionlimit(1000)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
