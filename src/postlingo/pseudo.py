"""Pseudo-translation: accent every letter of the prose, keep all Markdown, code, HTML,
Liquid and URLs as they are, and bracket the text, so that untranslated or broken output
shows at a glance (and tests can prove that only text changes)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.entities import html5
from typing import Any

from markdown_it.common.html_re import HTML_TAG_RE
from markdown_it.token import Token

from .markdown import parser

_ACCENTS = str.maketrans(
    "abcdeghiklmnoprstuwyzABCDEGHIKLMNOPRSTUWYZ",
    "ȧƀƈḓḗɠħīķŀḿƞǿƥřşŧŭẇẏẑȦƁƇḒḖƓĦĪĶĿḾȠǾƤŘŞŦŬẆẎẐ",
)
# Fixed material inside a msgid: code spans, autolinks and HTML tags, link destinations and
# titles, reference labels, footnote references, entities, backslash escapes, Liquid, URLs.
FIXED = re.compile(
    r"""
      (?<!`)(?P<code>`+)(?!`)[\s\S]*?(?<!`)(?P=code)(?!`)
    | <[A-Za-z][A-Za-z0-9.+-]{1,31}:[^<>\x00-\x20]*>
    | <[a-zA-Z0-9.!\#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?
       (?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*>
    | (?P<html>HTML_TAG)
    | \]\(\s*(?:<(?:\\.|[^<>\\\n])*>|(?:\\.|[^\s()\\]|\((?:\\.|[^\s()\\])*\))*)
      (?:\s+(?:"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|\((?:\\.|[^()\\])*\)))?\s*\)
    | \]\[[^\]]*\]
    | \[\^[^\]\s]+\]
    | &(?:\#[xX][0-9a-fA-F]{1,6}|\#[0-9]{1,7});
    | &(?P<entity>[A-Za-z][A-Za-z0-9]{1,31});
    | \\[!-/:-@\[-`{-~]
    | \{\{[\s\S]*?\}\} | \{%[\s\S]*?%\}
    | \$\$[\s\S]*?\$\$
    | (?:https?|ftp)://[^\s<>\]]+ | www\.[^\s<>\]]+
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+
    """
    .replace("HTML_TAG", HTML_TAG_RE.pattern.replace("#", r"\#").replace(" ", r"\ ")),
    re.VERBOSE,
)


_LIQUID = re.compile(r"\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}")


def pseudo_translate(text: str, references: dict[str, Any] | None = None) -> str:
    """``text`` with the letters of its prose accented, and bracketed.

    Fixed material is found by pattern first; where that changes what markdown-it reads
    (nested links, odd escapes), each letter is tried alone and kept only if the parse
    stays the same. ``references`` are the document's link definitions, if any."""
    env = {"references": references or {}}
    shape = _shape(text, env)
    fast = "⟦" + _accent_prose(text) + "⟧"
    if _shape(fast, env) == shape and not untranslated_prose(fast, env):
        return fast
    chars = list(text)
    for index, char in enumerate(chars):
        accented = char.translate(_ACCENTS)
        if accented != char:
            chars[index] = accented
            if _shape("".join(chars), env) != shape:
                chars[index] = char
    careful = "".join(chars)
    bracketed = "⟦" + careful + "⟧"
    return bracketed if _shape(bracketed, env) == shape else careful


def _accent_prose(text: str) -> str:
    out, pos = [], 0
    for match in FIXED.finditer(text):
        if match.group("entity") and f"{match.group('entity')};" not in html5:
            continue  # not an entity: prose
        out.append(text[pos : match.start()].translate(_ACCENTS))
        out.append(match.group())
        pos = match.end()
    out.append(text[pos:].translate(_ACCENTS))
    return "".join(out)


def _shape(text: str, env: dict[str, Any]) -> list[tuple[object, ...]]:
    """What markdown-it reads in ``text``, but for the words of its prose."""
    shape = []
    for token in _flatten(parser().parseInline(text, dict(env))):
        if token.type in ("text", "softbreak", "inline"):
            continue
        attrs = {k: v for k, v in (token.attrs or {}).items() if k != "alt"}
        content = token.content if token.type in ("code_inline", "html_inline") else ""
        shape.append((token.type, token.markup, tuple(sorted(attrs.items())), content))
    return shape


def _flatten(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _flatten(token.children)


def untranslated_prose(text: str, env: dict[str, Any] | None = None) -> list[str]:
    """The text tokens of ``text`` (outside autolinks) that still hold letters that
    pseudo-translation changes."""
    found, in_autolink = [], False
    for token in _flatten(parser().parseInline(text, dict(env or {}))):
        if token.type == "link_open":
            in_autolink = token.markup in ("autolink", "linkify")
        elif token.type == "link_close":
            in_autolink = False
        elif (token.type == "text" and not in_autolink
              and untranslated_letters(_LIQUID.sub("", token.content))):
            found.append(token.content)
    return found


def untranslated_letters(text: str) -> str:
    """The letters of ``text`` that pseudo-translation would have changed."""
    return "".join(ch for ch in text if ch.translate(_ACCENTS) != ch)
