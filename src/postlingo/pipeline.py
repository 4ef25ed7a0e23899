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

from .catalogue.locales import (
    TAXONOMY,
    catalogue_names,
    catalogue_path,
    gettext_language,
    template_names,
    template_path,
)
from .catalogue.merge import merge, new_catalogue
from .catalogue.po import (
    language_name,
    load_catalogue,
    make_template,
    plural_forms,
    same_template,
    save_catalogue,
    translations,
)
from .catalogue.taxonomy import (
    Term,
    post_terms,
    taxonomy_edits,
    taxonomy_template,
    taxonomy_translations,
)
from .config import Config
from .errors import InputError, PostlingoError, unexpected
from .fileio import batched, reading, remove, write_if_changed
from .outcome import Outcome, guard, locking
from .site.renames import (
    find_renames,
    foreign_variant,
    moved_catalogues,
    old_variants,
    template_keys,
)
from .site.sources import Source, find_sources, report_orphan_variants, variant_path
from .source.front_matter import existing_value, front_matter_segments, metadata_edits
from .source.markdown import body_segments, parser
from .source.post import Post, read_post
from .source.segment import Segment
from .state import Record, record
from .variant.build import Gate, JudgedTerms, Refused, apply, build_variant
from .variant.layouts import layout_for, slugify

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
    terms: dict[str, list[Term]] = {}
    for source, post, segments in _each(config, outcome):
        guard(outcome, lambda s=source, g=segments: _write_template(config, s, g, outcome),
              _shown(config, source.relative))
        terms[source.name] = _terms(config, source, post)
    if config.taxonomy:
        # A post that cannot be read keeps the terms it had (see held_terms).
        sources = find_sources(config)
        held = held_terms(config) if any(s.name not in terms for s in sources) else {}
        every = [term for s in sources
                 for term in terms.get(s.name, held.get(s.relative.as_posix(), []))]
        guard(outcome, lambda: _write_taxonomy(config, every, outcome))
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


@dataclass
class UpdateRun:
    """One run of ``update`` (or of a post's sync): its options, the posts it updates, and
    the renamed posts whose catalogues move (new name -> old name, ``renames``)."""

    config: Config
    outcome: Outcome
    write: bool = True  # False (--check): only report what would change
    keep_obsolete: bool = True
    force: bool = False  # replace variants postlingo did not write
    sources: dict[str, Source] = field(default_factory=dict)
    moves: dict[str, str] = field(default_factory=dict)
    move_variants: bool = False  # sync: a renamed post's old variants go too

    def save(self, po: polib.POFile, path: Path) -> bool:
        changed = save_catalogue(po, path, self.config.wrap_width, self.write)
        self.outcome.record(path, changed)
        return changed

    def remove(self, path: Path) -> None:
        if self.write:
            remove(path)
            _remove_empty_folders(path.parent, self.config.locales_dir)
        self.outcome.removed.append(path)


@locking
def update(config: Config, check: bool = False, prune: bool = False,
           keep_obsolete: bool = True, force: bool = False) -> Outcome:
    """Merge every template into the catalogue of every language, creating missing ones
    (not where a variant postlingo did not write is in the way, unless ``force``); a
    renamed post's catalogues move to its new name, in every language. ``prune`` removes
    the templates and catalogues of posts that are gone; ``check`` writes nothing
    (``written`` and ``removed`` then list what would change)."""
    outcome = Outcome()
    sources = find_sources(config)
    run = UpdateRun(config, outcome, not check, keep_obsolete, force,
                    {source.name: source for source in sources})
    run.moves = find_renames(config, sources, template_keys(config))
    names = [source.name for source in sources] + ([TAXONOMY] if config.taxonomy else [])
    for name in names:
        path = template_path(config.locales_dir, name)
        if not path.exists():
            outcome.errors.append(InputError("no template: run 'postlingo extract' first", path))
            continue
        guard(outcome, lambda n=name, p=path: _update_all(config, n, load_catalogue(p),
                                                          outcome, run))
    if prune:
        _prune(run, set(names))
    return outcome


