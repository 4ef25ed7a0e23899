"""Properties that hold for every document built from the constructs postlingo handles:
identity builds are byte-exact, pseudo-translations change the words and nothing else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from markdown_tree import build_body, identity, leftovers, pseudo, tree
from postlingo.source.markdown import parse_body, parser

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
block = st.one_of(
    paragraph(),
    heading(),
    bullet_list(),
    quote(),
    table(),
    fence,
    footnote,
    st.just("---"),
    st.just("{% include note.html %}"),
)


@st.composite
def document(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(block, min_size=1, max_size=6))
    text = "\n\n".join(blocks) + draw(st.sampled_from(["", "\n"]))
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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


# Text full of the characters that make or break links, footnotes, code, HTML and the
# other blocks: lists, breaks, underlines, fences, tables, Liquid and math.
marked = st.text(alphabet="ab [[]]^^:()`~<>*_\\!-=+#|.1{}%$\t\r\n", max_size=80)
# Lines of block marks, for the body parser that leaves out the rules a body cannot match.
mark_lines = st.lists(
    st.sampled_from(
        [
            "text",
            "",
            "   ",
            "---",
            "- - -",
            "***",
            "___",
            "===",
            "  -  ",
            "- item",
            "1. item",
            "2) item",
            "> quote",
            ">",
            "# heading",
            "#no",
            "| a | b |",
            "|---|---|",
            "a | b",
            "```",
            "~~~",
            "    code",
            "\tcode",
            "<div>",
            "</div>",
            "[a]: /url",
            "[a]:/url",
            "[^1]: note",
            "#",
            "###",
            "[^1]",
            "{% raw %}",
            "{% endraw %}",
            "$$",
            "-",
            "=",
            "*",
            "_",
            "text -",
            "text =  ",
        ]
    ),
    max_size=12,
).map("\n".join)


@SETTINGS
@given(st.one_of(document(), marked, mark_lines, mark_lines.map(lambda t: t.replace("\n", "\r\n"))))
def test_body_parse_sees_the_blocks_of_a_full_parse(markdown: str) -> None:
    # A body is parsed with fewer inline rules (only footnote references matter there) and
    # without the block rules it cannot match: its blocks, footnotes kept and dropped
    # included, and its link references must be those of the full parser.
    full_env: dict[str, object] = {}
    full = parser().parse(markdown, full_env)
    fast, env = parse_body(markdown)
    assert [
        (t.type, t.tag, t.markup, t.info, t.level, t.map) for t in fast if t.type != "inline"
    ] == [(t.type, t.tag, t.markup, t.info, t.level, t.map) for t in full if t.type != "inline"]
    assert [t.content for t in fast] == [t.content for t in full]
    assert env.get("references") == full_env.get("references")
