"""GNU-gettext-compatible PO output: what postlingo writes, ``msgcat`` leaves as it is."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, SOURCE
from po_readers import assert_same_entries
from postlingo.catalogue import poformat
from postlingo.catalogue.poformat import GnuPOEntry, GnuPOFile, parse, wrap_field

SPEC = json.loads((REPO / "tests/data/commonmark.json").read_text(encoding="utf-8"))
POST_LINES = [line for line in (REPO / SOURCE).read_text(encoding="utf-8").split("\n") if line]
EXTRA = [
    "",
    "a\tb\tc " * 15,
    'Er sagte "hallo" und \\ ging. ' * 5,
    "Zeile eins\nZeile zwei\n\nZeile vier ohne Ende",
    "endet mit Zeilenumbruch\n",
    "\n",
    "中文的段落没有空格\uff0c但是每个字都可以换行。" * 6,
    "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in "Fullwidth is two columns ") * 3,
    "Kombinierende Zeichen: e\u0301e\u0301e\u0301 " * 12,
    "Ein-sehr-langes-Wort-mit-Bindestrichen-das-nirgends-umbrochen-werden-kann-weil-es-lang-ist",
    "https://example.com/a/very/long/path/that/keeps/on/going/and/going/index.html?x=1&y=2",
    "Ein\u00a0geschütztes\u00a0Leerzeichen\u00a0nach\u00a0dem\u00a0anderen " * 4,
    "x" * 200,
    " führende und folgende Leerzeichen " * 3 + "   ",
    # \a is left out: gettext writes it as \\a, which polib 1.2 reads back as two characters.
    "Steuerzeichen \b \f \r \v mitten im Text " * 3,
]


def _texts() -> list[str]:
    markdown = sorted({example["markdown"] for example in SPEC})
    return [*POST_LINES, *EXTRA, *markdown]


def _catalogue(texts: list[str], width: int) -> GnuPOFile:
    """Entries of every kind: contexts, comments, references, fuzzy with previous msgids,
    plurals and obsolete entries."""
    po = GnuPOFile(wrapwidth=width)
    po.header = "A header comment\n\nwith an empty line."
    po.metadata = {
        "Project-Id-Version": "test",
        "Language": "en",
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
        "X-Custom": "kept",
    }
    for index, text in enumerate(texts):
        entry = GnuPOEntry(msgid=text or f"empty {index}", msgstr=text.upper())
        if index % 3 == 0:
            entry.msgctxt = f"context {index}: {text[:30]}"
        if index % 4 == 1 and entry.msgstr:
            entry.flags = ["fuzzy"]
            entry.previous_msgid = text[: len(text) // 2] + " früher"
            entry.previous_msgctxt = "old context" if index % 8 == 1 else None
        if index % 5 == 2:
            # A comment line ending in a backslash would be joined to the next by gettext.
            note = text[:120].replace("\n", " ").replace("\\", "/")
            entry.tcomment = f"translator's note {index}: {note}\n\nsecond line"
            entry.comment = f"extracted note {note}"
        entry.occurrences = [
            (f"content/_posts/2021/a-long-post-name-{n}.md", str(n * 17 + 1))
            for n in range(index % 7)
        ]
        if index % 11 == 3:
            entry.msgid_plural = f"{entry.msgid} (plural)"
            entry.msgstr_plural = {0: entry.msgstr, 1: entry.msgstr + " S"}
            entry.msgstr = ""
        if index % 13 == 4 and entry.msgstr:
            entry.obsolete = True
            entry.occurrences, entry.comment = [], ""
        po.append(entry)
    return po


def _msgcat(path: Path, width: int) -> str:
    wrap = ["--no-wrap"] if width == 0 else [f"--width={width}"]
    result = subprocess.run(["msgcat", *wrap, str(path)], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


@pytest.mark.parametrize("width", [79, 40, 100, 0])
def test_msgcat_leaves_every_entry_as_postlingo_wrote_it(tmp_path: Path, width: int) -> None:
    po = _catalogue(_texts(), width)
    assert len(po) > 600
    path = tmp_path / "all.po"
    path.write_text(str(po), encoding="utf-8")
    assert _msgcat(path, width) == path.read_text(encoding="utf-8")


# Words, spaces, hyphens, slashes, escapes, wide and combining characters: what decides
# where gettext breaks a line.
_piece = st.one_of(
    st.text(alphabet="abcdefäöüß", min_size=1, max_size=14),
    st.sampled_from(
        [
            " ",
            "  ",
            "-",
            "/",
            "\\",
            '"',
            "\t",
            "\n",
            "中文",
            "\uff57\uff49",
            "e\u0301",
            "\u00a0",
            ",",
            ".",
            "(",
            ")",
            "https://example.com/x",
        ]
    ),
)
_prose = st.lists(_piece, max_size=60).map("".join)


@settings(max_examples=25, deadline=None)
@given(st.lists(_prose, min_size=40, max_size=40, unique=True), st.sampled_from([79, 40, 100]))
def test_msgcat_agrees_on_random_text(texts: list[str], width: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.po"
        path.write_text(str(_catalogue(texts, width)), encoding="utf-8")
        assert _msgcat(path, width) == path.read_text(encoding="utf-8")


def test_the_file_reads_back_to_the_same_entries_in_every_parser(tmp_path: Path) -> None:
    # translate-toolkit reads the escapes \b, \f and \v as the letters b, f and v.
    po = _catalogue([t for t in _texts() if not set(t) & set("\b\f\v")], 79)
    for entry in po.obsolete_entries():
        # Babel 2.19 rejects "#~|" lines; postlingo's merge never writes them.
        entry.previous_msgid = entry.previous_msgctxt = None
    path = tmp_path / "all.po"
    path.write_text(str(po), encoding="utf-8")
    assert_same_entries(path, po)


def test_polib_would_have_broken_before_the_space_gettext_breaks_after_it() -> None:
    text = (
        "Geschäftsreisen von deutschen Unternehmen. Bei circa 60% dieser Reisen hat es "
        "sich dabei um Tagesreisen ohne Übernachtung gehandelt."
    )
    polib_lines = polib.POEntry(msgid=text).__unicode__(79).splitlines()
    assert (
        '"Geschäftsreisen von deutschen Unternehmen. Bei circa 60% dieser Reisen hat es"'
        in polib_lines
    )
    assert wrap_field("", "msgid", text, 79) == (
        'msgid ""',
        '"Geschäftsreisen von deutschen Unternehmen. Bei circa 60% dieser Reisen hat "',
        '"es sich dabei um Tagesreisen ohne Übernachtung gehandelt."',
    )


def test_comments_are_never_wrapped_and_header_fields_keep_their_order() -> None:
    text = (
        "# Header comment that is far longer than seventy-nine columns, as translators write\n"
        'msgid ""\n'
        'msgstr ""\n'
        '"Language: de\\n"\n'
        '"X-Generator: Poedit 3.4\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Project-Id-Version: x\\n"\n'
        "\n"
        "# A translator comment that is far longer than seventy-nine columns, and stays so\n"
        "#. An extracted comment that is far longer than seventy-nine columns, and stays so\n"
        'msgid "a"\n'
        'msgstr "b"\n'
    )
    assert str(parse(text)) == text


def test_references_wrap_by_whole_items_at_79_columns_even_without_string_wrapping() -> None:
    entry = GnuPOEntry(
        msgid="x", occurrences=[(f"content/_posts/post-{n:03}.md", "12") for n in range(6)]
    )
    lines = entry.__unicode__(0).splitlines()
    references = [line for line in lines if line.startswith("#:")]
    assert [len(line) <= 79 for line in references] == [True, True, True]
    assert [line.count(".md:12") for line in references] == [2, 2, 2]


def test_the_fallback_line_breaker_agrees_with_libunistring_on_prose() -> None:
    # Without libunistring postlingo breaks after spaces, and after hyphens and slashes
    # between letters; on the example post that is what gettext does too.
    texts = [*POST_LINES, *(line.upper() for line in POST_LINES)]
    for width in (79, 60, 40):
        for text in texts:
            escaped = poformat._escape(text)
            prohibited = poformat._prohibited(escaped)
            for start in (0, 6):
                assert poformat._fallback_breaks(
                    escaped, prohibited, width, start
                ) == poformat._breaker()(escaped, prohibited, width, start), (width, text)
