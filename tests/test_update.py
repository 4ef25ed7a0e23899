"""The catalogue lifecycle through ``postlingo update``: translators' work survives every
source change, other gettext tools can take turns on the files, nothing is rewritten for
nothing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import polib
import pytest
from translate.storage import pypo

from conftest import (
    CATALOGUE,
    POST_FILE,
    POST_NAME,
    POSTS,
    SOURCE,
    TEMPLATE,
    invoke,
    msgfmt_check,
    snapshot,
    write_post,
)
from po_readers import assert_same_entries
from postlingo.catalogue.po import entry_content

SECOND_POST = """\
---
title: Ein zweiter Beitrag
tags:
  - Sales
  - Digitale Transformation
categories: Werkzeuge
---
Ein kurzer Absatz im zweiten Beitrag.

Noch ein Absatz, damit es zwei sind.
"""


def _ok(*args: str | Path) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout  # (a run with nothing to do says so on stderr)


def _msgcat(path: Path) -> None:
    """Another gettext tool saves the file (drops flags it does not know, re-wraps)."""
    subprocess.run(["msgcat", "-o", str(path), str(path)], check=True)


def _translate_all(path: Path) -> None:
    """A translator fills every entry, then a gettext tool saves the file."""
    po = polib.pofile(str(path))
    for entry in po:
        entry.msgstr = f"EN: {entry.msgid}"
    po.save(str(path))
    _msgcat(path)


def _edit_post(root: Path, old: str, new: str) -> None:
    path = root / SOURCE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _blocks(text: str) -> dict[tuple[str | None, str], str]:
    """Each live entry's lines, references left out, by (msgctxt, msgid)."""
    po = polib.pofile(text)
    found = {}
    for block in text.split("\n\n")[1:]:
        lines = [line for line in block.splitlines() if not line.startswith("#:")]
        entry = polib.pofile("\n".join(lines) + "\n")
        if entry and not entry[0].obsolete:
            found[(entry[0].msgctxt, entry[0].msgid)] = "\n".join(lines)
    assert len(found) == len([e for e in po if not e.obsolete])
    return found


def test_translator_cycle_keeps_every_translation_and_changes_nothing_else(
    bare_site: Path,
) -> None:
    root = bare_site
    _ok("extract", "--root", root)
    _ok("update", "--root", root)
    catalogue = root / CATALOGUE
    _msgcat(catalogue)
    _translate_all(catalogue)
    before_text = catalogue.read_text(encoding="utf-8")
    before = polib.pofile(before_text)

    _edit_post(root, "Bei circa 60%", "Bei etwa 60%")  # modified: inherits, fuzzy
    _edit_post(root, "### Die Herausforderungen \n", "")  # removed: obsolete
    _edit_post(
        root, "### Art der Kundeninteraktion", "Ein neuer Absatz.\n\n### Art der Kundeninteraktion"
    )  # inserted: moves the lines below it
    _ok("extract", "--root", root)
    _ok("update", "--root", root)
    after_text = catalogue.read_text(encoding="utf-8")
    after = polib.pofile(after_text)

    template = {(e.msgctxt, e.msgid) for e in polib.pofile(str(root / TEMPLATE))}
    for entry in before:
        kept = after.find(entry.msgid, msgctxt=entry.msgctxt)
        if (entry.msgctxt, entry.msgid) in template:
            assert kept is not None and kept.msgstr == entry.msgstr and not kept.fuzzy
    edited = next(e for e in after if "Bei etwa 60%" in e.msgid)
    assert edited.fuzzy and "Bei circa 60%" in edited.previous_msgid
    assert edited.msgstr.startswith("EN: Wie haben Sie")
    gone = after.find("Die Herausforderungen", include_obsolete_entries=True)
    assert gone.obsolete and gone.msgstr == "EN: Die Herausforderungen"
    assert after.find("Ein neuer Absatz.").msgstr == ""

    # Nothing else changed: the header but its template date, and every unchanged entry
    # line for line (only references move with the text).
    assert {**before.metadata, "POT-Creation-Date": ""} == {
        **after.metadata,
        "POT-Creation-Date": "",
    }
    old_blocks, new_blocks = _blocks(before_text), _blocks(after_text)
    unchanged = [key for key in old_blocks if key in new_blocks]
    assert len(unchanged) == len(old_blocks) - 2
    for key in unchanged:
        assert new_blocks[key] == old_blocks[key]


def test_update_changes_nothing_when_nothing_changed(site: Path) -> None:
    _ok("sync", "--root", site)
    before = snapshot(site)
    assert _ok("update", "--root", site) == ""
    assert snapshot(site) == before


def test_a_catalogue_saved_by_msgcat_is_left_as_it_is(site: Path) -> None:
    _ok("update", "--root", site)
    _msgcat(site / CATALOGUE)
    before = snapshot(site)
    assert _ok("update", "--root", site) == ""
    assert snapshot(site) == before


