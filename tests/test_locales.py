"""The locales folder: where templates and catalogues live, and which ones are there."""

from __future__ import annotations

from pathlib import Path

from postlingo.catalogue.locales import (
    catalogue_languages,
    catalogue_names,
    catalogue_path,
    template_names,
    template_path,
)


def test_paths_use_the_gettext_language_form(tmp_path: Path) -> None:
    assert (
        catalogue_path(tmp_path, "2021/post", "pt-BR")
        == tmp_path / "pt_BR/LC_MESSAGES/2021/post.po"
    )
    assert template_path(tmp_path, "2021/post") == tmp_path / "templates/2021/post.pot"


def test_names_and_languages_found_in_the_locales_folder(tmp_path: Path) -> None:
    for relative in (
        "templates/a.pot",
        "templates/sub/b.pot",
        "en/LC_MESSAGES/a.po",
        "en/LC_MESSAGES/sub/b.po",
        "pt_BR/LC_MESSAGES/a.po",
        "notes/x.txt",
    ):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("", encoding="utf-8")
    assert template_names(tmp_path) == ["a", "sub/b"]
    assert catalogue_names(tmp_path, "en") == ["a", "sub/b"]
    assert catalogue_names(tmp_path, "fr") == []
    assert catalogue_languages(tmp_path) == ["en", "pt_BR"]
    assert catalogue_languages(tmp_path / "missing") == []
