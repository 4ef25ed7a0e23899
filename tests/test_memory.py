"""The memory engine on the example site: exact and fuzzy matches from the project's own
catalogues and from compendia; nothing sent anywhere."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import polib
import pytest

from conftest import CATALOGUE, POST_NAME, invoke, msgfmt_check, write_post
from postlingo.catalogue.locales import catalogue_path
from postlingo.config import Config, load_config
from postlingo.drafts.draft import DraftOptions, draft
from postlingo.drafts.memory import load_memory
from postlingo.errors import ConfigError
from postlingo.pipeline import extract, update

TODAY = date(2024, 5, 6)
SECOND = "2021-02-01-zweiter-beitrag"
CHANGED = "Corona-Pandemie"  # instead of "Covid-19 Pandemie" in the example post
UNRELATED = "Dieser Absatz hat mit dem ersten Beitrag nichts zu tun, gar nichts."


def paragraph(site: Path, starts: str) -> str:
    """The msgid of the example post's text that starts so."""
    po = polib.pofile(str(site / CATALOGUE))
    return next(entry.msgid for entry in po if entry.msgid.startswith(starts))


def second_post(site: Path) -> Config:
    """A second post sharing a paragraph with the example post, another one edited, and one
    of its own; its English catalogue has nothing translated yet."""
    shared = paragraph(site, "Wie haben Sie")
    changed = paragraph(site, "Von heute auf morgen")
    assert "Covid-19 Pandemie" in changed
    write_post(
        site,
        f"{SECOND}.md",
        "---\nlayout: post\ntitle: Die Herausforderungen\n---\n"
        f"{shared}\n\n{changed.replace('Covid-19 Pandemie', CHANGED)}\n\n{UNRELATED}\n",
    )
    config = load_config(site)
    assert extract(config).ok and update(config).ok
    return config


def entries(config: Config, name: str = SECOND) -> dict[str, polib.POEntry]:
    po = polib.pofile(str(catalogue_path(config.locales_dir, name, "en")))
    return {entry.msgid: entry for entry in po}


def test_memory_drafts_from_the_projects_own_catalogues(site: Path) -> None:
    config = second_post(site)
    original = entries(config, POST_NAME)
    report = draft(config, DraftOptions(engine="memory", today=TODAY))
    assert report.ok and (report.drafted, report.unmatched, report.requests) == (3, 1, 0)
    found = entries(config)
    where = f"locales/en/LC_MESSAGES/{POST_NAME}.po"

    shared = found[paragraph(site, "Wie haben Sie")]
    assert shared.msgstr == original[shared.msgid].msgstr
    assert shared.fuzzy
    assert shared.tcomment == f"machine draft: memory 2024-05-06 (exact match, {where})"

    # The title matches a heading of the first post: the same text in another context.
    title = found["Die Herausforderungen"]
    assert title.msgctxt == "title" and title.msgstr == "The Challenges" and title.fuzzy

    changed = next(entry for msgid, entry in found.items() if CHANGED in msgid)
    assert changed.fuzzy and changed.msgstr.startswith("Practically overnight")
    assert changed.tcomment.startswith("machine draft: memory 2024-05-06 (")
    assert f"% match, {where})" in changed.tcomment
    assert changed.previous_msgid == paragraph(site, "Von heute auf morgen")  # as msgmerge

    own = found[UNRELATED]
    assert (own.msgstr, own.fuzzy, own.tcomment) == ("", False, "")
    assert msgfmt_check(catalogue_path(config.locales_dir, SECOND, "en")).returncode == 0
    # Reviewed work is untouched.
    assert entries(config, POST_NAME) == original


def test_threshold_decides_fuzzy_matches(site: Path) -> None:
    config = dataclasses.replace(second_post(site), memory_threshold=1.0)
    report = draft(config, DraftOptions(engine="memory", today=TODAY))
    assert (report.drafted, report.unmatched) == (2, 2)
    assert all(e.msgstr == "" for msgid, e in entries(config).items() if CHANGED in msgid)


def test_unreviewed_translations_are_not_memory(site: Path) -> None:
    config = second_post(site)
    path = site / CATALOGUE
    po = polib.pofile(str(path))
    for entry in po:
        entry.flags.append("fuzzy")
    po.save(str(path))
    report = draft(config, DraftOptions(engine="memory", today=TODAY))
    assert report.drafted == 0


def write_compendium(path: Path, language: str, pairs: dict[str, str]) -> None:
    po = polib.POFile()
    po.metadata = {"Language": language, "Content-Type": "text/plain; charset=UTF-8"}
    for msgid, msgstr in pairs.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))


def test_compendia_named_in_the_configuration_are_memory_too(site: Path) -> None:
    write_compendium(
        site / "locales/en/compendium.po",
        "en",
        {UNRELATED: "This paragraph has nothing to do with the first post."},
    )
    config = dataclasses.replace(second_post(site), compendia=["locales/{lang}/compendium.po"])
    report = draft(config, DraftOptions(engine="memory", today=TODAY))
    assert (report.drafted, report.unmatched) == (4, 0)
    own = entries(config)[UNRELATED]
    assert own.msgstr.startswith("This paragraph")
    assert own.tcomment.endswith("(exact match, locales/en/compendium.po)")


def test_a_compendium_of_another_language_is_refused(site: Path) -> None:
    write_compendium(site / "shared.po", "fr", {UNRELATED: "Ce paragraphe…"})
    config = dataclasses.replace(second_post(site), compendia=["shared.po"])
    with pytest.raises(ConfigError, match="compendium for 'fr' used for 'en'"):
        load_memory(config, "en")
    missing = dataclasses.replace(config, compendia=["gone.po"])
    with pytest.raises(ConfigError, match="compendium not found"):
        load_memory(missing, "en")


def test_memory_engine_from_the_command_line(site: Path) -> None:
    second_post(site)
    result = invoke("draft", "--root", site, "--engine", "memory")
    assert result.exit_code == 0, result.output
    assert f"drafted {site / 'locales/en/LC_MESSAGES' / SECOND}.po" in result.stdout
    assert result.stderr == (
        "memory: 3 drafted, 1 without a match in memory; offline: nothing sent\n"
    )