def test_update_check_writes_nothing_and_exits_1_when_a_catalogue_would_change(
    site: Path,
) -> None:
    _ok("sync", "--root", site)
    before = snapshot(site)
    assert invoke("update", "--check", "--root", site).exit_code == 0
    _edit_post(site, "Bei circa 60%", "Bei etwa 60%")
    _ok("extract", "--root", site)
    before = snapshot(site)
    result = invoke("update", "--check", "--root", site)
    assert result.exit_code == 1, result.output
    assert f"would update {site / CATALOGUE}" in result.output
    assert snapshot(site) == before
    _ok("update", "--root", site)
    assert invoke("update", "--check", "--root", site).exit_code == 0


def test_update_lang_creates_empty_catalogues_for_a_new_language(site: Path) -> None:
    _ok("sync", "--root", site)  # also builds the English variant below _posts/en/
    english = (site / CATALOGUE).read_bytes()
    output = _ok("update", "--lang", "pt-BR", "--root", site)
    path = site / "locales/pt_BR/LC_MESSAGES" / f"{POST_NAME}.po"
    assert output.strip() == f"created {path}"  # a new file: not "updated"
    po = polib.pofile(str(path))
    assert po.header.startswith("Portuguese (Brazil) translation of content/_posts/")
    assert po.metadata["Language"] == "pt_BR"
    assert all(entry.msgstr == "" for entry in po)
    assert (site / CATALOGUE).read_bytes() == english
    assert msgfmt_check(path).returncode == 0


def test_no_obsolete_drops_translations_of_removed_text(site: Path) -> None:
    _edit_post(site, "### Die Herausforderungen \n", "")
    _ok("extract", "--root", site)
    _ok("update", "--root", site)
    assert polib.pofile(str(site / CATALOGUE)).obsolete_entries()
    _ok("update", "--no-obsolete", "--root", site)
    assert not polib.pofile(str(site / CATALOGUE)).obsolete_entries()


def test_prune_removes_templates_and_catalogues_of_removed_posts(site: Path) -> None:
    write_post(site, "2022-01-01-zweiter-beitrag.md", SECOND_POST)
    _ok("extract", "--root", site)
    _ok("update", "--root", site)
    template = site / "locales/templates/2022-01-01-zweiter-beitrag.pot"
    catalogue = site / "locales/en/LC_MESSAGES/2022-01-01-zweiter-beitrag.po"
    assert template.exists() and catalogue.exists()
    (site / POSTS / "2022-01-01-zweiter-beitrag.md").unlink()
    _ok("update", "--root", site)
    assert template.exists() and catalogue.exists()  # only --prune removes them
    result = invoke("update", "--prune", "--check", "--root", site)
    assert result.exit_code == 1 and f"would remove {catalogue}" in result.output
    assert catalogue.exists()
    output = _ok("update", "--prune", "--root", site)
    assert f"removed {template}" in output and f"removed {catalogue}" in output
    assert not template.exists() and not catalogue.exists()
    assert (site / CATALOGUE).exists() and (site / TEMPLATE).exists()


def test_a_renamed_post_keeps_its_translations(site: Path) -> None:
    _ok("update", "--root", site)
    old = polib.pofile(str(site / CATALOGUE))
    renamed = "2021-01-05-kundeninteraktionen.md"
    (site / SOURCE).rename(site / POSTS / renamed)
    _ok("extract", "--root", site)
    output = _ok("update", "--root", site)
    new_path = site / "locales/en/LC_MESSAGES/2021-01-05-kundeninteraktionen.po"
    assert f"renamed {site / CATALOGUE} -> {new_path}" in output
    assert f"removed {site / TEMPLATE}" in output
    assert not (site / CATALOGUE).exists() and not (site / TEMPLATE).exists()
    new = polib.pofile(str(new_path))
    translated = {(e.msgctxt, e.msgid): e.msgstr for e in old if e.msgstr}
    assert translated and {(e.msgctxt, e.msgid): e.msgstr for e in new if e.msgstr} == translated
    assert all(not entry.fuzzy for entry in new)


def test_a_new_post_does_not_take_an_unrelated_orphan(site: Path) -> None:
    (site / SOURCE).unlink()
    write_post(site, "2022-01-01-zweiter-beitrag.md", SECOND_POST)
    _ok("extract", "--root", site)
    _ok("update", "--root", site)
    assert (site / CATALOGUE).exists()  # still there, for status to report and --prune
    new = polib.pofile(str(site / "locales/en/LC_MESSAGES/2022-01-01-zweiter-beitrag.po"))
    assert all(entry.msgstr == "" for entry in new)


TAXONOMY_CONFIG = '\ntaxonomy = ["tags", "categories"]\n'


