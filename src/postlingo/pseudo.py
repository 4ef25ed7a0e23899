"""Pseudo-translation: accent every letter of the prose, keep all Markdown, code, HTML,
Liquid and URLs as they are, and bracket the text, so that untranslated or broken output
shows at a glance (and tests can prove that only text changes)."""

from __future__ import annotations

import re
from html.entities import html5

from markdown_it.common.html_re import HTML_TAG_RE

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
    """
    .replace("HTML_TAG", HTML_TAG_RE.pattern.replace("#", r"\#").replace(" ", r"\ ")),
    re.VERBOSE,
)


def pseudo_translate(text: str) -> str:
    """``text`` with the letters of its prose accented, and bracketed."""
    out, pos = [], 0
    for match in FIXED.finditer(text):
        if match.group("entity") and f"{match.group('entity')};" not in html5:
            continue  # not an entity: prose
        out.append(text[pos : match.start()].translate(_ACCENTS))
        out.append(match.group())
        pos = match.end()
    out.append(text[pos:].translate(_ACCENTS))
    return "⟦" + "".join(out) + "⟧"


def untranslated_letters(text: str) -> str:
    """The letters of ``text`` that pseudo-translation would have changed."""
    return "".join(ch for ch in text if ch.translate(_ACCENTS) != ch)
