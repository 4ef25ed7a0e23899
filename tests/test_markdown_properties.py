"""Properties that hold for every document built from the constructs postlingo handles:
identity builds are byte-exact, pseudo-translations change the words and nothing else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from markdown_tree import build_body, identity, leftovers, pseudo, tree
from postlingo.markdown import parse_body, parser

word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß", min_size=1, max_size=9)
inline = st.one_of(
    word,
    word.map(lambda w: f"*{w}*"),
    word.map(lambda w: f"**{w}**"),
    word.map(lambda w: f"`{w}`"),
    word.map(lambda w: f"[{w}](https://example.com/{w})"),
    word.map(lambda w: f"![{w}](bild.png)"),
    word.map(lambda w: f"{{{{ page.{w} }}}}"),
    word.map(lambda w: f"<em>{w}</em>"),
    word.map(lambda w: f"[^{w[:2]}]"),
)
line = st.lists(inline, min_size=1, max_size=8).map(" ".join)
ending = st.sampled_from(["", " ", "  ", "\\"])


@st.composite
def paragraph(draw: st.DrawFn, prefix: str = "", rest: str = "") -> str:
    lines = draw(st.lists(line, min_size=1, max_size=4))
    out = []
    for index, text in enumerate(lines):
        last = index == len(lines) - 1
        tail = draw(st.sampled_from(["", " "])) if last else draw(ending)
        out.append((prefix if index == 0 else rest) + text + tail)
    return "\n".join(out)


@st.composite
def heading(draw: st.DrawFn) -> str:
    text = draw(line)
    if draw(st.booleans()):
        closing = draw(st.sampled_from(["", " #", " ###"]))
        return "#" * draw(st.integers(1, 6)) + " " + text + closing
    return text + "\n" + draw(st.sampled_from(["=", "-"])) * draw(st.integers(1, 12))


@st.composite
def bullet_list(draw: st.DrawFn) -> str:
    marker = draw(st.sampled_from(["-", "*", "+", "1.", "3)"]))
    box = draw(st.sampled_from(["", "[ ] ", "[x] "]))
    pad = " " * (len(marker) + 1)
    items = draw(st.lists(paragraph(marker + " " + box, pad), min_size=1, max_size=3))
    return "\n".join(items)


@st.composite
def quote(draw: st.DrawFn) -> str:
    lazy = draw(st.booleans())
    return draw(paragraph("> ", "" if lazy else "> "))


@st.composite
def table(draw: st.DrawFn) -> str:
    columns = draw(st.integers(1, 3))
    head = draw(st.lists(word, min_size=columns, max_size=columns))
    rows = draw(st.lists(st.lists(word, min_size=columns, max_size=columns), max_size=3))
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * columns]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


fence = word.map(lambda w: f"```\n# {w}\n```")
footnote = st.builds(lambda w, text: f"[^{w[:2]}]: {text}", word, line)
block = st.one_of(paragraph(), heading(), bullet_list(), quote(), table(), fence, footnote,
                  st.just("---"), st.just("{% include note.html %}"))


@st.composite
def document(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(block, min_size=1, max_size=6))
    text = "\n\n".join(blocks) + draw(st.sampled_from(["", "\n"]))
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(document())
def test_identity_is_byte_exact(markdown: str) -> None:
    assert build_body(markdown, identity) == markdown


@SETTINGS
@given(document())
def test_pseudo_translation_changes_only_words(markdown: str) -> None:
    output = build_body(markdown, pseudo)
    assert tree(output) == tree(markdown)
    assert leftovers(output) == []


# Text full of the characters that make or break links, footnotes, code and HTML.
marked = st.text(alphabet="ab [[]]^^:()`<>*_\\!-#|\n", max_size=80)


@SETTINGS
@given(st.one_of(document(), marked))
def test_body_parse_sees_the_blocks_of_a_full_parse(markdown: str) -> None:
    # A body is parsed with fewer inline rules (only footnote references matter there):
    # its blocks, footnotes kept and dropped included, must be those of the full parser.
    full = [t for t in parser().parse(markdown, {}) if t.type != "inline"]
    fast = [t for t in parse_body(markdown)[0] if t.type != "inline"]
    assert [(t.type, t.tag, t.markup, t.level, t.map) for t in fast] == \
        [(t.type, t.tag, t.markup, t.level, t.map) for t in full]
    assert [t.content for t in parse_body(markdown)[0] if t.type == "inline"] == \
        [t.content for t in parser().parse(markdown, {}) if t.type == "inline"]
