"""Markdown body → segments, through markdown-it-py's token stream and its source maps.

Each rule below turns one kind of block into segments; everything that is not a segment
(code, HTML, Liquid, link definitions, markers and indentation) stays fixed material.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .post import Post
from .segment import HARD_BREAK, InlineText, Segment, Shape, SourceLine, TextBlock, Underline
from .shortcodes import depends_on_settings, shortcode_rule, shortcode_segments

if TYPE_CHECKING:  # markdown-it is imported when the first post is parsed (start-up time)
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

# Liquid tags alone on a line, and kramdown attribute lists ({: .class}, {:toc}).
_LIQUID_LINE = re.compile(r"[ \t]*(\{%-?\s*(\w+)[^%]*?-?%\}[ \t]*)+")
_KRAMDOWN_IAL = re.compile(r"[ \t]*\{:[^}]*\}[ \t]*")
_LIQUID_BLOCKS = ("highlight", "raw", "comment")
# Author control: <!-- postlingo: off -->, <!-- postlingo: on -->, <!-- postlingo: note … -->
_CONTROL = re.compile(r"<!--\s*postlingo:\s*(off|on|note)\b([\s\S]*?)-->")
_TASK_BOX = re.compile(r"\[[ xX]\][ \t]+")
# Liquid, and footnote references (text where the footnote is not defined): never prose.
NOT_PROSE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\[\^[^\]\s]+\]", re.DOTALL)
# Spans that may hide what looks like words: code, tags and autolinks, link targets, URLs.
# (Each alternative stops at the next opening mark, so a long run of marks stays linear.)
_MARKUP = re.compile(r"(`+)[^`]*\1|<[^<>]*>|\]\([^()]*\)|\]\[[^\[\]]*\]")
_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters or more
_WORD_THEN_PAUSE = re.compile(r"[^\W\d_]{2,}[,;]?")


def _liquid_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Liquid tag lines and blocks, $$ math blocks, kramdown attribute lists: copied,
    never translated."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start] + state.tShift[start]
    if state.src[begin : begin + 1] not in ("{", "$"):
        return False  # (the rule is tried at every line that may start a block)
    line = state.src[begin : state.eMarks[start]]
    liquid = _LIQUID_LINE.fullmatch(line)
    math = line.startswith("$$")
    if not liquid and not math and not _KRAMDOWN_IAL.fullmatch(line):
        return False
    if silent:
        return True
    last = start
    name = liquid.group(2) if liquid else ""
    closing = None
    if name in _LIQUID_BLOCKS and not re.search(r"\{%-?\s*end" + name + r"\b", line):
        closing = re.compile(r"\{%-?\s*end" + name + r"\b")
    elif math and not (len(line.rstrip()) > 2 and line.rstrip().endswith("$$")):
        closing = re.compile(r"\$\$[ \t]*$")
    while closing is not None and last + 1 < end:
        last += 1
        if closing.search(state.src[state.bMarks[last] : state.eMarks[last]]):
            break
    token = state.push("liquid_block", "", 0)
    token.map = [start, last + 1]
    token.content = state.getLines(start, last + 1, state.blkIndent, True)
    state.line = last + 1
    return True


# What a body's inline text is parsed for: footnote references (which footnotes are kept)
# and whatever hides brackets from them. Emphasis, links, entities and linkify are left out:
# a body is read for its blocks, and those rules would cost as much again as the rest.
_BODY_INLINE = [
    "text",
    "newline",
    "escape",
    "backticks",
    "footnote_inline",
    "footnote_ref",
    "autolink",
    "html_inline",
]


# Block rules that can match only where a body holds one of these marks (markdown-it
# normalizes line endings before the rules run; the marks are the same in either).
_RULE_MARKS = {
    "table": ("|",),
    "fence": ("```", "~~~"),
    "blockquote": (">",),
    "html_block": ("<",),
    "reference": ("]:",),
    "footnote_def": ("[^",),
    "heading": ("#",),
}
# A thematic break (hr) and a setext underline are lines that end in -, =, * or _ and blanks.
_LINE_END_MARK = re.compile(r"[-=*_][ \t]*(?:\r|$)", re.MULTILINE)


def body_parser(body: str) -> MarkdownIt:
    """The parser for ``body``: the body parser without the block rules that cannot match
    anywhere in it. Such a rule changes nothing, but markdown-it tries it at every line
    where a block may start or end (``lheading`` reads each paragraph once more): 20% of
    the parse of bench/run.py's posts. A property test holds its blocks to the full parser's."""
    absent = [rule for rule, marks in _RULE_MARKS.items() if not any(m in body for m in marks)]
    if not _LINE_END_MARK.search(body):
        absent += ["hr", "lheading"]
    return parser(body=True, without=frozenset(absent))


@lru_cache(maxsize=64)
def parser(body: bool = False, without: frozenset[str] = frozenset()) -> MarkdownIt:
    """The parser of postlingo's Markdown; ``body``: the one for whole bodies, which parses
    their inline text only for footnote references; ``without``: block rules left out."""
    if without:  # the parser with block rules of its own, some switched off (4x quicker)
        md = copy.copy(parser(body=body))
        md.block = copy.deepcopy(md.block)
        md.block.ruler.disable(list(without))
        return md
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": True, "linkify": True})
    md.enable(["table", "strikethrough", "linkify"])
    md.use(footnote_plugin)
    md.block.ruler.before(
        "fence", "liquid", _liquid_rule, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.block.ruler.after(
        "liquid",
        "shortcode",
        shortcode_rule,  # (Hugo only: .shortcodes)
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    if body:
        md.core.ruler.disable("linkify")
        md.core.ruler.at("inline", _footnote_inline)
        md.inline.ruler.enableOnly(_BODY_INLINE)
        md.inline.ruler2.enableOnly([])
    return md


def _footnote_inline(state: StateCore) -> None:
    """The inline pass over a body: only a text that may hold a footnote reference or an
    inline footnote is parsed (with ``_BODY_INLINE``); the others get no children."""
    for token in state.tokens:
        if token.type == "inline":
            token.children = []
            if "[^" in token.content or "^[" in token.content:
                state.md.inline.parse(token.content, state.md, state.env, token.children)


def parse_env(body: str) -> dict[str, Any]:
    """The environment of a body: its link reference definitions and footnotes (a copy:
    inline parsing records footnote uses in it)."""
    return copy.deepcopy(parse_body(body)[1])


@lru_cache(maxsize=16)
def parse_body(body: str) -> tuple[list[Token], dict[str, Any]]:
    """markdown-it's block tokens and environment (link references, footnotes) of a body.
    Cached: segmentation and the variant's structure check read the same source body."""
    env: dict[str, Any] = {}
    return body_parser(body).parse(body, env), env


