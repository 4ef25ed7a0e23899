"""Front-matter values in variants (postlingo.source.front_matter): hostile translations written
YAML- and TOML-safe, read back the same by PyYAML, Jekyll's Ruby YAML and tomllib; every
untouched line byte-identical; dotted keys and list items translated one by one.

Each hostile case is one post of one site, built once per module; Jekyll's reading of all
of them is one ruby process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
import yaml

from conftest import fill_catalogue
from postlingo.config import load_config
from postlingo.incremental import sync
from postlingo.pipeline import build

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# Translations holding each character class YAML gives a meaning to, and words YAML would
# read as another type: (case, translation).
HOSTILE = [
    ("double-quotes", 'Er sagte "Hallo"'),
    ("leading-double-quote", '"Zitat" am Anfang'),
    ("single-quote", "It's a 'test'"),
    ("leading-single-quote", "'quoted' start"),
    ("colon-space", "Part 1: the beginning"),
    ("trailing-colon", "Ending:"),
    ("space-hash", "Issue #42 fixed"),
    ("leading-hash", "#hashtag"),
    ("leading-star", "*emphasis* first"),
    ("ampersand", "&anchor and more"),
    ("exclamation", "!important news"),
    ("at", "@mention first"),
    ("percent", "%TAG directive"),
    ("bracket", "[draft] new post"),
    ("brace", "{curly} start"),
    ("pipe", "| a table"),
    ("greater", "> a quote"),
    ("dash", "-minus"),
    ("dash-space", "- a list item"),
    ("question", "?why"),
    ("question-space", "? a key"),
    ("backtick", "`code` first"),
    ("comma-bracket", "a, b] c}"),
    ("newline", "first line\nsecond line"),
    ("crlf", "first line\r\nsecond line"),
    ("trailing-newline", "ends with a newline\n"),
    ("document-start", "---"),
    ("document-end", "..."),
    ("null", "null"),
    ("tilde", "~"),
    ("yes", "yes"),
    ("off", "Off"),
    ("true", "true"),
    ("date", "2021-01-05"),
    ("float", "1e3"),
    ("octal", "0o17"),
    ("sexagesimal", "12:30"),
    ("infinity", ".inf"),
    ("integer", "42"),
    # PyYAML reads these as strings, Jekyll's Psych as something else (or not at all).
    ("datetime", "2021-01-05 10:00:00 +0100"),
    ("mixed-case-true", "tRUE"),
    ("mixed-case-null", "nULL"),
    ("symbol", ":smile"),
    ("comma-integer", "1,000"),
    ("short-date", "2021-1-5"),
    ("plus-float", "+.5"),
    # Whitespace and characters outside the printable ASCII range.
    ("leading-space", " leading space"),
    ("tab", "a\ttab"),
    ("backslash", "back\\slash \\n"),
    ("liquid", "{{ page.title }} {% raw %}"),
    ("unicode", "Grüße 🎉 “typographic” — dash"),
    ("control", "bell\x07"),
    ("line-separator", "a\u2028b"),
    ("next-line", "ellipsis\x85from cp1252"),
]
TOML_HOSTILE = [
    *HOSTILE,
    ("triple-quotes", "\"\"\" and '''"),
    ("equals", "a = b"),
    ("table", "[params]"),
    ("plus-fence", "+++"),
    ("unicode-escape", "\\u00e9 stays literal"),
    ("delete", "del\x7f"),
]

# The title in each quoting style of the source, and a CRLF file; image.alt (plain, block
# context) gets the hostile value too. In "flow", the first item of `[Eins, Zwei]` gets it.
STYLES = ["plain", "single", "double", "crlf", "flow"]
TITLES = {
    "plain": "Hallo Welt",
    "single": "'Hallo Welt'",
    "double": '"Hallo Welt"',
    "crlf": "Hallo Welt",
    "flow": "Hallo Welt",
}
TOML_STYLES = {"basic": '"Hallo Welt"', "literal": "'Hallo Welt'"}


def _cases(hostile: list[tuple[str, str]], styles: list[str]) -> list[object]:
    """(case, value, style) parameters."""
    return [
        pytest.param(case, value, style, id=f"{case}-{style}")
        for case, value in hostile
        for style in styles
    ]


def _lines(text: str) -> list[str]:
    """Lines without their \n; only \n ends a line (str.splitlines would also split at
    U+2028 and U+0085)."""
    return text.split("\n")


def _translator(table: dict[str, str]) -> Callable[[polib.POEntry], str]:
    return lambda entry: table[entry.msgid]


# --- YAML (Jekyll) ------------------------------------------------------------------------

YAML_POST = """\
---
layout: post
title: {title}
date: 2021-01-05 10:00:00 +0100
image:
  src: /assets/bild.png
  alt: Ein Bild
