"""The pipeline over a whole site: extract → update → build, and sync doing all three.

Each command is a function taking a ``Config``; it processes every post, collects the
problems of the ones it cannot process, and reports what it wrote in an ``Outcome``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path, PurePosixPath
from typing import Any

import polib

from .catalogue import (
    catalogue_languages,
    catalogue_names,
    catalogue_path,
    load_catalogue,
    make_template,
    same_template,
    save_catalogue,
    template_names,
    template_path,
    translations,
)
from .config import Config
from .errors import InputError, PostlingoError
from .fileio import write_if_changed
from .front_matter import existing_value, front_matter_segments, metadata_edits
from .layouts import layout_for, slugify
from .markdown import body_segments
from .merge import merge, new_catalogue, overlap
from .post import Post, read_post
from .segment import Segment
from .taxonomy import NAME as TAXONOMY
from .taxonomy import Term, post_terms, taxonomy_edits, taxonomy_template, taxonomy_translations
from .variant import apply, build_variant

_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Source:
    """A source post found by the ``posts`` globs."""

    relative: PurePosixPath  # to the project root
    posts_dir: PurePosixPath  # the glob's fixed folder, to the project root
    name: str  # below posts_dir, without extension: names the catalogues

    @property
    def below(self) -> PurePosixPath:
        return self.relative.relative_to(self.posts_dir)


@dataclass
class Outcome:
    """What a command did: files written, files left as they were, problems met."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    errors: list[PostlingoError] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    warnings: list[PostlingoError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def record(self, path: Path, changed: bool) -> None:
        (self.written if changed else self.unchanged).append(path)

    def extend(self, other: Outcome) -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.errors += other.errors
        self.removed += other.removed
        self.warnings += other.warnings


def find_sources(config: Config) -> list[Source]:
    """Every source post, sorted; generated variants are never sources."""
    layout = layout_for(config)
    # `--lang fr` narrows config.languages: the variants of the other languages that have
    # catalogues are still variants, not posts.
    languages = [*config.languages, *catalogue_languages(config.locales_dir)]
    found: dict[PurePosixPath, Source] = {}
    for pattern in config.posts:
        posts_dir = _fixed_prefix(pattern)
        for path in sorted(config.root.glob(pattern)):
            if not path.is_file():
                continue
            relative = PurePosixPath(path.relative_to(config.root).as_posix())
            below = relative.relative_to(posts_dir)
            if layout.is_variant(relative, posts_dir, languages):
                continue
            name = below.with_suffix("").as_posix()
            found.setdefault(relative, Source(relative, posts_dir, name))
    return sorted(found.values(), key=lambda source: source.relative)


def _fixed_prefix(pattern: str) -> PurePosixPath:
    parts = []
    for part in PurePosixPath(pattern).parts[:-1]:
        if _GLOB_CHARS & set(part):
            break
        parts.append(part)
    return PurePosixPath(*parts)


def read_segments(config: Config, source: Source) -> tuple[Post, list[Segment]]:
    """Read a post and cut it into segments: front-matter values first, then the body."""
    post = read_post(config.root / source.relative, source.name, _shown(config, source.relative))
    segments = front_matter_segments(post, config.front_matter) + body_segments(post)
    return post, segments


def _shown(config: Config, relative: PurePosixPath | Path) -> Path:
    return config.root / relative


def _each(config: Config, outcome: Outcome) -> Iterator[tuple[Source, Post, list[Segment]]]:
    """Every readable post with its segments; unreadable ones become errors in ``outcome``."""
    for source in find_sources(config):
        try:
            post, segments = read_segments(config, source)
        except PostlingoError as exc:
            outcome.errors.append(exc)
            continue
        yield source, post, segments


def _guard(outcome: Outcome, action: Callable[[], None]) -> None:
    try:
        action()
    except PostlingoError as exc:
        outcome.errors.append(exc)


# --- extract ------------------------------------------------------------------------------


def extract(config: Config) -> Outcome:
    """Write the template of every post (only where its entries changed), and the shared
    taxonomy template when the configuration names taxonomy keys."""
    outcome = Outcome()
    terms: list[Term] = []
    for source, post, segments in _each(config, outcome):
        _guard(outcome, lambda s=source, g=segments: _write_template(config, s, g, outcome))
        terms += _terms(config, source, post)
    if config.taxonomy:
        _guard(outcome, lambda: _write_taxonomy(config, terms, outcome))
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
        old = load_catalogue(path)
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
            path.unlink()
            _remove_empty_folders(path.parent, self.config.locales_dir)
        self.outcome.removed.append(path)

    def renamed(self, template: polib.POFile, language: str) -> polib.POFile | None:
        """The catalogue of a gone post that translates most of ``template`` (a renamed
        post), taken away from the orphans; None if there is none."""
        best, best_name, best_score = None, "", RENAME_OVERLAP
        for name in self.orphans.get(language, []):
            po = load_catalogue(catalogue_path(self.config.locales_dir, name, language))
            score = overlap(po, template)
            if score > best_score or (best is None and score >= best_score):
                best, best_name, best_score = po, name, score
        if best is not None:
            self.orphans[language].remove(best_name)
            self.moved.add(best_name)
            self.remove(catalogue_path(self.config.locales_dir, best_name, language))
        return best


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
        _guard(outcome, lambda n=name, p=path: _update_all(config, n, load_catalogue(p),
                                                           outcome, run))
    for name in sorted(run.moved):
        if template_path(config.locales_dir, name).exists():
            run.remove(template_path(config.locales_dir, name))
    if prune:
        _prune(run, set(names))
    return outcome


