"""How far each catalogue is translated, whether its variant is current, and what is left over.

Nothing is written: the variant state compares what ``build`` would write with the file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import polib

from ..catalogue.locales import (
    TAXONOMY,
    catalogue_names,
    catalogue_path,
    gettext_language,
    template_names,
    template_path,
)
from ..catalogue.po import load_catalogue
from ..catalogue.store import Store, group_name
from ..config import Config
from ..errors import PostlingoError, TranslationError
from ..outcome import Outcome
from ..pipeline import planned_variant, warm_up
from ..pipeline import read as read_post
from ..site.sources import Source, find_sources
from ..source.post import Post
from ..source.segment import Segment
from ..variant.links import forget as forget_links

# Variant states: what ``build`` would do with the variant file.
CURRENT, MISSING, OUTDATED, BROKEN = "current", "missing", "outdated", "fails"
UNPUBLISHED = "below threshold"  # build writes no variant
TOTAL, ALL = "(total)", "(all)"  # the name of total rows, the language of the grand total


@dataclass(frozen=True)
class CatalogueStatus:
    """Counts of one catalogue's entries (obsolete entries are not part of the total) and the
    state of its variant ("" when there is nothing to build)."""

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
    words_fuzzy: int = 0
    words_untranslated: int = 0
    variant: str = ""

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0


def count(po: polib.POFile, name: str, language: str, path: Path) -> CatalogueStatus:
    """Entries and words (of the msgids) translated, fuzzy, untranslated; obsolete entries."""
    entries = {"translated": 0, "fuzzy": 0, "untranslated": 0, "obsolete": 0}
    words = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for entry in po:
        if entry.obsolete:
            entries["obsolete"] += 1
            continue
        kind = "untranslated" if not entry.msgstr else "fuzzy" if entry.fuzzy else "translated"
        entries[kind] += 1
        words[kind] += len(entry.msgid.split())
    return CatalogueStatus(
        name,
        language,
        path,
        True,
        translated=entries["translated"],
        fuzzy=entries["fuzzy"],
        untranslated=entries["untranslated"],
        obsolete=entries["obsolete"],
        words=sum(words.values()),
        words_translated=words["translated"],
        words_fuzzy=words["fuzzy"],
        words_untranslated=words["untranslated"],
    )


# The counts a row has, summed in totals (and listed in reports).
COUNTS = (
    "translated",
    "fuzzy",
    "untranslated",
    "obsolete",
    "words",
    "words_translated",
    "words_fuzzy",
    "words_untranslated",
)


def totals(rows: Iterable[CatalogueStatus], language: str | None, locales: Path) -> CatalogueStatus:
    """The sums of ``rows`` (of one language, or of all when ``language`` is None)."""
    chosen = [row for row in rows if language is None or row.language == language]
    sums = {name: sum(getattr(row, name) for row in chosen) for name in COUNTS}
    where = locales / gettext_language(language) if language else locales
    return CatalogueStatus(TOTAL, language or ALL, where, True, **sums)


def variant_state(
    config: Config,
    source: Source,
    post: Post,
    segments: list[Segment],
    language: str,
    po: polib.POFile,
    include_fuzzy: bool = False,
) -> tuple[Path, str, str]:
    """Where the variant goes, its state and the text ``build`` would write ("" when it
    writes none); raises ``TranslationError`` where build would reject a translation (the
    first one it leaves out: the variant would not be what the catalogue says)."""
    warnings: list[PostlingoError] = []
    path, text = planned_variant(
        config, source, post, segments, language, po, include_fuzzy, warnings
    )
    left_out = [problem for problem in warnings if isinstance(problem, TranslationError)]
    if left_out:
        raise left_out[0]
    if text is None:
        return path, UNPUBLISHED, ""
    if not path.exists():
        return path, MISSING, text
    return path, CURRENT if path.read_bytes() == text.encode("utf-8") else OUTDATED, text


def status(
    config: Config, include_fuzzy: bool = False, cache: bool = True
) -> tuple[list[CatalogueStatus], list[PostlingoError]]:
    """The status of every post's catalogue and variant in every language (the posts
    spread over the cores, as sync does). A post whose files did not change keeps the rows
    of the last status (``qa.cache``; not a post that met a problem: it is told again)."""
    from .cache import dump, load, open_results

    forget_links()  # (a new command: posts may have changed)
    rows: list[CatalogueStatus] = []
    errors: list[PostlingoError] = []
    sources = find_sources(config)
    work = partial(_posts_status, config, include_fuzzy, Store(config, sources))
    results = open_results(config, "status", [include_fuzzy], sources, cache)
    todo = [source for source in sources if results.result(source.name) is None]
    # (each post's files printed before it is looked at: a later write shows next time)
    done = results.judged(work, todo, partial(warm_up, config))
    found = {source.name: result for source, result in zip(todo, done, strict=True)}
    for source in sources:
        if source.name not in found:
            rows += load(config.root, results.result(source.name), _CACHED)
            continue
        files, (post_rows, post_errors) = found[source.name]
        kept = None if post_errors else dump(config.root, post_rows)
        results.store(source.name, files, kept)
        rows += post_rows
        errors += post_errors
    results.save()
    if config.taxonomy:
        rows += _shared_rows(config, TAXONOMY, errors)
    return rows, errors


_CACHED = {"CatalogueStatus": CatalogueStatus}  # (what a post's cached result holds)


def _posts_status(
    config: Config, include_fuzzy: bool, store: Store, sources: list[Source]
) -> list[tuple[list[CatalogueStatus], list[PostlingoError]]]:
    return [_post_status(config, include_fuzzy, source, store) for source in sources]


def _post_status(
    config: Config, include_fuzzy: bool, source: Source, store: Store | None = None
) -> tuple[list[CatalogueStatus], list[PostlingoError]]:
    """The rows of one post, one per language, and the problems met."""
    rows: list[CatalogueStatus] = []
    errors: list[PostlingoError] = []
    read = Outcome()
    work = read_post(config, source, read)  # (the pipeline's read step and error policy)
    errors += read.errors
    post, segments = work.post, work.segments
    store = store or Store(config)
    for language in config.languages:
        path = store.catalogue_file(source, language)
        try:
            found = store.catalogue(source, language)
        except PostlingoError as exc:
            errors.append(exc)
            continue
        if found is None:
            rows.append(CatalogueStatus(source.name, language, path, False))
            continue
        po = found
        row = count(po, source.name, language, path)
        if post is not None:
            try:
                state = variant_state(config, source, post, segments, language, po, include_fuzzy)[
                    1
                ]
            except PostlingoError as exc:
                errors.append(exc)
                state = BROKEN
            row = dataclasses.replace(row, variant=state)
        rows.append(row)
    return rows, errors


def _shared_rows(config: Config, name: str, errors: list[PostlingoError]) -> list[CatalogueStatus]:
    """The rows of a catalogue every post shares (it has no variant of its own)."""
    rows = []
    for language in config.languages:
        path = catalogue_path(config.locales_dir, name, language)
        if not path.exists():
            rows.append(CatalogueStatus(name, language, path, False))
            continue
        try:
            rows.append(count(load_catalogue(path), name, language, path))
        except PostlingoError as exc:
            errors.append(exc)
    return rows


def orphan_catalogues(config: Config, sources: list[Source] | None = None) -> list[Path]:
    """Templates, and catalogues of the configured languages, that no source post names
    (nor the shared taxonomy catalogue)."""
    posts = find_sources(config) if sources is None else sources
    names = {group_name(config.catalogues, source) for source in posts}  # (post's or group's)
    if config.taxonomy:
        names.add(TAXONOMY)
    locales = config.locales_dir
    found = [template_path(locales, name) for name in template_names(locales) if name not in names]
    for language in config.languages:
        found += [
            catalogue_path(locales, name, language)
            for name in catalogue_names(locales, language)
            if name not in names
        ]
    return found


MACHINE_DRAFT = "machine draft"  # drafts.draft.MARK (draft imports qa: not imported here)


@dataclass(frozen=True)
class Review:
    """A fuzzy entry to review (for the HTML report): where it is, its text, the draft or
    old translation, and the earlier source text when the source changed (``#| msgid``)."""

    path: Path
    line: int
    msgctxt: str | None
    msgid: str
    msgstr: str
    previous: str | None
    machine: bool


def reviews(po: polib.POFile, path: Path) -> tuple[int, list[Review]]:
    """The words of the machine-drafted fuzzy entries, and each fuzzy entry to review."""
    words, found = 0, []
    for entry in po:
        if entry.obsolete or not entry.fuzzy or not entry.msgstr:
            continue
        machine = any(
            line.strip().startswith(MACHINE_DRAFT) for line in (entry.tcomment or "").splitlines()
        )
        words += len(entry.msgid.split()) if machine else 0
        found.append(
            Review(
                path,
                entry.linenum or 0,
                entry.msgctxt,
                entry.msgid,
                entry.msgstr,
                entry.previous_msgid,
                machine,
            )
        )
    return words, found
