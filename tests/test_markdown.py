"""Segmentation and rendering cases from fixture files (tests/fixtures/markdown/*.md).

Each case: a title line and a '.' line, then four parts ended by a line holding a single
'.': the source, the msgids it yields (one JSON string per line), their translations (same
order), and the post built with those translations.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from markdown_tree import build_body
from postlingo.source.markdown import (
    NOT_PROSE,
    _parsed_has_words,
    body_segments,
    explicit_references,
    has_words,
    two_words,
)
from postlingo.source.post import parse_post

FIXTURES = Path(__file__).parent / "fixtures" / "markdown"


def read_cases(path: Path) -> list[tuple[str, str, list[str], list[str], str]]:
    cases, lines = [], path.read_text(encoding="utf-8").split("\n")
    pos = 0
    while pos < len(lines):
        if not lines[pos].strip():
            pos += 1
            continue
        title, pos, parts = lines[pos], pos + 2, []  # the title's own '.' line
        for _ in range(4):
            end = lines.index(".", pos)
            parts.append("\n".join(lines[pos:end]))
            pos = end + 1
        source, msgids, translations, expected = parts
        cases.append(
            (title, source + "\n", _json_lines(msgids), _json_lines(translations), expected + "\n")
        )
    return cases


def _json_lines(text: str) -> list[str]:
    return [json.loads(line) for line in text.split("\n") if line]


CASES = [
    pytest.param(*case[1:], id=f"{path.stem}: {case[0]}")
    for path in sorted(FIXTURES.glob("*.md"))
    for case in read_cases(path)
]


@pytest.mark.parametrize(("source", "msgids", "translations", "expected"), CASES)
def test_fixture(source: str, msgids: list[str], translations: list[str], expected: str) -> None:
    post = parse_post(source, Path("post.md"), "post")
    assert [segment.msgid for segment in body_segments(post)] == msgids
    table = dict(zip(msgids, translations, strict=True))
    assert build_body(source, lambda msgid, _refs: table[msgid]) == expected


def test_fixtures_exist() -> None:
    assert len(CASES) >= 10


def test_same_text_twice_is_two_segments_with_one_msgid() -> None:
    post = parse_post("Hallo.\n\nHallo.\n", Path("post.md"), "post")
    segments = body_segments(post)
    assert [(s.msgid, s.line) for s in segments] == [("Hallo.", 1), ("Hallo.", 3)]


def test_lines_count_front_matter() -> None:
    post = parse_post("---\ntitle: x\n---\n\nText.\n", Path("post.md"), "post")
    assert [s.line for s in body_segments(post)] == [5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("`code` only", True),
        ("`code`", False),
        ("{{ page.title }}", False),
        ("<https://example.com>", False),
        ("![](bild.png)", False),
        ("![Ein Bild](b.png)", True),
        ("42", False),
        ("<span>Text</span>", True),
    ],
)
def test_has_words(text: str, expected: bool) -> None:
    assert has_words(text) is expected


def test_explicit_references_leaves_inline_links_and_unknown_labels() -> None:
    labels = {"QUELLE"}
    assert explicit_references("[a](b) [c] [Quelle] [Quelle][]", labels) == (
        "[a](b) [c] [Quelle][Quelle] [Quelle][Quelle]"
    )


# The definition two_words implements by scanning whitespace-separated parts, as patterns.
_URLISH = re.compile(r"(?<!\S)\S*[:@/.]\S*")
_TWO_WORDS = re.compile(r"(?<!\S)[^\W\d_]{2,}[,;]?\s+[^\W\d_]{2,}(?!\S)")


_part = st.one_of(
    st.text(alphabet="abäß1_", min_size=1, max_size=4),
    st.sampled_from([",", ";", ".", ":", "/", "@", "-", "ab,", "ab;", "a.b", "x:y"]),
)
_space = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u2003", ""])


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.tuples(_part, _space), max_size=12).map(
        lambda pairs: "".join(part + space for part, space in pairs)
    )
)
def test_two_words_is_the_pattern_definition(text: str) -> None:
    assert two_words(text) == bool(_TWO_WORDS.search(_URLISH.sub(" ", text)))


# Short texts of words, digits, blanks and the marks of emphasis, code, HTML, links,
# autolinks and escapes: the shortcuts must agree with what markdown-it reads.
@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "ab",
                "ä",
                "1",
                " ",
                "\n",
                "_",
                "*",
                ",",
                ";",
                "!",
                "?",
                "'",
                '"',
                "(",
                ")",
                "-",
                ".",
                ":",
                "@",
                "<",
                ">",
                "`",
                "[",
                "]",
                "\\",
                "&",
                "#",
                "<ab>",
                "`ab`",
                "a.de",
                "ab@a.de",
                "http://a.de",
                "[ab](x)",
                "![ab](x)",
                "&amp;",
                "<http://a.de>",
            ]
        ),
        max_size=6,
    ).map("".join)
)
def test_has_words_is_what_the_inline_parse_finds(text: str) -> None:
    assert has_words(text) == _parsed_has_words(NOT_PROSE.sub(" ", text))


def test_link_and_image_titles_are_translatable() -> None:
    """Titles are text for readers (a tooltip): they are in the msgid, and a translation
    that changes them (and nothing else of the markup) is built."""
    source = 'Ein [Link](/x "Titel hier") und ![Bild](/b.png "Bildtitel") hier.\n'
    translated = 'A [link](/x "Title here") and ![image](/b.png "Image title") here.'

    def translate(msgid: str, references: object) -> str:
        assert msgid == source.strip()
        return translated

    assert build_body(source, translate) == translated + "\n"