depends_on_settings(parse_body.cache_clear)  # (a body reads otherwise with shortcodes)


def body_segments(post: Post) -> list[Segment]:
    """The segments of ``post``'s Markdown body, in source order."""
    tokens, env = parse_body(post.body)
    offset = post.body_first_line
    _check_depth(tokens, post)
    references = set(env.get("references", {}))
    segments = []
    for segment in _segments(tokens, post, offset):
        if has_words(segment.msgid):
            msgid = explicit_references(segment.msgid, references)
            if msgid != segment.msgid:  # (dataclasses.replace is slow: only where needed)
                segment = dataclasses.replace(segment, msgid=msgid, shape=_keeping(segment, msgid))
            segments.append(segment)
    segments = shortcode_segments(post, tokens, segments, has_words)
    return sorted(segments, key=lambda seg: seg.start)


def _keeping(segment: Segment, msgid: str) -> Shape:
    """``segment``'s shape, told that ``msgid`` (its references made explicit) stands for
    its source text: rendering that msgid gives the source back."""
    shape = segment.shape
    if isinstance(shape, InlineText):
        return dataclasses.replace(shape, kept=(msgid, segment.msgid))
    if isinstance(shape, TextBlock):
        hard = msgid.split(HARD_BREAK)
        if len(hard) == len(shape.kept):  # (a label holding a hard break: wrap it anew)
            kept = tuple((text, lines) for text, (_, lines) in zip(hard, shape.kept, strict=True))
            return dataclasses.replace(shape, kept=kept)
    return shape


_CONTAINERS = ("blockquote_open", "list_item_open", "footnote_open")  # blocks of blocks


