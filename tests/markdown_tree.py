"""Helpers for fidelity tests: build a body with given translations, compare parse trees."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from postlingo.catalogue.po import Translation
from postlingo.drafts.pseudo import pseudo_translate, untranslated_prose
from postlingo.source.markdown import body_segments, parser
from postlingo.source.post import parse_post
from postlingo.variant.build import build_variant

# Spec examples are post bodies: give them a front matter so that `+++` or `---` on their
# first line stays Markdown.
HEAD = "---\ntitle: x\n---\n"
_CONTENT_TYPES = ("code_inline", "code_block", "fence", "html_block", "liquid_block")


def build_body(markdown: str, translate: Callable[[str, dict[str, Any]], str]) -> str:
    """``markdown`` as a post body with every segment replaced by ``translate(msgid)``."""
    post = parse_post(HEAD + markdown, Path("post.md"), "post")
    env: dict[str, Any] = {}
    parser().parse(post.body, env)
    references = env.get("references", {})
    segments = body_segments(post)
    found = {
        seg.key: Translation(translate(seg.msgid, references), Path("post.po"), 1)
        for seg in segments
    }
    return build_variant(post, segments, found, "en", {}).text[len(HEAD) :]


def identity(msgid: str, references: dict[str, Any]) -> str:
    return msgid


def pseudo(msgid: str, references: dict[str, Any]) -> str:
    return pseudo_translate(msgid, references)


def flatten(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from flatten(token.children)


def tree(markdown: str) -> list[tuple[object, ...]]:
    """The element tree of ``markdown`` without its words: text and soft breaks left out,
    whitespace inside raw HTML folded (a re-wrapped line may move a newline there)."""
    shape: list[tuple[object, ...]] = []
    for token in flatten(parser().parse(markdown)):
        if token.type in ("inline", "text", "softbreak"):
            continue
        attrs = {k: v for k, v in (token.attrs or {}).items() if k != "alt"}
        content = ""
        if token.type == "html_inline":
            content = " ".join(token.content.split())
        elif token.type in _CONTENT_TYPES:
            content = token.content
        shape.append(
            (
                token.type,
                token.tag,
                token.nesting,
                token.markup,
                tuple(sorted(attrs.items())),
                content,
            )
        )
    return shape


def leftovers(markdown: str) -> list[str]:
    """Text of ``markdown`` (outside code, HTML, Liquid and autolinks) still untranslated."""
    found = []
    env: dict[str, Any] = {}
    for token in parser().parse(markdown, env):
        if token.type == "inline":
            found += untranslated_prose(token.content, env)
    return found
