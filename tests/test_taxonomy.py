"""Tags and categories: terms as Jekyll reads them, one shared template, term translations."""

from __future__ import annotations

from pathlib import Path

import polib
import yaml

from conftest import invoke
from postlingo.catalogue.locales import catalogue_path
from postlingo.catalogue.merge import new_catalogue
from postlingo.catalogue.po import load_catalogue, save_catalogue
from postlingo.catalogue.taxonomy import Term, post_terms, taxonomy_template, taxonomy_translations
from postlingo.config import load_config
from postlingo.incremental import sync
from postlingo.outcome import Outcome
from postlingo.pipeline import build
from postlingo.source.post import parse_post

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
        ("tags", "Vertrieb", 3),
        ("tags", "Sales", 3),
        ("tags", "Marketing", 3),
        ("categories", "Arbeitskultur", 5),
        ("categories", "Digitale Werkzeuge", 5),
    ]


def test_posts_without_the_keys_or_front_matter_have_no_terms() -> None:
    assert _terms("---\ntitle: x\n---\nText.\n") == []
    assert _terms("Nur Text.\n") == []
    assert _terms("---\ntags:\ncategories: []\n---\n") == []


def test_one_entry_per_term_in_order_of_first_use_with_every_reference() -> None:
    terms = _terms(POST, "a.md") + _terms(POST.replace("Vertrieb", "Neu"), "b.md")
    pot = taxonomy_template(terms, "site", 79)
    assert [(e.msgctxt, e.msgid) for e in pot] == [
        ("tags", "Vertrieb"),
        ("tags", "Sales"),
        ("tags", "Marketing"),
        ("categories", "Arbeitskultur"),
        ("categories", "Digitale Werkzeuge"),
        ("tags", "Neu"),
    ]
    assert pot[1].occurrences == [("a.md", "3"), ("b.md", "3")]
    assert "Jekyll splits" in pot[0].comment
    assert pot[0].flags == []  # a term is no Markdown text


def test_term_translations_for_a_language(tmp_path: Path) -> None:
    assert taxonomy_translations(tmp_path, "en") == {}
    po = new_catalogue(taxonomy_template(_terms(POST), "site", 79), "en")
    po[0].msgstr = "Sales (B2B)"
    po[1].msgstr, po[1].flags = "Sales", ["fuzzy"]
    save_catalogue(po, catalogue_path(tmp_path, "taxonomy", "en"), 79)
    found = taxonomy_translations(tmp_path, "en")
    assert {key: item.text for key, item in found.items()} == {("tags", "Vertrieb"): "Sales (B2B)"}
    assert taxonomy_translations(tmp_path, "en", include_fuzzy=True)[("tags", "Sales")].text == (
        "Sales"
    )


SITE_POST = """\
---
title: Ein Beitrag
tags: Vertrieb Sales  Marketing # Schlagworte
categories: [Arbeitskultur, "Digitale Werkzeuge"]
---
Text.
"""


def _site(tmp_path: Path, terms: dict[str, str]) -> tuple[Path, Outcome]:
    """A site with taxonomy on, its shared catalogue translated by ``terms``, then built."""
    root = tmp_path / "site"
    (root / "content/_posts").mkdir(parents=True)
    (root / "content/_posts/2021-01-05-beitrag.md").write_text(SITE_POST, encoding="utf-8")
    # threshold 0: only the terms get translated, the post's variant is built anyway
    (root / "postlingo.toml").write_text(
        'taxonomy = ["tags", "categories"]\nthreshold = 0\n', encoding="utf-8"
    )
    config = load_config(root)
    assert sync(config).ok
    path = catalogue_path(config.locales_dir, "taxonomy", "en")
    po = load_catalogue(path)
    for entry in po:
        entry.msgstr = terms.get(entry.msgid, "")
    save_catalogue(po, path, 79)
    return root, build(config)


def test_variants_carry_translated_terms_in_the_source_form(tmp_path: Path) -> None:
    root, outcome = _site(
        tmp_path,
        {
            "Vertrieb": "Sales",
            "Marketing": "Marketing",
            "Digitale Werkzeuge": "Digital tools: a list",
        },
    )
    assert outcome.ok, outcome.errors
    text = (root / "content/_posts/en/2021-01-05-beitrag.md").read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[2] == "tags: Sales Sales  Marketing # Schlagworte"
    assert lines[3] == 'categories: [Arbeitskultur, "Digital tools: a list"]'
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["categories"] == ["Arbeitskultur", "Digital tools: a list"]


def test_a_term_with_a_space_in_a_string_of_tags_is_an_error_not_two_tags(tmp_path: Path) -> None:
    root, outcome = _site(tmp_path, {"Vertrieb": "Sales department"})
    assert [str(e) for e in outcome.errors] == [
        f"{root}/locales/en/LC_MESSAGES/taxonomy.po:{_line(root, 'Vertrieb')}: "
        "'Sales department' would become several tags: tags is a space-separated string "
        "here; write the term without spaces"
    ]
    variant = root / "content/_posts/en/2021-01-05-beitrag.md"
    assert "department" not in variant.read_text(encoding="utf-8")  # the sync's, untouched


def _line(root: Path, msgid: str) -> int:
    po = load_catalogue(root / "locales/en/LC_MESSAGES/taxonomy.po")
    return next(entry.linenum for entry in po if entry.msgid == msgid)


def _notes(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#.")]


def test_sync_keeps_notes_a_translators_tool_wrapped(site: Path) -> None:
    """A catalogue saved by a polib-based tool (its "#." lines wrapped at 78 columns) is
    not rewritten by the next sync, nor by the one after (no git churn)."""
    config = site / "postlingo.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + 'taxonomy = ["tags"]\n', encoding="utf-8"
    )
    assert invoke("sync", "--root", site).exit_code == 0
    path = site / "locales/en/LC_MESSAGES/taxonomy.po"
    assert all(len(line) <= 78 for line in _notes(path))  # (short lines: nothing to wrap)
    po = polib.pofile(str(path))
    for entry in po:  # an older postlingo's note, in one long line, as polib wraps it
        entry.comment = " ".join(entry.comment.split())
        entry.msgstr = entry.msgid
    po.save(str(path))
    wrapped = _notes(path)
    assert len(wrapped) > len(po), "polib wraps the long note"
    for _ in range(2):
        assert invoke("sync", "--root", site).exit_code == 0
        assert _notes(path) == wrapped
