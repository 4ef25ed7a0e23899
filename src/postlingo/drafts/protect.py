"""Protection of the fixed material of a msgid while a machine translates its prose.

Before text goes to an engine, inline code, link and image destinations, reference labels,
footnote references, Liquid, HTML tags, autolinks, URLs, entities, escapes and glossary
terms are replaced by numbered placeholders (``[X1X]``, the form Weblate found engines leave
alone). The answer is accepted only if every placeholder came back exactly once, and, for
Markdown, if it parses to the same inline structure as the source.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it.common.html_re import HTML_TAG_RE
from markdown_it.token import Token

from ..source.markdown import parser

# Fixed material inside a msgid: code spans, autolinks and HTML tags, link destinations and
# titles, reference labels, footnote references, entities, backslash escapes, Liquid, URLs,
# attribute blocks (a heading's {#id}, kramdown's {: .class} and {::options}).
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
    | \{:?[ \t]*[\#.:][^{}\n]*\}
    | \$\$[\s\S]*?\$\$
    | (?:https?|ftp)://[^\s<>\]]+ | www\.[^\s<>\]]+
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+
    """.replace("HTML_TAG", HTML_TAG_RE.pattern.replace("#", r"\#").replace(" ", r"\ ")),
    re.VERBOSE,
)

# A placeholder as an engine may give it back: spaces inside, a lower-case x. ``gap`` is
# whitespace an engine put between a link's text and its destination.
_RETURNED = re.compile(r"(?P<gap>(?<=\])[ \t]+)?\[\s*[Xx]\s*(?P<number>\d+)\s*[Xx]\s*\]")
# Text that already looks like a placeholder is masked too, so every one an engine sends
# back is ours.
_LOOKALIKE = re.compile(r"\[\s*[Xx]\s*\d+\s*[Xx]\s*\]")
_FOOTNOTE_TAIL = frozenset(
    {
        "footnote_block_open",
        "footnote_block_close",
        "footnote_open",
        "footnote_close",
        "footnote_anchor",
    }
)


class ProtectionError(ValueError):
    """An engine's answer lost, repeated or invented placeholders, or broke the Markdown."""


@dataclass(frozen=True)
class Term:
    """Text an engine must not see: kept as it is (``target`` None) or put in as ``target``."""

    source: str
    target: str | None = None


@dataclass(frozen=True)
class Masked:
    """A text with its fixed material replaced by placeholders ``[X1X]``, ``[X2X]``, …"""

    text: str  # what goes to the engine
    originals: tuple[str, ...]  # what each placeholder stands for, in number order
    glued: frozenset[int]  # placeholders that directly follow a "]" in the source

    def restore(self, translated: str) -> str:
        """The engine's answer with the fixed material back in place, or
        ``ProtectionError`` saying which placeholder did not come back exactly once."""
        seen: Counter[int] = Counter()

        def put_back(match: re.Match[str]) -> str:
            number = int(match.group("number"))
            index = number - 1
            if not 0 <= index < len(self.originals):
                raise ProtectionError(f"the engine invented a placeholder [X{number}X]")
            seen[index] += 1
            # "[text] (url)" would no longer be a link: close the gap the engine opened.
            gap = "" if number in self.glued else (match.group("gap") or "")
            return gap + self.originals[index]

        restored = _RETURNED.sub(put_back, translated)
        for index, original in enumerate(self.originals):
            if seen[index] != 1:
                what = "missing" if seen[index] == 0 else f"repeated {seen[index]} times"
                raise ProtectionError(f"placeholder for {_short(original)} {what}")
        return restored


def _short(text: str, width: int = 40) -> str:
    one_line = " ".join(text.split())
    return repr(one_line if len(one_line) <= width else one_line[: width - 1] + "…")