def _update_all(config: Config, name: str, template: polib.POFile, outcome: Outcome,
                run: UpdateRun | None = None) -> dict[str, polib.POFile]:
    """Update the catalogues of every language; the merged catalogues, as saved."""
    run = run or UpdateRun(config, outcome)
    merged = _move(run, name, template) if name in run.moves else {}
    for language in config.languages:
        if language not in merged:
            guard(outcome, lambda lang=language: merged.__setitem__(
                lang, _update_one(config, name, template, lang, run)))
    return merged


def _update_one(config: Config, name: str, template: polib.POFile, language: str,
                run: UpdateRun) -> polib.POFile:
    path = catalogue_path(config.locales_dir, name, language)
    existing = None
    if path.exists():
        existing = load_catalogue(path, language=language)
    elif name in run.sources and not run.force:
        problem = foreign_variant(config, run.sources[name], language)
        if problem is not None:
            raise problem  # its catalogue would make the file look like postlingo's
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


def _move(run: UpdateRun, name: str, template: polib.POFile) -> dict[str, polib.POFile]:
    """Move the catalogues of the post ``name`` was renamed from, in every language that
    has one, merged with its new ``template``; its template and (``move_variants``) its
    variants go. The merged catalogues by language of the run."""
    config, old = run.config, run.moves[name]
    wanted = {gettext_language(language): language for language in config.languages}
    merged: dict[str, polib.POFile] = {}
    for language, old_path, new_path in moved_catalogues(config, old, name):
        po = planned_catalogue(config, template, language,
                               load_catalogue(old_path, language=language), run.keep_obsolete)
        if run.write:
            save_catalogue(po, new_path, config.wrap_width)
            remove(old_path)
            _remove_empty_folders(old_path.parent, config.locales_dir)
        run.outcome.renamed.append((old_path, new_path))
        if language in wanted:
            merged[wanted[language]] = po
    old_template = template_path(config.locales_dir, old)
    if old_template.exists():
        run.remove(old_template)
    if run.move_variants and name in run.sources:
        for path in old_variants(config, old, run.sources[name]):
            run.remove(path)
    return merged


