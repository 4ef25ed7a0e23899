"""The pipeline over a whole site: extract → update → build, and the work ``sync`` does for
each post that changed (``sync_posts``, spread over processes by ``parallel_map``).

Each command is a function taking a ``Config``; it processes every post, collects the
problems of the ones it cannot process, and reports what it wrote in an ``Outcome``.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import polib

from .catalogue import (
    language_name,
    load_catalogue,
    make_template,
    plural_forms,
    same_template,
    save_catalogue,
    translations,
)
from .config import Config
from .errors import InputError, PostlingoError, unexpected
from .fileio import batched, reading, remove, write_if_changed
from .front_matter import existing_value, front_matter_segments, metadata_edits
from .layouts import layout_for, slugify
from .locales import TAXONOMY, catalogue_names, catalogue_path, template_names, template_path
from .markdown import body_segments, parser
from .merge import merge, new_catalogue, overlap
from .outcome import Outcome, guard, locking
from .post import Post, read_post
from .segment import Segment
from .sources import Source, find_sources, report_orphan_variants, variant_path
from .state import Record, record
from .taxonomy import Term, post_terms, taxonomy_edits, taxonomy_template, taxonomy_translations
from .variant import apply, build_variant

T = TypeVar("T")
R = TypeVar("R")


def read_segments(config: Config, source: Source) -> tuple[Post, list[Segment]]:
    """Read a post and cut it into segments: front-matter values first, then the body."""
    shown = _shown(config, source.relative)
    post = read_post(config.root / source.relative, source.name, shown, config.max_post_size)
    if not post.text.strip():
        raise InputError("empty post: nothing to translate", shown, 1)
    with reading(shown):  # whatever the parsers raise is a problem of this post
        segments = front_matter_segments(post, config.front_matter) + body_segments(post)
    return post, segments


def _shown(config: Config, relative: PurePosixPath | Path) -> Path:
    return config.root / relative


def _each(config: Config, outcome: Outcome) -> Iterator[tuple[Source, Post, list[Segment]]]:
    """Every readable post with its segments; unreadable ones become errors in ``outcome``."""
    for source in find_sources(config):
        try:
            post, segments = read_segments(config, source)
        except Exception as exc:  # one post's failure never stops the others
            outcome.errors.append(unexpected(exc, _shown(config, source.relative), "read"))
            continue
        yield source, post, segments


# --- extract ------------------------------------------------------------------------------


@locking
def extract(config: Config) -> Outcome:
    """Write the template of every post (only where its entries changed), and the shared
    taxonomy template when the configuration names taxonomy keys."""
    outcome = Outcome()
    terms: list[Term] = []
    for source, post, segments in _each(config, outcome):
        guard(outcome, lambda s=source, g=segments: _write_template(config, s, g, outcome),
              _shown(config, source.relative))
        terms += _terms(config, source, post)
    if config.taxonomy:
        guard(outcome, lambda: _write_taxonomy(config, terms, outcome))
    return outcome


def _terms(config: Config, source: Source, post: Post) -> list[Term]:
    return post_terms(post, source.relative.as_posix(), config.taxonomy)


def _write_taxonomy(config: Config, terms: list[Term], outcome: Outcome) -> polib.POFile:
    path = template_path(config.locales_dir, TAXONOMY)
    template = taxonomy_template(terms, config.project_name, config.wrap_width)
    template, current = _current_template(path, template)
    outcome.record(path, False if current else save_catalogue(template, path, config.wrap_width))
    return template


def _current_template(path: Path, template: polib.POFile) -> tuple[polib.POFile, bool]:
    """The file at ``path`` if it holds ``template``'s entries (and with them its
    POT-Creation-Date, which changes only with the content), else ``template``."""
    if path.exists():
        try:
            old = load_catalogue(path)
        except InputError:
            return template, False  # a generated file: a broken one is written anew
        if same_template(old, template):
            return old, True
    return template, False


def planned_template(config: Config, source: Source, segments: list[Segment]
                     ) -> tuple[polib.POFile, bool]:
    """The template ``extract`` would leave for ``source``, and whether the file on disk
    already is it. Nothing is written."""
    path = template_path(config.locales_dir, source.name)
    template = make_template(segments, source.relative.as_posix(), config.project_name,
                             config.wrap_width)
    return _current_template(path, template)


def _write_template(config: Config, source: Source, segments: list[Segment],
                    outcome: Outcome) -> polib.POFile:
    path = template_path(config.locales_dir, source.name)
    template, current = planned_template(config, source, segments)
    outcome.record(path, False if current else save_catalogue(template, path, config.wrap_width))
    return template


# --- update -------------------------------------------------------------------------------


RENAME_OVERLAP = 0.5  # share of a new post's texts a gone post's catalogue must translate


@dataclass
class UpdateRun:
    """One run of ``update``: its options, and the catalogues of posts that are gone."""

    config: Config
    outcome: Outcome
    write: bool = True  # False (--check): only report what would change
    keep_obsolete: bool = True
    orphans: dict[str, list[str]] = field(default_factory=dict)  # language -> names
    moved: set[str] = field(default_factory=set)  # names whose catalogues a renamed post took

    def save(self, po: polib.POFile, path: Path) -> None:
        self.outcome.record(path, save_catalogue(po, path, self.config.wrap_width, self.write))

    def remove(self, path: Path) -> None:
        if self.write:
            remove(path)
            _remove_empty_folders(path.parent, self.config.locales_dir)
        self.outcome.removed.append(path)

    def renamed(self, template: polib.POFile, language: str) -> polib.POFile | None:
        """The catalogue of a gone post that translates most of ``template`` (a renamed
        post), taken away from the orphans; None if there is none."""
        best, best_name, best_score = None, "", RENAME_OVERLAP
        for name in self.orphans.get(language, []):
            po = load_catalogue(catalogue_path(self.config.locales_dir, name, language),
                                language=language)
            score = overlap(po, template)
            if score > best_score or (best is None and score >= best_score):
                best, best_name, best_score = po, name, score
        if best is not None:
            self.orphans[language].remove(best_name)
            self.moved.add(best_name)
            self.remove(catalogue_path(self.config.locales_dir, best_name, language))
        return best


@locking
def update(config: Config, check: bool = False, prune: bool = False,
           keep_obsolete: bool = True) -> Outcome:
    """Merge every template into the catalogue of every language, creating missing ones;
    a renamed post's catalogues move to its new name. ``prune`` removes the templates and
    catalogues of posts that are gone; ``check`` writes nothing (``written`` and
    ``removed`` then list what would change)."""
    outcome = Outcome()
    sources = find_sources(config)
    run = UpdateRun(config, outcome, not check, keep_obsolete, _orphans(config, sources))
    names = [source.name for source in sources] + ([TAXONOMY] if config.taxonomy else [])
    for name in names:
        path = template_path(config.locales_dir, name)
        if not path.exists():
            outcome.errors.append(InputError("no template: run 'postlingo extract' first", path))
            continue
        guard(outcome, lambda n=name, p=path: _update_all(config, n, load_catalogue(p),
                                                          outcome, run))
    for name in sorted(run.moved):
        if template_path(config.locales_dir, name).exists():
            run.remove(template_path(config.locales_dir, name))
    if prune:
        _prune(run, set(names))
    return outcome


def _update_all(config: Config, name: str, template: polib.POFile, outcome: Outcome,
                run: UpdateRun | None = None) -> dict[str, polib.POFile]:
    """Update the catalogues of every language; the merged catalogues, as saved."""
    run = run or UpdateRun(config, outcome)
    merged: dict[str, polib.POFile] = {}
    for language in config.languages:
        guard(outcome, lambda lang=language: merged.__setitem__(
            lang, _update_one(config, name, template, lang, run)))
    return merged


def _update_one(config: Config, name: str, template: polib.POFile, language: str,
                run: UpdateRun) -> polib.POFile:
    path = catalogue_path(config.locales_dir, name, language)
    existing = (load_catalogue(path, language=language) if path.exists()
                else run.renamed(template, language))
    merged = planned_catalogue(config, template, language, existing, run.keep_obsolete)
    run.save(merged, path)
    return merged


def planned_catalogue(config: Config, template: polib.POFile, language: str,
                      existing: polib.POFile | None, keep_obsolete: bool = True
                      ) -> polib.POFile:
    """The catalogue ``update`` would write from ``template`` over ``existing`` (None: the
    file does not exist yet). Nothing is written."""
    if existing is None:
        return new_catalogue(template, language)
    return merge(existing, template, language, config.fuzzy_threshold, keep_obsolete)


def _orphans(config: Config, sources: list[Source]) -> dict[str, list[str]]:
    """Per language, the catalogues no source post (nor the taxonomy) names."""
    names = {source.name for source in sources} | ({TAXONOMY} if config.taxonomy else set())
    return {language: [name for name in catalogue_names(config.locales_dir, language)
                       if name not in names]
            for language in config.languages}


def _prune(run: UpdateRun, names: set[str]) -> None:
    """Remove what belongs to no post: templates, and catalogues of the run's languages."""
    locales = run.config.locales_dir
    for name in template_names(locales):
        if name not in names and name not in run.moved:
            run.remove(template_path(locales, name))
    for language, orphans in run.orphans.items():
        for name in orphans:
            run.remove(catalogue_path(locales, name, language))