keywords: [Eins, Zwei]
author: 'Silvana Heiß' # Autorin
---
Ein Absatz.
"""
YAML_KEYS = ["title", "image.alt", "keywords"]
# Lines a translation replaces (0-based) and the start each keeps; `lang: en` goes last.
YAML_CHANGED = {2: "title: ", 6: "  alt: ", 7: "keywords: ["}
LANG_LINE = 9


def _keyword(value: str, style: str) -> str:
    return value if style == "flow" else "One"


@dataclass(frozen=True)
class Built:
    """A site with one post per (case, style), after sync, translation and build."""

    root: Path
    errors: list[str]  # build's errors: "path: message"

    def texts(self, name: str, source: str, variant: str) -> tuple[str, str]:
        """The source and variant of post ``name``; its build must have succeeded."""
        assert not [error for error in self.errors if f"/{name}." in error]
        return (
            (self.root / source).read_bytes().decode("utf-8"),
            (self.root / variant).read_bytes().decode("utf-8"),
        )


def _name(case: str, style: str) -> str:
    return f"2021-01-05-{case}-{style}"


def _build_site(
    root: Path, config: str, posts: dict[str, str], tables: dict[str, dict[str, str]]
) -> Built:
    """Write ``posts`` (relative path → text) and the config, sync, translate each post's
    catalogue (post name → table), build."""
    root.mkdir(parents=True)
    (root / "postlingo.toml").write_text(config, encoding="utf-8")
    for relative, text in posts.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    project = load_config(root)
    assert sync(project).ok
    for name, table in tables.items():
        fill_catalogue(root / f"locales/en/LC_MESSAGES/{name}.po", _translator(table))
    return Built(root, [f"{error.path}: {error.message}" for error in build(project).errors])


@pytest.fixture(scope="module")
def yaml_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    posts, tables = {}, {}
    for case, value in HOSTILE:
        for style in STYLES:
            text = YAML_POST.format(title=TITLES[style])
            if style == "crlf":
                text = text.replace("\n", "\r\n")
            posts[f"content/_posts/{_name(case, style)}.md"] = text
            tables[_name(case, style)] = {
                "Hallo Welt": value,
                "Ein Bild": value,
                "Eins": _keyword(value, style),
                "Zwei": "Two",
                "Ein Absatz.": "Ein Absatz.",
            }
    # The values test quoting, not the security policy (tests/test_security.py): the
    # Liquid case may add tags; nor check's rules, which build applies too (an unmatched
    # '*', a lone ']', whitespace at the ends would keep a translation out).
    return _build_site(
        tmp_path_factory.mktemp("yaml") / "site",
        f'front_matter = {json.dumps(YAML_KEYS)}\nallow_unsafe = ["liquid"]\n'
        '[check]\nemphasis = "off"\nbrackets = "off"\nwhitespace = "off"\n',
        posts,
        tables,
    )


def _yaml_texts(site: Built, case: str, style: str) -> tuple[str, str]:
    name = _name(case, style)
    return site.texts(name, f"content/_posts/{name}.md", f"content/_posts/en/{name}.md")


def _yaml_front_matter(text: str) -> str:
    match = re.match(r"---\r?\n(.*?\r?\n)---\r?\n", text, re.S)
    assert match, text[:300]
    return match.group(1)


_RUBY = """
require "jekyll"
require "json"
result = {}
ARGV.each do |path|
  text = File.read(path, encoding: "UTF-8")
  match = Jekyll::Document::YAML_FRONT_MATTER_REGEXP.match(text)
  begin
    data = match ? Jekyll::Utils.safe_load_yaml(match[1]) : nil
    values = data && [data["title"], data["image"]["alt"], data["keywords"][0]]
    result[File.basename(path, ".md")] = values && {
      "title" => values[0], "alt" => values[1], "keyword" => values[2],
      "classes" => values.map { |value| value.class.name },
    }
  rescue Psych::Exception => error
    result[File.basename(path, ".md")] = {"error" => "#{error.class}: #{error.message}"}
  end
