"""python-frontmatter's handlers where postlingo only reads front matter: which format a post
opens with (YAML ``---``, TOML ``+++``) and the values ``postlingo init`` reads for its prose
keys; Jekyll's and Hugo's rules where they differ from python-frontmatter's."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import invoke
from postlingo.config import load_config
from postlingo.errors import InputError
from postlingo.source.post import parse_post

HUGO_TOML = """+++
title = "Hallo Welt"
description = 'Ein erster Beitrag'
tags = ["Anfang"]
draft = false

[image]
  src = "/a.png"
  alt = "Ein Bild"
+++
Das ist mein erster Beitrag.
"""


def test_init_reads_the_prose_keys_of_toml_front_matter(tmp_path: Path) -> None:
    site = tmp_path / "blog"
    (site / "content/posts").mkdir(parents=True)
    (site / "hugo.toml").write_text('baseURL = "https://example.org/"\ntitle = "Blog"\n')
    (site / "content/posts/hallo.md").write_text(HUGO_TOML)
    result = invoke("init", "--root", site)
    assert result.exit_code == 0, result.output
    assert load_config(site).front_matter == ["title", "description", "image.alt"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\ntitle: a\n---\nx\n", "yaml"),
        ("--- \t\ntitle: a\n...\nx\n", "yaml"),  # Jekyll: trailing blanks, "..." closes
        ("---\r\ntitle: a\r\n---\r\nx\r\n", "yaml"),
        ('+++\ntitle = "a"\n+++\nx\n', "toml"),
        ("----\ntitle: a\n----\nx\n", None),  # python-frontmatter's boundary, a thematic break here
        ("++++\nx\n", None),
        ("x\n---\ntitle: a\n---\n", None),  # only on the first line
        ("", None),
    ],
)
def test_the_format_is_detected_on_the_first_line(text: str, expected: str | None) -> None:
    post = parse_post(text, Path("p.md"), "p")
    assert (post.front_matter.format if post.front_matter else None) == expected


def test_a_front_matter_never_closed_names_its_delimiter() -> None:
    with pytest.raises(InputError, match=r"never closed \(no \+\+\+ line\)"):
        parse_post('+++\ntitle = "a"\n---\n', Path("p.md"), "p")