def _update_all(config: Config, name: str, template: polib.POFile, outcome: Outcome,
                run: UpdateRun | None = None) -> None:
    run = run or UpdateRun(config, outcome)
    for language in config.languages:
        _guard(outcome, lambda lang=language: _update_one(config, name, template, lang, run))


def _update_one(config: Config, name: str, template: polib.POFile, language: str,
                run: UpdateRun) -> None:
    path = catalogue_path(config.locales_dir, name, language)
    existing = load_catalogue(path) if path.exists() else run.renamed(template, language)
    merged = planned_catalogue(config, template, language, existing, run.keep_obsolete)
    run.save(merged, path)


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


def build(config: Config, include_fuzzy: bool = False, prune: bool = False) -> Outcome:
    """Write the variant of every post in every language that has a catalogue; with
    ``prune``, remove variants whose source is gone."""
    outcome = Outcome()
    _link_sources(config, outcome)
    for source, post, segments in _each(config, outcome):
        for language in config.languages:
            _guard(outcome, lambda s=source, p=post, g=segments, lang=language: _build_one(
                config, s, p, g, lang, include_fuzzy, outcome))
    _guard(outcome, lambda: _orphan_variants(config, prune, outcome))
    return outcome


def _orphan_variants(config: Config, prune: bool, outcome: Outcome) -> None:
    for path in orphan_variants(config):
        if prune:
            path.unlink()
            outcome.removed.append(path)
        else:
            outcome.warnings.append(PostlingoError(
                "variant without a source post ('build --prune' removes it)", path))


def variant_path(config: Config, source: Source, language: str) -> Path:
    """Where the variant goes; never outside the project root."""
    relative = layout_for(config).variant_path(source.relative, source.posts_dir, language)
    path = config.root / relative
    root = config.root.resolve()
    if not path.resolve().is_relative_to(root):
        raise InputError(f"the {language} variant would be written outside the project: "
                         f"{relative}", config.root / source.relative)
    return path


def orphan_variants(config: Config) -> list[Path]:
    """Variants of posts that are gone: files where the variant of a post with a template
    or catalogue would be, while that post is not there. A hand-written post in a language
    folder has no catalogue, so it is never taken for an orphan."""
    sources = {s.name for s in find_sources(config)}
    names = set(template_names(config.locales_dir))
    for language in config.languages:
        names.update(catalogue_names(config.locales_dir, language))
    names -= sources | {TAXONOMY}
    found = []
    for pattern in config.posts:
        posts_dir = _fixed_prefix(pattern)
        for name, ext in product(sorted(names), (".md", ".markdown")):
            gone = Source(posts_dir / f"{name}{ext}", posts_dir, name)
            for language in config.languages:
                try:
                    path = variant_path(config, gone, language)
                except PostlingoError:
                    continue  # reported where a post's variant is built
                if path.is_file() and path not in found:
                    found.append(path)
    return found


def _build_one(config: Config, source: Source, post: Post, segments: list[Segment],
               language: str, include_fuzzy: bool, outcome: Outcome) -> None:
    po_path = catalogue_path(config.locales_dir, source.name, language)
    if not po_path.exists():
        return
    path, text = planned_variant(config, source, post, segments, language,
                                 load_catalogue(po_path), include_fuzzy, outcome.warnings)
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
    variant = build_variant(post, segments, found, language, metadata, terms)
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
        return path, build_variant(post, segments, found, language, metadata, terms).text
    if warnings is not None:
        warnings.append(PostlingoError(f"{note}: kept as it was", path))
    return path, existing.bom + existing.text


def _read_existing(path: Path) -> Post | None:
    try:
        return read_post(path, path.stem)
    except FileNotFoundError:
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


def _link_sources(config: Config, outcome: Outcome) -> None:
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
        _guard(outcome, link)


# --- sync ---------------------------------------------------------------------------------


def sync(config: Config, include_fuzzy: bool = False) -> Outcome:
    """extract, update and build, post by post, reading each file once."""
    outcome = Outcome()
    _link_sources(config, outcome)
    terms: list[Term] = []
    for source, post, segments in _each(config, outcome):
        def one(s: Source = source, p: Post = post, g: list[Segment] = segments) -> None:
            template = _write_template(config, s, g, outcome)
            _update_all(config, s.name, template, outcome)
            for language in config.languages:
                _guard(outcome, lambda lang=language: _build_one(
                    config, s, p, g, lang, include_fuzzy, outcome))
        _guard(outcome, one)
        terms += _terms(config, source, post)
    if config.taxonomy:
        _guard(outcome, lambda: _update_all(config, TAXONOMY, _write_taxonomy(
            config, terms, outcome), outcome))
    _guard(outcome, lambda: _orphan_variants(config, False, outcome))
    return outcome
