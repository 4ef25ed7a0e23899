"""Front matter → segments, and the edits that set metadata on a variant.

Values are located with PyYAML's node marks (exact character offsets) and replaced in the
text, so every untouched line of the front matter stays byte-identical. python-frontmatter
finds the front matter and loads it where only values are read (``source.post``, ``init``);
edits bypass its load and dump, which re-serialise the whole block (quoting, key order,
comments, anchors lost) — the bytes would not survive.
"""

from __future__ import annotations

import re
import sys
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from ..errors import InputError, toml_problem
from .post import Post
from .segment import Segment, TomlString, YamlScalar, toml_string, verbatim, yaml_scalar

_STR_TAG = "tag:yaml.org,2002:str"
_PROPERTIES = re.compile(r"(?:[&!][^\s]*\s+)*")  # a node's anchor and tag before its value
# Scalars whose value PyYAML's safe loader constructs (a metadata key's value is compared).
_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "bool", "int", "float", "null", "timestamp")
}


@dataclass(frozen=True)
class Edit:
    """Replace ``[start, end)`` of the post text by ``text``."""

    start: int
    end: int
    text: str


def front_matter_segments(post: Post, keys: list[str]) -> list[Segment]:
    """Segments for the front-matter values named by ``keys`` (dotted paths for nesting)."""
    if post.front_matter is not None and post.front_matter.format == "toml":
        return _toml_segments(post, keys)
    root = parse_yaml(post)
    if root is None:
        return []
    segments = []
    used: set[int] = set()  # an alias (*name) is its anchor's node: one segment, not two
    for key in keys:
        node = _lookup(root, key.split("."))
        if node is None:
            continue
        for scalar, in_flow in _strings(node):
            segment = _segment(post, key, scalar, in_flow) if id(scalar) not in used else None
            used.add(id(scalar))
            if segment is not None:
                segments.append(segment)
    return sorted(segments, key=lambda seg: seg.start)


# libyaml's loader (5x faster) where PyYAML was built with it; its marks count characters too.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=64)
def _compose(content: str) -> yaml.Node | None:
    """The node tree of YAML text; a post's front matter is read by several stages (its
    segments, taxonomy, metadata, the variant's check), so it is composed once. The nodes
    are never changed."""
    try:
        return yaml.compose(content, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        # Report the problem as PyYAML's own loader words it, on every machine.
        return yaml.compose(content, Loader=yaml.SafeLoader)


def parse_yaml(post: Post) -> yaml.MappingNode | None:
    """The front matter's node tree (never constructed: no tags are executed)."""
    front = post.front_matter
    if front is None or front.format != "yaml":
        return None
    content = post.text[front.content_start : front.content_end]
    try:
        root = _compose(content)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at_end = mark is not None and mark.index >= len(content.rstrip())
        if at_end and exc.context_mark is not None:
            mark = exc.context_mark  # "unexpected end": the mistake is where it started
        line = front.first_line + 1 + (mark.line if mark else 0)
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{problem} ({exc.context})"
        raise InputError(f"front matter: {problem}", post.path, line) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = front.first_line + 1 + content[: exc.position].count("\n")
        raise InputError(
            f"front matter: character #x{exc.character:04x} is not allowed in YAML", post.path, line
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"front matter: {exc}", post.path, front.first_line + 1) from None
    except RecursionError:  # PyYAML composes nested collections recursively
        raise InputError(
            f"front matter: collections nested too deeply (more than {MAX_DEPTH} levels)",
            post.path,
            front.first_line + 1,
        ) from None
    if root is None:
        return None
    if not isinstance(root, yaml.MappingNode):
        raise InputError(
            "front matter is not a mapping of keys to values",
            post.path,
            front.first_line + 1 + root.start_mark.line,
        )
    if root in _VALID:
        return root  # composed and checked before (the nodes are shared, never changed)
    size, depth = _measure(root)
    if depth > MAX_DEPTH:
        raise InputError(
            f"front matter: collections nested too deeply (more than {MAX_DEPTH} levels)",
            post.path,
            front.first_line + 1,
        )
    if size > MAX_VALUES:
        raise InputError(
            f"front matter: its aliases expand to more than {MAX_VALUES} values",
            post.path,
            front.first_line + 1,
        )
    _check_duplicates(post, root, set())
    _VALID.add(root)
    return root


_VALID: weakref.WeakSet[yaml.Node] = weakref.WeakSet()  # trees that passed the checks


MAX_DEPTH = 64  # nesting levels of front-matter collections (the readers below recurse)
MAX_VALUES = 100_000  # values the front matter may hold once its aliases are expanded


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _measure(root: yaml.Node) -> tuple[int, int]:
    """How many values ``root`` holds with aliases expanded, and how deep it nests. Each
    shared node is visited once (a "billion laughs" of nested aliases is measured, not
    walked), without recursion (the depth is what is being measured)."""
    found: dict[int, tuple[int, int]] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in found:
            continue
        children = _children(node)
        if ready:
            found[id(node)] = (
                1 + sum(found[id(child)][0] for child in children),
                1 + max((found[id(child)][1] for child in children), default=0),
            )
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in found)
    return found[id(root)]


