"""Identity by rendering: every segment's msgid, rendered, gives back the source bytes.

``build`` skips the render of a translation equal to its msgid (an optimisation); these
tests call ``Segment.render`` itself, so a renderer that changes what it is given back
(wrapping, prefixes, line endings, hard-break markers, reference links, quoting) fails
here, not only in the pseudo-translation tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from markdown_tree import HEAD
from postlingo.source import shortcodes
from postlingo.source.front_matter import front_matter_segments
from postlingo.source.markdown import body_segments
from postlingo.source.post import Post, parse_post, read_post

REPO = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
KEYS = [
    "title",
    "description",
    "excerpt",
    "subtitle",
    "summary",
    "tags",
    "categories",
    "image.alt",
    "menu.title",
]
COMMONMARK = json.loads((DATA / "commonmark.json").read_text(encoding="utf-8"))
GFM = json.loads((DATA / "gfm-extensions.json").read_text(encoding="utf-8"))
SPEC = [pytest.param(e["markdown"], id=f"cm{e['example']}") for e in COMMONMARK] + [
    pytest.param(e["markdown"], id=f"gfm{e['example']}") for e in GFM
]
REAL = sorted((REPO / "content").rglob("*.md")) + sorted((DATA / "bilingual").glob("*.md"))


def mismatches(post: Post) -> list[tuple[int, str, str]]:
    """(line, source, rendered msgid) for every segment that does not render back."""
    segments = body_segments(post) + front_matter_segments(post, KEYS)
    found = []
    for segment in segments:
        source = post.text[segment.start : segment.end]
        rendered = segment.render(segment.msgid)
        if rendered != source:
            found.append((segment.line, source, rendered))
    return found


def post_of(text: str) -> Post:
    return parse_post(text, Path("post.md"), "post")


@pytest.mark.parametrize("markdown", SPEC)
def test_spec_example_renders_back(markdown: str) -> None:
    assert mismatches(post_of(HEAD + markdown)) == []


@pytest.mark.parametrize("markdown", SPEC)
def test_spec_example_with_crlf_renders_back(markdown: str) -> None:
    text = (HEAD + markdown).replace("\r\n", "\n").replace("\n", "\r\n")
    assert mismatches(post_of(text)) == []


@pytest.mark.parametrize("markdown", SPEC)
def test_spec_example_in_a_block_quote_and_list_item_renders_back(markdown: str) -> None:
    for mark, indent in (("> ", "> "), ("- ", "  "), ("1. ", "   ")):
        lines = markdown.split("\n")
        body = "\n".join(
            (mark if k == 0 else indent) + line if line else line for k, line in enumerate(lines)
        )
        assert mismatches(post_of(HEAD + body)) == [], mark


def test_real_posts_are_there() -> None:
    assert len(REAL) >= 8


@pytest.mark.parametrize("path", REAL, ids=lambda path: path.name)
def test_real_post_renders_back(path: Path) -> None:
    post = read_post(path, path.stem)
    assert body_segments(post), "a post with text"
    assert mismatches(post) == []


@pytest.mark.parametrize("path", REAL, ids=lambda path: path.name)
def test_real_post_with_crlf_renders_back(path: Path) -> None:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n", "\r\n")
    assert mismatches(post_of(text)) == []


FRONT_MATTER = [
    "title: Einfach",
    "title: 'Mit ''Apostroph'''",
    'title: "Mit \\"Anführung\\""',
    'title: "Escapes: \\u00e4 \\x41 \\t"',
    "title: >\n  Gefaltet\n  über zwei Zeilen\n",
    "title: |\n  Wörtlich\n  zwei Zeilen\n",
    "title: >-\n  Ohne Ende\n",
    "title:   viel Platz   ",
    "title: zwei\n  Zeilen plain",
    "title: 'zwei\n  Zeilen quoted'",
    "title: &anker Anker\nsubtitle: *anker",
    "title: !!str Markiert",
    "tags: [Eins, 'Zwei', \"Drei\"]",
    "tags:\n  - Eins\n  - 'Zwei Wörter'",
    "image:\n  alt: Ein Bild",
    "title: Wert # Kommentar",
    "title: 'Doppelpunkt: hier'",
]


@pytest.mark.parametrize("yaml", FRONT_MATTER)
def test_yaml_value_renders_back(yaml: str) -> None:
    post = post_of(f"---\n{yaml}\n---\nText.\n")
    assert front_matter_segments(post, KEYS), "a value to translate"
    assert mismatches(post) == []


TOML = [
    'title = "Einfach"',
    "title = 'Wörtlich \\n'",
    'title = "Escapes: \\u00e4 \\t"',
    'title = "Wert" # Kommentar',
    'title = "  Platz  "',
]


@pytest.mark.parametrize("toml", TOML)
def test_toml_value_renders_back(toml: str) -> None:
    post = post_of(f"+++\n{toml}\n+++\nText.\n")
    assert front_matter_segments(post, KEYS), "a value to translate"
    assert mismatches(post) == []


def test_only_values_the_text_cannot_tell_are_kept_verbatim() -> None:
    """The renderer itself writes every one-line value without escapes: only block
    scalars, values over several lines and escape sequences are given back as written."""
    for yaml in FRONT_MATTER:
        post = post_of(f"---\n{yaml}\n---\nText.\n")
        for segment in front_matter_segments(post, KEYS):
            source = post.text[segment.start : segment.end]
            expect = "\n" in source or "\\" in source or source[0] in "|>"
            assert (segment.shape.kept is not None) == expect, yaml  # type: ignore[attr-defined]
    for toml in TOML:
        post = post_of(f"+++\n{toml}\n+++\nText.\n")
        for segment in front_matter_segments(post, KEYS):
            source = post.text[segment.start : segment.end]
            expect = source.startswith('"') and "\\" in source
            assert (segment.shape.kept is not None) == expect, toml  # type: ignore[attr-defined]


def test_a_changed_translation_is_written_by_the_emitter() -> None:
    post = post_of('---\ntitle: "Caf\\u00e9"\n---\nText.\n')
    (segment,) = front_matter_segments(post, KEYS)
    assert segment.render("Café") == '"Caf\\u00e9"'
    assert segment.render("Bar") == '"Bar"'


@pytest.fixture
def hugo_shortcodes() -> Iterator[None]:
    """Shortcodes read as Hugo reads them (``layout = "hugo"``), set back afterwards."""
    before = shortcodes.settings()
    shortcodes.use(shortcodes.Settings(enabled=True, prose=frozenset({"note"})))
    yield
    shortcodes.use(before)


@pytest.mark.parametrize("path", REAL, ids=lambda path: path.name)
def test_real_post_renders_back_with_hugo_shortcodes(hugo_shortcodes: None, path: Path) -> None:
    assert mismatches(read_post(path, path.stem)) == []


def test_shortcode_values_render_back(hugo_shortcodes: None) -> None:
    post = post_of(
        '---\ntitle: x\n---\nText davor hier.\n\n{{< figure src="/a.png" '
        'title="Ein \\"Titel\\" hier" alt=`Ein Bild` >}}\n\n'
        "{{< note >}}Ein Hinweis mit Text.{{< /note >}}\n"
    )
    kinds = [segment.kind for segment in body_segments(post)]
    assert kinds.count("shortcode-param") == 2 and "shortcode-inner" in kinds
    assert mismatches(post) == []
