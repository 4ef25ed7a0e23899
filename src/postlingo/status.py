"""How far each catalogue is translated."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib

from .catalogue import catalogue_path, load_catalogue
from .config import Config
from .errors import PostlingoError
from .project import find_sources


@dataclass(frozen=True)
class CatalogueStatus:
    """Counts of one catalogue's entries (obsolete entries are not part of the total)."""

    name: str
    language: str
    path: Path
    exists: bool
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    obsolete: int = 0
    words: int = 0
    words_translated: int = 0

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0


def count(po: polib.POFile, name: str, language: str, path: Path) -> CatalogueStatus:
    translated = fuzzy = untranslated = obsolete = words = words_done = 0
    for entry in po:
        if entry.obsolete:
            obsolete += 1
            continue
        size = len(entry.msgid.split())
        words += size
        if entry.fuzzy and entry.msgstr:
            fuzzy += 1
        elif entry.msgstr:
            translated += 1
            words_done += size
        else:
            untranslated += 1
    return CatalogueStatus(name, language, path, True, translated, fuzzy, untranslated,
                           obsolete, words, words_done)


def status(config: Config) -> tuple[list[CatalogueStatus], list[PostlingoError]]:
    """The status of every post's catalogue in every language."""
    rows, errors = [], []
    for source in find_sources(config):
        for language in config.languages:
            path = catalogue_path(config.locales_dir, source.name, language)
            if not path.exists():
                rows.append(CatalogueStatus(source.name, language, path, False))
                continue
            try:
                rows.append(count(load_catalogue(path), source.name, language, path))
            except PostlingoError as exc:
                errors.append(exc)
    return rows, errors
