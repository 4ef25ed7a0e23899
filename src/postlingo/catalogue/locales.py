"""The locales folder: where each post's template and catalogues live.

``locales/templates/<name>.pot`` and ``locales/<lang>/LC_MESSAGES/<name>.po``, with the
language in gettext's form, as Poedit, Weblate and ``msgfmt`` expect them. Only paths here:
a sync that finds nothing to do looks at these without loading the catalogue machinery.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel import Locale

from ..fileio import glob

TEMPLATES = "templates"
MESSAGES = "LC_MESSAGES"
TAXONOMY = "taxonomy"  # names the shared template and catalogues of taxonomy terms


def template_path(locales: Path, name: str) -> Path:
    return locales.joinpath(TEMPLATES, f"{name}.pot")  # (one join: twice as quick as /)


def catalogue_path(locales: Path, name: str, language: str) -> Path:
    return locales.joinpath(gettext_language(language), MESSAGES, f"{name}.po")


def template_names(locales: Path) -> list[str]:
    """The names of the templates in ``locales`` (``sub/post`` for ``sub/post.pot``)."""
    return _names(locales / TEMPLATES, ".pot")


def catalogue_names(locales: Path, language: str) -> list[str]:
    """The names of the catalogues of ``language`` in ``locales``."""
    return _names(locales / gettext_language(language) / MESSAGES, ".po")


def catalogue_languages(locales: Path) -> list[str]:
    """The languages that have a catalogue folder in ``locales`` (gettext form)."""
    if not locales.is_dir():
        return []
    return sorted(
        folder.name
        for folder in locales.iterdir()
        if folder.name != TEMPLATES and (folder / MESSAGES).is_dir()
    )


def _names(folder: Path, suffix: str) -> list[str]:
    """The names of the ``suffix`` files below ``folder`` (symbolic links to folders are
    not followed)."""
    return sorted(
        key[: -len(suffix)]
        for key, entry in glob(str(folder), f"**/*{suffix}")
        if len(key.rsplit("/", 1)[-1]) > len(suffix) and entry and entry.is_file()
    )


@lru_cache(maxsize=64)
def gettext_language(code: str) -> str:
    """``pt-BR`` → ``pt_BR``: the form gettext uses for ``Language`` and folder names."""
    return str(Locale.parse(code.replace("-", "_")))