def _prune(run: UpdateRun, names: set[str]) -> None:
    """Remove what belongs to no post (nor a renamed one): templates, and catalogues of
    the run's languages."""
    locales = run.config.locales_dir
    taken = set(run.moves.values())
    for name in template_names(locales):
        if name not in names and name not in taken:
            run.remove(template_path(locales, name))
    for language in run.config.languages:
        for name in catalogue_names(locales, language):
            if name not in names and name not in taken:
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
    ``prune``, remove variants whose source is gone. Fuzzy translations are used with
    ``include_fuzzy`` or the configuration's ``include_fuzzy``."""
    include_fuzzy = include_fuzzy or config.include_fuzzy
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
            problem = foreign_variant(config, source, language)
            if problem is not None:  # a human translation, or a mistyped 'locales'
                outcome.errors.append(problem)
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
    published, being below the threshold). A translation with an error finding (the rules
    of ``check``), or one that would break the post, is left out (the variant keeps the
    source's text there) and becomes a ``Refused`` warning; raises ``TranslationError``
    where translations break the post only together. Nothing is written."""
    po_path = catalogue_path(config.locales_dir, source.name, language)
    path = variant_path(config, source, language)
    found = translations(catalogue, po_path, include_fuzzy)
    gate = Gate(config, language, post)
    existing = _read_existing(path)
    slug = _slug(config, post, segments, found, existing, gate)
    layout = layout_for(config)
    metadata: dict[str, str | bool] = dict(layout.metadata(source.name, language, slug, post))
    left_out: list[Refused] = []
    terms = taxonomy_edits(post, config.taxonomy, JudgedTerms(taxonomy_translations(
        config.locales_dir, language, include_fuzzy), gate, left_out)) if config.taxonomy else []
    variant = build_variant(post, segments, found, language, metadata, terms,
                            config.allow_unsafe, gate)
    if warnings is not None:
        warnings += [*left_out, *variant.refused]
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
                                   config.allow_unsafe, gate).text
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
          found: dict[tuple[str | None, str], Any], existing: Post | None, gate: Gate
          ) -> str | None:
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
            title = found[segment.key]
            if gate.refusal(segment.msgid, segment.context, title) is not None:
                return None  # (build_variant reports it)
            return slugify(title.text) or None
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


@dataclass(frozen=True)
class Renames:
    """What a sync decides for all its posts before it spreads them over processes."""

    moves: dict[str, str] = field(default_factory=dict)  # new post name -> gone post name
    force: bool = False  # replace variants postlingo did not write


def plan_renames(config: Config, sources: list[Source], todo: list[Source],
                 force: bool = False) -> Renames:
    """Which of ``todo`` are renamed posts (decided here, once: two workers must not take
    the same gone post's catalogues)."""
    def keys(source: Source) -> set[tuple[str | None, str]]:
        try:
            template, _ = planned_template(config, source, read_segments(config, source)[1])
        except Exception:
            return set()
        return {(entry.msgctxt, entry.msgid) for entry in template if not entry.obsolete}
    return Renames(find_renames(config, sources, keys, todo), force)


def warm_up(config: Config) -> None:
    """Build the parser and load the languages' locale data: given to ``parallel_map`` to
    be done once, before its workers fork, rather than in every one of them."""
    parser(body=True)
    for language in config.languages:
        language_name(language), plural_forms(language)


def sync_posts(config: Config, include_fuzzy: bool, renames: Renames, sources: list[Source]
               ) -> list[tuple[Outcome, Record | None]]:
    """Sync some posts, their files written together (``batched``); for each post its
    outcome and its record for the state, or None if anything failed. ``renames`` says
    which posts take over a gone post's catalogues, and whether to replace variants
    postlingo did not write (``force``)."""
    done: list[tuple[Outcome, list[Path] | None, list[list[Any]]]] = []
    try:
        with batched():
            done = [_sync_post(config, include_fuzzy, renames, source) for source in sources]
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


def _sync_post(config: Config, include_fuzzy: bool, renames: Renames, source: Source
               ) -> tuple[Outcome, list[Path] | None, list[list[Any]]]:
    """Sync one post; the files its record for the state covers (None if anything
    failed), and its taxonomy terms."""
    outcome = Outcome()
    terms: list[list[Any]] = []
    files: list[Path] = []
    try:
        post, segments = read_segments(config, source)
        template = _write_template(config, source, segments, outcome)
        run = UpdateRun(config, outcome, force=renames.force, sources={source.name: source},
                        moves=renames.moves, move_variants=True)
        merged = _update_all(config, source.name, template, outcome, run)
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


def held_terms(config: Config) -> dict[str, list[Term]]:
    """The terms the taxonomy template on disk lists, by post (its path relative to the
    root): what a post that cannot be read now held when it last could be. Its terms stay
    in the shared catalogue meanwhile, so their translations do not turn obsolete (and
    come back, rebuilding every variant, once the post is fixed)."""
    path = template_path(config.locales_dir, TAXONOMY)
    held: dict[str, list[Term]] = {}
    try:
        template = load_catalogue(path) if path.exists() else []
    except InputError:
        return held  # a generated file: a broken one is written anew
    for entry in template:
        if entry.obsolete or entry.msgctxt is None:
            continue
        for source, line in entry.occurrences:
            held.setdefault(source, []).append(
                Term(entry.msgctxt, entry.msgid, source, int(line) if line.isdigit() else 0))
    return held


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
