"""Front matter → segments, and the edits that set metadata on a variant.

Values are located with PyYAML's node marks (exact character offsets) and replaced in the
text, so every untouched line of the front matter stays byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from .errors import InputError
from .post import Post
from .segment import Segment, YamlScalar, yaml_scalar

_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Edit:
    """Replace ``[start, end)`` of the post text by ``text``."""

    start: int
    end: int
    text: str


def front_matter_segments(post: Post, keys: list[str]) -> list[Segment]:
    """Segments for the front-matter values named by ``keys`` (dotted paths for nesting)."""
    root = parse_yaml(post)
    if root is None:
        return []
    segments = []
    for key in keys:
        node = _lookup(root, key.split("."))
        if node is None:
            continue
        for scalar in _strings(node):
            segment = _segment(post, key, scalar)
            if segment is not None:
                segments.append(segment)
    return sorted(segments, key=lambda seg: seg.start)


def parse_yaml(post: Post) -> yaml.MappingNode | None:
    """The front matter's node tree (never constructed: no tags are executed)."""
    front = post.front_matter
    if front is None or front.format != "yaml":
        return None
    content = post.text[front.content_start : front.content_end]
    try:
        root = yaml.compose(content, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = front.first_line + 1 + (mark.line if mark else 0)
        problem = exc.problem or "invalid YAML"
        raise InputError(f"front matter: {problem}", post.path, line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"front matter: {exc}", post.path, front.first_line + 1) from None
    if root is None:
        return None
    if not isinstance(root, yaml.MappingNode):
        raise InputError("front matter is not a mapping of keys to values", post.path,
                         front.first_line + 1 + root.start_mark.line)
    _check_duplicates(post, root)
    return root


def _check_duplicates(post: Post, node: yaml.Node) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    line = _line(post, key)
                    raise InputError(f"front matter: duplicate key {key.value!r}", post.path, line)
                seen.add(key.value)
            _check_duplicates(post, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicates(post, item)


def _lookup(node: yaml.Node, path: list[str]) -> yaml.Node | None:
    for part in path:
        if not isinstance(node, yaml.MappingNode):
            return None
        found = [value for key, value in node.value
                 if isinstance(key, yaml.ScalarNode) and key.value == part]
        if not found:
            return None
        node = found[0]
    return node


def _strings(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    if isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG:
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _strings(item)


def _offset(post: Post, mark: yaml.Mark) -> int:
    assert post.front_matter is not None
    return post.front_matter.content_start + mark.index


def _line(post: Post, node: yaml.Node) -> int:
    assert post.front_matter is not None
    return post.front_matter.first_line + 1 + node.start_mark.line


def _segment(post: Post, key: str, node: yaml.ScalarNode) -> Segment | None:
    value = node.value
    text = value.strip()
    if not text:
        return None
    start = _offset(post, node.start_mark)
    end = _offset(post, node.end_mark)
    if node.style in ("|", ">"):
        end = start + len(post.text[start:end].rstrip("\r\n"))
    lead = value[: len(value) - len(value.lstrip())]
    trail = value[len(value.rstrip()) :]
    shape = YamlScalar(node.style, lead, trail)
    return Segment(text, _line(post, node), start, end, shape, kind="front-matter", context=key)


def metadata_edits(post: Post, values: dict[str, str]) -> list[Edit]:
    """Edits that set top-level ``values`` (e.g. ``lang``): existing keys get the new value,
    missing ones a new line before the closing delimiter."""
    if not values:
        return []
    eol = post.eol
    if post.front_matter is None:
        lines = "".join(f"{key}: {yaml_scalar(value)}{eol}" for key, value in values.items())
        return [Edit(0, 0, f"---{eol}{lines}---{eol}")]
    root = parse_yaml(post)
    edits, added = [], ""
    for key, value in values.items():
        node = _lookup(root, [key]) if root is not None else None
        if isinstance(node, yaml.ScalarNode):
            if node.value != value:
                edits.append(Edit(_offset(post, node.start_mark), _offset(post, node.end_mark),
                                  yaml_scalar(value)))
        else:
            added += f"{key}: {yaml_scalar(value)}{eol}"
    if added:
        at = post.front_matter.insert_at
        if at > 0 and post.text[at - 1] not in "\r\n":
            added = eol + added
        edits.append(Edit(at, at, added))
    return edits
