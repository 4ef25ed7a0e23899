"""Weblate as the team's engine, and GNU gettext: what they save, postlingo reads and keeps.

``postlingo weblate`` prints the component settings; the round trip saves catalogues with
translate-toolkit's PO storage (the code Weblate's "po" format runs) set up as those settings
set Weblate up, the way Weblate saves a translator's work (set target, approve, header).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polib
import pytest
from translate.storage import pypo

from conftest import CATALOGUE, POST_NAME, SOURCE, TEMPLATE, invoke


def _ok(*args: str | Path) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _settings(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_ok("weblate", "--root", root))
    return data


def _set_grouping(root: Path, grouping: str) -> None:
    """``catalogues`` in postlingo.toml (first: a top-level key)."""
    config = root / "postlingo.toml"
    config.write_text(
        f'catalogues = "{grouping}"\n' + config.read_text(encoding="utf-8"), encoding="utf-8"
    )


def _set_wrap(root: Path, width: int) -> None:
    with (root / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write(f"\nwrap_width = {width}\n")


def _weblate_store(path: Path, settings: dict[str, Any]) -> pypo.pofile:
    """The catalogue as Weblate's "po" format loads it, with the component's line wrap
    (weblate/trans/file_format_params.py: GettextPoLineWrap.setup_store)."""
    store = pypo.pofile(path.read_bytes())
    store.wrapper.width = int(settings["component"]["file_format_params"]["po_line_wrap"])
    return store


def _weblate_save(store: pypo.pofile, path: Path) -> None:
    """As Weblate's Translation.update_units + BasePoFormat.update_header, then save."""
    store.updateheader(
        add=True,
        last_translator="Jana Translator <jana@example.org>",
        plural_forms="nplurals=2; plural=n != 1;",
        language="en",
        PO_Revision_Date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M%z"),
        x_generator="Weblate 5.14.3",
    )
    buffer = io.BytesIO()
    store.serialize(buffer)
    path.write_bytes(buffer.getvalue())


def _approve(unit: pypo.pounit, target: str) -> None:
    """A translator's save in Weblate: the text, not fuzzy, no previous msgid
    (weblate/formats/ttkit.py: PoUnit.set_state)."""
    unit.target = target
    unit.markfuzzy(False)
    unit.prev_msgid = []
    unit.prev_msgid_plural = []
    unit.prev_msgctxt = []


# --- the settings ----------------------------------------------------------------------------


def test_settings_name_the_site_files(site: Path) -> None:
    data = _settings(site)
    component = data["component"]
    assert component["file_format"] == "po" and component["template"] == ""
    assert component["filemask"] == f"locales/*/LC_MESSAGES/{POST_NAME}.po"
    assert (site / component["new_base"]) == site / TEMPLATE
    assert component["check_flags"] == "md-text"
    assert component["file_format_params"]["po_line_wrap"] == 77  # msgcat -w 79
    assert component["report_source_bugs"] == ""  # the template owns Report-Msgid-Bugs-To
    addons = {addon["name"]: addon["configuration"] for addon in data["addons"]}
    assert set(addons) == {"weblate.discovery.discovery", "weblate.git.squash"}
    assert "weblate.gettext.msgmerge" in data["addons_not_to_install"]
    assert set(data["addons_why"]) == set(addons)


@pytest.mark.parametrize(
    ("grouping", "components"),
    [
        ("post", {POST_NAME, "2024/tief"}),
        ("directory", {"content/_posts", "content/_posts/2024"}),
    ],
)
def test_discovery_finds_every_catalogue_and_nothing_else(
    site: Path, grouping: str, components: set[str]
) -> None:
    """Weblate's ComponentDiscovery matches each file below the repository with ``match``
    and the language group with ``language_regex`` (weblate/trans/discovery.py)."""
    _set_grouping(site, grouping)
    (site / "postlingo.toml").write_text(
        (site / "postlingo.toml")
        .read_text(encoding="utf-8")
        .replace('languages = ["en"]', 'languages = ["en", "pt-BR"]'),
        encoding="utf-8",
    )
    nested = site / "content/_posts/2024/tief.md"
    nested.parent.mkdir()
    nested.write_text("---\ntitle: Tief\n---\nEin Absatz.\n", encoding="utf-8")
    _ok("extract", "--root", site)
    _ok("update", "--root", site)
    (site / "locales/.cache/drafts").mkdir(parents=True)
    (site / "locales/.cache/drafts/x.po").write_text("", encoding="utf-8")
    (site / "locales/fr/LC_MESSAGES").mkdir(parents=True)  # a language not configured
    (site / "locales/fr/LC_MESSAGES/other.po").write_text("", encoding="utf-8")
    discovery = next(
        addon["configuration"]
        for addon in _settings(site)["addons"]
        if addon["name"] == "weblate.discovery.discovery"
    )
    match, languages = re.compile(discovery["match"]), re.compile(discovery["language_regex"])
    found = set()
    for path in sorted(site.rglob("*")):
        hit = match.match(path.relative_to(site).as_posix())
        if hit and languages.match(hit["language"]):
            found.add((hit["component"], hit["language"]))
            template = discovery["new_base_template"].replace("{{ component }}", hit["component"])
            assert (site / template).is_file()
    assert found == {(name, language) for name in components for language in ("en", "pt_BR")}
    # The main component is the first catalogue discovery finds.
    component = _settings(site)["component"]
    assert component["filemask"].replace("*", "en") in {
        f"locales/en/LC_MESSAGES/{name}.po" for name in components
    }
    assert (site / component["new_base"]).is_file()


