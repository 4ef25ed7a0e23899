"""Reading posts (postlingo.source.post): exact text, lines with their endings, front matter
region."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postlingo.errors import InputError
from postlingo.source.post import BOM, parse_post, read_post, split_lines

EXAMPLE = Path(__file__).resolve().parents[1] / "content/_posts"
EXAMPLE_POST = EXAMPLE / "2021-01-05-erfolgreiche-kundeninteraktionen.md"


def parse(text: str):
    return parse_post(text, Path("post.md"), "post")


def test_example_post() -> None:
    post = read_post(EXAMPLE_POST, "example")
    assert post.bom == ""
    assert post.text == EXAMPLE_POST.read_text(encoding="utf-8")
    front = post.front_matter
    assert front is not None and front.format == "yaml"
    assert post.text[front.content_start :].startswith("layout: post\n")
    assert post.text[front.content_end : front.close_end] == "---\n"
    assert post.body.startswith("Wie haben Sie bisher")
    assert post.body_first_line == 10  # 0-based: the line after the closing ---
    assert post.line_text(2) == 'title: "Erfolgreiche Kundeninteraktionen "'
    assert post.eol == "\n"
    assert post.lines[-1].eol == ""  # the example post has no final newline


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_line_endings_are_kept(eol: str) -> None:
    text = eol.join(["---", "title: T", "---", "Absatz", "", "Zweiter"]) + eol
    post = parse(text)
    assert post.eol == eol
    assert [line.eol for line in post.lines] == [eol] * 6
    assert [post.line_text(i) for i in range(6)] == [
        "---",
        "title: T",
        "---",
        "Absatz",
        "",
        "Zweiter",
    ]
    assert post.body == f"Absatz{eol}{eol}Zweiter{eol}"
    assert post.body_first_line == 3


def test_bom_is_split_off() -> None:
    post = parse(BOM + "---\ntitle: T\n---\nText")
    assert post.bom == BOM
    assert post.text.startswith("---\n")
    assert post.front_matter is not None


def test_no_front_matter() -> None:
    post = parse("# Titel\n\nText.\n")
    assert post.front_matter is None
    assert post.body == post.text
    assert post.body_first_line == 0


def test_empty_front_matter() -> None:
    post = parse("---\n---\nText.\n")
    front = post.front_matter
    assert front is not None
    assert front.content_start == front.content_end == 4
    assert post.body == "Text.\n"
    assert post.body_first_line == 2


def test_front_matter_only() -> None:
    post = parse("---\ntitle: T\n---\n")
    assert post.front_matter is not None
    assert post.body == ""


def test_yaml_front_matter_may_close_with_dots() -> None:
    post = parse("---\ntitle: T\n...\nText.\n")
    assert post.front_matter is not None
    assert post.body == "Text.\n"


def test_toml_front_matter() -> None:
    post = parse('+++\ntitle = "T"\n+++\nText.\n')
    assert post.front_matter is not None and post.front_matter.format == "toml"
    assert post.body == "Text.\n"


@pytest.mark.parametrize("text", ["----\nText\n", "Text\n---\nmehr\n---\n", " ---\na: b\n---\n"])
def test_what_is_not_front_matter(text: str) -> None:
    assert parse(text).front_matter is None


def test_delimiters_may_have_trailing_blanks() -> None:
    post = parse("--- \ntitle: T\n---\t\nText.\n")
    assert post.front_matter is not None
    assert post.body == "Text.\n"


def test_unclosed_front_matter_names_line_1() -> None:
    with pytest.raises(InputError) as caught:
        parse("---\ntitle: T\n\nText.\n")
    assert caught.value.line == 1
    assert str(caught.value).startswith("post.md:1: front matter")


def test_read_post_reports_invalid_utf8_with_the_display_path(tmp_path: Path) -> None:
    path = tmp_path / "p.md"
    path.write_bytes(b"---\ntitle: ok\n---\nGr\xfc\xdfe\n")
    with pytest.raises(InputError) as caught:
        read_post(path, "p", Path("content/_posts/p.md"))
    assert caught.value.path == Path("content/_posts/p.md")
    assert caught.value.line == 4


def test_line_at() -> None:
    post = parse("ab\ncd\n\nef")
    assert [post.line_at(offset) for offset in range(len(post.text))] == [0, 0, 0, 1, 1, 1, 2, 3, 3]


def pieces(*parts: str, max_size: int = 80) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(parts), max_size=max_size).map("".join)


@given(pieces("a", " ", "\n", "\r", "\r\n", "-", "ü", "\u2028"))
def test_split_lines_covers_the_text_exactly(text: str) -> None:
    lines = split_lines(text)
    assert "".join(text[line.start : line.end] + line.eol for line in lines) == text
    for line in lines[:-1]:
        assert line.eol in ("\n", "\r", "\r\n")
    for line in lines:
        assert "\n" not in text[line.start : line.end] and "\r" not in text[line.start : line.end]
    endings = len(re.findall(r"\r\n|\r|\n", text))
    assert len(lines) == endings + (0 if text.endswith(("\n", "\r")) else 1)


@given(pieces("a", " ", "\n", "\r\n", "#", "ü"))
def test_posts_without_front_matter_parse_whole(text: str) -> None:
    post = parse(text)
    assert post.front_matter is None
    assert post.body == text
