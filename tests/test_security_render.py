"""Differential test of the security rule against the real renderers.

Hostile translations (the hand-written list in tests/data/hostile/hand.json and a corpus
that hypothesis generates per class of markup) are judged by ``unsafe_additions``. Every
translation it accepts is rendered next to its source by Jekyll's pipeline (Liquid 5, then
Jekyll's kramdown converter with Jekyll's options: tests/data/hostile/render_jekyll.rb,
one ruby process for the whole corpus) and by hugo's goldmark (one ``hugo`` build of a
site with a page per text, raw HTML and block attributes on, as many sites configure it).
The variant's HTML must hold no element, attribute or URL scheme that the source's HTML
lacks (beyond what plain Markdown makes and http/https/mailto/relative URLs), run no
Liquid the source does not run, and render wherever the source renders.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postlingo.variant.security import _liquid_tokens, unclosed_liquid, unsafe_additions
from sitebuild import hugo_build

HOSTILE = Path(__file__).parent / "data" / "hostile"
HAND = json.loads((HOSTILE / "hand.json").read_text(encoding="utf-8"))
GENERATED = 560  # translations hypothesis makes, 56 a class (the hand list comes on top)


@dataclass(frozen=True)
class Case:
    kind: str  # the class of markup it attacks
    msgid: str
    msgstr: str
    benign: bool = False  # keeps the source's markup: must be accepted


# --- what a page's HTML holds -----------------------------------------------------------------

# Attributes whose value a browser loads or follows as a URL.
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "cite",
    "background",
    "xlink:href",
    "srcset",
    "ping",
    "longdesc",
    "codebase",
    "manifest",
    "icon",
    "lowsrc",
    "dynsrc",
    "archive",
    "classid",
    "usemap",
}
SAFE_SCHEMES = {"", "http", "https", "mailto"}
VALID_NAME = re.compile(r"[a-z][a-z0-9:_-]*\Z")  # what HTML can name (docs/security.md)


def scheme(url: str) -> str:
    """The scheme a browser reads (WHATWG URL parser: tab and newline removed anywhere,
    C0 controls and spaces stripped at both ends, scheme case-insensitive)."""
    plain = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(0x21))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", plain)
    return match.group(1).lower() if match else ""


class Shape(HTMLParser):
    """Elements, (element, attribute) pairs and URL schemes of a page, and what Liquid ran
    (render_jekyll.rb's markers)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: set[str] = set()
        self.attributes: set[tuple[str, str]] = set()
        self.schemes: set[str] = set()
        self.liquid: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("var", "dfn"):
            self.liquid.update(
                f"{name}={value}" for name, value in attrs if name.startswith("data-")
            )
        if VALID_NAME.match(tag):
            self.elements.add(tag)
        for name, value in attrs:
            if name.startswith("on") or (VALID_NAME.match(name) and VALID_NAME.match(tag)):
                self.attributes.add((tag, name))
            if name in URL_ATTRIBUTES and value is not None:
                urls = value.split(",") if name == "srcset" else [value]
                self.schemes.update(scheme(url.strip().split(" ")[0]) for url in urls)


def shape(page: str) -> Shape:
    parsed = Shape()
    parsed.feed(page)
    parsed.close()
    return parsed


def violations(source: Shape, variant: Shape, plain: Shape) -> list[str]:
    found = [f"element <{name}>" for name in variant.elements - source.elements - plain.elements]
    found += [
        f"attribute {tag}[{name}]"
        for tag, name in variant.attributes - source.attributes - plain.attributes
    ]
    found += [f"URL scheme {name}:" for name in variant.schemes - source.schemes - SAFE_SCHEMES]
    found += [f"Liquid ran {name}" for name in variant.liquid - source.liquid]
    return found


# What plain Markdown makes in either renderer (emphasis, links, images, code, footnotes,
# headings with ids, lists, tables, line breaks, abbreviations): no translation needs
# active markup for these, and a translator may use them.
PLAIN_MARKDOWN = """\
# Heading

Text *em* **strong** `code` ~~del~~ [link](/a "t") ![img](/b.png "t") <https://x.example>
https://y.example and www.z.example, a break\\
here, HTML and a footnote[^1].

*[HTML]: Hyper Text

> quote

- item
1. item

| a | b |
|---|---|
| c | d |

~~~ ruby
code
~~~

    indented

***

[^1]: note
"""


# --- the renderers, once a batch --------------------------------------------------------------


def render_jekyll(texts: list[str]) -> list[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BUNDLE_", "RUBY"))}
    result = subprocess.run(
        ["ruby", str(HOSTILE / "render_jekyll.rb")],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**env, "LC_ALL": "C.UTF-8", "JEKYLL_NO_BUNDLER_REQUIRE": "true"},
    )
    rendered: list[dict[str, str]] = json.loads(result.stdout)
    assert len(rendered) == len(texts), result.stderr
    return rendered


HUGO_CONFIG = """\
baseURL = "http://example.org/"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404", "home", "section"]
[markup.goldmark.renderer]
unsafe = true
[markup.goldmark.parser.attribute]
block = true
title = true
"""


def render_hugo(texts: list[str], root: Path) -> list[dict[str, str]]:
    """Every text as a page of one hugo site, built once."""
    (root / "layouts/_default").mkdir(parents=True)
    (root / "layouts/_default/single.html").write_text("{{ .Content }}", encoding="utf-8")
    (root / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    content = root / "content/p"
    content.mkdir(parents=True)
    for number, text in enumerate(texts):
        (content / f"{number}.md").write_text(
            f"---\ntitle: '{number}'\n---\n{text}\n", encoding="utf-8"
        )
    public = hugo_build(root, root / "public")
    pages = [public / f"p/{number}/index.html" for number in range(len(texts))]
    # hugo writes no file for a page that renders to nothing
    return [{"html": page.read_text(encoding="utf-8") if page.exists() else ""} for page in pages]


def differences(cases: Iterable[Case], tmp: Path) -> list[str]:
    """What a renderer shows in an accepted variant that its source lacks, case by case."""
    accepted = list(cases)
    texts = [PLAIN_MARKDOWN] + [text for case in accepted for text in (case.msgid, case.msgstr)]
    problems = []
    for name, pages in (("jekyll", render_jekyll(texts)), ("hugo", render_hugo(texts, tmp))):
        assert "error" not in pages[0], pages[0]
        plain = shape(pages[0]["html"])
        for number, case in enumerate(accepted):
            source, variant = pages[1 + 2 * number], pages[2 + 2 * number]
            if "error" in source:
                continue  # not a page this renderer builds (Liquid for hugo's shortcodes)
            if "error" in variant:
                problems.append(f"{name}: {case.msgstr!r} breaks the build: {variant['error']}")
                continue
            found = violations(shape(source["html"]), shape(variant["html"]), plain)
            if found:
                problems.append(
                    f"{name}: {case.msgstr!r} (source {case.msgid!r}) gives "
                    f"{', '.join(found)}:\n{variant['html']}"
                )
    return problems


# --- the hostile corpus -----------------------------------------------------------------------

S_PLAIN = "Ein <b>fetter</b> Text mit [Link](/a) hier."
S_IAL = 'Hallo *Welt*{: .wichtig title="Die Welt"} und **mehr**.'
S_URL = 'Lies [hier](/a) und ![Bild](/b.png "Titel") oder <https://example.com/x>.'
S_LIQUID = (
    "Vorher {% raw %}{{ page.geheim }}{% endraw %} und {% comment %}"
    "{% include secret.html %}{% endcomment %} nachher {{ page.title }}."
)
S_HTML = 'Ein <a href="/x" title="Titel">Link</a> und <abbr title="zum Beispiel">z. B.</abbr>.'
S_SHORTCODE = "Ein Video {{< youtube w7Ft2ymGmfc >}} hier."

WORDS = [
    "Hello",
    " ",
    "world",
    " and ",
    "more",
    ".",
    "*",
    "_",
    "[",
    "]",
    "(",
    ")",
    "\n",
    "`",
    '"',
    "'",
    "\\",
    "<",
    ">",
    "=",
    "{",
    "}",
    ":",
    "/",
    "#",
]


def pieces(*atoms: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(list(atoms) + WORDS), min_size=1, max_size=14).map("".join)


EXTENSION = pieces(
    "{::nomarkdown}",
    "{:/}",
    "{:/nomarkdown}",
    "{::comment}",
    "{:/comment}",
    '{::options parse_block_html="true" /}',
    '{::nomarkdown type="html"}',
    "<",
    ">",
    "img",
    "script",
    " src=x",
    " onerror=alert(1)",
    "a href=javascript:alert(1)",
    "<b>",
    "</b>",
    "[Link](/a)",
    "{:",
    "{::",
    "/}",
)
IAL = pieces(
    "*world*",
    "{:",
    "{: ",
    "}",
    "\\}",
    " title=",
    "{",
    "{:onclick='alert(1)'}",
    " onclick=",
    '"alert(1)"',
    " .cls",
    " #id",
    " href=",
    '"javascript:alert(1)"',
    " style=",
    '"color:red"',
    " .wichtig",
    ' title="The world"',
    "**more**",
    " ref",
    '{:ref: onclick="x"}',
    "{#x onclick=alert(1)}",
    "{.c}",
)
LIQUID_TOKENS = [
    "{% raw %}",
    "{{ page.geheim }}",
    "{% endraw %}",
    "{% comment %}",
    "{% include secret.html %}",
    "{% endcomment %}",
    "{{ page.title }}",
]
HTML_ELEMENTS = [
    "b",
    "img",
    "a",
    "svg",
    "script",
    "iframe",
    "details",
    "video",
    "math",
    "style",
    "form",
    "input",
    "abbr",
    "span",
    "object",
    "embed",
    "meta",
    "base",
    "link",
    "foo:bar",
    "x-y",
    "A",
    "IMG",
]
HTML_ATTRIBUTES = [
    "onclick=alert(1)",
    'onerror="alert(1)"',
    "ONLOAD=x",
    'style="x"',
    "class=y",
    "href=javascript:alert(1)",
    'href="/x"',
    "href=https://ok.example",
    "src=x",
    'title="T"',
    "formaction=javascript:x",
    'srcdoc="&lt;b&gt;"',
    "data-x=1",
    "open",
    "ontoggle=alert(1)",
    "xlink:href=javascript:x",
    'href="&#106;avascript:x"',
    "autofocus",
    "onfocus=alert(1)",
]
SCHEMES = [
    "javascript",
    "JaVaScRiPt",
    "vbscript",
    "data",
    "file",
    "livescript",
    "ftp",
    "tel",
    "http",
    "https",
    "mailto",
    "",
]
NOISE = ["\t", "\n", "&#x09;", "&Tab;", "&#10;", "\\", " ", "&#0000106;", "\x01", "&NewLine;"]
COLONS = [":", "&colon;", "&#58;", "\\:", "&#x3A;"]
PLACES = [
    "Read [here]({}) on.",
    "See ![pic]({}) on.",
    "Go <{}> on.",
    'A <a href="{}" title="T">x</a>.',
    "Read [here]( {} ) on.",
    "Read [here](<{}>) on.",
    "Read [here][r] on.\n\n[r]: {}",
    "Read {} now.",
]
SHORTCODE = pieces(
    "{{< youtube w7Ft2ymGmfc >}}",
    "{{< youtube evil >}}",
    "{{% param title %}}",
    '{{< param "title" >}}',
    "{{<",
    ">}}",
    "{{%",
    "%}}",
    "video",
    "{{</* youtube x */>}}",
    '{{< figure src="javascript:alert(1)" >}}',
    "{{< youtube  w7Ft2ymGmfc >}}",
)


@st.composite
def url_case(draw: st.DrawFn) -> Case:
    name = draw(st.sampled_from(SCHEMES))
    letters = list(name)
    for _ in range(draw(st.integers(0, 3))):
        letters.insert(draw(st.integers(0, len(letters))), draw(st.sampled_from(NOISE)))
    head = draw(st.sampled_from(["", " ", "\x01", "&#32;"]))
    colon = draw(st.sampled_from(COLONS)) if name else ""
    rest = draw(st.sampled_from(["alert(1)", "//evil.example/x", "/a", "x@y.example"]))
    return Case(
        "url", S_URL, draw(st.sampled_from(PLACES)).format(head + "".join(letters) + colon + rest)
    )


@st.composite
def liquid_case(draw: st.DrawFn) -> Case:
    tokens = draw(st.permutations(LIQUID_TOKENS))
    if draw(st.booleans()):
        index = draw(st.integers(0, len(tokens) - 1))
        tokens[index] = draw(
            st.sampled_from(
                [
                    "",
                    "{{ page.title }",
                    "{%- endraw -%}",
                    "{% endraw%}",
                    "{{ site.secret }}",
                    tokens[index] * 2,
                    "{% raw %}",
                    "{%",
                    "{{",
                ]
            )
        )
    words = draw(
        st.lists(
            st.sampled_from(["Before", " ", "and", "after", "`", "."]),
            min_size=len(tokens),
            max_size=len(tokens),
        )
    )
    return Case("liquid", S_LIQUID, "".join(w + t for w, t in zip(words, tokens, strict=True)))


@st.composite
def html_case(draw: st.DrawFn) -> Case:
    element = draw(st.sampled_from(HTML_ELEMENTS))
    attributes = draw(st.lists(st.sampled_from(HTML_ATTRIBUTES), max_size=3))
    separators = draw(
        st.lists(
            st.sampled_from([" ", "/", "\t", "\n", "  "]),
            min_size=len(attributes),
            max_size=len(attributes),
        )
    )
    tag = f"<{element}" + "".join(s + a for s, a in zip(separators, attributes, strict=True))
    tag += draw(st.sampled_from([">", "/>", " >", ""]))
    keep = 'A <a href="/x" title="Title">link</a> and <abbr title="for example">e.g.</abbr>'
    return Case("html", S_HTML, draw(st.sampled_from([keep + " " + tag + ".", tag + keep])))


@st.composite
def benign_case(draw: st.DrawFn) -> Case:
    """The source's markup kept, the words translated (alt, title and link text too)."""
    word = draw(st.sampled_from(["world", "Hello there", "the link", "e.g. this", "its"]))
    source, translation = draw(
        st.sampled_from(
            [
                (S_PLAIN, f"A <b>bold</b> {word} with [link](/a) here."),
                (S_IAL, f'Hello *{word}*{{: .wichtig title="The {word}"}} and **more**.'),
                (
                    S_URL,
                    f'Read [{word}](/a) and ![{word}](/b.png "{word}") or <https://example.com/x>.',
                ),
                (
                    S_LIQUID,
                    f"{word} {{% raw %}}{{{{ page.geheim }}}}{{% endraw %}} and {{{{page.title}}}} "
                    f"{{% comment %}}{{% include secret.html %}}{{% endcomment %}}.",
                ),
                (
                    S_HTML,
                    f'A <a href="/en/x" title="{word}">{word}</a> and '
                    f'<abbr title="{word}">eg</abbr>.',
                ),
                (S_SHORTCODE, f"A {word} {{{{<  youtube w7Ft2ymGmfc >}}}} here."),
            ]
        )
    )
    return Case("benign", source, translation, benign=True)


SOURCES = [S_PLAIN, S_IAL, S_URL, S_LIQUID, S_HTML, S_SHORTCODE]


@st.composite
def mixed_case(draw: st.DrawFn) -> Case:
    """Pieces of every class spliced into a source's own text and markup."""
    source = draw(st.sampled_from(SOURCES))
    own = re.findall(r"\{[{%:][^}]*\}+|<[^>]*>|\]\([^)]*\)|\S+|\s", source)
    fragments = draw(
        st.lists(
            st.one_of(
                st.sampled_from(own),
                EXTENSION,
                IAL,
                SHORTCODE,
                st.sampled_from(LIQUID_TOKENS + HTML_ATTRIBUTES),
            ),
            min_size=1,
            max_size=8,
        )
    )
    return Case("mixed", source, "".join(fragments))


@st.composite
def reshuffled_case(draw: st.DrawFn) -> Case:
    """The source's own pieces, reordered, with punctuation that may make a renderer read
    them otherwise (a quote that swallows, a backslash, a brace)."""
    source = draw(st.sampled_from(SOURCES))
    own = draw(
        st.permutations(re.findall(r"\{[{%:][^}]*\}+|<[^>]*>|\]\([^)]*\)|[^\s<{\]]+|\s", source))
    )
    noise = st.sampled_from(
        [
            '"',
            "'",
            "\\",
            "{",
            "}",
            "<",
            ">",
            ":",
            "(",
            ")",
            "`",
            "*",
            "[",
            "]",
            "=",
            "\n",
            "\n\n",
            " ",
            "&",
            "#",
            "/",
            "!",
            "|",
        ]
    )
    for _ in range(draw(st.integers(1, 6))):
        own.insert(draw(st.integers(0, len(own))), draw(noise))
    return Case("reshuffled", source, "".join(own))


VALUE_NOISE = [
    '"',
    "'",
    "\\",
    "\\}",
    "}",
    "{:",
    "{",
    "&quot;",
    "&#34;",
    " onclick=",
    "alert(1)",
    ">",
    "<",
    " ",
    "=",
    "x",
    '\\"',
    "&gt;",
    ":",
    "javascript:",
    "\n",
]


@st.composite
def value_case(draw: st.DrawFn) -> Case:
    """The source's markup with the values a translator may change (title, alt, link text)
    written with quotes, braces, escapes and entities."""
    value = "".join(draw(st.lists(st.sampled_from(VALUE_NOISE), min_size=1, max_size=8)))
    source, template = draw(
        st.sampled_from(
            [
                (S_IAL, 'Hello *world*{{: .wichtig title="{}"}} and **more**.'),
                (S_IAL, "Hello *world*{{: .wichtig title='{}'}} and **more**."),
                (S_HTML, 'A <a href="/x" title="{}">link</a> and <abbr title="zB">e.g.</abbr>.'),
                (S_HTML, "A <a href=\"/x\" title='{}'>link</a> and <abbr title=zB>e.g.</abbr>."),
                (S_URL, 'Read [{}](/a) and ![pic](/b.png "Title") or <https://example.com/x>.'),
                (S_URL, 'Read [here](/a) and ![{}](/b.png "Title") or <https://example.com/x>.'),
                (S_URL, 'Read [here](/a) and ![pic](/b.png "{}") or <https://example.com/x>.'),
            ]
        )
    )
    return Case("values", source, template.replace("{}", value))


# One case of each class an example: the classes are as large as one another.
HOSTILE_CASES = st.tuples(
    EXTENSION.map(lambda text: Case("extension", S_PLAIN, text)),
    IAL.map(lambda text: Case("attribute-list", S_IAL, text)),
    url_case(),
    liquid_case(),
    html_case(),
    SHORTCODE.map(lambda text: Case("shortcode", S_SHORTCODE, text)),
    mixed_case(),
    reshuffled_case(),
    value_case(),
    benign_case(),
)


def generated() -> list[Case]:
    cases: list[Case] = []

    # Few examples of many cases each: hypothesis starts from its simplest examples, and
    # small examples repeat one another.
    @settings(
        max_examples=GENERATED // 80,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(HOSTILE_CASES, min_size=8, max_size=8))
    def collect(batches: list[tuple[Case, ...]]) -> None:
        cases.extend(dict.fromkeys(case for batch in batches for case in batch))

    collect()
    return list(dict.fromkeys(cases))


def hand() -> list[Case]:
    return [
        Case(row["class"], row["msgid"], row["msgstr"]) for row in HAND if row["field"] == "body"
    ]


# --- the tests --------------------------------------------------------------------------------


def test_the_renderers_show_what_the_issue_found() -> None:
    """The oracle sees the attacks of issue 15 in the real renderers' output (else the
    differential test below would prove nothing)."""
    attacks = [
        case
        for case in hand()
        if case.kind in ("extension", "attribute-list", "url", "html", "liquid")
    ]
    pages = render_jekyll([PLAIN_MARKDOWN] + [t for c in attacks for t in (c.msgid, c.msgstr)])
    plain = shape(pages[0]["html"])
    seen = {
        case.msgstr
        for number, case in enumerate(attacks)
        if "error" in pages[2 + 2 * number]
        or violations(
            shape(pages[1 + 2 * number]["html"]), shape(pages[2 + 2 * number]["html"]), plain
        )
    }
    issue = {
        "{::nomarkdown}<{:/}img src=x onerror=alert(1){::nomarkdown}>{:/}",
        "Hello *x*{: title=\"{}{:onclick='alert(1)'}\"} here.",
        'Hello *x*{: title=\\} onclick="alert(1)"} here.',
        "Read [here](java\tscript:alert(1)) on.",
        "A {% raw %}{% endraw %}{% include secret.html %} B {% raw %}{{ x }}{% endraw %} C",
        "Welcome to {{ site.title } today.",
    }
    assert issue <= seen, issue - seen
    assert len(seen) >= 30, len(seen)


LIQUID_NOISE = [
    "{{",
    "}}",
    "{%",
    "%}",
    "}",
    "{",
    "%",
    " x ",
    "raw",
    "endraw",
    "-",
    "\n",
    "'}}'",
    '"%}"',
    "{{-",
    "-%}",
]


def test_liquid_is_tokenized_as_liquid_tokenizes_it() -> None:
    texts: list[str] = []

    @settings(max_examples=300, derandomize=True, database=None, deadline=None)
    @given(st.lists(st.sampled_from(LIQUID_NOISE), max_size=12).map("".join))
    def collect(text: str) -> None:
        texts.append(text)

    collect()
    texts += [case.msgstr for case in hand()]
    result = subprocess.run(
        ["ruby", str(HOSTILE / "liquid_tokens.rb")],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    for text, tokens in zip(texts, json.loads(result.stdout), strict=True):
        assert list(_liquid_tokens(text)) == tokens, text
        assert unclosed_liquid(text) == any(
            not token.endswith("}}" if token.startswith("{{") else "%}") or len(token) < 4
            for token in tokens
        ), text


def test_the_hand_list_is_refused() -> None:
    assert len(HAND) >= 50
    for row in HAND:
        key = None if row["field"] == "body" else row["field"]
        assert unsafe_additions(row["msgid"], row["msgstr"], key=key), row


def test_no_accepted_translation_renders_more_than_its_source(tmp_path: Path) -> None:
    corpus = generated()
    classes = Counter(case.kind for case in corpus if not case.benign)
    assert sum(classes.values()) >= 200 and len(classes) == 9, classes  # all different
    assert min(classes.values()) >= 40, classes
    accepted = [case for case in corpus + hand() if not unsafe_additions(case.msgid, case.msgstr)]
    wrongly_refused = [case for case in corpus if case.benign and case not in accepted]
    assert not wrongly_refused, [
        (c.msgstr, unsafe_additions(c.msgid, c.msgstr)) for c in wrongly_refused
    ]
    hostile_accepted = [case for case in accepted if not case.benign]
    assert len(hostile_accepted) >= 20  # the renderers see more than harmless text
    problems = differences(accepted, tmp_path)
    assert not problems, "\n\n".join(problems[:5])
