"""Translations are text from outside contributors: they must not put code into the site.

Rule: a translation may hold only the *active markup* its msgid holds. Active markup is
everything a site's renderer turns into something other than text (docs/security.md):

- ``liquid``: Liquid tags and outputs, tokenized as Liquid 5 tokenizes them (``{{ x }`` is
  an unclosed token, which fails the Jekyll build). Blocks (``raw``, ``comment``, ``if``…)
  count as one item with the sequence of tokens inside them, so nothing moves into or out
  of a ``raw`` or ``comment`` scope; outside blocks, tags may be reordered;
- ``shortcode``: Hugo shortcodes ``{{< … >}}`` and ``{{% … %}}``;
- ``script``: HTML elements that run or load code or restyle the page (``<script>``,
  ``<iframe>``, ``<style>``, ``<meta>``…); ``html``: any other HTML element, attribute or
  attribute value the source lacks (values of ``alt``, ``title`` and other text attributes
  may change, and URL values within the allowed schemes);
- ``event-handler``: ``on…`` attributes, in HTML tags and in attribute lists;
- ``extension``: kramdown extensions ``{::nomarkdown}``, ``{::options …/}``, ``{:/}``…;
- ``attribute-list``: kramdown IALs and ALDs ``{: …}`` (one ends at the first ``}`` not
  preceded by a backslash, as kramdown reads it) and goldmark attribute blocks ``{#id …}``;
- ``javascript-url`` (``javascript:``, ``vbscript:``, ``data:``…) and ``url`` (any other
  scheme than http, https, mailto): the destinations of links, images, reference
  definitions, autolinks and URL attributes, read after the browser's normalisation
  (entities decoded, tab and newline removed, control characters and spaces stripped,
  letter case folded; Markdown backslashes dropped);
- ``path``: a front-matter value that says where a page goes (``permalink``, ``slug``,
  ``url``, ``aliases``, ``redirect_from``) leading out of the site.

Scanning is deliberately wider than any one renderer: every ``<``, ``{:``, ``{{``, ``{%``
and ``](`` is read, inside code spans and comments too, so both sides of an entry are read
alike and nothing a renderer might see is missed. Counts matter; order only inside Liquid
blocks. The configuration's ``allow_unsafe`` lists kinds a site accepts from translators.
``build`` refuses a translation with an unsafe addition (naming its PO line) and checks
the whole variant against its source too, so pieces from several translations cannot
combine; ``postlingo check`` reports them under the ``security`` rule.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache

from ..config import UNSAFE_KINDS
from ..errors import TranslationError

# In the order findings are reported: what runs code first.
KINDS = (
    "liquid",
    "shortcode",
    "script",
    "event-handler",
    "javascript-url",
    "extension",
    "attribute-list",
    "url",
    "html",
    "path",
)
UNSAFE_KINDS.register(KINDS)  # what 'allow_unsafe' may name (checked by postlingo.config)
# Front-matter keys whose value becomes a page's URL or path.
PATH_KEYS = frozenset({"permalink", "slug", "url", "aliases", "redirect_from"})
_OUT_OF_SITE = re.compile(r"(^|[/\\])\.\.([/\\]|$)|\\|^[A-Za-z][A-Za-z0-9+.\-]*:|^//|\x00")

SCRIPT_ELEMENTS = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "style",
        "link",
        "meta",
        "base",
        "form",
        "portal",
        "noscript",
        "template",
        "svg",
        "math",
    }
)
# Attribute values that are words for readers: a translation may change them.
TEXT_ATTRIBUTES = frozenset(
    {
        "alt",
        "title",
        "aria-label",
        "aria-description",
        "aria-roledescription",
        "aria-placeholder",
        "placeholder",
        "label",
        "summary",
        "abbr",
    }
)
# Attribute values that name or size things without running or loading anything (the
# ``html`` check rule holds them to the source's).
FREE_VALUES = TEXT_ATTRIBUTES | {"class", "id", "lang", "dir", "width", "height", "name"}
# Attributes whose value is a URL (or, srcset, a list of them): judged by scheme.
URL_ATTRIBUTES = frozenset(
    {
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
        "imagesrcset",
        "ping",
        "longdesc",
        "codebase",
        "manifest",
        "lowsrc",
        "dynsrc",
        "icon",
        "profile",
        "archive",
        "classid",
        "usemap",
        "itemtype",
    }
)
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
CODE_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "data"})

# --- Liquid (as Liquid 5's Tokenizer and Raw tag read it) -----------------------------------
_LIQUID_START = re.compile(r"\{[{%]")
_FULL_TAG = re.compile(r"\{%-?\s*(#|\w+)", re.ASCII)
_RAW_END = re.compile(r"\A(.*)\{%\s*(\w+)\s*(.*)?%\}\Z", re.DOTALL | re.ASCII)
_BLOCKS = frozenset(
    {
        "raw",
        "comment",
        "if",
        "unless",
        "case",
        "for",
        "tablerow",
        "capture",
        "ifchanged",
        "highlight",
    }
)

# --- HTML, as the WHATWG tokenizer reads a start tag -----------------------------------------
# Names of HTML elements and attributes (custom ones too, data-*, xlink:href): others,
# which only a browser would still read as names (<foo.bar>, <https:…>), name nothing.
_NAME = re.compile(r"[a-z][a-z0-9:_-]*\Z")
_TAG_OPEN = re.compile(r"<(?:([A-Za-z][^\t\n\f\r />]*)|(!--)|([!?]))")
_ATTRIBUTE = re.compile(
    r"[\t\n\f\r /]*(?:(>)|([^\t\n\f\r />][^\t\n\f\r />=]*)"
    r"(?:[\t\n\f\r ]*=[\t\n\f\r ]*(\"[^\"]*\"?|'[^']*'?|[^\t\n\f\r >]*))?)"
)

# --- kramdown extensions, IALs and ALDs; goldmark attribute blocks ---------------------------
_UNESCAPED_CLOSE = re.compile(r"(?<!\\)\}")
_KEY_VALUE = r"(\w[\w-]*)=([\"'])((?:\\\}|\\\2|[^}\x02])*?)\2"
_IAL_PART = re.compile(  # kramdown's ALD_TYPE_ANY
    r"(?:\A|(?<=\s))(?:" + _KEY_VALUE + r"|(\w[\w-]*)|((?:#[A-Za-z][\w:-]*|\.[^\s.#]+)+))"
    r"(?=\s|\Z)"
)
_ALD = re.compile(r"\A\s*(\w[\w-]*):")
_GOLDMARK_ATTRIBUTES = re.compile(r"\{(?=[ \t]*(?:[#.][^\s}]|[A-Za-z_:][\w:.-]*[ \t]*=))")

# --- URLs -------------------------------------------------------------------------------------
# Where a renderer reads a URL: inline links and images, reference definitions, autolinks,
# and the bare URLs goldmark's linkify turns into links.
_URL_PLACE = re.compile(r"\]\(|\]:|<|(?<![\w+.\-])(?=[A-Za-z][\w+.\-]*://)")
# A URL's start as written: scheme characters, what browsers drop, entities, escapes.
# Spaces too: written as "&#32;" before a space, they are leading spaces all the same.
_URL_HEAD = re.compile(r"[\x00-\x20\x7f<]*([\w+.\-&#;\\\x00-\x20\x7f]*:?)")
_URL_REST = re.compile(r"[!#-&(*-;=?-~]*")  # printable ASCII but quotes, ')', '<' and '>'
_URL_NOISE = re.compile(r"[\t\n\r\\]")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


class UnsafeTranslation(TranslationError):
    """A translation that would add code to its variant."""


@dataclass(frozen=True)
class Unsafe:
    """One addition: its kind (``KINDS``) and what was added."""

    kind: str
    what: str
    dropped: bool = False  # a shortcode of the source the translation lacks

    @property
    def message(self) -> str:
        if self.dropped:
            return f"drops the Hugo shortcode '{self.what}' of the source, which the page needs"
        return _MESSAGES[self.kind](self.what)


def _liquid_message(what: str) -> str:
    if " … " in what:
        return (
            f"changes the Liquid block '{what}' (tags moved into, out of or within it), "
            "which would run on the site"
        )
    if not what.endswith(("}}", "%}")):
        return f"adds the unclosed Liquid tag '{what}', which would break the site build"
    return f"adds the Liquid tag '{what}', which would run on the site"


def _html_message(what: str) -> str:
    if what.startswith("<") and " " not in what:
        return f"adds the HTML element {what}, which the source does not have"
    return f"adds the HTML attribute {what}, which the source does not have"


def _handler(what: str) -> str:
    match = re.search(r"(?<![\w-])on[^\s=]*(?==)", what, re.IGNORECASE)
    return match.group().lower() if match else what


_MESSAGES: dict[str, Callable[[str], str]] = {
    "liquid": _liquid_message,
    "shortcode": lambda what: f"adds the Hugo shortcode '{what}', which would run on the site",
    "script": lambda what: f"adds the HTML element <{what}>, which could run code on the site",
    "event-handler": lambda what: (
        f"adds the event handler '{_handler(what)}=', which would run code on the site"
    ),
    "html": _html_message,
    "extension": lambda what: (
        f"adds the kramdown extension '{what}', which changes how the page is rendered"
    ),
    "attribute-list": lambda what: (
        f"adds the attribute list '{what}', which sets HTML attributes the source does not have"
    ),
    "javascript-url": lambda what: (
        f"adds a '{what.split(':')[0]}:' URL, which would run code on the site"
    ),
    "url": lambda what: (
        f"adds a '{what.split(':')[0]}:' URL (allowed: http, https, mailto and relative URLs)"
    ),
    "path": lambda what: f"'{what}' would lead out of the site",
}


# --- Liquid -----------------------------------------------------------------------------------


def _liquid_tokens(text: str) -> Iterator[str]:
    """Liquid's tokens (``TemplateParser``): ``{%…%}``, ``{{…}`` or ``{{…}}``, or a bare
    ``{%``/``{{`` that nothing closes. Linear: the next closer is looked up once."""
    closers = {"{%": "%}", "{{": "}"}
    next_close = {"{%": -1, "{{": -1}
    pos = 0
    while (match := _LIQUID_START.search(text, pos)) is not None:
        start, opener = match.start(), match.group()
        if next_close[opener] != len(text) and next_close[opener] < start + 2:
            found = text.find(closers[opener], start + 2)
            next_close[opener] = len(text) if found < 0 else found
        close = next_close[opener]
        if close == len(text):
            end = start + 2  # AnyStartingTag: an opener alone
        elif opener == "{%":
            end = close + 2
        else:
            end = close + 2 if text.startswith("}}", close) else close + 1
        yield text[start:end]
        pos = end


def _normal(token: str) -> str:
    """A Liquid token with its inner whitespace normalised: ``{{x}}`` is ``{{ x }}``."""
    closer = next(
        (end for end in ("}}", "%}", "}") if token.endswith(end) and len(token) >= 2 + len(end)), ""
    )
    inner = " ".join(token[2 : len(token) - len(closer)].split())
    return " ".join(part for part in (token[:2], inner, closer) if part)


def liquid_tags(text: str) -> list[str]:
    """Liquid tokens with their inner whitespace normalised, in order."""
    return [_normal(token) for token in _liquid_tokens(text)]


def unclosed_liquid(text: str) -> bool:
    """Whether ``text`` holds a Liquid token without its end (``{{ x }``, ``{%`` alone),
    which makes Liquid, and so the whole site build, fail."""
    return any(
        len(token) < 4 or token[:2] + token[-2:] not in ("{{}}", "{%%}")
        for token in _liquid_tokens(text)
    )


def _tag_name(token: str) -> str:
    match = _FULL_TAG.match(token)
    return match.group(1) if match and token.endswith("%}") else ""


def _liquid_items(text: str) -> Iterator[Unsafe]:
    """Tokens outside blocks one by one; each block as one item (its token sequence). If
    blocks do not nest (a segment may hold half a block), the whole sequence is one item."""
    tokens = list(_liquid_tokens(text))
    items: list[str] = []
    stack: list[tuple[str, list[str]]] = []
    for token in tokens:
        name = _tag_name(token)
        if stack and stack[-1][0] == "raw":
            stack[-1][1].append(_normal(token))
            raw_end = _RAW_END.match(token)
            if raw_end is None or raw_end.group(2) != "endraw":
                continue
        elif name in _BLOCKS:
            stack.append((name, [_normal(token)]))
            continue
        elif name.startswith("end") and name[3:] in _BLOCKS:
            if not stack or stack[-1][0] != name[3:]:
                yield from _sequence(tokens)
                return
            stack[-1][1].append(_normal(token))
        else:
            (stack[-1][1] if stack else items).append(_normal(token))
            continue
        _, body = stack.pop()
        (stack[-1][1] if stack else items).append(" … ".join(body))
    if stack:
        yield from _sequence(tokens)
        return
    for item in items:
        if not _SHORTCODE_TOKEN.match(item):  # Hugo's reading of it counts (_shortcodes)
            yield Unsafe("liquid", item)


def _sequence(tokens: list[str]) -> Iterator[Unsafe]:
    if len(tokens) == 1:
        yield Unsafe("liquid", _normal(tokens[0]))
    elif tokens:
        yield Unsafe("liquid", " … ".join(_normal(token) for token in tokens))


# A Liquid token that Hugo reads as the same shortcode: from {{< to >}} or {{% to %}}.
_SHORTCODE_TOKEN = re.compile(r"\{\{ (?:<.*> |%.*% )\}\}\Z", re.DOTALL)
_SHORTCODE = re.compile(r"\{\{([<%])(.*?)(?:([>%])\}\}|\Z)", re.DOTALL)


def _shortcodes(text: str) -> Iterator[Unsafe]:
    """Hugo's reading: a shortcode runs to ``>}}`` (or ``%}}``), braces inside and all."""
    for match in _SHORTCODE.finditer(text):
        inner = " ".join(match.group(2).split())
        end = f" {match.group(3)}}}}}" if match.group(3) else ""
        yield Unsafe("shortcode", f"{{{{{match.group(1)} {inner}{end}")


# --- HTML -------------------------------------------------------------------------------------


# What Markdown reads as an autolink, not as a tag: its URL is judged, and attributes a
# browser could read in it if it were passed on as a tag.
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>]+)>")


def _html_items(text: str) -> Iterator[Unsafe]:
    opens = list(_TAG_OPEN.finditer(text))
    for number, match in enumerate(opens):
        # A tag's attributes are read up to the next tag's start, which is read on its own
        # (as a tag whose attributes they are): linear, however many tags are left open.
        limit = opens[number + 1].start() if number + 1 < len(opens) else len(text)
        if _AUTOLINK.match(text, match.start(), limit + 1):
            for item in _attributes(text, match.end(), "?", limit):
                if item.kind == "event-handler":
                    yield item
            continue
        if match.group(2):
            yield Unsafe("html", "<!-- -->")
            continue
        if match.group(3):
            yield Unsafe("html", f"<{match.group(3)}>")
            continue
        element = match.group(1).lower()
        if _NAME.match(element):
            yield (
                Unsafe("script", element)
                if element in SCRIPT_ELEMENTS
                else Unsafe("html", f"<{element}>")
            )
        yield from _attributes(text, match.end(), element, limit)


def _attributes(text: str, pos: int, element: str, limit: int) -> Iterator[Unsafe]:
    while pos < limit:
        match = _ATTRIBUTE.match(text, pos, limit)
        if match is None or match.group(1) or match.end() == pos:
            return
        pos = match.end()
        name, raw = match.group(2).lower(), match.group(3)
        yield from _attribute(element, name, None if raw is None else _unquote(raw))


def _unquote(raw: str) -> str:
    if raw[:1] in ("'", '"'):
        raw = raw[1:-1] if len(raw) > 1 and raw.endswith(raw[0]) else raw[1:]
    return html.unescape(raw)


def _attribute(element: str, name: str, value: str | None) -> Iterator[Unsafe]:
    """One attribute: its name, and its value unless readers' text or an allowed URL."""
    if name.startswith("on"):
        yield Unsafe("event-handler", f"{name}={value or ''}")
        return
    if not _NAME.match(name):
        return  # no element or attribute has such a name: a browser ignores it
    shown = f"<{element} {name}>"
    if value is not None and name in URL_ATTRIBUTES:
        for url in _srcset(name, value):
            item = _url_item(url)
            if item is not None:
                yield item
    elif value is not None and name not in FREE_VALUES:
        shown = f'<{element} {name}="{value}">'
    yield Unsafe("html", shown)


def _srcset(name: str, value: str) -> list[str]:
    if name.endswith("srcset"):
        return [part.strip().split(" ")[0] for part in value.split(",")]
    return [value]


# --- kramdown and goldmark attribute lists, kramdown extensions ------------------------------


def _braces(text: str) -> Iterator[Unsafe]:
    # kramdown reads "{:" to the first "}" not after a backslash, then reads on after it.
    closes = [match.start() for match in _UNESCAPED_CLOSE.finditer(text)]
    pos = 0
    while (start := text.find("{:", pos)) >= 0:
        index = bisect_left(closes, start + 2)
        if index == len(closes):  # not closed: no list for kramdown, unless a "}" follows
            kind = "extension" if text.startswith(("{::", "{:/"), start) else "attribute-list"
            yield Unsafe(kind, f"{text[start : start + 3]}… (not closed)")
            pos = start + 2
            continue
        pos = closes[index] + 1
        content = text[start + 2 : closes[index]]
        if content.startswith((":", "/")):  # an extension {::name …} or an end {:/…}
            yield Unsafe("extension", " ".join(text[start:pos].split()))
        else:
            yield from _attribute_list(content, "{:")
    # goldmark reads an attribute block (quoted values may hold braces) on one line: all
    # of a line from its first block to its last brace is read as one list, once a line.
    pos = 0
    while (match := _GOLDMARK_ATTRIBUTES.search(text, pos)) is not None:
        line_end = text.find("\n", match.end())
        line_end = len(text) if line_end < 0 else line_end
        last = text.rfind("}", match.end(), line_end)
        end = line_end if last < 0 else last
        yield from _attribute_list(text[match.end() : end], "{")
        pos = line_end


def _attribute_list(content: str, opener: str) -> Iterator[Unsafe]:
    """An IAL or ALD as kramdown's ``parse_attribute_list`` reads it (goldmark's blocks
    alike): text attribute values and allowed URLs left out, anything unread kept."""
    parts: list[str] = []
    kind = "attribute-list"
    ald = _ALD.match(content)
    if ald:
        parts.append(f"{ald.group(1)}:")
        content = content[ald.end() :]
    unread, last = [], 0
    for match in _IAL_PART.finditer(content):
        unread.append(content[last : match.start()])
        last = match.end()
        key, value, ref, names = match.group(1), match.group(3), match.group(4), match.group(5)
        if key is None:
            parts.append(ref or names)
            continue
        key = key.lower()
        if key.startswith("on"):
            kind = "event-handler"
            parts.append(f"{key}={value}")
        elif key in URL_ATTRIBUTES:
            url = _url_item(html.unescape(value))
            parts.append(f"{key}={url.what}" if url else key)
            if url:
                yield url
        else:
            parts.append(key if key in FREE_VALUES else f'{key}="{value}"')
    leftover = " ".join(" ".join([*unread, content[last:]]).split())
    if leftover:
        parts.append(f"?{leftover}")
        if re.search(r"(?:^|[\s\"'])on\w+\s*=", leftover, re.IGNORECASE):
            kind = "event-handler"
    yield Unsafe(kind, f"{opener} {' '.join(parts)} }}".replace("  ", " "))


# --- URLs -------------------------------------------------------------------------------------


def normal_url(url: str) -> str:
    """``url`` as a browser reads it (WHATWG URL): character references decoded, tabs and
    newlines removed, leading and trailing control characters and spaces stripped, the
    scheme in lower case. Markdown's backslash escapes are dropped too."""
    plain = _URL_NOISE.sub("", html.unescape(url)).strip("".join(map(chr, range(0x21))))
    scheme = _SCHEME.match(plain.lower())
    return scheme.group(1) + plain[scheme.end() - 1 :] if scheme else plain


def url_scheme(url: str) -> str:
    """The scheme of ``url`` as a browser reads it; "" for a relative URL."""
    match = _SCHEME.match(normal_url(url).lower())
    return match.group(1) if match else ""


def _url_item(url: str) -> Unsafe | None:
    scheme = url_scheme(url)
    if not scheme or scheme in ALLOWED_SCHEMES:
        return None
    return Unsafe("javascript-url" if scheme in CODE_SCHEMES else "url", normal_url(url))


def _markdown_urls(text: str) -> Iterator[Unsafe]:
    for place in _URL_PLACE.finditer(text):
        head = _URL_HEAD.match(text, place.end())
        assert head is not None  # the pattern matches the empty string
        if not head.group(1).endswith(":") and "&" not in head.group(1):
            continue
        rest = _URL_REST.match(text, head.end(), head.end() + 2048)  # enough to tell URLs
        item = _url_item(head.group(1) + (rest.group() if rest else ""))
        if item is not None:
            yield item


# --- the judgement ----------------------------------------------------------------------------


def active_content(text: str) -> Counter[Unsafe]:
    """Everything in ``text`` that a renderer turns into something other than text, counted."""
    return Counter(dict(_active(text)))


@lru_cache(maxsize=64)
def _active(text: str) -> tuple[tuple[Unsafe, int], ...]:
    # Cached: a post's text is the reference for each of its languages.
    found: Counter[Unsafe] = Counter()
    found.update(_liquid_items(text))
    found.update(_shortcodes(text))
    found.update(_html_items(text))
    found.update(_braces(text))
    found.update(_markdown_urls(text))
    return tuple(found.items())


def leads_out(key: str | None, value: str) -> bool:
    """Whether ``value``, set as the front-matter ``key`` (dotted), leads out of the site."""
    name = key.rsplit(".", 1)[-1] if key else ""
    return name in PATH_KEYS and bool(_OUT_OF_SITE.search(html.unescape(value.strip())))


def unsafe_additions(
    source: str, translation: str, allowed: Collection[str] = (), key: str | None = None
) -> list[Unsafe]:
    """What ``translation`` adds to ``source`` that a renderer would turn into code or
    markup (or, as the value of the front-matter ``key``, that leads out of the site), and
    the shortcodes it drops, in order of kind, except the ``allowed`` kinds."""
    before, after = active_content(source), active_content(translation)
    added = after - before
    # A paired shortcode without its other half fails the Hugo build (or swallows the
    # rest of the page): shortcodes are kept, not only not added.
    added.update(
        Unsafe(item.kind, item.what, dropped=True)
        for item in before - after
        if item.kind == "shortcode"
    )
    if leads_out(key, translation) and not leads_out(key, source):
        added[Unsafe("path", translation.strip())] += 1
    # By kind, then as they come in the text (Counters keep their order; sorted is stable).
    return sorted(
        (item for item in added if item.kind not in allowed),
        key=lambda item: (KINDS.index(item.kind), item.dropped),
    )
