"""Entry rules: one translation against its msgid, one small function per rule.

Each rule takes a ``Pair`` (the entry, both sides read as ``Text``, and the ``Settings`` of
the run) and yields a message per problem. ``ENTRY_RULES`` holds them with their default
levels, and ``judge`` is the one judgement of an entry: ``postlingo.qa.check`` turns its
findings into findings at the entry's line, ``build`` leaves out a translation with an error
among them (the variant keeps the source's text there). Body text is read with the
project's markdown-it parser (``postlingo.source.markdown.parser``), given the link reference
definitions and footnotes of its post; front-matter values (entries with a msgctxt) are
plain text. Liquid is matched in the raw text: Jekyll runs it before Markdown, inside code
spans too.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from markdown_it.token import Token

from ..catalogue.locales import gettext_language
from ..config import Config
from ..errors import ConfigError, InputError
from ..fileio import read_text
from ..source.markdown import parser
from ..source.post import BOM
from ..variant.security import liquid_tags, unclosed_liquid, unsafe_additions

# --- the two sides of an entry --------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A glossary row; ``target`` empty: the term must stay as it is."""

    source: str
    target: str
    path: Path
    line: int

    @property
    def where(self) -> str:
        return f"glossary {self.path}:{self.line}"


@dataclass(frozen=True)
class Settings:
    """What entry rules need to know beyond the entry: locales, URL policy, glossary."""

    source_locale: str
    target_locale: str
    localized_urls: bool = False
    glossary: tuple[Term, ...] = ()
    allow_unsafe: tuple[str, ...] = ()  # kinds of code translations may add (security)


@dataclass
class Text:
    """One side of an entry: the raw string and, for body text, its inline tokens."""

    raw: str
    markdown: bool
    env: Mapping[str, Any] = field(default_factory=dict)  # the post's references, footnotes

    @cached_property
    def tokens(self) -> list[Token]:
        """Every inline token, an image's alt-text tokens after the image."""
        if not self.markdown:
            return []
        # parseInline records footnote uses in env: give it a copy.
        blocks = parser().parseInline(self.raw, copy.deepcopy(dict(self.env)))
        return list(_flatten(blocks[0].children or []))

    @cached_property
    def prose(self) -> str:
        """The words a reader sees: text tokens, without code, HTML or URLs."""
        if not self.markdown:
            return self.raw
        parts = []
        for token in self.tokens:
            if token.type == "text":
                parts.append(token.content)
            elif token.type in ("softbreak", "hardbreak", "code_inline", "html_inline"):
                parts.append(" ")
        return "".join(parts)

    def attrs(self, token_type: str, name: str) -> list[str]:
        return [str(t.attrs.get(name, "")) for t in self.tokens if t.type == token_type]

    def contents(self, token_type: str) -> list[str]:
        return [t.content for t in self.tokens if t.type == token_type]


