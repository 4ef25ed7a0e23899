"""Adopting a site that already has translations, and renaming posts (issue 16, items 2 and 4).

A variant file that exists while postlingo has no catalogue for it was not written by
postlingo: no command replaces it without --force, whatever the run (sync, build, update,
update --prune, a mistyped or deleted locales folder, a fresh clone without the sync state).
A renamed post keeps its translations in every language, in sync and in extract && update.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest

import sitebuild
from conftest import (
    CATALOGUE,
    POST_FILE,
    POSTS,
    SOURCE,
    TEMPLATE,
    fill_catalogue,
    invoke,
    snapshot,
    write_post,
)

FIXTURES = Path(__file__).parent / "fixtures" / "sites"

HUMAN_HALLO = """\
---
title: "Hello World"
date: 2021-03-01T10:00:00+01:00
description: A post in a single file
---
This is the post's first paragraph, translated by a person.

## A heading

A second paragraph with *emphasis*.
"""

HUMAN_BUNDLE = "---\ntitle: Ein Bündel\n---\nHuman text that postlingo must keep.\n"


def _hugo_site(tmp_path: Path) -> Path:
    """The Hugo fixture with human English translations of both posts already there."""
    root = tmp_path / "hugo"
    shutil.copytree(FIXTURES / "hugo", root)
    (root / "content/posts/hallo.en.md").write_text(HUMAN_HALLO, encoding="utf-8")
    return root


def _errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


def test_first_sync_on_a_site_with_human_translations_keeps_every_byte(tmp_path: Path) -> None:
    root = _hugo_site(tmp_path)
    human = root / "content/posts/hallo.en.md"
    before = human.read_bytes()
    result = invoke("sync", "--root", root)
    assert result.exit_code == 1, result.output
    errors = _errors(result.output)
    assert len(errors) == 1, result.output
    assert errors[0].startswith(f"error: {human}: ") and "postlingo import" in errors[0]
    assert "Traceback" not in result.output
    assert human.read_bytes() == before
    # No catalogue for it: the next run (and a fresh clone) judges the file the same way.
    assert not (root / "locales/en/LC_MESSAGES/hallo.po").exists()
    # The other post, which has no translation yet, is still processed.
    assert (root / "locales/en/LC_MESSAGES/buendel/index.po").exists()
    again = invoke("sync", "--root", root)
    assert again.exit_code == 1 and human.read_bytes() == before
    # build and update --prune leave it alone as well.
    assert invoke("build", "--root", root).exit_code == 1
    assert invoke("update", "--prune", "--root", root).exit_code == 1
    assert human.read_bytes() == before
    # What Hugo publishes is the human translation.
    out = sitebuild.hugo_build(root, tmp_path / "out")
    page = (out / "en/posts/hallo/index.html").read_text(encoding="utf-8")
    assert "translated by a person" in page
    assert "Dies ist der erste Absatz" in (out / "posts/hallo/index.html").read_text("utf-8")


def test_force_replaces_a_variant_postlingo_did_not_write(tmp_path: Path) -> None:
    root = _hugo_site(tmp_path)
    human = root / "content/posts/hallo.en.md"
    result = invoke("sync", "--force", "--root", root)
    assert result.exit_code == 0, result.output
    # Its new catalogue is empty: below the default threshold (80) the file is kept.
    assert human.read_text("utf-8") == HUMAN_HALLO
    assert "below the threshold of 80%: kept as it was" in result.stderr, result.stderr
    catalogue = root / "locales/en/LC_MESSAGES/hallo.po"
    fill_catalogue(catalogue, lambda entry: entry.msgid)
    result = invoke("sync", "--force", "--root", root)
    assert result.exit_code == 0, result.output
    assert human.read_text("utf-8") != HUMAN_HALLO


def test_update_does_not_create_the_catalogue_that_would_adopt_a_human_translation(
    tmp_path: Path,
) -> None:
    root = _hugo_site(tmp_path)
    assert invoke("extract", "--root", root).exit_code == 0
    result = invoke("update", "--root", root)
    assert result.exit_code == 1 and "postlingo import" in result.output
    assert not (root / "locales/en/LC_MESSAGES/hallo.po").exists()
    build = invoke("build", "--root", root)
    assert (
        build.exit_code == 1
        and (root / "content/posts/hallo.en.md").read_text("utf-8") == HUMAN_HALLO
    )


@pytest.mark.parametrize("mistake", ["mistyped", "deleted"])
def test_a_wrong_locales_folder_rewrites_no_translated_post(example: Path, mistake: str) -> None:
    assert invoke("sync", "--root", example).exit_code == 0  # the example site, synced
    variants = {path: path.read_bytes() for path in (example / POSTS / "en").rglob("*.md")}
    assert variants
    if mistake == "mistyped":
        config = example / "postlingo.toml"
        config.write_text(
            config.read_text("utf-8").replace('locales = "locales"', 'locales = "locale"'), "utf-8"
        )
    else:
        shutil.rmtree(example / "locales")
    result = invoke("sync", "--root", example)
    assert result.exit_code == 1, result.output
    assert "'locales'" in result.output and "Traceback" not in result.output
    assert {path: path.read_bytes() for path in variants} == variants
    assert invoke("build", "--root", example).exit_code == 1
    assert {path: path.read_bytes() for path in variants} == variants


def test_ownership_needs_no_sync_state_on_a_fresh_clone(example: Path) -> None:
    """CI checks out the site without locales/.cache: committed catalogues are enough."""
    assert invoke("sync", "--root", example).exit_code == 0
    shutil.rmtree(example / "locales/.cache", ignore_errors=True)
    fill_catalogue(example / CATALOGUE, lambda entry: entry.msgstr or entry.msgid)
    result = invoke("sync", "--root", example)
    assert result.exit_code == 0, result.output
    assert not _errors(result.output)


# --- renames ----------------------------------------------------------------------------------

RENAMED = "2021-01-05-kundeninteraktionen"


def _two_languages(site: Path) -> None:
    config = site / "postlingo.toml"
    config.write_text(
        config.read_text("utf-8").replace('languages = ["en"]', 'languages = ["en", "fr"]'), "utf-8"
    )


def _translate_both(site: Path) -> dict[str, dict[tuple[str | None, str], str]]:
    """Translate every entry in en and fr; the translations by language."""
    assert invoke("sync", "--root", site).exit_code == 0
    done = {}
    for language in ("en", "fr"):
        path = site / f"locales/{language}/LC_MESSAGES/{POST_FILE[:-3]}.po"
        fill_catalogue(path, lambda entry, lang=language: f"[{lang}] {entry.msgid}")
        done[language] = {
            (e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(path)) if e.msgstr
        }
    assert invoke("sync", "--root", site).exit_code == 0
    return done


def _held(site: Path, language: str, name: str) -> dict[tuple[str | None, str], str]:
    po = polib.pofile(str(site / f"locales/{language}/LC_MESSAGES/{name}.po"))
    return {(e.msgctxt, e.msgid): e.msgstr for e in po if e.msgstr and not e.obsolete}


def test_sync_after_a_rename_keeps_every_languages_translations(site: Path) -> None:
    _two_languages(site)
    before = _translate_both(site)
    old_variant = site / POSTS / "en" / POST_FILE
    assert "[en]" in old_variant.read_text("utf-8")
    (site / SOURCE).rename(site / POSTS / f"{RENAMED}.md")
    result = invoke("sync", "--root", site)
    assert result.exit_code == 0, result.output
    for language in ("en", "fr"):
        assert _held(site, language, RENAMED) == before[language]
        old = site / f"locales/{language}/LC_MESSAGES/{POST_FILE[:-3]}.po"
        new = site / f"locales/{language}/LC_MESSAGES/{RENAMED}.po"
        assert not old.exists()
        assert result.output.count(f"renamed {old} -> {new}") == 1
        assert result.output.count(str(old)) == 1  # one line per file
    assert not (site / TEMPLATE).exists() and not old_variant.exists()
    assert "[en]" in (site / POSTS / "en" / f"{RENAMED}.md").read_text("utf-8")
    assert "[fr]" in (site / POSTS / "fr" / f"{RENAMED}.md").read_text("utf-8")
    # A later prune has nothing of theirs to delete.
    prune = invoke("update", "--prune", "--root", site)
    assert prune.exit_code == 0 and "removed" not in prune.output
    assert _held(site, "fr", RENAMED) == before["fr"]


def test_extract_and_update_move_every_language_even_untranslated_ones(site: Path) -> None:
    _two_languages(site)
    assert invoke("sync", "--root", site).exit_code == 0
    fill_catalogue(site / CATALOGUE, lambda entry: f"[en] {entry.msgid}")  # fr: untranslated
    (site / SOURCE).rename(site / POSTS / f"{RENAMED}.md")
    assert invoke("extract", "--root", site).exit_code == 0
    result = invoke("update", "--lang", "en", "--root", site)  # only en asked for: fr moves too
    assert result.exit_code == 0, result.output
    for language in ("en", "fr"):
        assert (site / f"locales/{language}/LC_MESSAGES/{RENAMED}.po").exists()
        assert not (site / f"locales/{language}/LC_MESSAGES/{POST_FILE[:-3]}.po").exists()
    assert result.output.count("removed") == 1  # the old template, once
    prune = invoke("update", "--prune", "--root", site)
    assert prune.exit_code == 0 and "removed" not in prune.output, prune.output
    assert (site / f"locales/fr/LC_MESSAGES/{RENAMED}.po").exists()


def test_prune_names_what_it_deletes_and_only_catalogues_of_gone_posts(site: Path) -> None:
    write_post(site, "2022-01-01-zweiter.md", "---\ntitle: Zwei\n---\nEin anderer Text.\n")
    assert invoke("sync", "--root", site).exit_code == 0
    before = snapshot(site / "locales")
    (site / SOURCE).unlink()
    check = invoke("update", "--prune", "--check", "--root", site)
    assert check.exit_code == 1
    assert f"would remove {site / CATALOGUE}" in check.output
    assert check.output.count(f"{site / CATALOGUE}") == 1
    assert snapshot(site / "locales") == before