def _remove_empty_folders(folder: Path, top: Path) -> None:
    # Posts in subfolders have catalogues in subfolders: leave no empty ones behind.
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        if folder.name in ("LC_MESSAGES", "templates"):
            break
        folder.rmdir()
        folder = folder.parent


# --- build --------------------------------------------------------------------------------


@locking
def build(config: Config, include_fuzzy: bool = False, prune: bool = False) -> Outcome:
    """Write the variant of every post in every language that has a catalogue; with
    ``prune``, remove variants whose source is gone."""
    outcome = Outcome()
    link_sources(config, outcome)
    for source, post, segments in _each(config, outcome):
        for language in config.languages:
            guard(outcome, lambda s=source, p=post, g=segments, lang=language: _build_one(
                config, s, p, g, lang, include_fuzzy, outcome), _shown(config, source.relative))
    guard(outcome, lambda: report_orphan_variants(config, outcome, prune))
    return outcome


def _build_one(config: Config, source: Source, post: Post, segments: list[Segment],
               language: str, include_fuzzy: bool, outcome: Outcome,
               catalogue: polib.POFile | None = None) -> None:
    """Build one variant, from ``catalogue`` as just saved by ``update`` or from its file."""
    po_path = catalogue_path(config.locales_dir, source.name, language)
    if catalogue is None:
        if not po_path.exists():
            return
        catalogue = load_catalogue(po_path, language=language)
    path, text = planned_variant(config, source, post, segments, language, catalogue,
                                 include_fuzzy, outcome.warnings)
    if text is not None:
        outcome.record(path, write_if_changed(path, text))


