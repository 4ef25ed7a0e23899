"""Translations are text from outside contributors: they must not put code into the site.

``unsafe_additions(source, translation)`` lists what a translation adds that its source does
not have and that would run on the site or in a reader's browser:

- ``liquid``: Liquid tags (``{{ … }}``, ``{% … %}``). Jekyll runs them before Markdown,
  inside code spans too, so an added ``{% include %}`` or ``{{ site.… }}`` runs at build time;
- ``script``: HTML elements that run or load code or restyle the page: ``<script>``,
  ``<iframe>``, ``<object>``, ``<embed>``, ``<style>``, ``<link>``, ``<meta>``, ``<base>``,
  ``<form>`` and the like;
- ``event-handler``: ``on…=`` attributes (``onclick``, ``onerror``) in HTML tags and in
  kramdown attribute lists (``{: onclick="…"}``), which kramdown turns into attributes;
- ``javascript-url``: link targets and attribute values with a scheme that runs code
  (``javascript:``, ``vbscript:``, ``data:text/html``), however written: character
  references, tabs and newlines inside, any letter case;
- ``path``: a front-matter value that says where a page goes (``permalink``, ``slug``,
  ``url``, ``aliases``, ``redirect_from``) leading out of the site: a ``..`` segment, a
  backslash, a scheme or a ``//host``.

Counts matter, order does not: a translation may move or repeat nothing but what its source
has. The configuration's ``allow_unsafe`` lists kinds a site accepts from translators.
``build`` refuses a translation with an unsafe addition (naming its PO line), and checks the
whole variant against its source too, so pieces added by different translations cannot
combine; ``postlingo check`` reports them under the ``security`` rule.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache

from .errors import TranslationError

KINDS = ("liquid", "script", "event-handler", "javascript-url", "path")
# Front-matter keys whose value becomes a page's URL or path.
PATH_KEYS = frozenset({"permalink", "slug", "url", "aliases", "redirect_from"})
_OUT_OF_SITE = re.compile(r"(^|[/\\])\.\.([/\\]|$)|\\|^[A-Za-z][A-Za-z0-9+.\-]*:|^//|\x00")

_LIQUID = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_ACTIVE_ELEMENTS = ("script", "iframe", "frame", "frameset", "object", "embed", "applet",
                    "style", "link", "meta", "base", "form", "portal")
_ELEMENT = re.compile(r"<(" + "|".join(_ACTIVE_ELEMENTS) + r")(?=[\s/>]|$)", re.IGNORECASE)
# A start tag, its attribute values quoted or not (a quoted value may hold '>').
_TAG = re.compile(r"<[A-Za-z][^\s/>]*((?:\"[^\"]*\"?|'[^']*'?|[^'\">])*)>?")
# kramdown attribute lists: {: .class key="value"}, {:ref: key=value}, {::options …}
_IAL = re.compile(r"\{:((?:\"[^\"]*\"|'[^']*'|[^}])*)\}?")
_ATTRIBUTE = re.compile(
    r"(?:^|(?<=[\s/\"']))([^\s\"'>/=]+)(?:\s*=\s*(\"[^\"]*\"?|'[^']*'?|[^\s\"'>]*))?")
# Where Markdown puts URLs: inline links and images, reference definitions, autolinks.
_MARKDOWN_URL = re.compile(
    r"\]\(\s*<?([^\s)>]*)"
    r"|\]:[ \t]*<?([^\s>]*)"
    r"|<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
_DANGEROUS_SCHEME = re.compile(
    r"(?:(javascript|vbscript|livescript):|(data:(?:text/html|application/xhtml)))")
# Characters browsers skip inside a URL's scheme, and Markdown's backslash escapes.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f\\]")


class UnsafeTranslation(TranslationError):
    """A translation that would add code to its variant."""


@dataclass(frozen=True)
class Unsafe:
    """One addition: its kind (``KINDS``) and what was added."""

    kind: str
    what: str

    @property
    def message(self) -> str:
        if self.kind == "liquid":
            return f"adds the Liquid tag '{self.what}', which would run on the site"
        if self.kind == "script":
            return f"adds the HTML element <{self.what}>, which could run code on the site"
        if self.kind == "event-handler":
            return f"adds the event handler '{self.what}=', which would run code on the site"
        if self.kind == "path":
            return f"'{self.what}' would lead out of the site"
        return f"adds a '{self.what}' URL, which would run code on the site"


def liquid_tags(text: str) -> list[str]:
    """Liquid tags with their inner whitespace normalised: ``{{x}}`` is ``{{ x }}``."""
    tags = []
    for match in _LIQUID.finditer(text):
        tag = match.group()
        tags.append(f"{tag[:2]} {' '.join(tag[2:-2].split())} {tag[-2:]}")
    return tags


def unclosed_liquid(text: str) -> bool:
    """Whether ``text`` opens a Liquid tag (``{{``, ``{%``) it does not close."""
    rest = _LIQUID.sub("", text)
    return "{{" in rest or "{%" in rest


def active_content(text: str) -> Counter[Unsafe]:
    """Everything in ``text`` that runs code, counted."""
    return Counter(dict(_active(text)))


@lru_cache(maxsize=64)
def _active(text: str) -> tuple[tuple[Unsafe, int], ...]:
    # Cached: a post's text is the reference for each of its languages.
    found: Counter[Unsafe] = Counter()
    found.update(Unsafe("liquid", tag) for tag in liquid_tags(text))
    found.update(Unsafe("script", match.group(1).lower()) for match in _ELEMENT.finditer(text))
    for attributes in _attribute_lists(text):
        for match in _ATTRIBUTE.finditer(attributes):
            name, value = match.group(1).lower(), match.group(2) or ""
            if name.startswith("on") and len(name) > 2 and match.group(2) is not None:
                found[Unsafe("event-handler", name)] += 1
            scheme = _scheme(value.strip("\"'"))
            if scheme:
                found[Unsafe("javascript-url", scheme)] += 1
    for match in _MARKDOWN_URL.finditer(text):
        scheme = _scheme(next(group for group in match.groups() if group is not None))
        if scheme:
            found[Unsafe("javascript-url", scheme)] += 1
    return tuple(found.items())


def _attribute_lists(text: str) -> Iterator[str]:
    for match in _TAG.finditer(text):
        yield match.group(1)
    for match in _IAL.finditer(text):
        yield match.group(1)


def _scheme(url: str) -> str:
    """The code-running scheme ``url`` starts with, as a browser reads it; "" if none."""
    plain = _URL_NOISE.sub("", html.unescape(url)).lower()
    match = _DANGEROUS_SCHEME.match(plain)
    if match is None:
        return ""
    return f"{match.group(1)}:" if match.group(1) else match.group(2)


def leads_out(key: str | None, value: str) -> bool:
    """Whether ``value``, set as the front-matter ``key`` (dotted), leads out of the site."""
    name = key.rsplit(".", 1)[-1] if key else ""
    return name in PATH_KEYS and bool(_OUT_OF_SITE.search(html.unescape(value.strip())))


def unsafe_additions(source: str, translation: str, allowed: Collection[str] = (),
                     key: str | None = None) -> list[Unsafe]:
    """What ``translation`` adds to ``source`` that runs code (or, as the value of the
    front-matter ``key``, leads out of the site), in order of kind, except the ``allowed``
    kinds."""
    added = active_content(translation) - active_content(source)
    if leads_out(key, translation) and not leads_out(key, source):
        added[Unsafe("path", translation.strip())] += 1
    return sorted((item for item in added if item.kind not in allowed),
                  key=lambda item: (KINDS.index(item.kind), item.what))
