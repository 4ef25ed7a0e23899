"""Taxonomy: the tags and categories of all posts in one shared catalogue.

A term is translated once, in ``locales/<lang>/LC_MESSAGES/taxonomy.po``, and the same
translation serves every post that uses it. The entry's context is the front-matter key
(``tags``, ``categories``): Jekyll puts categories in URLs, so the two may well differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import TranslationError
from ..source.front_matter import Edit, parse_yaml
from ..source.post import Post
from ..source.segment import yaml_scalar
from .locales import TAXONOMY, catalogue_path, template_path
from .po import (
    Translation,
    load_catalogue,
    new_file,
    template_header,
    translations,
)
from .poformat import GnuPOEntry, GnuPOFile

_STR_TAG = "tag:yaml.org,2002:str"
# Short lines: tools that wrap long "#." lines (polib, at 78 columns) write them as they
# are, so a catalogue saved by one reads the same as the template's (no rewrite per sync).
_NOTE = (
    "A {key} value shared by all posts.\nJekyll splits a {key} string at spaces:\n"
    "a term written without spaces stays one term."
)


@dataclass(frozen=True)
class Term:
    """One use of a taxonomy term in a post."""

    key: str  # the front-matter key: tags, categories, ...
    text: str
    source: str  # the post, relative to the project root
    line: int


def post_terms(post: Post, source: str, keys: Iterable[str]) -> list[Term]:
    """The terms a post lists under ``keys``, as Jekyll reads them: each item of a YAML
    list is one term; a string is split at whitespace."""
    root = parse_yaml(post)
    if root is None or post.front_matter is None:
        return []
    first_line = post.front_matter.first_line + 1
    found = []
    for key in keys:
        node = _value(root, key)
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG:
            words = node.value.split()
            found += [Term(key, word, source, first_line + node.start_mark.line) for word in words]
        elif isinstance(node, yaml.SequenceNode):
            found += [
                Term(key, item.value.strip(), source, first_line + item.start_mark.line)
                for item in node.value
                if isinstance(item, yaml.ScalarNode) and item.value.strip()
            ]
    return found


def _value(root: yaml.MappingNode, key: str) -> yaml.Node | None:
    for name, value in root.value:
        if isinstance(name, yaml.ScalarNode) and name.value == key:
            node: yaml.Node = value
            return node
    return None


def taxonomy_template(terms: Iterable[Term], project: str, wrap_width: int) -> GnuPOFile:
    """The shared template: one entry per distinct (key, term), in order of first use,
    referencing every post that uses it."""
    pot = new_file(wrap_width)
    pot.header = "Translatable text of the tags and categories of all posts."
    pot.metadata = template_header(project)
    pot.metadata_is_fuzzy = True
    entries: dict[tuple[str, str], GnuPOEntry] = {}
    for term in terms:
        entry = entries.get((term.key, term.text))
        if entry is None:
            entry = GnuPOEntry(
                msgid=term.text, msgstr="", msgctxt=term.key, comment=_NOTE.format(key=term.key)
            )
            entries[(term.key, term.text)] = entry
            pot.append(entry)
        reference = (term.source, str(term.line))
        if reference not in entry.occurrences:
            entry.occurrences.append(reference)
    return pot


def taxonomy_translations(
    locales: Path, language: str, include_fuzzy: bool = False
) -> dict[tuple[str | None, str], Translation]:
    """The translations of the taxonomy terms in ``language``, keyed by (key, term).
    Empty when the language has no taxonomy catalogue yet."""
    path = catalogue_path(locales, TAXONOMY, language)
    if not path.exists():
        return {}
    stat = path.stat()
    return dict(_translations(path, stat.st_mtime_ns, stat.st_size, include_fuzzy))


@lru_cache(maxsize=8)
def _translations(
    path: Path, mtime: int, size: int, include_fuzzy: bool
) -> tuple[tuple[tuple[str | None, str], Translation], ...]:
    """Read once per build, not once per post (the file's mtime and size key the cache)."""
    return tuple(translations(load_catalogue(path), path, include_fuzzy).items())


def taxonomy_edits(
    post: Post, keys: Iterable[str], found: Mapping[tuple[str | None, str], Translation]
) -> list[Edit]:
    """Edits that put the translated terms into a variant's front matter. A string stays a
    string of whitespace-separated terms, so a translated term must not hold a space (Jekyll
    would read two terms); a list's items are replaced one by one."""
    root = parse_yaml(post)
    if root is None or post.front_matter is None:
        return []
    base = post.front_matter.content_start
    edits = []
    for key in keys:
        node = _value(root, key)
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG:
            parts = re.split(r"(\s+)", node.value)
            for index in range(0, len(parts), 2):
                found_term = found.get((key, parts[index]))
                if found_term is not None and re.search(r"\s", found_term.text.strip()):
                    raise TranslationError(
                        f"{found_term.text.strip()!r} would become several {key}: {key} is "
                        "a space-separated string here; write the term without spaces",
                        found_term.path,
                        found_term.line,
                    )
                if found_term is not None:
                    parts[index] = found_term.text.strip()
            value = "".join(parts)
            if value != node.value:
                edits.append(
                    Edit(
                        base + node.start_mark.index,
                        base + node.end_mark.index,
                        yaml_scalar(value, node.style),
                    )
                )
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                term = (
                    found.get((key, item.value.strip()))
                    if isinstance(item, yaml.ScalarNode) and item.tag == _STR_TAG
                    else None
                )
                if term is not None and term.text.strip() != item.value.strip():
                    edits.append(
                        Edit(
                            base + item.start_mark.index,
                            base + item.end_mark.index,
                            yaml_scalar(term.text.strip(), item.style, bool(node.flow_style)),
                        )
                    )
    return edits


def taxonomy_template_path(locales: Path) -> Path:
    return template_path(locales, TAXONOMY)