def planned_variant(config: Config, source: Source, post: Post, segments: list[Segment],
                    language: str, catalogue: polib.POFile, include_fuzzy: bool = False,
                    warnings: list[PostlingoError] | None = None) -> tuple[Path, str | None]:
    """Where ``build`` would write the variant in ``language`` and its text (None: not
    published, being below the threshold); raises ``TranslationError`` where a translation
    would break it. Nothing is written."""
    po_path = catalogue_path(config.locales_dir, source.name, language)
    path = variant_path(config, source, language)
    found = translations(catalogue, po_path, include_fuzzy)
    existing = _read_existing(path)
    slug = _slug(config, post, segments, found, existing)
    layout = layout_for(config)
    metadata: dict[str, str | bool] = dict(layout.metadata(source.name, language, slug))
    terms = taxonomy_edits(post, config.taxonomy, taxonomy_translations(
        config.locales_dir, language, include_fuzzy)) if config.taxonomy else []
    variant = build_variant(post, segments, found, language, metadata, terms,
                            config.allow_unsafe)
    percent = 100.0 * variant.translated / variant.total if variant.total else 100.0
    if percent >= config.threshold:
        return path, variant.text
    note = f"{percent:.0f}% translated, below the threshold of {config.threshold:g}%"
    if existing is None:
        return path, None
    if config.below_threshold == "unpublish":
        metadata["published"] = False
        if warnings is not None:
            warnings.append(PostlingoError(f"{note}: marked 'published: false'", path))
        return path, build_variant(post, segments, found, language, metadata, terms,
                                   config.allow_unsafe).text
    if warnings is not None:
        warnings.append(PostlingoError(f"{note}: kept as it was", path))
    return path, existing.bom + existing.text


def _read_existing(path: Path) -> Post | None:
    """The variant as it is, or None if there is none, or none readable (it is rewritten)."""
    try:
        return read_post(path, path.stem)
    except (FileNotFoundError, InputError):
        return None


def _slug(config: Config, post: Post, segments: list[Segment],
          found: dict[tuple[str | None, str], Any], existing: Post | None) -> str | None:
    """The translated slug: the one the variant already has (a published URL does not
    move), else made from the translated title."""
    if config.slug != "translate":
        return None
    if existing is not None:
        current = existing_value(existing, "slug")
        if current and current != existing_value(post, "slug"):
            return current  # a slug of its own, not the source's copied over
    for segment in segments:
        if segment.context == "title" and segment.key in found:
            return slugify(found[segment.key].text) or None
    return None


def link_sources(config: Config, outcome: Outcome) -> None:
    """Write the layout's link keys into the source posts themselves (``link_source``),
    before they are read for anything else, so templates see them from the start."""
    if not config.link_source:
        return
    layout = layout_for(config)
    for source in find_sources(config):
        def link(s: Source = source) -> None:
            post = read_post(config.root / s.relative, s.name, config.root / s.relative)
            edits = metadata_edits(post, dict(layout.source_metadata(s.name)))
            if edits:
                path = config.root / s.relative
                outcome.record(path, write_if_changed(path, post.bom + apply(post.text, edits)))
        guard(outcome, link)


