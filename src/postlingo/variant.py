"""Variants: a post with its segments replaced by their translations.

Only the regions of translated segments and the metadata keys change; every other byte of
the source is copied. Before a variant is accepted, its front matter must load back to the
translated values and its Markdown must parse to the same block structure as the source.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache

import yaml

from .catalogue import Translation
from .errors import InputError, TranslationError
from .front_matter import Edit, metadata_edits, parse_toml, parse_yaml
from .markdown import parse_body
from .post import Post, parse_post
from .security import UnsafeTranslation, leads_out, unsafe_additions
from .segment import Segment

Key = tuple[str | None, str]
_STR = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Variant:
    """A localized post: its text and how much of it is translated."""

    post: Post
    language: str
    text: str  # with the source's BOM, ready to write
    translated: int  # segments whose translation was used
    total: int


def build_variant(
    post: Post,
    segments: list[Segment],
    translations: Mapping[Key, Translation],
    language: str,
    metadata: Mapping[str, str | bool],
    extra: list[Edit] | None = None,
    allow_unsafe: Collection[str] = (),
) -> Variant:
    """Replace every translated segment of ``post``, set ``metadata`` and apply ``extra``
    edits (translated taxonomy terms); raise ``TranslationError`` naming the catalogue line
    of a translation that would break the post, or that adds code to it (``security``;
    ``allow_unsafe`` lists the kinds of code a translation may add)."""
    edits: list[tuple[Edit, Segment, Translation]] = []
    used = 0
    for segment in segments:
        found = translations.get(segment.key)
        if found is None:
            continue
        used += 1
        if found.text == segment.msgid:
            continue  # same text: the source's own bytes
        refuse_unsafe(segment.msgid, found, allow_unsafe, segment.context)
        try:
            text = segment.render(found.text)
        except TranslationError as exc:
            raise TranslationError(exc.message, found.path, found.line) from None
        edits.append((Edit(segment.start, segment.end, text), segment, found))
    for key, value in metadata.items():
        if isinstance(value, str) and leads_out(key, value) and "path" not in allow_unsafe:
            raise UnsafeTranslation(f"the layout sets {key} to '{value}', which would lead "
                                    "out of the site; the variant is not built", post.path)
    meta = metadata_edits(post, dict(metadata)) + (extra or [])
    text = apply(post.text, [edit for edit, _, _ in edits] + meta)
    if edits:
        _verify(post, text, edits, meta)
    if edits or extra:
        # Pieces from several translations (or terms) could make up what none holds alone.
        added = unsafe_additions(post.text, text, allow_unsafe)
        if added:
            raise UnsafeTranslation(f"the variant in {language} {added[0].message}; it is "
                                    "not built", post.path)
    return Variant(post, language, post.bom + text, used, len(segments))


def refuse_unsafe(msgid: str, found: Translation, allow_unsafe: Collection[str] = (),
                  key: str | None = None) -> None:
    """Raise ``UnsafeTranslation`` naming the catalogue line if ``found`` (the value of the
    front-matter ``key``, if any) adds code or leads out of the site."""
    added = unsafe_additions(msgid, found.text, allow_unsafe, key)
    if added:
        raise UnsafeTranslation(
            f"{added[0].message}; not built (to accept it: allow_unsafe = "
            f"[\"{added[0].kind}\"] in the configuration)", found.path, found.line)


def apply(text: str, edits: list[Edit]) -> str:
    out, pos = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[pos : edit.start])
        out.append(edit.text)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)


def _verify(post: Post, text: str, edits: list[tuple[Edit, Segment, Translation]],
            meta: list[Edit]) -> None:
    """Find the translation that changed the post's structure, if any, and name it."""
    expected = _structure(post, apply(post.text, meta))
    if _structure(post, text) == expected:
        return
    for edit, segment, found in edits:
        if _structure(post, apply(post.text, [edit, *meta])) != expected:
            where = "front matter" if segment.context else "Markdown structure"
            raise TranslationError(
                f"this translation would change the {where} of {post.path}:{segment.line}",
                found.path, found.line,
            )
    raise TranslationError(f"the translations together would change the structure of {post.path}")


def _structure(post: Post, text: str) -> tuple[object, ...]:
    """What a translation must not change: front-matter keys and types, Markdown blocks."""
    try:
        variant = parse_post(text, post.path, post.name)
        front = variant.front_matter
        toml = front is not None and front.format == "toml"
        head = _toml_shape(parse_toml(variant)) if toml else _shape(parse_yaml(variant))
    except InputError as exc:
        return ("unreadable", exc.message)
    return (head, block_structure(variant.body))


@lru_cache(maxsize=64)
def block_structure(body: str) -> tuple[tuple[str, str, str, int], ...]:
    """The Markdown blocks of a body. Cached: the source's body is the reference for every
    language, and a variant whose body no translation touched has the source's body."""
    return tuple(
        (token.type, token.tag, token.markup, token.level)
        for token in parse_body(body)[0]
        if token.type != "inline"
    )


def _toml_shape(value: object) -> object:
    """Loaded TOML with the text of strings left out."""
    if isinstance(value, dict):
        return tuple((key, _toml_shape(item)) for key, item in value.items())
    if isinstance(value, list):
        return tuple(_toml_shape(item) for item in value)
    return "str" if isinstance(value, str) else repr(value)


def _shape(node: yaml.Node | None) -> object:
    """A YAML node tree with the text of string values left out."""
    if isinstance(node, yaml.MappingNode):
        return tuple((getattr(key, "value", None), _shape(value)) for key, value in node.value)
    if isinstance(node, yaml.SequenceNode):
        return tuple(_shape(item) for item in node.value)
    if isinstance(node, yaml.ScalarNode):
        return node.tag if node.tag == _STR else (node.tag, node.value)
    return None
