"""Templates and catalogues: templates from segments, loading, saving, translations."""

from __future__ import annotations

from pathlib import Path

import pytest

from postlingo.catalogue.merge import new_catalogue
from postlingo.catalogue.po import (
    BODY_FLAG,
    language_name,
    load_catalogue,
    make_template,
    render,
    same_template,
    save_catalogue,
    translations,
)
from postlingo.errors import InputError
from postlingo.source.segment import InlineText, Segment


def _segments() -> list[Segment]:
    shape = InlineText()
    return [
        Segment("Ein Titel", 2, 0, 0, shape, kind="front-matter", context="title"),
        Segment("Ein Absatz.", 5, 0, 0, shape, notes=("A note for translators.",)),
        Segment("Ein Absatz.", 9, 0, 0, shape),
        Segment("Ein Titel", 11, 0, 0, shape, kind="heading"),
    ]


def test_language_names_are_english() -> None:
    assert language_name("pt-BR") == "Portuguese (Brazil)"
    assert language_name("en") == "English"


def test_template_has_one_entry_per_text_and_context_with_every_reference() -> None:
    pot = make_template(_segments(), "content/_posts/p.md", "site")
    assert [(e.msgctxt, e.msgid) for e in pot] == [
        ("title", "Ein Titel"),
        (None, "Ein Absatz."),
        (None, "Ein Titel"),
    ]
    # No md-text in files: GNU tools drop flags they do not know (Weblate gets it per component).
    assert pot[0].flags == [] and pot[1].flags == []
    assert pot[1].occurrences == [("content/_posts/p.md", "5"), ("content/_posts/p.md", "9")]
    assert pot[1].comment == "A note for translators."
    assert pot.metadata_is_fuzzy and pot.metadata["Project-Id-Version"] == "site"
    assert "POT-Creation-Date" in pot.metadata


def test_same_template_ignores_only_the_creation_date() -> None:
    one = make_template(_segments(), "p.md", "site")
    two = make_template(_segments(), "p.md", "site")
    two.metadata["POT-Creation-Date"] = "2000-01-01 00:00+0000"
    assert same_template(one, two)
    two[1].occurrences[0] = ("p.md", "6")
    assert not same_template(one, two)


def test_save_writes_only_when_the_text_changes(tmp_path: Path) -> None:
    path = tmp_path / "locales/en/LC_MESSAGES/p.po"
    po = new_catalogue(make_template(_segments(), "p.md", "site"), "en")
    assert save_catalogue(po, path, 79, write=False)  # would create it
    assert not path.exists()
    assert save_catalogue(po, path, 79)
    stamp = path.stat().st_mtime_ns
    assert not save_catalogue(load_catalogue(path), path, 79)
    assert not save_catalogue(po, path, 79, write=False)
    assert path.stat().st_mtime_ns == stamp
    assert path.read_text(encoding="utf-8") == render(load_catalogue(path), 79)


def test_load_reports_the_line_of_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.po"
    path.write_text('msgid ""\nmsgstr ""\n\nmsgid "a"\nbogus "b"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_catalogue(path)
    assert caught.value.path == path and caught.value.line == 5
    assert "invalid PO file" in caught.value.message


def test_load_rejects_duplicate_entries(tmp_path: Path) -> None:
    path = tmp_path / "twice.po"
    path.write_text('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', encoding="utf-8")
    with pytest.raises(InputError, match="already exists"):
        load_catalogue(path)


def test_translations_leave_out_empty_obsolete_and_fuzzy_entries(tmp_path: Path) -> None:
    po = new_catalogue(make_template(_segments(), "p.md", "site"), "en")
    po[0].msgstr = "A title"
    po[1].msgstr, po[1].flags = "A paragraph.", ["fuzzy", BODY_FLAG]
    po[2].msgstr, po[2].obsolete = "A heading", True
    path = tmp_path / "p.po"
    assert {key: t.text for key, t in translations(po, path).items()} == {
        ("title", "Ein Titel"): "A title"
    }
    with_fuzzy = translations(po, path, include_fuzzy=True)
    assert with_fuzzy[(None, "Ein Absatz.")].fuzzy


@pytest.mark.parametrize("line", ['msgctxt "title', '#~ msgstr "b', '"continued', 'msgid "a" "b'])
def test_load_rejects_a_string_polib_would_cut_short(tmp_path: Path, line: str) -> None:
    path = tmp_path / "cut.po"
    path.write_text(f'msgid "x"\nmsgstr "y"\n\n{line}\nmsgid "a"\nmsgstr "b"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_catalogue(path)
    assert caught.value.line == 4