def _check_depth(tokens: list[Token], post: Post) -> None:
    """markdown-it skips what lies deeper than its nesting limit (instead of recursing
    without end): say so rather than leave that text out of the catalogue unnoticed."""
    limit = parser().options.maxNesting
    deep = next((t for t in tokens if t.type in _CONTAINERS and t.level + 1 >= limit), None)
    if deep is not None and deep.map:
        raise InputError(
            f"Markdown nested too deeply (over {limit} levels of block quotes, "
            "lists and list items): the text inside would not be translated",
            post.path,
            post.body_first_line + deep.map[0] + 1,
        )


def explicit_references(text: str, labels: set[str]) -> str:
    """Write shortcut and collapsed reference links as full ones (``[text][label]``), so
    that translating the link text cannot change the label the link points to."""
    if not labels or "[" not in text:
        return text
    from markdown_it.common.utils import normalizeReference

    out: list[str] = []
    pos = 0
    labels_at: dict[int, int] = {}  # the [label] parts of full references: copied as they are
    while pos < len(text):
        skip = _INERT.match(text, pos)
        end = labels_at.get(pos)
        if skip or end:
            end = end or skip.end()  # type: ignore[union-attr]
            out.append(text[pos:end])
            pos = end
            continue
        close = _closing_bracket(text, pos) if text[pos] == "[" else None
        if close is None:
            out.append(text[pos])
            pos += 1
            continue
        label, after = text[pos + 1 : close], close + 1
        known = not label.startswith("^") and normalizeReference(label) in labels
        second = _closing_bracket(text, after) if text.startswith("[", after) else None
        if text.startswith("(", after) or (second is not None and second > after + 1):
            if second is not None:
                labels_at[after] = second + 1
            out.append("[")  # inline or full reference link: its text may hold images
            pos += 1
        elif known:
            out.append(f"[{label}][{label}]")
            pos = after + 2 if second == after + 1 else after
        else:
            out.append("[")
            pos += 1
    return "".join(out)


def _closing_bracket(text: str, start: int) -> int | None:
    depth, pos = 0, start
    while pos < len(text):
        skip = _INERT.match(text, pos)
        if skip and pos > start:
            pos = skip.end()
            continue
        if text[pos] == "[":
            depth += 1
        elif text[pos] == "]":
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    return None


# Backslash escapes, code spans and angle-bracket spans: brackets inside them are no links.
_INERT = re.compile(r"\\.|(`+)[\s\S]*?(?<!`)\1(?!`)|<[^<>\n]*>")


def has_words(text: str) -> bool:
    """Whether ``text`` holds prose: letters in its text outside code, HTML, Liquid and
    autolinks, as markdown-it reads it."""
    if "{" in text or "[^" in text:
        text = NOT_PROSE.sub(" ", text)
    if two_words(_MARKUP.sub(" ", text) if "`" in text or "<" in text or "]" in text else text):
        return True  # two words side by side outside any markup: prose, no need to parse
    if _PLAIN.fullmatch(text):
        return any(ch.isalpha() for ch in text)  # (a table cell's one word, say)
    return _parsed_has_words(text)


# Text where markdown-it finds nothing but text: no code, HTML, links or autolinks (which
# need one of `<[:@. to start).
_PLAIN = re.compile(r"[\w\s,;!?'\"()*-]*")


def _parsed_has_words(text: str) -> bool:
    autolink = False
    for token in _inline_tokens(parser().parseInline(text)):
        if token.type == "link_open":
            autolink = token.markup in ("autolink", "linkify")
        elif token.type == "link_close":
            autolink = False
        elif token.type == "text" and not autolink and any(ch.isalpha() for ch in token.content):
            return True
    return False


def two_words(text: str) -> bool:
    """Whether two words of letters follow each other in ``text`` (the first may end in a
    comma or semicolon), once everything that looks like a URL, an address, a path or a
    file name (a whitespace-separated part with ``:@/.``) is left out."""
    after_word = False
    for part in text.split():
        if ":" in part or "@" in part or "/" in part or "." in part:
            continue  # left out: the parts around it meet
        if after_word and _WORD.fullmatch(part):
            return True
        after_word = _WORD_THEN_PAUSE.fullmatch(part) is not None
    return False


