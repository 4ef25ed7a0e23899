"""Translation memory: the translations a project already has, offered for new text.

The memory of a language holds every reviewed translation (translated, not fuzzy; obsolete
ones too: text that left a post keeps a good translation) of the project's catalogues in that
language and of the compendium PO files the configuration names (``compendia``, ``{lang}``
allowed). A text finds its exact match (same context preferred), or else the closest text at
least ``memory_threshold`` alike, by the same similarity ``update`` uses for fuzzy matching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polib

from ..catalogue.locales import catalogue_names, catalogue_path, gettext_language
from ..catalogue.merge import closest, similarity
from ..catalogue.po import load_catalogue
from ..config import Config
from ..errors import ConfigError, PostlingoError


@dataclass(frozen=True)
class Match:
    """A translation from memory: how alike its source is (1.0: the same), and where from."""

    text: str
    score: float
    origin: Path
    source: str  # the msgid it translates

    def describe(self, root: Path) -> str:
        where = self.origin.relative_to(root) if self.origin.is_relative_to(root) else self.origin
        kind = "exact match" if self.score == 1.0 else f"{int(self.score * 100)}% match"
        return f"{kind}, {where.as_posix()}"


@dataclass
class Memory:
    """Reviewed translations of one language, with the file each came from."""

    threshold: float
    entries: list[polib.POEntry] = field(default_factory=list)
    origins: dict[int, Path] = field(default_factory=dict)  # id(entry) -> file
    exact: dict[str, list[polib.POEntry]] = field(default_factory=dict)  # msgid -> entries
    problems: list[PostlingoError] = field(default_factory=list)  # files that could not be read
    _seen: set[tuple[str | None, str, str]] = field(default_factory=set)

    def add(self, po: polib.POFile, origin: Path) -> None:
        for entry in po:
            if not entry.msgstr or entry.fuzzy or entry.msgid_plural:
                continue
            if (entry.msgctxt, entry.msgid, entry.msgstr) in self._seen:
                continue
            self._seen.add((entry.msgctxt, entry.msgid, entry.msgstr))
            self.entries.append(entry)
            self.origins[id(entry)] = origin
            self.exact.setdefault(entry.msgid, []).append(entry)

    def lookup(self, entry: polib.POEntry) -> Match | None:
        """The best translation memory holds for ``entry``'s text, or None."""
        same = self.exact.get(entry.msgid, [])
        if same:
            found = next((e for e in same if e.msgctxt == entry.msgctxt), same[0])
            return Match(found.msgstr, 1.0, self.origins[id(found)], found.msgid)
        near = closest(entry, self.entries, self.threshold)
        if near is None:
            return None
        found = near
        score = similarity(entry.msgid, found.msgid)
        return Match(found.msgstr, min(score, 0.99), self.origins[id(found)], found.msgid)


def load_memory(config: Config, language: str) -> Memory:
    """The memory of ``language``: its catalogues, then its compendia."""
    memory = Memory(config.memory_threshold)
    for name in catalogue_names(config.locales_dir, language):
        _add_file(memory, catalogue_path(config.locales_dir, name, language))
    for path in compendia(config, language):
        _add_file(memory, path, language)
    return memory


def compendia(config: Config, language: str) -> list[Path]:
    """The compendium files of ``language``; a name with ``{lang}`` may be missing."""
    paths = []
    for pattern in config.compendia:
        path = config.root / pattern.replace("{lang}", gettext_language(language))
        if path.is_file():
            paths.append(path)
        elif "{lang}" not in pattern:
            raise ConfigError("compendium not found (configuration key 'compendia')", path)
    return paths


def _add_file(memory: Memory, path: Path, compendium_of: str | None = None) -> None:
    try:
        po = load_catalogue(path)
    except PostlingoError as exc:
        memory.problems.append(exc)
        return
    declared = po.metadata.get("Language", "")
    if compendium_of and declared and declared != gettext_language(compendium_of):
        raise ConfigError(
            f"compendium for {declared!r} used for {compendium_of!r} "
            "(put {lang} in its name in 'compendia')",
            path,
        )
    memory.add(po, path)
