"""Segments: the units of translatable text, and how a translation takes a segment's place.

A segment knows the region ``[start, end)`` of the post text its source occupies and the
*shape* of that region (line prefixes, hard-break markers, line width, quoting). Building a
variant replaces each region by ``segment.render(translation)``. Rendering a segment's msgid
gives back its source bytes exactly (tests/test_identity.py renders every segment of the
spec examples and the real posts): a hard line the translation leaves as the msgid has it
keeps its source lines (wrapping, lazy prefixes, the way its links were written). ``build``
skips the render of a translation equal to its msgid only as an optimisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType
from typing import Protocol

import yaml

from ..errors import TranslationError

HARD_BREAK = "\n"  # how a hard line break appears in a msgid


class Shape(Protocol):
    def render(self, text: str) -> str:
        """The text that replaces the segment's region when ``text`` is its translation."""
        ...


@dataclass(frozen=True)
class Segment:
    """One translatable text of a post."""

    msgid: str
    line: int  # 1-based line in the file where the text starts (front matter included)
    start: int  # region of the post text the source occupies
    end: int
    shape: Shape = field(compare=False, repr=False)
    kind: str = "paragraph"  # paragraph, heading, table-cell, front-matter
    context: str | None = None  # msgctxt: the front-matter key, None for body text
    notes: tuple[str, ...] = ()  # extracted comments for translators

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)

    def render(self, translation: str) -> str:
        return self.shape.render(translation)


# --- Markdown text over one or more lines -------------------------------------------------

# A line beginning like this would start a block of another kind: write the mark escaped.
_BLOCK_STARTS = [
    re.compile(r"^(#{1,6})(?=[ \t]|$)"),  # ATX heading
    re.compile(r"^(>)"),  # block quote
    re.compile(r"^([-+*])(?=[ \t]|$)"),  # bullet list item, thematic break
    re.compile(r"^\d{1,9}([.)])(?=[ \t]|$)"),  # ordered list item
    re.compile(r"^(=)+[ \t]*$"),  # setext underline
    re.compile(r"^([_*-])(?:[ \t]*[_*-]){2,}[ \t]*$"),  # thematic break
    re.compile(r"^(`){3,}|^(~){3,}"),  # code fence
    re.compile(r"^(\[)[^\]]+\]:"),  # link reference or footnote definition
    re.compile(r"^(\{)[%:]"),  # Liquid tag line, kramdown attribute list
    re.compile(r"^(\|)"),  # table row
]
# HTML that may interrupt a paragraph: never put it at the start of a continuation line.
_HTML_START = re.compile(r"<(?:[!?]|/?[A-Za-z])")
# Spans a line must not be broken inside: code, Liquid, HTML tags, link destinations.
# (The specification of ``_unbreakable``, which finds the same spans in linear time: this
# regular expression scans to the end of the text for every opening without a closing.)
_UNBREAKABLE = re.compile(
    r"(`+)[^`]*?\1|\{\{.*?\}\}|\{%.*?%\}|<[^>\n]*>|\]\([^)\n]*\)|\]\[[^\]\n]*\]"
)
_OPENING = re.compile(r"`|\{\{|\{%|<|\]\(|\]\[")
# What closes each opening (after it, on its line).
_CLOSING = {"{{": "}}", "{%": "%}", "<": ">", "](": ")", "][": "]"}


def escape_block_start(line: str) -> str:
    """Escape the mark that would make ``line`` start another kind of block."""
    for pattern in _BLOCK_STARTS:
        match = pattern.match(line)
        if match:
            group = next(i for i in range(1, (pattern.groups or 0) + 1) if match.group(i))
            pos = match.start(group)
            return line[:pos] + "\\" + line[pos:]
    return line