def _inline_tokens(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _inline_tokens(token.children)


def _segments(tokens: list[Token], post: Post, offset: int) -> Iterator[Segment]:
    """Segments in token order, minus those in ``postlingo: off`` regions, with notes."""
    off, notes = False, []
    for token, segment in _raw_segments(tokens, post, offset):
        if token.type in ("html_block", "html_inline") or segment is None:
            for command, text in _CONTROL.findall(token.content):
                if command in ("off", "on"):
                    off = command == "off"
                else:
                    notes.append(" ".join(text.split()))
            continue
        if not off:
            yield dataclasses.replace(segment, notes=tuple(notes)) if notes else segment
            notes = []


def _raw_segments(
    tokens: list[Token], post: Post, offset: int
) -> Iterator[tuple[Token, Segment | None]]:
    row: list[tuple[int, int]] = []  # cell spans of the current table row
    row_line, cell = 0, 0
    for index, token in enumerate(tokens):
        if token.type == "html_block":
            yield token, None
        if token.type == "tr_open" and token.map is not None:
            row_line, cell = token.map[0] + offset, 0
            row = _cell_spans(post.line_text(row_line))
        if token.type != "inline" or index == 0:
            continue
        if tokens[index - 1].type in ("th_open", "td_open"):
            segment = _table_cell(post, token.content, row_line, row, cell)
            cell += 1
            if segment is not None:
                yield token, segment
            continue
        opener = tokens[index - 1]
        if opener.map is None:
            continue
        assert opener.map is not None
        first = opener.map[0] + offset
        last = opener.map[1] + offset
        if opener.type == "paragraph_open":
            in_item = index >= 2 and tokens[index - 2].type == "list_item_open"
            segment = _text_block(post, token.content, first, last, in_item)
        elif opener.type == "heading_open" and opener.markup.startswith("#"):
            segment = _atx_heading(post, token.content, first)
        elif opener.type == "heading_open":
            segment = _text_block(post, token.content, first, last - 1, False, setext=True)
        else:
            continue
        if segment is not None:
            yield token, segment


@dataclass
class _Line:
    prefix: str
    content: str
    trailing: str
    start: int  # offset of the content in the post
    eol: str = ""


def _split_line(post: Post, index: int, content: str) -> _Line:
    """Split source line ``index`` into container prefix, ``content`` and trailing blanks."""
    text = post.line_text(index)
    stripped = text.rstrip()
    wanted = content.strip()
    if wanted and stripped.endswith(wanted):
        col = len(stripped) - len(wanted)
    else:  # tabs expanded by the parser: fall back to the first non-blank character
        col = len(text) - len(text.lstrip())
    line = post.lines[index]
    return _Line(text[:col], stripped[col:], text[len(stripped) :], line.start + col, line.eol)


def _text_block(
    post: Post, content: str, first: int, last: int, in_item: bool, setext: bool = False
) -> Segment | None:
    parts = content.split("\n")
    if len(parts) != last - first:
        return None  # the parser saw other lines than the map says: leave as is
    lines = [_split_line(post, first + k, part) for k, part in enumerate(parts)]
    if in_item and _TASK_BOX.match(lines[0].content):
        box = _TASK_BOX.match(lines[0].content)
        assert box is not None
        lines[0] = _Line(
            lines[0].prefix + box.group(),
            lines[0].content[box.end() :],
            lines[0].trailing,
            lines[0].start + box.end(),
            lines[0].eol,
        )
    msgid, breaks, kept = _join(lines, setext)
    end = lines[-1].start + len(lines[-1].content)
    underline = None
    if setext:
        run = re.search(r"(=+|-+)[ \t]*$", post.line_text(last))
        assert run is not None, "a setext underline ends in = or -"
        under = _split_line(post, last, run.group(1))
        widest = max(len(line.content) for line in lines)
        underline = Underline(
            under.prefix, under.content[0], len(under.content), len(under.content) == widest
        )
        end = under.start + len(under.content)
    soft_wrapped = len(lines) > len(breaks) + 1
    continuation = _continuation(lines[0].prefix)
    shape = TextBlock(
        eol=post.lines[first].eol or post.eol,
        prefixes=tuple(_unlazy(line.prefix, continuation) for line in lines[1:]),
        continuation=continuation,
        breaks=tuple(breaks),
        width=max(len(line.prefix + line.content) for line in lines) if soft_wrapped else 0,
        first_prefix_width=len(lines[0].prefix),
        underline=underline,
        kept=kept,
    )
    kind = "heading" if setext else "paragraph"
    return Segment(msgid, first + 1, lines[0].start, end, shape, kind=kind)


Kept = tuple[tuple[str, tuple[SourceLine, ...]], ...]


def _join(lines: list[_Line], setext: bool = False) -> tuple[str, list[str], Kept]:
    """The msgid of a block's lines: soft breaks become spaces, hard breaks ``HARD_BREAK``;
    the hard-break markers as written; each hard line of the msgid with its source lines."""
    msgid, breaks = "", []
    kept: list[tuple[str, tuple[SourceLine, ...]]] = []
    hard_start, current = 0, []  # where the msgid's hard line starts, its source lines
    for k, line in enumerate(lines):
        text = line.content.strip()
        prefix = line.prefix if k else ""
        if k == len(lines) - 1:
            msgid += text
            # (before a setext underline, the region holds the line's trailing blanks)
            current.append(SourceLine(prefix, text + (line.trailing if setext else ""), ""))
            break
        backslashes = len(text) - len(text.rstrip("\\"))
        if backslashes % 2:
            words = text[:-1].rstrip()
            breaks.append(text[len(words) :] + line.trailing)  # (" \\": as the author wrote)
            msgid += words + HARD_BREAK
            current.append(SourceLine(prefix, words, line.eol))
        elif line.trailing.startswith("  ") and line.trailing.strip(" ") == "":
            breaks.append(line.trailing)
            msgid += text + HARD_BREAK
            current.append(SourceLine(prefix, text, line.eol))
        else:
            msgid += text + " "
            current.append(SourceLine(prefix, text + line.trailing, line.eol))
            continue
        kept.append((msgid[hard_start:-1], tuple(current)))
        hard_start, current = len(msgid), []
    kept.append((msgid[hard_start:], tuple(current)))
    return msgid, breaks, tuple(kept)


_NOT_QUOTE_MARK = re.compile(r"[^>\s]")


def _continuation(prefix: str) -> str:
    """The prefix of a container's later lines: quote marks stay, every other mark (list
    markers, task boxes, footnote labels) becomes blanks."""
    return _NOT_QUOTE_MARK.sub(" ", prefix)


def _unlazy(prefix: str, continuation: str) -> str:
    """A lazy continuation line's prefix lacks the quote marks: give it the container's."""
    return continuation if prefix.count(">") < continuation.count(">") else prefix


def _atx_heading(post: Post, content: str, index: int) -> Segment | None:
    text = post.line_text(index)
    match = re.compile(r"#+[ \t]*").search(text)
    if match is None or not content:
        return None
    col = text.find(content, match.end())
    if col < 0:
        return None
    start = post.lines[index].start + col
    return Segment(
        content, index + 1, start, start + len(content), InlineText("heading"), kind="heading"
    )


# Container marks before a table row: block quote markers, a list item's marker.
_ROW_PREFIX = re.compile(r"(?:[ \t]*(?:>|[-+*]|\d{1,9}[.)])(?=[ \t]|$))*[ \t]*")


def _cell_spans(line: str) -> list[tuple[int, int]]:
    """Columns of each cell's text in a table row, split as GFM splits it: at pipes not
    escaped by a backslash; a leading and a trailing pipe only delimit."""
    begin = _ROW_PREFIX.match(line).end()  # type: ignore[union-attr]
    end = len(line.rstrip())
    pipes = [i for i in range(begin, end) if line[i] == "|" and _unescaped(line, i)]
    edges = [begin - 1, *pipes, end]
    if pipes and pipes[0] == begin:
        edges = edges[1:]
    if pipes and pipes[-1] == end - 1:
        edges = edges[:-1]
    spans = []
    for left, right in pairwise(edges):
        text = line[left + 1 : right]
        lead = len(text) - len(text.lstrip())
        spans.append((left + 1 + lead, left + 1 + len(text.rstrip())))
    return spans


def _unescaped(line: str, index: int) -> bool:
    backslashes = len(line[:index]) - len(line[:index].rstrip("\\"))
    return backslashes % 2 == 0


def _table_cell(
    post: Post, content: str, index: int, row: list[tuple[int, int]], cell: int
) -> Segment | None:
    if cell >= len(row) or not content:
        return None
    left, right = row[cell]
    source = post.line_text(index)[left:right]
    if source.replace("\\|", "|") != content:
        return None  # the row is not split as we think: leave it as it is
    start = post.lines[index].start + left
    return Segment(
        content, index + 1, start, start + len(source), InlineText("table cell"), kind="table-cell"
    )