def _flatten(tokens: Iterable[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        yield from _flatten(token.children or [])


@dataclass(frozen=True)
class Pair:
    """A translated entry as the entry rules see it."""

    entry: polib.POEntry
    source: Text
    target: Text
    settings: Settings


def make_pair(entry: polib.POEntry, settings: Settings, env: Mapping[str, Any]) -> Pair:
    markdown = entry.msgctxt is None  # body text; front-matter values carry their key
    return Pair(
        entry, Text(entry.msgid, markdown, env), Text(entry.msgstr, markdown, env), settings
    )


def _differences(what: str, source: list[str], target: list[str]) -> Iterator[str]:
    """Messages for the items (counted, in any order) only one side has."""
    for item in Counter(source) - Counter(target):
        yield f"{what} '{item}' of the source is missing"
    for item in Counter(target) - Counter(source):
        yield f"{what} '{item}' is not in the source"


def _counts(what: str, source: int, target: int) -> Iterator[str]:
    if source != target:
        yield f"{target} {what} where the source has {source}"


# --- entry rules -----------------------------------------------------------------------------


def links(pair: Pair) -> Iterator[str]:
    """Links point where the source's do (with ``localized_urls``: as many links)."""
    source, target = pair.source.attrs("link_open", "href"), pair.target.attrs("link_open", "href")
    if pair.settings.localized_urls:
        yield from _counts("links", len(source), len(target))
    else:
        yield from _differences("link URL", source, target)


def images(pair: Pair) -> Iterator[str]:
    """Images show what the source's do (with ``localized_urls``: as many images)."""
    source, target = pair.source.attrs("image", "src"), pair.target.attrs("image", "src")
    if pair.settings.localized_urls:
        yield from _counts("images", len(source), len(target))
    else:
        yield from _differences("image URL", source, target)


def code(pair: Pair) -> Iterator[str]:
    """Inline code is copied, never translated."""
    yield from _differences(
        "code span", pair.source.contents("code_inline"), pair.target.contents("code_inline")
    )


def liquid(pair: Pair) -> Iterator[str]:
    """The Liquid tags of the source, none unclosed (which breaks the site build). Liquid
    runs before Markdown, inside code spans too: the raw text is read. An added tag is the
    ``security`` rule's finding."""
    source, target = liquid_tags(pair.source.raw), liquid_tags(pair.target.raw)
    for tag in Counter(source) - Counter(target):
        yield f"drops the Liquid tag '{tag}' of the source"
    if unclosed_liquid(pair.target.raw) and not unclosed_liquid(pair.source.raw):
        yield "an unclosed Liquid tag ('{{' or '{%' without its end) would break the site build"


def security(pair: Pair) -> Iterator[str]:
    """No code the source lacks: Liquid tags, <script> and other active elements, event
    handlers, javascript: URLs; no permalink or slug leading out of the site
    (``postlingo.variant.security``; build refuses them too). One finding an entry: the first
    addition, and how many more. An unclosed Liquid tag is the ``liquid`` rule's."""
    found = [
        added
        for added in unsafe_additions(
            pair.entry.msgid, pair.entry.msgstr, pair.settings.allow_unsafe, pair.entry.msgctxt
        )
        if not (added.kind == "liquid" and unclosed_liquid(added.what))
    ]
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        yield found[0].message + more


# Attribute values people translate; the attribute itself must stay.
_TRANSLATABLE_ATTRIBUTES = {"alt", "title", "aria-label", "aria-description", "placeholder"}


class _Tags(HTMLParser):
    """Collects HTML tags as comparable strings: translatable attribute values left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.tags: list[str] = []

    def _shape(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> str:
        parts = [tag]
        for name, value in attrs:
            parts.append(
                name if name in _TRANSLATABLE_ATTRIBUTES or value is None else f'{name}="{value}"'
            )
        return "<" + " ".join(parts) + close + ">"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(self._shape(tag, attrs, ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(self._shape(tag, attrs, " /"))

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(f"</{tag}>")

    def handle_comment(self, data: str) -> None:
        self.tags.append("<!-- -->")


def _html_tags(text: Text) -> list[str]:
    tags = _Tags()
    for content in text.contents("html_inline"):
        tags.feed(content)
    tags.close()
    return tags.tags


def html(pair: Pair) -> Iterator[str]:
    """The same inline HTML tags and attributes (translatable attribute values aside)."""
    yield from _differences("HTML tag", _html_tags(pair.source), _html_tags(pair.target))


_SPANS = {"em_open": "emphasis", "strong_open": "strong emphasis", "s_open": "strikethrough"}
_DELIMITERS = ("*", "_", "~~")


def emphasis(pair: Pair) -> Iterator[str]:
    """As many emphasis spans of each kind, and no delimiter left unmatched."""
    for token_type, name in _SPANS.items():
        yield from _counts(
            f"{name} spans",
            len(pair.source.contents(token_type)),
            len(pair.target.contents(token_type)),
        )
    for mark in _DELIMITERS:
        if pair.target.prose.count(mark) > pair.source.prose.count(mark):
            yield f"an unmatched '{mark}': emphasis opened but not closed?"


_CLOSING = {")": "(", "]": "[", "}": "{"}


def _unbalanced(text: str) -> str | None:
    """The first bracket without its partner, if any."""
    stack: list[str] = []
    for char in text:
        if char in "([{":
            stack.append(char)
        elif char in _CLOSING and (not stack or stack.pop() != _CLOSING[char]):
            return char
    return stack[0] if stack else None


def brackets(pair: Pair) -> Iterator[str]:
    """Brackets in the text pair up wherever they do in the source."""
    if _unbalanced(pair.source.prose) is None:
        bad = _unbalanced(pair.target.prose)
        if bad is not None:
            yield f"unbalanced '{bad}' in the translation"


def footnotes(pair: Pair) -> Iterator[str]:
    """The same footnote references."""

    def labels(text: Text) -> list[str]:
        return [f"[^{t.meta.get('label', '')}]" for t in text.tokens if t.type == "footnote_ref"]

    yield from _differences("footnote reference", labels(pair.source), labels(pair.target))


_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f']\d+)*")


@cache
def _number_values(text: str, locale: str) -> tuple[object, ...]:
    """What a written number may mean: in its own locale's notation first, then in English;
    the text itself if neither reads it."""
    values: list[object] = []
    for where in dict.fromkeys((locale, "en")):
        with contextlib.suppress(NumberFormatError):
            values.append(parse_decimal(text, where, strict=True))
    return tuple(values) or (text,)


def _numbers(text: str, locale: str) -> list[tuple[str, tuple[object, ...]]]:
    return [(m.group(), _number_values(m.group(), locale)) for m in _NUMBER.finditer(text)]


def numbers(pair: Pair) -> Iterator[str]:
    """The same numbers, each read in its own language's notation (195,4 = 195.4)."""
    settings = pair.settings
    target = _numbers(pair.target.prose, settings.target_locale)
    source = _numbers(pair.source.prose, settings.source_locale)
    # A value the source writes in two notations (3,7 and 3.7): the text is about how
    # numbers are written, and a number copied as written is the right translation.
    notations: dict[object, set[str]] = {}
    for written, values in source:
        notations.setdefault(values[0], set()).add(written)
    missing = []
    for written, values in source:
        same = None
        if len(notations[values[0]]) > 1:
            same = next((k for k, (other, _) in enumerate(target) if other == written), None)
        if same is None:
            same = next(
                (k for k, (_, other) in enumerate(target) if set(values) & set(other)), None
            )
        if same is None:
            missing.append((written, values))
        else:
            del target[same]
    for written, values in missing:
        copied = next((k for k, (other, _) in enumerate(target) if other == written), None)
        if copied is not None and isinstance(values[0], Decimal):
            del target[copied]
            local = format_decimal(values[0], locale=settings.target_locale)
            yield f"'{written}' is a different number in {settings.target_locale}: write '{local}'"
        else:
            yield f"the number '{written}' of the source is missing"
    for written, _ in target:
        yield f"the number '{written}' is not in the source"


def _ends(text: str) -> tuple[str, str]:
    body = text.strip()
    if not body:
        return text, ""
    start = text.index(body)
    return text[:start], text[start + len(body) :]


def whitespace(pair: Pair) -> Iterator[str]:
    """The same leading and trailing whitespace."""
    source, target = _ends(pair.entry.msgid), _ends(pair.entry.msgstr)
    for side, before, after in zip(("leading", "trailing"), source, target, strict=True):
        if before != after:
            yield f"{side} whitespace {after!r} where the source has {before!r}"


def same_as_source(pair: Pair) -> Iterator[str]:
    """A translation identical to its msgid may be an oversight."""
    if pair.entry.msgstr == pair.entry.msgid:
        yield "the translation is the same as the source"


@cache
def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(term), re.IGNORECASE)


def glossary(pair: Pair) -> Iterator[str]:
    """Glossary terms translated as the glossary says; do-not-translate terms kept."""
    for term in pair.settings.glossary:
        if not _term_pattern(term.source).search(pair.source.prose):
            continue
        if not term.target:
            if term.source not in pair.target.prose:
                yield f"'{term.source}' must stay untranslated ({term.where})"
        elif not _term_pattern(term.target).search(pair.target.prose):
            yield f"'{term.source}' should be translated as '{term.target}' ({term.where})"


# --- the rule table and the one judgement of an entry ---------------------------------------
# ``check`` reports these findings and ``build`` leaves out every translation with an error
# among them: both call ``judge``, so what one calls an error the other never publishes.

EntryRule = Callable[[Pair], Iterator[str]]


@dataclass(frozen=True)
class Rule:
    """A rule's default level, what it checks, and its function for entry rules."""

    level: str
    summary: str
    entry: EntryRule | None = None


ENTRY_RULES: dict[str, Rule] = {
    "links": Rule("error", "link URLs as in the source", links),
    "images": Rule("error", "image URLs as in the source", images),
    "code": Rule("error", "inline code copied unchanged", code),
    "liquid": Rule("error", "the Liquid tags of the source, none unclosed", liquid),
    "security": Rule(
        "error",
        "no active markup the source lacks: Liquid, HTML, kramdown "
        "extensions and attribute lists, shortcodes, unsafe URLs (see allow_unsafe)",
        security,
    ),
    "html": Rule("error", "the same inline HTML tags", html),
    "emphasis": Rule("error", "balanced emphasis, as many spans as the source", emphasis),
    "brackets": Rule("error", "balanced brackets", brackets),
    "footnotes": Rule("error", "the same footnote references", footnotes),
    "numbers": Rule("warning", "the same numbers", numbers),
    "whitespace": Rule("error", "the same leading and trailing whitespace", whitespace),
    "same-as-source": Rule("warning", "a translation equal to its source", same_as_source),
    "glossary": Rule("error", "glossary terms", glossary),
}


def entry_levels(overrides: Mapping[str, str]) -> dict[str, str]:
    """The level of every entry rule: the configuration's ``[check]`` table over the
    defaults."""
    return {name: overrides.get(name, rule.level) for name, rule in ENTRY_RULES.items()}


def judge(pair: Pair, levels: Mapping[str, str]) -> Iterator[tuple[str, str, str]]:
    """Every finding of the entry rules on ``pair``: (rule, level, message); rules whose
    level is ``off`` are not run."""
    for name, rule in ENTRY_RULES.items():
        level = levels.get(name, rule.level)
        if level != "off" and rule.entry is not None:
            for message in rule.entry(pair):
                yield name, level, message


def error_findings(pair: Pair, levels: Mapping[str, str]) -> list[tuple[str, str]]:
    """The error findings of ``pair`` (rule, message): what keeps ``build`` from using the
    translation."""
    return [(rule, message) for rule, level, message in judge(pair, levels) if level == "error"]


# --- the settings of a language: locales, URL policy, glossary -------------------------------


def load_glossary(config: Config, language: str) -> tuple[Term, ...]:
    """The glossary terms for ``language``, or ``ConfigError`` naming the file and line."""
    if not config.glossary:
        return ()
    path = config.root / config.glossary.replace("{lang}", language)
    if not path.is_file():
        if "{lang}" in config.glossary:
            return ()
        raise ConfigError("glossary file not found (configuration key 'glossary')", path)
    try:
        text = read_text(path).removeprefix(BOM)
    except InputError as exc:
        raise ConfigError(exc.message, path, exc.line) from None
    return tuple(_terms(csv.reader(io.StringIO(text, newline="")), path))


def _terms(rows: Any, path: Path) -> Iterator[Term]:  # rows: a csv.reader
    header = [cell.strip().lower() for cell in next(rows, [])]
    if header[:2] != ["source", "target"]:
        raise ConfigError("a glossary's first row must be the header 'source,target'", path, 1)
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        source = row[0].strip()
        if not source:
            raise ConfigError("glossary row without a source term", path, rows.line_num)
        target = row[1].strip() if len(row) > 1 else ""
        yield Term(source, target, path, rows.line_num)


def settings_for(config: Config, language: str) -> Settings:
    """What the entry rules need to know about ``language`` in this project."""
    return Settings(
        gettext_language(config.source_language),
        gettext_language(language),
        config.localized_urls,
        load_glossary(config, language),
        tuple(config.allow_unsafe),
    )