# --- sync: the posts that changed ---------------------------------------------------------


def warm_up(config: Config) -> None:
    """Build the parser and load the languages' locale data: given to ``parallel_map`` to
    be done once, before its workers fork, rather than in every one of them."""
    parser(body=True)
    for language in config.languages:
        language_name(language), plural_forms(language)


def sync_posts(config: Config, include_fuzzy: bool, sources: list[Source]
               ) -> list[tuple[Outcome, Record | None]]:
    """Sync some posts, their files written together (``batched``); for each post its
    outcome and its record for the state, or None if anything failed."""
    done: list[tuple[Outcome, list[Path] | None, list[list[Any]]]] = []
    try:
        with batched():
            done = [_sync_post(config, include_fuzzy, source) for source in sources]
    except Exception as exc:  # the files could not be put in place: none of them is
        problem = unexpected(exc)
        return [(_failed(outcome, problem), None) for outcome, _, _ in done]
    return [(outcome, None if files is None else
             record(config.root, files, terms, outcome.warnings))
            for outcome, files, terms in done]


def _failed(outcome: Outcome, problem: PostlingoError) -> Outcome:
    outcome.errors.append(problem)
    outcome.written.clear()
    return outcome


def _sync_post(config: Config, include_fuzzy: bool, source: Source
               ) -> tuple[Outcome, list[Path] | None, list[list[Any]]]:
    """Sync one post; the files its record for the state covers (None if anything
    failed), and its taxonomy terms."""
    outcome = Outcome()
    terms: list[list[Any]] = []
    files: list[Path] = []
    try:
        post, segments = read_segments(config, source)
        template = _write_template(config, source, segments, outcome)
        merged = _update_all(config, source.name, template, outcome)
        for language in config.languages:
            guard(outcome, lambda lang=language: _build_one(
                config, source, post, segments, lang, include_fuzzy, outcome,
                merged.get(lang)))
        terms = [list(vars(term).values()) for term in _terms(config, source, post)]
        files = [config.root / source.relative, template_path(config.locales_dir, source.name)]
        for language in config.languages:
            files += [catalogue_path(config.locales_dir, source.name, language),
                      variant_path(config, source, language)]
    except Exception as exc:  # one post's failure never stops the others
        outcome.errors.append(unexpected(exc, _shown(config, source.relative)))
    return outcome, None if outcome.errors else files, terms


def sync_taxonomy(config: Config, terms: list[Term], outcome: Outcome) -> None:
    """Write the shared taxonomy template from all posts' ``terms``, and merge it into
    every language's taxonomy catalogue."""
    _update_all(config, TAXONOMY, _write_taxonomy(config, terms, outcome), outcome)


def parallel_map(work: Callable[[list[T]], list[R]], items: list[T], jobs: int | None = None,
                 prepare: Callable[[], object] | None = None) -> list[R]:
    """``work(items)``, done in chunks of at most ``_CHUNK`` items, spread over processes
    when there is enough work for more than one (forked workers start at once, with
    everything imported). ``work`` returns one result per item. ``prepare`` runs here
    before the workers fork, and only then: what each of them would otherwise do itself."""
    jobs = min(jobs or os.cpu_count() or 1, len(items) // _MIN_BATCH)
    if jobs > 1 and _can_fork():
        return _in_workers(work, items, jobs, prepare)
    return [result for chunk in _chunks(items, _CHUNK) for result in work(chunk)]


def _can_fork() -> bool:
    import multiprocessing  # (only a run with work to share pays for these imports)

    return "fork" in multiprocessing.get_all_start_methods()


def _in_workers(work: Callable[[list[T]], list[R]], items: list[T], jobs: int,
                prepare: Callable[[], object] | None) -> list[R]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if prepare is not None:
        prepare()
    chunks = _chunks(items, max(1, min(_CHUNK, len(items) // (jobs * 8))))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker,
                             initargs=(os.getpid(),)) as pool:
        return [result for results in pool.map(work, chunks) for result in results]


def _chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _start_worker(parent: int) -> None:
    """Make a worker end with the run that started it: a killed run's workers would
    otherwise live on, and one busy writing would write after the next run took the lock.
    Linux ends them itself (PR_SET_PDEATHSIG); elsewhere they stop at their next task.

    The worker's garbage collector also leaves alone what the worker inherited
    (``gc.freeze``) and runs less often: parsing makes millions of short-lived objects and
    hardly any cycles (5-7% of a cold sync's time, measured with bench/run.py)."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the run died before that took effect
        os._exit(1)


_MIN_BATCH = 40  # posts a worker process must have to be worth its start
# Posts whose files are written together: one flush of the disk for them all, and what a
# killed run loses at most.
_CHUNK = 20
