"""Hugo shortcodes: ``{{< name params >}}`` and ``{{% name params %}}``.

A shortcode call is copied byte for byte, with three exceptions:

- named parameters that hold prose (``title``, ``alt``, ``caption``, ``attr``,
  ``description``; ``shortcode_params`` per shortcode name) are segments of their own,
  with the msgctxt ``<shortcode>.<param>``;
- the inner content of a paired ``{{% %}}`` shortcode is Markdown: only the lines of the
  calls are blocks of their own, the lines between are read like the rest of the body;
- the inner content of a paired ``{{< >}}`` shortcode is copied with its calls (one
  block), unless the shortcode is named in ``shortcode_prose``.

A line of calls never becomes part of a paragraph's msgid, and a link reference
definition whose destination is a shortcode (``[1]: {{< ref "x.md" >}} "Titel"``, which
CommonMark does not read as a definition) stays a definition, copied as it is.

Only the ``hugo`` layout reads shortcodes (``configure``): in Jekyll ``{{`` opens Liquid
output, and a Jekyll post showing Hugo syntax is read as it always was.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from ..errors import TranslationError
from .segment import HARD_BREAK, Segment

if TYPE_CHECKING:
    from markdown_it.rules_block import StateBlock
    from markdown_it.token import Token

    from ..config import Config
    from .post import Post

_CONTROL = re.compile(r"<!--\s*postlingo:\s*(off|on)\b")  # (as source.markdown reads it)
DEFAULT_PARAMS = frozenset({"title", "alt", "caption", "attr", "description"})
PARAM_KIND = "shortcode-param"  # Segment.kind of a parameter's value
INNER_KIND = "shortcode-inner"  # Segment.kind of a one-line pair's Markdown content


@dataclass(frozen=True)
class Settings:
    """What the shortcode rule reads: on for Hugo only."""

    enabled: bool = False
    params: tuple[tuple[str, frozenset[str]], ...] = ()  # per shortcode name
    prose: frozenset[str] = frozenset()  # {{< >}} pairs whose inner content is Markdown

    def prose_params(self, name: str) -> frozenset[str]:
        return dict(self.params).get(name, DEFAULT_PARAMS)


_settings = Settings()


def settings() -> Settings:
    return _settings


def configure(config: Config) -> None:
    """Read shortcodes as ``config`` says (``layout``, ``shortcode_params``,
    ``shortcode_prose``). Parses made under other settings are forgotten."""
    new = Settings(
        enabled=config.layout == "hugo",
        params=tuple(
            sorted(
                (name, frozenset(keys))
                for name, keys in getattr(config, "shortcode_params", {}).items()
            )
        ),
        prose=frozenset(getattr(config, "shortcode_prose", ())),
    )
    use(new)


# Caches of parses that depend on the settings (markdown's parse, the variant's block
# structure): their modules register how to empty them, so this one imports neither.
_CACHES: list[Callable[[], None]] = []


def depends_on_settings(clear: Callable[[], None]) -> None:
    """Register ``clear``, called whenever the shortcode settings change."""
    _CACHES.append(clear)


def use(new: Settings) -> None:
    global _settings
    if new == _settings:
        return
    _settings = new
    for clear in _CACHES:
        clear()


# --- reading one call -----------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str | None  # None: positional
    start: int  # the value's region, quotes included
    end: int
    quote: str  # '"', '`' or '' (bare)
    value: str  # as Hugo reads it (\" unescaped in "quoted" values)


@dataclass(frozen=True)
class Call:
    start: int
    end: int
    delim: str  # "<" or "%"
    name: str
    closing: bool = False  # {{< /name >}}
    self_closing: bool = False  # {{< name />}}
    escaped: bool = False  # {{</* name */>}}: shown as text by Hugo, never run
    params: tuple[Param, ...] = field(default=())


_OPEN = re.compile(r"\{\{([<%])")
_END = {"<": ">}}", "%": "%}}"}
_NAME = re.compile(r"[\w][\w./-]*")
_BARE = re.compile(r"[^\s\"`=]+?(?=\s|/?[>%]\}\}|\Z)")
_SPACE = re.compile(r"\s*")


def read_call(text: str, start: int) -> Call | None:
    """The shortcode call opening at ``text[start]`` (``{{<`` or ``{{%``), or None if
    there is none that Hugo would read."""
    opened = _OPEN.match(text, start)
    if opened is None:
        return None
    delim = opened.group(1)
    pos = _SPACE.match(text, opened.end()).end()  # type: ignore[union-attr]
    if text.startswith("/*", pos):  # an escaped call: text, to its */>}}
        close = text.find("*/" + _END[delim], pos)
        if close < 0:
            return None
        named = _NAME.search(text, pos + 2, close)
        return Call(start, close + 4, delim, named.group() if named else "", escaped=True)
    closing = text.startswith("/", pos)
    pos = _SPACE.match(text, pos + closing).end()  # type: ignore[union-attr]
    named = _NAME.match(text, pos)
    if named is None:
        return None
    return _finish(text, start, delim, named.group(), closing, named.end())


def _finish(text: str, start: int, delim: str, name: str, closing: bool, pos: int) -> Call | None:
    params: list[Param] = []
    end_mark = _END[delim]
    while True:
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if text.startswith(end_mark, pos):
            return Call(start, pos + 3, delim, name, closing, False, False, tuple(params))
        if text.startswith("/" + end_mark, pos):
            return Call(start, pos + 4, delim, name, closing, True, False, tuple(params))
        param = _param(text, pos)
        if param is None or param.end == pos:
            return None
        params.append(param)
        pos = param.end


_KEY = re.compile(r"([\w-]+)=")


def _param(text: str, pos: int) -> Param | None:
    key = _KEY.match(text, pos)
    name = key.group(1) if key else None
    at = key.end() if key else pos
    quote = text[at : at + 1]
    if quote == "`":
        close = text.find("`", at + 1)
        if close < 0:
            return None
        return Param(name, at, close + 1, "`", text[at + 1 : close])
    if quote == '"':
        scan = at + 1
        while scan < len(text) and text[scan] != '"':
            scan += 2 if text[scan] == "\\" and text[scan + 1 : scan + 2] == '"' else 1
        if scan >= len(text):
            return None
        return Param(name, at, scan + 1, '"', text[at + 1 : scan].replace('\\"', '"'))
    bare = _BARE.match(text, at)
    if bare is None:
        return None
    return Param(name, at, bare.end(), "", bare.group())


def calls(text: str, start: int = 0, end: int | None = None) -> Iterator[Call]:
    """The calls in ``text[start:end]``, in order (escaped ones included)."""
    stop = len(text) if end is None else end
    found = _OPEN.search(text, start, stop)
    while found is not None:
        call = read_call(text, found.start())
        if call is not None and call.end <= stop:
            yield call
            found = _OPEN.search(text, call.end, stop)
        else:
            found = _OPEN.search(text, found.start() + 1, stop)


def _pairs_with(call: Call) -> bool:
    return not (call.closing or call.self_closing or call.escaped)


@lru_cache(maxsize=4)
def _by_name(text: str) -> dict[str, tuple[list[Call], list[int], bool]]:
    """The calls of ``text`` by name, in order, with their starts and whether one closes:
    found once for every pair's search (a post of a thousand unpaired calls would otherwise
    be read to its end a thousand times)."""
    found: dict[str, list[Call]] = {}
    for call in calls(text):
        if not call.escaped:
            found.setdefault(call.name, []).append(call)
    return {
        name: (same, [c.start for c in same], any(c.closing for c in same))
        for name, same in found.items()
    }


def closing_of(text: str, opening: Call, end: int) -> Call | None:
    """The call closing ``opening`` before ``end``, nesting counted; None if unpaired."""
    same, starts, closes = _by_name(text).get(opening.name, ([], [], False))
    if not closes:
        return None
    depth = 0
    for index in range(bisect.bisect_left(starts, opening.end), len(same)):
        call = same[index]
        if call.end > end:
            break
        if call.closing:
            if depth == 0:
                return call
            depth -= 1
        elif not call.self_closing:
            depth += 1
    return None


# --- the block rule -------------------------------------------------------------------

# [label]: {{< ref "x" >}} "title" — a definition whose destination is a shortcode.
_REFERENCE = re.compile(r"\[((?:[^\[\]\\]|\\.){1,999})\]:[ \t]*(<?)(\{\{[<%])")
_TITLE = re.compile(r"[ \t]+(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\))")


def shortcode_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Lines made of shortcode calls, paired ``{{< >}}`` blocks, and link reference
    definitions with a shortcode destination: copied, never part of a paragraph."""
    if not _settings.enabled or state.sCount[start] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start] + state.tShift[start]
    head = state.src[begin : begin + 3]
    if head in ("{{<", "{{%"):
        last = _call_lines(state, start, end, begin)
        kind = "shortcode_block"
        if silent and last is not None and _inline_in_paragraph(state, begin, last, end):
            return False
    elif head.startswith("[") and not silent:  # (a definition interrupts no paragraph)
        last = _reference(state, start, begin)
        kind = "shortcode_reference"
    else:
        return False
    if last is None:
        return False
    if silent:
        return True
    token = state.push(kind, "", 0)
    token.map = [start, last + 1]
    token.content = state.src[state.bMarks[start] : state.eMarks[last]]
    state.line = last + 1
    return True


def _line_of(state: StateBlock, offset: int, start: int, end: int) -> int | None:
    line = start
    while line < end and state.eMarks[line] < offset:
        line += 1
    return line if line < end else None


def _call_lines(state: StateBlock, start: int, end: int, begin: int) -> int | None:
    """The last line of the calls starting at ``begin``, if they fill their lines."""
    src, pos, found = state.src, begin, []
    limit = state.eMarks[end - 1] if end > start else len(src)
    first = read_call(src, begin)
    if first is not None and first.end <= limit and _copied_pair(first):
        closing = closing_of(src, first, limit)
        last = None if closing is None else _line_of(state, closing.end, start, end)
        if (
            closing is not None
            and last is not None
            and not src[closing.end : state.eMarks[last]].strip(" \t")
        ):
            return last  # the pair with its inner content, copied
    while True:
        call = read_call(src, pos)
        if call is None or call.end > limit:
            return None
        found.append(call)
        pos = call.end
        while pos < limit and src[pos] in " \t":
            pos += 1
        if not src.startswith(("{{<", "{{%"), pos):
            break
    last = _line_of(state, pos, start, end)
    if last is None or pos != state.eMarks[last]:
        return None  # text after the calls: a paragraph holding shortcodes
    return last


def _inline_in_paragraph(state: StateBlock, begin: int, last: int, end: int) -> bool:
    """Whether the calls at ``begin`` sit inside a paragraph's text: text goes on on the
    next line, and none of them opens or closes a pair. Hugo renders such a line inside
    the paragraph (``Teile der`` ⏎ ``{{< glossary_tooltip text="…" >}}`` ⏎ ``reagieren``):
    it stays in the paragraph's msgid, a sentence is not cut in two."""
    if last + 1 >= end or state.isEmpty(last + 1):
        return False
    return all(
        call.self_closing or (not call.closing and _standalone(state.src, call))
        for call in calls(state.src, begin, state.eMarks[last])
    )


def _standalone(text: str, call: Call) -> bool:
    """A call that pairs with no later call of its name."""
    return call.escaped or closing_of(text, call, len(text)) is None


def _copied_pair(call: Call) -> bool:
    """Whether ``call`` opens a {{< >}} pair whose inner content is not Markdown."""
    return call.delim == "<" and _pairs_with(call) and call.name not in _settings.prose


def _reference(state: StateBlock, start: int, begin: int) -> int | None:
    src = state.src
    match = _REFERENCE.match(src, begin, state.eMarks[start])
    if match is None:
        return None
    call = read_call(src, match.start(3))
    if call is None or call.end > state.eMarks[start]:
        return None
    pos = call.end
    if match.group(2):
        if not src.startswith(">", pos):
            return None
        pos += 1
    title = _TITLE.match(src, pos, state.eMarks[start])
    if title:
        pos = title.end()
    if src[pos : state.eMarks[start]].strip(" \t"):
        return None
    _define(
        state, match.group(1), src[match.start(3) : call.end], title.group(1)[1:-1] if title else ""
    )
    return start


def _define(state: StateBlock, label: str, href: str, title: str) -> None:
    """Record the definition as CommonMark would, so shortcut references find it."""
    from markdown_it.common.utils import normalizeReference

    references = state.env.setdefault("references", {})
    key = normalizeReference(label)
    if key:
        references.setdefault(key, {"title": title, "href": href, "map": None})


# --- segments -------------------------------------------------------------------------


@dataclass(frozen=True)
class ParamValue:
    """A parameter's value, written back quoted as Hugo reads it: a raw string keeps its
    backticks where it can, otherwise double quotes with ``\\"`` for a quote."""

    quote: str
    kept: tuple[str, str] = ("", "")  # (value, as written): an unchanged value keeps its bytes

    def render(self, text: str) -> str:
        if self.kept[1] and text == self.kept[0]:
            return self.kept[1]  # (escapes, single quotes: how it was written cannot be redone)
        if "{{" in text or "}}" in text:
            raise TranslationError("a shortcode parameter cannot hold '{{' or '}}'")
        if self.quote == "`" and "`" not in text:
            return f"`{text}`"
        if HARD_BREAK in text:
            raise TranslationError("a quoted shortcode parameter cannot hold a line break")
        if "\\" in text:
            if "`" in text:
                raise TranslationError("a shortcode parameter cannot hold both '\\' and '`'")
            return f"`{text}`"  # (in double quotes, \" would be read as a quote)
        if self.quote == "" and re.fullmatch(r"[\w.,:;!?()/+-]+", text):
            return text
        return '"' + text.replace('"', '\\"') + '"'


@dataclass(frozen=True)
class InnerText:
    """The Markdown between a one-line pair's calls (``{{% n %}}Text{{% /n %}}``)."""

    def render(self, text: str) -> str:
        if HARD_BREAK in text.strip():
            raise TranslationError("the content of a one-line shortcode cannot hold a line break")
        return text.strip()


def shortcode_segments(
    post: Post, tokens: list[Token], segments: list[Segment], has_words: Callable[[str], bool]
) -> list[Segment]:
    """``segments`` with the prose parameters of block-level calls added (those that
    ``has_words``), and one-line pairs around a paragraph's text narrowed to that text."""
    if not _settings.enabled:
        return segments

    offset = post.body_first_line
    out = [seg for seg in (_narrowed(post, segment) for segment in segments) if seg]
    off = False  # inside <!-- postlingo: off --> … <!-- postlingo: on -->
    for token in tokens:
        if token.type == "html_block":
            for command in _CONTROL.findall(token.content):
                off = command == "off" if command in ("off", "on") else off
        if off or token.type != "shortcode_block" or token.map is None:
            continue
        first = post.lines[token.map[0] + offset].start
        last = post.lines[token.map[1] - 1 + offset].end
        for call in calls(post.text, first, last):
            out.extend(seg for seg in _param_segments(post, call) if has_words(seg.msgid))
    return out


def _param_segments(post: Post, call: Call) -> Iterator[Segment]:
    if call.closing or call.escaped:
        return
    wanted = _settings.prose_params(call.name)
    for param in call.params:
        if param.name in wanted and param.value.strip():
            yield Segment(
                param.value,
                post.line_at(param.start) + 1,
                param.start,
                param.end,
                ParamValue(param.quote, (param.value, post.text[param.start : param.end])),
                kind=PARAM_KIND,
                context=f"{call.name}.{param.name}",
            )


def _narrowed(post: Post, segment: Segment) -> Segment | None:
    """A paragraph that is one line ``{{% n %}}Text{{% /n %}}``: its msgid is ``Text``."""
    if segment.kind != "paragraph" or not segment.msgid.startswith("{{"):
        return segment
    text = post.text
    opening = read_call(text, segment.start)
    if opening is None or not _pairs_with(opening) or "\n" in text[segment.start : segment.end]:
        return segment
    closing = closing_of(text, opening, segment.end)
    if closing is None or closing.end != segment.end:
        return segment
    if _copied_pair(opening):
        return None  # its content is copied, not translated
    inner = text[opening.end : closing.start]
    lead = len(inner) - len(inner.lstrip())
    core = inner.strip()
    if not core:
        return segment
    begin = opening.end + lead
    return dataclasses.replace(
        segment, msgid=core, start=begin, end=begin + len(core), shape=InnerText(), kind=INNER_KIND
    )


def is_param(segment: Segment) -> bool:
    """Whether ``segment`` is a shortcode parameter's value (its edit changes a call)."""
    return segment.kind == PARAM_KIND