def _starts_block(line: str) -> bool:
    return escape_block_start(line) != line


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrap at spaces, never inside code, Liquid, HTML or a link destination, and
    never so that a continuation line would start another block."""
    if width <= 0 or len(text) <= width:
        return [text]
    breaks = _breaks(text, _unbreakable(text))
    lines: list[str] = []
    begin, last = 0, None
    for pos in breaks:
        if pos - begin > width and last is not None and last > begin:
            lines.append(text[begin:last])
            begin = last + 1
        last = pos
    if len(text) - begin > width and last is not None and last > begin:
        lines.append(text[begin:last])
        begin = last + 1
    lines.append(text[begin:])
    return _join_unsafe([line.strip(" ") for line in lines if line.strip(" ")])


def _breaks(text: str, protected: list[tuple[int, int]]) -> list[int]:
    """The spaces of ``text`` outside the ``protected`` spans (sorted, disjoint): one walk
    over both, not a look at every span for every space."""
    breaks: list[int] = []
    span = 0
    position = text.find(" ")
    while position != -1:
        while span < len(protected) and protected[span][1] <= position:
            span += 1
        if span < len(protected) and protected[span][0] < position:
            position = text.find(" ", protected[span][1])  # (jump over the span)
            continue
        breaks.append(position)
        position = text.find(" ", position + 1)
    return breaks


def _unbreakable(text: str) -> list[tuple[int, int]]:
    """The spans ``_UNBREAKABLE.finditer`` finds, in linear time: the position of the next
    closing of each kind is remembered, so an opening without a closing costs no scan to
    the end of the text (the regular expression made 250 KB of code spans take minutes)."""
    spans: list[tuple[int, int]] = []
    after = _Closings(text)
    opening = _OPENING.search(text)
    while opening is not None:
        start = opening.start()
        end = (
            _code_span(text, start, after)
            if opening.group() == "`"
            else after.end_of(opening.group(), start)
        )
        if end is None:
            opening = _OPENING.search(text, start + 1)
        else:
            spans.append((start, end))
            opening = _OPENING.search(text, end)
    return spans


class _Closings:
    """The next occurrence of each closing (and of a line break) at or after a position;
    positions only grow, so every search starts where the last one ended."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[str, tuple[int, int]] = {}  # closing -> (searched from, found at)

    def next(self, closing: str, start: int) -> int:
        searched, at = self.found.get(closing, (-1, -1))
        if searched == -1 or (at != -1 and at < start) or start < searched:
            at = self.text.find(closing, start)
            self.found[closing] = (start, at)
        return at

    def end_of(self, opening: str, start: int) -> int | None:
        """Where the span opened at ``start`` ends: after its closing, if one comes before
        the end of the line."""
        closing = _CLOSING[opening]
        at = self.next(closing, start + len(opening))
        if at == -1:
            return None
        line_end = self.next("\n", start + len(opening))
        if line_end != -1 and line_end < at:
            return None
        return at + len(closing)

    def run_length(self, start: int) -> int:
        end = start
        while end < len(self.text) and self.text[end] == "`":
            end += 1
        return end - start