def _check_duplicates(post: Post, node: yaml.Node, done: set[int]) -> None:
    if id(node) in done:
        return  # an alias of a node already checked
    done.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    line = _line(post, key)
                    raise InputError(f"front matter: duplicate key {key.value!r}", post.path, line)
                seen.add(key.value)
            _check_duplicates(post, value, done)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicates(post, item, done)


def _lookup(node: yaml.Node, path: list[str]) -> yaml.Node | None:
    for part in path:
        if not isinstance(node, yaml.MappingNode):
            return None
        found = [
            value
            for key, value in node.value
            if isinstance(key, yaml.ScalarNode) and key.value == part
        ]
        if not found:
            return None
        node = found[0]
    return node


def _strings(node: yaml.Node, in_flow: bool = False) -> Iterator[tuple[yaml.ScalarNode, bool]]:
    """The string scalars of a value (one, or a list's items), and whether each stands in a
    flow collection, where plain scalars follow stricter rules."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG:
        yield node, in_flow
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _strings(item, in_flow or bool(node.flow_style))


def _offset(post: Post, mark: yaml.Mark) -> int:
    assert post.front_matter is not None
    return post.front_matter.content_start + mark.index


def _line(post: Post, node: yaml.Node) -> int:
    assert post.front_matter is not None
    return post.front_matter.first_line + 1 + node.start_mark.line


def _segment(post: Post, key: str, node: yaml.ScalarNode, in_flow: bool) -> Segment | None:
    value = node.value
    text = value.strip()
    if not text:
        return None
    start = _offset(post, node.start_mark)
    end = _offset(post, node.end_mark)
    # The node's marks include its anchor (&name) and tag (!!str): they stay in the text.
    start += len(_PROPERTIES.match(post.text, start, end).group())  # type: ignore[union-attr]
    if node.style in ("|", ">"):
        end = start + len(post.text[start:end].rstrip("\r\n"))
    lead = value[: len(value) - len(value.lstrip())]
    trail = value[len(value.rstrip()) :]
    shape = YamlScalar(node.style, lead, trail, in_flow, verbatim(text, post.text[start:end]))
    line = _line(post, node)
    if node.style in ("|", ">"):
        line += 1  # the text starts on the line after the indicator
    return Segment(text, line, start, end, shape, kind="front-matter", context=key)


# --- TOML (Hugo) --------------------------------------------------------------------------

_TOML_TABLE = re.compile(r"[ \t]*\[([^\[\]]+)\][ \t]*(?:#.*)?")
_TOML_KEY = re.compile(r"[ \t]*([A-Za-z0-9_-]+|\"[^\"]*\")[ \t]*=[ \t]*")


def parse_toml(post: Post) -> dict[str, Any]:
    front = post.front_matter
    assert front is not None
    try:
        return tomllib.loads(post.text[front.content_start : front.content_end])
    except tomllib.TOMLDecodeError as exc:
        message, line = toml_problem(exc)
        line = front.first_line + (line or 1)
        raise InputError(f"front matter: {message}", post.path, line) from None


@dataclass(frozen=True)
class _TomlValue:
    key: str  # dotted: table.key
    line: int  # line index
    start: int  # offset of the literal in the post
    literal: str
    value: object


def _toml_values(post: Post) -> Iterator[_TomlValue]:
    """The one-line values of the front matter, found line by line, confirmed by tomllib."""
    parse_toml(post)  # a broken front matter is an error, not an empty one
    front = post.front_matter
    assert front is not None
    table = ""
    for index in range(front.first_line, post.line_at(front.content_end)):
        text = post.line_text(index)
        header = _TOML_TABLE.fullmatch(text)
        if header:
            table = header.group(1).strip() + "."
            continue
        match = _TOML_KEY.match(text)
        found = _toml_literal(text[match.end() :]) if match else None
        if match and found:
            start = post.lines[index].start + match.end()
            yield _TomlValue(table + match.group(1).strip('"'), index, start, *found)


def _toml_segments(post: Post, keys: list[str]) -> list[Segment]:
    """Single-line string values of ``keys``."""
    segments = []
    for item in _toml_values(post):
        value = item.value
        if item.key not in keys or not isinstance(value, str) or not value.strip():
            continue
        if "\n" in item.literal:
            continue  # an escaped newline: the msgid would not match the line's text
        lead = value[: len(value) - len(value.lstrip())]
        trail = value[len(value.rstrip()) :]
        literal = item.literal.startswith("'")  # (no escapes in a 'literal string')
        shape = TomlString(
            literal, lead, trail, None if literal else verbatim(value.strip(), item.literal)
        )
        segments.append(
            Segment(
                value.strip(),
                item.line + 1,
                item.start,
                item.start + len(item.literal),
                shape,
                kind="front-matter",
                context=item.key,
            )
        )
    return segments


def _toml_literal(rest: str) -> tuple[str, object] | None:
    """The value literal at the start of ``rest`` (maybe followed by a comment)."""
    cuts = [i for i, ch in enumerate(rest) if ch == "#"] + [len(rest)]
    for cut in cuts:
        literal = rest[:cut].rstrip()
        try:
            return literal, tomllib.loads(f"v = {literal}")["v"]
        except tomllib.TOMLDecodeError:
            continue
    return None


def existing_value(post: Post, key: str) -> str | None:
    """The string value of a top-level front-matter key, if the post has one."""
    front = post.front_matter
    if front is None:
        return None
    if front.format == "toml":
        value = parse_toml(post).get(key)
        return value if isinstance(value, str) else None
    root = parse_yaml(post)
    node = _lookup(root, [key]) if root is not None else None
    return node.value if isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG else None


Value = str | bool


def metadata_edits(post: Post, values: dict[str, Value]) -> list[Edit]:
    """Edits that set top-level ``values`` (e.g. ``lang``): existing keys get the new value,
    missing ones a new line before the closing delimiter."""
    if not values:
        return []
    eol = post.eol
    if post.front_matter is None:
        lines = "".join(f"{key}: {_yaml_value(value)}{eol}" for key, value in values.items())
        return [Edit(0, 0, f"---{eol}{lines}---{eol}")]
    if post.front_matter.format == "toml":
        return _toml_metadata(post, values)
    root = parse_yaml(post)
    edits, added = [], ""
    for key, value in values.items():
        node = _lookup(root, [key]) if root is not None else None
        if node is not None and not (isinstance(node, yaml.ScalarNode) and node.tag in _PLAIN_TAGS):
            raise InputError(
                f"front matter: postlingo sets {key!r} in each variant, but here "
                f"it holds a value it cannot replace ({node.tag})",
                post.path,
                _line(post, node),
            )
        if isinstance(node, yaml.ScalarNode):
            if yaml.SafeLoader("").construct_object(node) != value:
                start, end = _offset(post, node.start_mark), _offset(post, node.end_mark)
                # An empty value (`lang:`) is a point right after the colon: add a space.
                space = " " if start == end else ""
                edits.append(Edit(start, end, space + _yaml_value(value)))
        else:
            added += f"{key}: {_yaml_value(value)}{eol}"
    if added:
        at = post.front_matter.insert_at
        if at > 0 and post.text[at - 1] not in "\r\n":
            added = eol + added
        edits.append(Edit(at, at, added))
    return edits


def _yaml_value(value: Value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else yaml_scalar(value)


def _toml_metadata(post: Post, values: dict[str, Value]) -> list[Edit]:
    assert post.front_matter is not None
    existing = {item.key: item for item in _toml_values(post) if "." not in item.key}
    edits = [
        Edit(
            existing[key].start,
            existing[key].start + len(existing[key].literal),
            _toml_value(value),
        )
        for key, value in values.items()
        if key in existing and existing[key].value != value
    ]
    added = "".join(
        f"{key} = {_toml_value(value)}{post.eol}"
        for key, value in values.items()
        if key not in parse_toml(post)
    )
    # Top-level keys must come before the first [table]: new ones go after the opening line.
    at = post.front_matter.content_start
    return [*edits, Edit(at, at, added)] if added else edits


def _toml_value(value: Value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else toml_string(value)
