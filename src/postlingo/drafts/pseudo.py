"""Pseudo-translation: accent every letter of the prose, keep all Markdown, code, HTML,
Liquid and URLs as they are, and bracket the text, so that untranslated or broken output
shows at a glance (and tests can prove that only text changes)."""

from __future__ import annotations

from html.entities import html5
from typing import Any

from ..source.markdown import NOT_PROSE, parser
from .protect import FIXED, flatten, inline_shape

_ACCENTS = str.maketrans(
    "abcdeghiklmnoprstuwyzABCDEGHIKLMNOPRSTUWYZ",
    "ȧƀƈḓḗɠħīķŀḿƞǿƥřşŧŭẇẏẑȦƁƇḒḖƓĦĪĶĿḾȠǾƤŘŞŦŬẆẎẐ",
)


def pseudo_translate(text: str, references: dict[str, Any] | None = None) -> str:
    """``text`` with the letters of its prose accented, and bracketed.

    Fixed material is found by pattern first; where that changes what markdown-it reads
    (nested links, odd escapes), each letter is tried alone and kept only if the parse
    stays the same. ``references`` are the document's link definitions, if any."""
    env = {"references": references or {}}
    shape = inline_shape(text, env)
    fast = "⟦" + _accent_prose(text) + "⟧"
    if inline_shape(fast, env) == shape and not untranslated_prose(fast, env):
        return fast
    chars = list(text)
    # Liquid and footnote labels: no change there alters the parse, yet each would break.
    fixed = {index for match in NOT_PROSE.finditer(text) for index in range(*match.span())}
    for index, char in enumerate(chars):
        accented = char.translate(_ACCENTS)
        if accented != char and index not in fixed:
            chars[index] = accented
            if inline_shape("".join(chars), env) != shape:
                chars[index] = char
    careful = "".join(chars)
    bracketed = "⟦" + careful + "⟧"
    return bracketed if inline_shape(bracketed, env) == shape else careful


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


def untranslated_prose(text: str, env: dict[str, Any] | None = None) -> list[str]:
    """The text tokens of ``text`` (outside autolinks) that still hold letters that
    pseudo-translation changes."""
    found, in_autolink = [], False
    for token in flatten(parser().parseInline(text, dict(env or {}))):
        if token.type == "link_open":
            in_autolink = token.markup in ("autolink", "linkify")
        elif token.type == "link_close":
            in_autolink = False
        elif (
            token.type == "text"
            and not in_autolink
            and untranslated_letters(NOT_PROSE.sub("", token.content))
        ):
            found.append(token.content)
    return found


def untranslated_letters(text: str) -> str:
    """The letters of ``text`` that pseudo-translation would have changed."""
    return "".join(ch for ch in text if ch.translate(_ACCENTS) != ch)