def test_one_component_for_a_site_grouped_site(site: Path) -> None:
    _set_grouping(site, "site")
    (site / "postlingo.toml").write_text(
        'taxonomy = ["tags"]\n' + (site / "postlingo.toml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    _ok("sync", "--root", site)
    result = invoke("weblate", "--root", site)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    component = data["component"]
    assert component["filemask"] == "locales/*/LC_MESSAGES/site.po"
    assert component["new_base"] == "locales/templates/site.pot"
    assert (site / component["new_base"]).is_file()
    assert (site / component["filemask"].replace("*", "en")).is_file()
    # No discovery: the site's catalogue and the taxonomy's are all there is.
    assert [addon["name"] for addon in data["addons"]] == ["weblate.git.squash"]
    assert set(data["addons_why"]) == {"weblate.git.squash"}
    [taxonomy] = data["other_components"]
    assert taxonomy["filemask"] == "locales/*/LC_MESSAGES/taxonomy.po"
    assert (site / taxonomy["new_base"]).is_file()
    assert taxonomy["check_flags"] == component["check_flags"] == "md-text"
    assert "no component discovery" in result.stderr
    files = {
        path.relative_to(site).as_posix()
        for path in (site / "locales").rglob("*.po")
        if ".cache" not in path.parts
    }
    assert files == {"locales/en/LC_MESSAGES/site.po", "locales/en/LC_MESSAGES/taxonomy.po"}


@pytest.mark.parametrize(("width", "line_wrap"), [(79, 77), (0, 65535)])
def test_line_wrap_follows_wrap_width(site: Path, width: int, line_wrap: int) -> None:
    _set_wrap(site, width)
    assert _settings(site)["component"]["file_format_params"]["po_line_wrap"] == line_wrap


def test_a_width_weblate_cannot_write_is_one_line(site: Path) -> None:
    _set_wrap(site, 60)
    result = invoke("weblate", "--root", site)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and "wrap_width = 60" in result.stderr
    assert len(result.stderr.splitlines()) == 1


# --- the round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("width", [79, 0])
def test_lines_weblate_wraps_its_own_way_stay_through_update(bare_site: Path, width: int) -> None:
    """translate-toolkit 3.20 wraps some texts unlike GNU (it may break after an opening
    quotation mark): ``update`` keeps the lines of an unchanged entry as they are, so
    Weblate and postlingo never rewrite each other's lines back and forth."""
    _set_wrap(bare_site, width)
    _ok("extract", "--root", bare_site)
    _ok("update", "--root", bare_site)
    path = bare_site / CATALOGUE
    po = polib.pofile(str(path))
    for entry in po:
        entry.msgstr = entry.msgid.replace("“", "„")  # long lines to wrap
    po.save()
    _ok("update", "--root", bare_site)
    ours = path.read_bytes()
    before = [(e.msgid, e.msgstr, e.flags) for e in polib.pofile(str(path))]
    store = _weblate_store(path, _settings(bare_site))
    for unit in store.units:
        if not unit.isheader():
            unit.target = str(unit.target)  # a translator saves: Weblate re-quotes the text
    _weblate_save(store, path)
    saved = path.read_bytes()
    assert saved.split(b"\n\n")[1:] != ours.split(b"\n\n")[1:]  # other lines than GNU's
    _ok("update", "--root", bare_site)
    assert path.read_bytes() == saved
    assert [(e.msgid, e.msgstr, e.flags) for e in polib.pofile(str(path))] == before


@pytest.mark.parametrize("grouping", ["post", "site"])
def test_a_catalogue_weblate_saved_is_read_without_finding_and_kept(
    site: Path, grouping: str
) -> None:
    _set_grouping(site, grouping)
    # The post changes: a paragraph is edited (fuzzy, with its previous msgid), one is new.
    text = (site / SOURCE).read_text(encoding="utf-8")
    text = text.replace("Wie haben Sie bisher", "Wie genau haben Sie bisher")
    (site / SOURCE).write_text(
        text + "\n\nEin ganz neuer Absatz mit einem [Link](/x).\n", encoding="utf-8"
    )
    _ok("extract", "--root", site)
    _ok("update", "--root", site)  # site: the post's catalogue moves into site.po
    settings = _settings(site)
    path = site / settings["component"]["filemask"].replace("*", "en")
    assert path == (
        site / CATALOGUE if grouping == "post" else site / "locales/en/LC_MESSAGES/site.po"
    )
    store = _weblate_store(path, settings)
    units = {unit.source: unit for unit in store.units if not unit.isheader()}
    fuzzy = next(unit for unit in units.values() if unit.isfuzzy())
    assert fuzzy.prev_msgid
    _approve(fuzzy, str(fuzzy.target).replace("How have you", "How exactly have you"))
    _approve(
        units["Ein ganz neuer Absatz mit einem [Link](/x)."],
        "A brand new paragraph with a [link](/x).",
    )
    _weblate_save(store, path)
    saved = path.read_bytes()
    assert b"X-Generator: Weblate" in saved and b"#, fuzzy" not in saved

    _ok("update", "--root", site)
    assert path.read_bytes() == saved  # postlingo changes nothing Weblate wrote
    _ok("update", "--root", site, "--check")
    _ok("build", "--root", site)
    result = invoke("check", "--root", site, "--strict", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []
    gnu = subprocess.run(
        ["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert gnu.returncode == 0, gnu.stderr
    built = (site / "content/_posts/en" / SOURCE.name).read_text(encoding="utf-8")
    assert "How exactly have you" in built and "[link](/x)" in built


def test_report_source_bugs_would_be_undone_by_update(site: Path) -> None:
    """Why the settings keep Weblate's report_source_bugs empty: the template owns the
    field, and update would put it back in every catalogue Weblate saved."""
    path = site / CATALOGUE
    store = _weblate_store(path, _settings(site))
    store.updateheader(add=True, report_msgid_bugs_to="bugs@example.org")
    _weblate_save(store, path)
    assert invoke("update", "--root", site, "--check").exit_code == 1


# --- GNU gettext ------------------------------------------------------------------------------


def _msgcat(path: Path) -> bytes:
    return subprocess.run(["msgcat", str(path)], capture_output=True, check=True).stdout


def test_msgcat_leaves_postlingo_files_byte_identical(site: Path) -> None:
    """The README's promise, on a template and on a catalogue with every kind of entry:
    translated, fuzzy with a previous msgid, untranslated, obsolete."""
    text = (site / SOURCE).read_text(encoding="utf-8")
    text = text.replace("Wie haben Sie bisher", "Wie genau haben Sie bisher")
    text = re.sub(r"\n### [^\n]*\n", "\n", text, count=1)  # a heading goes: obsolete
    (site / SOURCE).write_text(text + "\n\nEin neuer Absatz.\n", encoding="utf-8")
    _ok("extract", "--root", site)
    _ok("update", "--root", site)
    catalogue = (site / CATALOGUE).read_text(encoding="utf-8")
    assert "#, fuzzy" in catalogue and "#| msgid" in catalogue and "#~ msgid" in catalogue
    for path in (site / TEMPLATE, site / CATALOGUE):
        assert _msgcat(path) == path.read_bytes(), path


def test_update_removes_the_md_text_flag_an_older_postlingo_wrote(site: Path) -> None:
    path = site / CATALOGUE
    old = path.read_text(encoding="utf-8").replace(
        'msgid ""\n"Wie haben', '#, md-text\nmsgid ""\n"Wie haben'
    )
    path.write_text(old, encoding="utf-8")
    assert _msgcat(path) != path.read_bytes()  # GNU drops the flag it does not know
    _ok("update", "--root", site)
    assert "md-text" not in path.read_text(encoding="utf-8")
    assert _msgcat(path) == path.read_bytes()