end
puts JSON.generate(result)
"""


@pytest.fixture(scope="module")
def jekyll_read(yaml_site: Built) -> dict[str, dict[str, object]]:
    """Every variant's front matter as Jekyll reads it (its front-matter regexp and YAML
    loader), by variant name."""
    paths = sorted((yaml_site.root / "content/_posts/en").glob("*.md"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BUNDLE_", "RUBY"))}
    env["LC_ALL"] = "C.UTF-8"
    proc = subprocess.run(
        ["ruby", "-e", _RUBY, *map(str, paths)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    read = json.loads(proc.stdout)
    assert len(read) == len(HOSTILE) * len(STYLES)
    return read


@pytest.mark.parametrize(("case", "value", "style"), _cases(HOSTILE, STYLES))
def test_hostile_value_loads_back_exactly(
    yaml_site: Built, case: str, value: str, style: str
) -> None:
    _, variant = _yaml_texts(yaml_site, case, style)
    data = yaml.safe_load(_yaml_front_matter(variant))
    assert data["title"] == value
    assert data["image"] == {"src": "/assets/bild.png", "alt": value}
    assert data["keywords"] == [_keyword(value, style), "Two"]
    assert data["lang"] == "en" and data["author"] == "Silvana Heiß"


@pytest.mark.parametrize(("case", "value", "style"), _cases(HOSTILE, STYLES))
def test_hostile_value_reads_the_same_in_jekyll(
    yaml_site: Built, jekyll_read: dict[str, dict[str, object]], case: str, value: str, style: str
) -> None:
    _yaml_texts(yaml_site, case, style)
    assert jekyll_read[_name(case, style)] == {
        "title": value,
        "alt": value,
        "keyword": _keyword(value, style),
        "classes": ["String"] * 3,
    }


@pytest.mark.parametrize(("case", "value", "style"), _cases(HOSTILE, STYLES))
def test_untouched_lines_stay_byte_identical(
    yaml_site: Built, case: str, value: str, style: str
) -> None:
    source, variant = _yaml_texts(yaml_site, case, style)
    cr = "\r" if style == "crlf" else ""
    source_lines, variant_lines = _lines(source), _lines(variant)
    assert variant_lines.pop(LANG_LINE) == "lang: en" + cr
    assert len(variant_lines) == len(source_lines)
    for index, (before, after) in enumerate(zip(source_lines, variant_lines, strict=True)):
        if index in YAML_CHANGED:
            assert after.startswith(YAML_CHANGED[index]) and after.endswith(cr), after
            assert after != before
        else:
            assert after == before, index


# --- TOML (Hugo) --------------------------------------------------------------------------

TOML_POST = """\
+++
title = {title} # Titel
date = 2021-01-05T10:00:00+01:00
tags = ["eins", "zwei"]

[params]
subtitle = 'Ein Untertitel'
+++
Ein Absatz.
"""
TOML_CHANGED = {1: "title = ", 6: "subtitle = "}


@pytest.fixture(scope="module")
def toml_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    posts, tables = {}, {}
    for case, value in TOML_HOSTILE:
        for style, title in TOML_STYLES.items():
            posts[f"content/posts/{_name(case, style)}.md"] = TOML_POST.format(title=title)
            tables[_name(case, style)] = {
                "Hallo Welt": value,
                "Ein Untertitel": value,
                "Ein Absatz.": "Ein Absatz.",
            }
    config = (
        'layout = "hugo"\nposts = ["content/posts/**/*.md"]\n'
        'front_matter = ["title", "params.subtitle"]\nallow_unsafe = ["liquid"]\n'
        '[check]\nemphasis = "off"\nbrackets = "off"\nwhitespace = "off"\n'
    )  # (as above)
    return _build_site(tmp_path_factory.mktemp("toml") / "site", config, posts, tables)


@pytest.mark.parametrize(("case", "value", "style"), _cases(TOML_HOSTILE, list(TOML_STYLES)))
def test_hostile_value_round_trips_through_toml(
    toml_site: Built, case: str, value: str, style: str
) -> None:
    name = _name(case, style)
    source, variant = toml_site.texts(
        name, f"content/posts/{name}.md", f"content/posts/{name}.en.md"
    )
    match = re.match(r"\+\+\+\n(.*?\n)\+\+\+\n", variant, re.S)
    assert match, variant
    data = tomllib.loads(match.group(1))
    assert data["title"] == value and data["params"]["subtitle"] == value
    assert data["tags"] == ["eins", "zwei"]
    for index, (before, after) in enumerate(zip(_lines(source), _lines(variant), strict=True)):
        if index in TOML_CHANGED:
            assert after.startswith(TOML_CHANGED[index]) and after != before, after
        else:
            assert after == before, index
    assert _lines(variant)[1].endswith(" # Titel")


# --- dotted keys and lists ----------------------------------------------------------------

NESTED_POST = """\
---
title: Titel
image:
  src: /bild.png
  alt: Alternativtext