def test_taxonomy_template_has_one_entry_per_term_referencing_every_post(site: Path) -> None:
    with (site / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write(TAXONOMY_CONFIG)
    write_post(site, "2022-01-01-zweiter-beitrag.md", SECOND_POST)
    _ok("sync", "--root", site)
    pot = polib.pofile(str(site / "locales/templates/taxonomy.pot"))
    terms = [(entry.msgctxt, entry.msgid) for entry in pot]
    assert terms[:3] == [("tags", "Vertrieb"), ("tags", "Sales"), ("tags", "Marketing")]
    assert ("tags", "Digitale Transformation") in terms
    assert [t for t in terms if t[0] == "categories"] == [
        ("categories", "Arbeitskultur"),
        ("categories", "Werkzeuge"),
    ]
    assert len(terms) == len(set(terms))
    sales = pot.find("Sales", msgctxt="tags")
    assert [path for path, _line in sales.occurrences] == [
        f"content/_posts/{POST_FILE}",
        "content/_posts/2022-01-01-zweiter-beitrag.md",
    ]
    assert (site / "locales/en/LC_MESSAGES/taxonomy.po").exists()
    before = snapshot(site)
    _ok("sync", "--root", site)
    assert snapshot(site) == before  # the taxonomy is as idempotent as the posts
    _ok("update", "--prune", "--root", site)
    assert (site / "locales/en/LC_MESSAGES/taxonomy.po").exists()  # never an orphan


def test_every_file_written_passes_msgfmt_and_reads_the_same_in_every_parser(
    site: Path,
) -> None:
    with (site / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write(TAXONOMY_CONFIG)
    write_post(site, "2022-01-01-zweiter-beitrag.md", SECOND_POST)
    _ok("sync", "--root", site)
    _edit_post(site, "Bei circa 60%", "Bei etwa 60%")
    _edit_post(site, "### Die Herausforderungen \n", "")
    _ok("sync", "--lang", "en", "--lang", "fr", "--root", site)
    files = sorted(site.glob("locales/**/*.po*"))
    assert len(files) == 9
    kinds = {re.sub(r".*\.", "", path.name) for path in files}
    assert kinds == {"po", "pot"}
    for path in files:
        check = msgfmt_check(path)
        assert check.returncode == 0, (path, check.stderr)
        assert_same_entries(path)
    fuzzy = polib.pofile(str(site / CATALOGUE))
    assert any(e.fuzzy and e.previous_msgid for e in fuzzy) and fuzzy.obsolete_entries()


@pytest.mark.parametrize("width", [0, 60])
def test_wrap_width_is_configurable(bare_site: Path, width: int) -> None:
    with (bare_site / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write(f"\nwrap_width = {width}\n")
    _ok("extract", "--root", bare_site)
    _ok("update", "--root", bare_site)
    text = (bare_site / CATALOGUE).read_text(encoding="utf-8")
    strings = [line for line in text.splitlines() if line.startswith(('"', "msgid"))]
    if width == 0:
        assert max(map(len, strings)) > 500
    else:
        assert max(map(len, strings)) <= 60
    wrap = ["--no-wrap"] if width == 0 else [f"--width={width}"]
    gnu = subprocess.run(
        ["msgcat", *wrap, str(bare_site / CATALOGUE)], capture_output=True, text=True, check=True
    ).stdout
    assert gnu == text


def test_entries_keep_their_content_through_a_no_op_update(site: Path) -> None:
    _ok("update", "--root", site)
    before = [entry_content(e) for e in polib.pofile(str(site / CATALOGUE))]
    _ok("update", "--root", site)
    assert [entry_content(e) for e in polib.pofile(str(site / CATALOGUE))] == before


def test_entries_another_tool_wrapped_keep_their_lines_when_the_text_moves(site: Path) -> None:
    _ok("update", "--root", site)
    path = site / CATALOGUE
    store = pypo.pofile(path.read_bytes())
    for unit in store.units:
        if not unit.isheader():
            unit.target = f"{unit.target} (reviewed)"
    path.write_bytes(bytes(store))  # translate-toolkit, as Weblate saves, wraps its own way
    before_text = path.read_text(encoding="utf-8")
    gnu = subprocess.run(["msgcat", str(path)], capture_output=True, text=True, check=True)
    assert gnu.stdout != before_text

    _edit_post(site, "Wie haben Sie", "Ein neuer erster Absatz.\n\nWie haben Sie")
    _ok("extract", "--root", site)
    _ok("update", "--root", site)
    after_text = path.read_text(encoding="utf-8")
    old_blocks, new_blocks = _blocks(before_text), _blocks(after_text)
    assert set(new_blocks) - set(old_blocks) == {(None, "Ein neuer erster Absatz.")}
    for key, block in old_blocks.items():
        assert new_blocks[key] == block
    assert (
        polib.pofile(after_text).find("Die Herausforderungen").occurrences
        != polib.pofile(before_text).find("Die Herausforderungen").occurrences
    )
