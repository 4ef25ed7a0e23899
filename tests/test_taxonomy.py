"""Tags and categories: terms as Jekyll reads them, one shared template, term translations."""

from __future__ import annotations

from pathlib import Path

from postlingo.catalogue import catalogue_path, save_catalogue
from postlingo.merge import new_catalogue
from postlingo.post import parse_post
from postlingo.taxonomy import Term, post_terms, taxonomy_template, taxonomy_translations

POST = """\
---
title: Ein Beitrag
tags: Vertrieb  Sales
  Marketing
categories: [Arbeitskultur, "Digitale Werkzeuge"]
other: [nicht, gemeint]
---
Text.
"""


def _terms(text: str, source: str = "p.md") -> list[Term]:
    return post_terms(parse_post(text, Path(source), "p"), source, ["tags", "categories"])


def test_a_string_is_split_at_whitespace_and_list_items_stay_whole() -> None:
    assert [(t.key, t.text, t.line) for t in _terms(POST)] == [
        ("tags", "Vertrieb", 3), ("tags", "Sales", 3), ("tags", "Marketing", 3),
        ("categories", "Arbeitskultur", 5), ("categories", "Digitale Werkzeuge", 5),
    ]


def test_posts_without_the_keys_or_front_matter_have_no_terms() -> None:
    assert _terms("---\ntitle: x\n---\nText.\n") == []
    assert _terms("Nur Text.\n") == []
    assert _terms("---\ntags:\ncategories: []\n---\n") == []


def test_one_entry_per_term_in_order_of_first_use_with_every_reference() -> None:
    terms = _terms(POST, "a.md") + _terms(POST.replace("Vertrieb", "Neu"), "b.md")
    pot = taxonomy_template(terms, "site", 79)
    assert [(e.msgctxt, e.msgid) for e in pot] == [
        ("tags", "Vertrieb"), ("tags", "Sales"), ("tags", "Marketing"),
        ("categories", "Arbeitskultur"), ("categories", "Digitale Werkzeuge"), ("tags", "Neu")]
    assert pot[1].occurrences == [("a.md", "3"), ("b.md", "3")]
    assert "Jekyll splits" in pot[0].comment
    assert pot[0].flags == []  # a term is no Markdown text


def test_term_translations_for_a_language(tmp_path: Path) -> None:
    assert taxonomy_translations(tmp_path, "en") == {}
    po = new_catalogue(taxonomy_template(_terms(POST), "site", 79), "en")
    po[0].msgstr = "Sales (B2B)"
    po[1].msgstr, po[1].flags = "Sales", ["fuzzy"]
    save_catalogue(po, catalogue_path(tmp_path, "taxonomy", "en"), 79)
    assert taxonomy_translations(tmp_path, "en") == {("tags", "Vertrieb"): "Sales (B2B)"}
    assert taxonomy_translations(tmp_path, "en", include_fuzzy=True)[("tags", "Sales")] == "Sales"