def mask(text: str, terms: Sequence[Term] = ()) -> Masked:
    """``text`` with every piece of fixed material (and every whole-word occurrence of a
    glossary term, in any case) replaced by a placeholder; adjacent pieces share one."""
    spans = [
        (m.start(), m.end(), m.group())
        for pattern in (FIXED, _LOOKALIKE)
        for m in pattern.finditer(text)
    ]
    spans += _term_spans(text, terms, spans)
    spans.sort(key=lambda span: (span[0], -span[1]))
    out: list[str] = []
    originals: list[str] = []
    glued: set[int] = set()
    pos = 0
    for start, end, replacement in _merged(text, spans):
        if start < pos:
            continue
        if text[start] == "]":  # keep the link text's closing bracket visible to the engine
            start += 1
            replacement = replacement[1:] if replacement.startswith("]") else replacement
        number = 1 + len(originals)
        if start > 0 and text[start - 1] == "]":
            glued.add(number)
        out.append(text[pos:start])
        out.append(f"[X{number}X]")
        originals.append(replacement)
        pos = end
    out.append(text[pos:])
    return Masked("".join(out), tuple(originals), frozenset(glued))


def _term_spans(
    text: str, terms: Sequence[Term], fixed: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Where glossary terms stand in prose (never inside fixed material): what they become."""
    found: list[tuple[int, int, str]] = []
    for term in sorted(terms, key=lambda t: -len(t.source)):  # longest term first
        pattern = re.compile(r"(?<!\w)" + re.escape(term.source) + r"(?!\w)", re.IGNORECASE)
        for match in pattern.finditer(text):
            taken = fixed + found
            if any(a < match.end() and match.start() < b for a, b, _ in taken):
                continue
            found.append((match.start(), match.end(), term.target or match.group()))
    return found


def _merged(text: str, spans: list[tuple[int, int, str]]) -> Iterator[tuple[int, int, str]]:
    """Spans with nothing between them become one (fewer placeholders confuse engines less);
    a span after "]" stays alone, so that the bracket stays visible."""
    current: list[Any] | None = None
    for start, end, replacement in spans:
        if current is not None and start == current[1] and text[start] != "]":
            current[1], current[2] = end, current[2] + replacement
            continue
        if current is not None:
            if start < current[1]:
                continue  # overlaps: the earlier, longer match wins
            yield current[0], current[1], current[2]
        current = [start, end, replacement]
    if current is not None:
        yield current[0], current[1], current[2]


# --- inline structure -------------------------------------------------------------------------


def flatten(tokens: list[Token]) -> Iterator[Token]:
    """Every token, children after their parent."""
    for token in tokens:
        yield token
        if token.children:
            yield from flatten(token.children)


def inline_shape(text: str, env: Mapping[str, Any] | None = None) -> list[tuple[object, ...]]:
    """What markdown-it reads in ``text``, but for the words of its prose: the type, markup
    and attributes of every other token, in order; ``env`` holds the post's references."""
    shape: list[tuple[object, ...]] = []
    # A copy for each reading: the footnote plugin counts references in the post's env, so
    # a shared one made the second reading of the same text grow a footnote_anchor.
    for token in flatten(parser().parseInline(text, copy.deepcopy(dict(env or {})))):
        if token.type in ("text", "softbreak", "inline") or token.type in _FOOTNOTE_TAIL:
            continue  # the footnote list a reading appends is the post's, not this text's
        attrs = {str(k): v for k, v in (token.attrs or {}).items() if k != "alt"}
        content = token.content if token.type in ("code_inline", "html_inline") else ""
        shape.append((token.type, token.markup, tuple(sorted(attrs.items())), content))
    return shape


def structure_changed(
    source: str, translation: str, env: Mapping[str, Any] | None = None
) -> str | None:
    """Why ``translation`` does not read as the same Markdown as ``source``, or None. Order
    may change (a translation moves a link); what there is, and how often, may not."""
    before = Counter(inline_shape(source, env))
    after = Counter(inline_shape(translation, env))
    if before == after:
        return None
    lost = sorted(set(before - after), key=_telling_first)
    gained = sorted(set(after - before), key=_telling_first)
    parts = [
        f"lost {_kind(lost[0])}" if lost else "",
        f"gained {_kind(gained[0])}" if gained else "",
    ]
    return "the Markdown changed: " + ", ".join(part for part in parts if part)


def _telling_first(shape: tuple[object, ...]) -> tuple[bool, str]:
    return str(shape[0]).endswith("_close"), str(shape)


def _kind(shape: tuple[object, ...]) -> str:
    kind, markup, attrs, content = shape
    pairs = dict(attrs) if isinstance(attrs, tuple) else {}
    detail = content or pairs.get("href") or pairs.get("src") or markup
    return f"{kind} {_short(str(detail))}" if detail else str(kind)