seo:
  description: "Beschreibung für Suchmaschinen"
  robots: index
highlights:
  - Erstens
  - Zweitens
  - 3
  - Erstens
keywords: [Eins, Zwei]
cover: nur-ein-pfad.png
---
Text.
"""
NESTED_KEYS = [
    "title",
    "image.alt",
    "seo.description",
    "highlights",
    "keywords",
    "cover.alt",
    "missing.key",
]
NESTED_EN = {
    "Titel": "Title",
    "Alternativtext": "Alt text",
    "Beschreibung für Suchmaschinen": "Description for search engines",
    "Erstens": "First",
    "Zweitens": "Second",
    "Eins": "One",
    "Zwei": "Two",
    "Text.": "Text.",
}


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    post = root / "content/_posts/2021-01-05-nested.md"
    post.parent.mkdir(parents=True)
    post.write_text(NESTED_POST, encoding="utf-8")
    (root / "postlingo.toml").write_text(
        f"front_matter = {json.dumps(NESTED_KEYS)}\n", encoding="utf-8"
    )
    assert sync(load_config(root)).ok
    return root


def test_dotted_keys_and_list_items_are_entries_of_their_own(nested: Path) -> None:
    template = polib.pofile(str(nested / "locales/templates/2021-01-05-nested.pot"))
    entries = [(e.msgctxt, e.msgid) for e in template if e.msgctxt]
    assert entries == [
        ("title", "Titel"),
        ("image.alt", "Alternativtext"),
        ("seo.description", "Beschreibung für Suchmaschinen"),
        ("highlights", "Erstens"),
        ("highlights", "Zweitens"),  # "Erstens" twice: one entry
        ("keywords", "Eins"),
        ("keywords", "Zwei"),
    ]


def test_dotted_keys_and_list_items_are_translated_one_by_one(nested: Path) -> None:
    fill_catalogue(
        nested / "locales/en/LC_MESSAGES/2021-01-05-nested.po", lambda entry: NESTED_EN[entry.msgid]
    )
    assert build(load_config(nested)).ok
    variant = (nested / "content/_posts/en/2021-01-05-nested.md").read_text(encoding="utf-8")
    data = yaml.safe_load(_yaml_front_matter(variant))
    assert data == {
        "title": "Title",
        "image": {"src": "/bild.png", "alt": "Alt text"},
        "seo": {"description": "Description for search engines", "robots": "index"},
        "highlights": ["First", "Second", 3, "First"],
        "keywords": ["One", "Two"],
        "cover": "nur-ein-pfad.png",
        "lang": "en",
    }
    assert '  description: "Description for search engines"\n' in variant  # style kept
    assert "keywords: [One, Two]\n" in variant


def test_one_list_item_translated_leaves_the_others(nested: Path) -> None:
    known = {"Zweitens": "Second", "Titel": "Title"}
    fill_catalogue(
        nested / "locales/en/LC_MESSAGES/2021-01-05-nested.po",
        lambda entry: known.get(entry.msgid, ""),
    )
    config = nested / "postlingo.toml"  # 2 of 8 translated: threshold 0 builds it anyway
    config.write_text(config.read_text(encoding="utf-8") + "threshold = 0\n", encoding="utf-8")
    assert build(load_config(nested)).ok
    variant = (nested / "content/_posts/en/2021-01-05-nested.md").read_text(encoding="utf-8")
    data = yaml.safe_load(_yaml_front_matter(variant))
    assert data["highlights"] == ["Erstens", "Second", 3, "Erstens"]
    assert data["keywords"] == ["Eins", "Zwei"]
    assert data["image"]["alt"] == "Alternativtext"