def _code_span(text: str, start: int, after: _Closings) -> int | None:
    """Where ``(`+)[^`]*?\\1`` matched at ``start`` ends: the run of backticks closes at
    the next run at least as long, else (backtracking) half the run is a span of its own."""
    length = after.run_length(start)
    closing = after.next("`", start + length)
    if closing != -1 and after.run_length(closing) >= length:
        return closing + length
    if length >= 2:
        return start + 2 * (length // 2)
    return None


def _join_unsafe(lines: list[str]) -> list[str]:
    """Join each continuation line that would start a block onto the line before it."""
    groups = [lines[:1]]
    for line in lines[1:]:
        if _starts_block(line) or _HTML_START.match(line):
            groups[-1].append(line)  # (joined once at the end: += would copy each time)
        else:
            groups.append([line])
    return [" ".join(group) for group in groups if group]


@dataclass(frozen=True)
class Underline:
    """A setext heading's underline, rewritten to the translation's width if it matched."""

    prefix: str
    char: str
    length: int
    fits_text: bool  # the source underline was as wide as the text: keep it so


@dataclass(frozen=True)
class SourceLine:
    """One source line of a hard line, as written: what the render of an unchanged hard
    line puts back (the msgid joins soft lines with a space, makes shortcut references
    explicit and drops trailing blanks: none of that can be undone from the text alone)."""

    prefix: str  # container prefix ('' for the block's first line: outside the region)
    text: str  # the line's text up to its hard-break marker or line ending
    eol: str  # its line ending ('' for the block's last line)


@dataclass(frozen=True)
class TextBlock:
    """Paragraph-like text: the first line's prefix lies outside the region, later lines
    get ``prefixes`` (as in the source) or ``continuation`` (the container's prefix)."""

    eol: str
    prefixes: tuple[str, ...] = ()  # prefixes of source lines 1..n-1
    continuation: str = ""
    breaks: tuple[str, ...] = ()  # the source's hard-break markers, in order, as written
    width: int = 0  # re-wrap to this many columns (0: one line per hard line)
    first_prefix_width: int = 0
    underline: Underline | None = None
    # Each hard line of the msgid with its source lines: a translation's hard line equal
    # to it is written as those lines.
    kept: tuple[tuple[str, tuple[SourceLine, ...]], ...] = ()

    def render(self, text: str) -> str:
        hard_lines = [part.strip() for part in text.split(HARD_BREAK)]
        if any(not part for part in hard_lines) and text.strip():
            raise TranslationError("an empty line in the translation would end the paragraph")
        out: list[SourceLine] = []
        unchanged = 0
        for index, hard in enumerate(hard_lines):
            lines = self._source_lines(index, hard)
            if lines:
                unchanged += 1
            else:
                lines = self._new_lines(hard, len(out))
            if index < len(hard_lines) - 1:
                last = lines[-1]
                lines[-1] = SourceLine(last.prefix, last.text + self._break_marker(index), last.eol)
            out.extend(lines)
        text_out = "".join(
            line.prefix + line.text + (line.eol if i < len(out) - 1 else "")
            for i, line in enumerate(out)
        )
        if self.underline:
            kept_all = unchanged == len(hard_lines)
            text_out += self.eol + self._underline([line.text for line in out], kept_all)
        return text_out

    def _source_lines(self, index: int, hard: str) -> list[SourceLine]:
        if index < len(self.kept) and self.kept[index][0] == hard:
            return list(self.kept[index][1])
        return []

    def _new_lines(self, hard: str, first: int) -> list[SourceLine]:
        """``hard`` wrapped as the source was (or on one line), each line's block mark
        escaped, with the source's prefixes and line ending."""
        pieces = wrap(hard, self.width - self._prefix_width(first)) if self.width else [hard]
        pieces = [escape_block_start(pieces[0]), *pieces[1:]]
        return [
            SourceLine(self._prefix(first + i) if first + i else "", piece, self.eol)
            for i, piece in enumerate(pieces)
        ]

    def _prefix(self, index: int) -> str:
        if index - 1 < len(self.prefixes):
            return self.prefixes[index - 1]
        return self.continuation

    def _prefix_width(self, index: int) -> int:
        return self.first_prefix_width if index == 0 else len(self._prefix(index))

    def _break_marker(self, index: int) -> str:
        if index < len(self.breaks):
            return self.breaks[index]
        return self.breaks[-1] if self.breaks else "\\"

    def _underline(self, lines: list[str], kept_all: bool) -> str:
        line = self.underline
        assert line is not None
        fits = line.fits_text and not kept_all  # (the source's own text: its own underline)
        length = max(len(text) for text in lines) if fits else line.length
        return line.prefix + line.char * max(length, 1)


@dataclass(frozen=True)
class InlineText:
    """Text on one line: an ATX heading or a table cell."""

    kind: str = "heading"
    # (msgid, source) where the msgid is not the source's text (its shortcut references
    # made explicit): a translation equal to the msgid is written as the source was.
    kept: tuple[str, str] | None = None

    def render(self, text: str) -> str:
        if HARD_BREAK in text.strip():
            raise TranslationError(f"a {self.kind} cannot hold a line break")
        text = text.strip()
        if self.kept is not None and text == self.kept[0]:
            return self.kept[1]
        if self.kind == "heading":
            # A closing run of #s would be read as the heading's closing sequence.
            text = re.sub(r"(^|[ \t])(#+)$", r"\1\\\2", text)
        else:
            text = re.sub(r"(?<!\\)\|", r"\\|", text)
        return text


# --- YAML front-matter values -----------------------------------------------------------


@dataclass(frozen=True)
class YamlScalar:
    """A string value in YAML front matter, written back in the source's quoting style where
    that style can hold the translation; PyYAML's emitter decides what is safe."""

    style: str | None  # None (plain), "'" or '"'
    lead: str = ""  # whitespace inside the value around the translatable text
    trail: str = ""
    in_flow: bool = False  # an item of a [flow, list] or {flow: map}
    kept: tuple[str, str] | None = None  # (msgid, source): see ``verbatim``

    def render(self, text: str) -> str:
        if self.kept is not None and text == self.kept[0]:
            return self.kept[1]
        return yaml_scalar(self.lead + text + self.trail, self.style, self.in_flow)


def verbatim(msgid: str, source: str) -> tuple[str, str] | None:
    """``(msgid, source)`` where the value's text cannot tell how the source wrote it: a
    block scalar, a value over several lines, an escape sequence (``\\u00e4`` or ``ä``?).
    Rendering that msgid gives the source back; any other value is written by the
    emitter (and rendering the msgid of a one-line value without escapes is tested to
    give its source back)."""
    if "\n" in source or "\\" in source or source[:1] in ("|", ">"):
        return (msgid, source)
    return None


# Plain scalars that Ruby's Psych (Jekyll) reads as something else than PyYAML does, or
# not at all: YAML 1.1 booleans and nulls in any case, numbers with commas or signs,
# loose dates, :symbols. A plain value must start with a letter and be none of these.
_PSYCH_WORDS = re.compile(r"(?i)(y|n|yes|no|on|off|true|false|null|nil|~)")
_PLAIN_START = re.compile(r"[^\W\d_]")
# Inside a flow collection a plain scalar must also avoid the flow indicators.
_FLOW_SAFE = re.compile(r"[\w .\-/()]*")
# Characters YAML reads as line breaks, and controls: only double quotes can hold them.
_BREAKS = re.compile(r"[\n\r\x85\u2028\u2029\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def yaml_scalar(value: str, style: str | None = None, in_flow: bool = False) -> str:
    """``value`` as a one-line YAML scalar that PyYAML and Jekyll's Psych both load back to
    exactly ``value``."""
    style = style or None  # libyaml's loader says "" for plain
    if style not in (None, "'", '"') or _BREAKS.search(value):
        style = '"'
    if style is None and not _plain_safe(value, in_flow):
        style = '"'
    out = _emit(value, style)
    return out if "\n" not in out else _emit(value, '"')


def _plain_safe(value: str, in_flow: bool) -> bool:
    if not _PLAIN_START.match(value) or _PSYCH_WORDS.fullmatch(value.strip()):
        return False
    return not in_flow or bool(_FLOW_SAFE.fullmatch(value))


@lru_cache(maxsize=4096)  # every variant sets the same `lang:`
def _emit(value: str, style: str | None) -> str:
    out = yaml.safe_dump(
        value, default_style=style, allow_unicode=True, width=float("inf"), explicit_end=False
    )
    if out.endswith("\n...\n"):
        out = out[: -len("\n...\n")]
    return out.rstrip("\n")


# --- TOML front-matter values (Hugo) ------------------------------------------------------


@dataclass(frozen=True)
class TomlString:
    """A one-line TOML string value; tomlkit writes it with the escapes TOML needs."""

    literal: bool  # the source used 'single quotes'
    lead: str = ""
    trail: str = ""
    kept: tuple[str, str] | None = None  # (msgid, source): see ``verbatim``

    def render(self, text: str) -> str:
        if self.kept is not None and text == self.kept[0]:
            return self.kept[1]
        return toml_string(self.lead + text + self.trail, self.literal)


def toml_string(value: str, literal: bool = False) -> str:
    """``value`` as a one-line TOML string that loads back to exactly ``value``."""
    if literal and "'" not in value and "\n" not in value and value.isprintable():
        return str(_tomlkit().string(value, literal=True).as_string())
    return str(_tomlkit().string(value).as_string())


def _tomlkit() -> ModuleType:
    import tomlkit  # (only TOML front matter needs it: start-up time)

    return tomlkit
