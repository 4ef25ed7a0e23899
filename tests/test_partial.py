"""Honest partial translations: the threshold, fallback = "previous" and the status map
that the example site's layout shows as a banner; checked on Jekyll and Hugo builds."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

import polib
import tomllib

from conftest import CATALOGUE, REPO, SOURCE, VARIANT, fill_catalogue, invoke
from sitebuild import hugo_build, jekyll_build

ENGLISH_PAGE = Path("en/arbeitskultur/werkzeuge/2021/01/05/erfolgreiche-kundeninteraktionen.html")
HEADING = "Die Herausforderungen"


def configure(root: Path, lines: str) -> None:
    path = root / "postlingo.toml"
    path.write_text(path.read_text() + lines)


def english(entry: polib.POEntry) -> str:
    return "The challenges" if entry.msgid == HEADING else f"EN {entry.msgid}"


def translated_site(site: Path, settings: str) -> Path:
    configure(site, settings)
    assert invoke("sync", "--root", site).exit_code == 0
    fill_catalogue(site / CATALOGUE, english)
    result = invoke("sync", "--root", site)
    assert result.exit_code == 0, result.output
    return site


def edit_heading(site: Path) -> None:
    """The author rewords a heading: update keeps its old translation as fuzzy."""
    source = site / SOURCE
    text = source.read_text().replace(f"## {HEADING}", "## Die großen Herausforderungen")
    source.write_text(text)
    result = invoke("sync", "--root", site)
    assert result.exit_code == 0, result.output
    entry = next(e for e in polib.pofile(str(site / CATALOGUE)) if "großen" in e.msgid)
    assert entry.fuzzy and entry.msgstr == "The challenges" and entry.previous_msgid == HEADING


def banner(page: str) -> str:
    found = re.search(r'<p class="translation-status">(.*?)</p>', page, re.DOTALL)
    assert found, page[:2000]
    return " ".join(found.group(1).split())


def test_status_map_is_written_stable_and_shown_by_the_layout(site: Path) -> None:
    translated_site(site, 'status_key = "translation"\n')
    text = (site / VARIANT).read_text()
    line = "translation: {percent: 100, outdated: 0, machine: false, source_updated: 2021-01-05}\n"
    assert text.count(line) == 1 and text.index(line) < text.index("\n---\n")
    before = (site / VARIANT).stat().st_mtime_ns
    assert invoke("build", "--root", site).exit_code == 0
    assert (site / VARIANT).stat().st_mtime_ns == before  # the same map: nothing rewritten
    page = (jekyll_build(site / "content") / ENGLISH_PAGE).read_text()
    assert banner(page) == (
        "Translated from German: 100% of the text. Original last updated 2021-01-05."
    )
    assert "translation-status" not in (site / SOURCE).read_text()


def test_fallback_source_shows_the_german_text_of_an_outdated_segment(site: Path) -> None:
    translated_site(site, 'status_key = "translation"\n')
    edit_heading(site)
    text = (site / VARIANT).read_text()
    assert "### Die großen Herausforderungen " in text and "The challenges" not in text
    assert "translation: {percent: 83, outdated: 1, machine: false" in text
    page = (jekyll_build(site / "content") / ENGLISH_PAGE).read_text()
    assert "Die großen Herausforderungen</h3>" in page
    assert banner(page).startswith(
        "Translated from German: 83% of the text, 1 passage(s) older than the original."
    )


def test_fallback_previous_shows_the_previous_reviewed_translation(site: Path) -> None:
    translated_site(site, 'status_key = "translation"\nfallback = "previous"\n')
    edit_heading(site)
    text = (site / VARIANT).read_text()
    assert "### The challenges " in text and "großen" not in text
    assert "translation: {percent: 83, outdated: 1, machine: false" in text
    page = (jekyll_build(site / "content") / ENGLISH_PAGE).read_text()
    assert "The challenges</h3>" in page and "großen" not in page


def test_fallback_previous_never_uses_a_machine_draft(site: Path) -> None:
    translated_site(site, 'fallback = "previous"\nstatus_key = "translation"\n')
    edit_heading(site)
    po = polib.pofile(str(site / CATALOGUE))
    entry = next(e for e in po if "großen" in e.msgid)
    entry.tcomment = "machine draft: pseudo 2021-01-06"
    po.save()
    assert invoke("build", "--root", site).exit_code == 0
    text = (site / VARIANT).read_text()
    assert "### Die großen Herausforderungen " in text and "The challenges" not in text
    assert "outdated: 0, machine: false" in text  # not shown, so no machine text either
    assert invoke("build", "--root", site, "--include-fuzzy").exit_code == 0
    text = (site / VARIANT).read_text()
    assert "### The challenges " in text and "machine: true" in text
    assert "partly machine-translated" in banner(
        (jekyll_build(site / "content") / ENGLISH_PAGE).read_text()
    )


def test_threshold_keeps_a_mostly_german_variant_unpublished(site: Path) -> None:
    configure(site, "threshold = 80\n")
    fill_catalogue(site / CATALOGUE, lambda e: english(e) if e.msgid == HEADING else "")
    assert invoke("sync", "--root", site).exit_code == 0
    assert not (site / VARIANT).exists()
    built = jekyll_build(site / "content")
    # No page calling itself English while full of German: polyglot's fallback copy of
    # the German post, marked German.
    page = (built / ENGLISH_PAGE).read_text()
    assert '<html lang="de">' in page and "The challenges" not in page
    fill_catalogue(site / CATALOGUE, english)
    assert invoke("sync", "--root", site).exit_code == 0
    page = (jekyll_build(site / "content", site / "again") / ENGLISH_PAGE).read_text()
    assert '<html lang="en">' in page and "The challenges" in page


def test_status_map_in_toml_front_matter_for_hugo(tmp_path: Path) -> None:
    root = tmp_path / "hugo"
    shutil.copytree(REPO / "tests/fixtures/sites/hugo-shortcodes", root)
    configure(root, 'status_key = "translation"\n')
    post = root / "content/posts/toml.md"
    post.write_text(
        '+++\ntitle = "Ein TOML-Beitrag"\ndate = 2021-03-04T10:00:00+01:00\n'
        '[params]\nfarbe = "blau"\n+++\nEin erster Absatz.\n\nEin zweiter Absatz.\n'
    )
    assert invoke("sync", "--root", root).exit_code == 0
    fill_catalogue(
        root / "locales/en/LC_MESSAGES/toml.po",
        lambda e: "A first paragraph." if e.msgid == "Ein erster Absatz." else "",
    )
    assert invoke("sync", "--root", root).exit_code == 0
    text = (root / "content/posts/toml.en.md").read_text()
    front = tomllib.loads(text.split("+++\n")[1])
    assert front["translation"] == {
        "percent": 33,
        "outdated": 0,
        "machine": False,
        "source_updated": datetime.date(2021, 3, 4),
    }
    assert front["params"] == {"farbe": "blau"}  # the map is no key of the [params] table
    page = (hugo_build(root) / "en/posts/toml/index.html").read_text()
    assert "A first paragraph." in page and "Ein zweiter Absatz." in page
    assert '<p class="translation-status">33% translated; original of 2021-03-04</p>' in page


def test_the_default_threshold_publishes_a_post_from_80_percent(site: Path, tmp_path: Path) -> None:
    # The example site's postlingo.toml names no threshold: the default, 80 (po4a's --keep).
    assert "threshold" not in (site / "postlingo.toml").read_text()
    msgids = [e.msgid for e in polib.pofile(str(site / CATALOGUE)) if not e.obsolete]
    assert len(msgids) == 6 and HEADING in msgids
    others = [msgid for msgid in msgids if msgid != HEADING]

    def leave_out(count: int) -> None:
        fill_catalogue(site / CATALOGUE, lambda e: "" if e.msgid in others[:count] else english(e))
        result = invoke("sync", "--root", site)
        assert result.exit_code == 0, result.output

    leave_out(2)  # 4 of 6: 67 %
    assert not (site / VARIANT).exists()
    page = (jekyll_build(site / "content", tmp_path / "below") / ENGLISH_PAGE).read_text()
    assert '<html lang="de">' in page and "The challenges" not in page  # polyglot's fallback
    leave_out(1)  # 5 of 6: 83 %
    page = (jekyll_build(site / "content", tmp_path / "above") / ENGLISH_PAGE).read_text()
    assert '<html lang="en">' in page and "The challenges" in page
