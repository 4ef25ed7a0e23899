"""Renamed posts, and variants postlingo did not write.

A post is *renamed* when a source post has no catalogue in any language while a gone post
(a template or catalogues left behind, no source) holds at least ``RENAME_OVERLAP`` of the
new post's texts. The decision is made once per post, on the texts (msgids) alone, not on
what happens to be translated, so every language's catalogue moves with it, whichever
languages the run was asked for.

A variant file that exists while postlingo has no catalogue for its post and language was
not written by postlingo (a human translation, or a mistyped ``locales``): no command
creates that catalogue, and so none overwrites the file, unless told to with ``--force``.
The rule needs no record of its own: the catalogues are committed with the site, so it
holds on a fresh clone as well.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from ..catalogue.locales import (
    TAXONOMY,
    catalogue_languages,
    catalogue_names,
    catalogue_path,
    template_names,
    template_path,
)
from ..catalogue.store import Store, references_in
from ..config import Config
from ..errors import InputError
from .sources import Source, variant_path

RENAME_OVERLAP = 0.5  # share of a new post's texts the gone post must have held
Key = tuple[str | None, str]


class ForeignVariant(InputError):
    """A variant file that postlingo did not write, in the way of one it would write."""


def foreign_variant(
    config: Config, source: Source, language: str, store: Store | None = None
) -> ForeignVariant | None:
    """The problem of ``source``'s variant in ``language`` if the file exists while there
    is no catalogue for it (no entry of the post, where posts share catalogues); None
    otherwise."""
    path = variant_path(config, source, language)
    if not os.path.lexists(path):
        return None
    if (store or Store(config)).has(source, language):
        return None
    hint = ""
    if not catalogue_languages(config.locales_dir):
        hint = (
            f" (there is no catalogue at all in '{config.locales}': is 'locales' right "
            "in the configuration?)"
        )
    return ForeignVariant(
        f"exists, but postlingo has no {language} catalogue for {source.relative}, so it "
        f"did not write it{hint}; 'postlingo import' brings its text into the catalogue, "
        "or remove the file, or run with --force to replace it",
        path,
    )


def gone_posts(config: Config, sources: Iterable[Source]) -> list[str]:
    """Names with a template or a catalogue (in any language) but no source post. (Where
    posts share catalogues, none: a renamed post's texts are the same entries.)"""
    if config.catalogues != "post":
        return sorted(Store(config, list(sources)).gone())
    locales = config.locales_dir
    names = set(template_names(locales))
    for language in catalogue_languages(locales):
        names.update(catalogue_names(locales, language))
    current = {source.relative.as_posix() for source in sources}
    names -= {source.name for source in sources}
    names.discard(TAXONOMY)
    # A file of another grouping (site.po) names posts that are here: not a gone post, but
    # what update migrates (catalogue.store).
    return sorted(name for name in names if not references(config, name) & current)


def references(config: Config, name: str) -> set[str]:
    """The posts the files named ``name`` reference (their ``#:`` lines)."""
    locales = config.locales_dir
    paths = [template_path(locales, name)]
    paths += [catalogue_path(locales, name, language) for language in catalogue_languages(locales)]
    return {ref for path in paths for ref in references_in(path)}


def find_renames(
    config: Config,
    sources: list[Source],
    keys_of: Callable[[Source], set[Key]],
    candidates: list[Source] | None = None,
) -> dict[str, str]:
    """New post name -> gone post name, for the posts (of ``candidates``, default all)
    without any catalogue whose texts (``keys_of``) a gone post held. Each gone post goes
    to at most one new post: the one that shares the largest part of its texts."""
    gone = gone_posts(config, sources)
    if not gone:
        return {}
    languages = catalogue_languages(config.locales_dir)
    store = Store(config, sources)
    fresh = [
        source
        for source in (sources if candidates is None else candidates)
        if not any(store.has(source, language) for language in languages)
    ]
    if not fresh:
        return {}
    held = {name: _texts(config, name, languages, store) for name in gone}
    scored = []
    for source in fresh:
        wanted = keys_of(source)
        for name, texts in held.items():
            if wanted:
                scored.append((len(wanted & texts) / len(wanted), source.name, name))
    moves: dict[str, str] = {}
    for score, new, old in sorted(scored, key=lambda item: -item[0]):
        if score >= RENAME_OVERLAP and new not in moves and old not in moves.values():
            moves[new] = old
    return moves


def _texts(config: Config, name: str, languages: list[str], store: Store) -> set[Key]:
    """The msgids a gone post had: its template's, else its catalogues' (current ones)."""
    from ..catalogue.po import load_catalogue  # (polib only when there is a gone post)

    if store.grouped:  # its part of the shared files
        gone = store.gone()[name]
        for language in [None, *languages]:
            try:
                po = store.view(gone, language)
            except InputError:
                continue  # a broken file is reported where it is used
            if po is not None:
                return {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}
        return set()

    paths = [template_path(config.locales_dir, name)]
    paths += [catalogue_path(config.locales_dir, name, language) for language in languages]
    for path in paths:
        if path.is_file():
            try:
                po = load_catalogue(path)
            except InputError:
                continue  # a broken file is reported where it is used
            return {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}
    return set()


def moved_catalogues(config: Config, old: str, new: str) -> list[tuple[str, Path, Path]]:
    """(language, old path, new path) for every language that has a catalogue of ``old``."""
    moves = []
    for language in catalogue_languages(config.locales_dir):
        path = catalogue_path(config.locales_dir, old, language)
        if path.is_file():
            moves.append((language, path, catalogue_path(config.locales_dir, new, language)))
    return moves


def template_keys(config: Config) -> Callable[[Source], set[Key]]:
    """``keys_of`` for ``find_renames`` from the templates on disk (``update`` runs after
    ``extract``)."""
    from ..catalogue.po import load_catalogue

    def keys(source: Source) -> set[Key]:
        path = template_path(config.locales_dir, source.name)
        if not path.is_file():
            return set()
        return {(e.msgctxt, e.msgid) for e in load_catalogue(path) if not e.obsolete}

    return keys


def old_variants(config: Config, old: str, source: Source) -> list[Path]:
    """The variants the gone post ``old`` had, where its renamed successor ``source``'s
    would be: same posts folder, same extension, every language with a catalogue."""
    gone = Source(source.posts_dir / f"{old}{source.relative.suffix}", source.posts_dir, old)
    found = []
    for language in catalogue_languages(config.locales_dir):
        try:
            path = variant_path(config, gone, language)
        except InputError:
            continue
        if path.is_file():
            found.append(path)
    return found
