"""The pipeline over a whole site: extract → update → build, and sync doing all three.

Each command is a function taking a ``Config``; it processes every post, collects the
problems of the ones it cannot process, and reports what it wrote in an ``Outcome``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import polib

from .catalogue import (
    catalogue_path,
    load_catalogue,
    make_template,
    same_template,
    save_catalogue,
    template_path,
    translations,
)
from .config import Config
from .errors import InputError, PostlingoError
from .fileio import write_if_changed
from .front_matter import front_matter_segments
from .layouts import layout_for
from .markdown import body_segments
from .merge import merge, new_catalogue
from .post import Post, read_post
from .segment import Segment
from .variant import build_variant

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

    @property
    def ok(self) -> bool:
        return not self.errors

    def record(self, path: Path, changed: bool) -> None:
        (self.written if changed else self.unchanged).append(path)

    def extend(self, other: Outcome) -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.errors += other.errors


def find_sources(config: Config) -> list[Source]:
    """Every source post, sorted; generated variants are never sources."""
    layout = layout_for(config)
    found: dict[PurePosixPath, Source] = {}
    for pattern in config.posts:
        posts_dir = _fixed_prefix(pattern)
        for path in sorted(config.root.glob(pattern)):
            if not path.is_file():
                continue
            relative = PurePosixPath(path.relative_to(config.root).as_posix())
            below = relative.relative_to(posts_dir)
            if layout.is_variant(below, config.languages):
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
    """Write the template of every post (only where its entries changed)."""
    outcome = Outcome()
    for source, _post, segments in _each(config, outcome):
        _guard(outcome, lambda s=source, g=segments: _write_template(config, s, g, outcome))
    return outcome


def _write_template(config: Config, source: Source, segments: list[Segment],
                    outcome: Outcome) -> polib.POFile:
    path = template_path(config.locales_dir, source.name)
    template = make_template(segments, source.relative.as_posix(), config.project_name,
                             config.wrap_width)
    if path.exists():
        old = load_catalogue(path)
        if same_template(old, template):
            # Same entries: keep the file, and with it its POT-Creation-Date.
            outcome.record(path, False)
            return old
    outcome.record(path, save_catalogue(template, path, config.wrap_width))
    return template


# --- update -------------------------------------------------------------------------------


def update(config: Config) -> Outcome:
    """Merge every template into the catalogue of every language, creating missing ones."""
    outcome = Outcome()
    for source in find_sources(config):
        path = template_path(config.locales_dir, source.name)
        if not path.exists():
            outcome.errors.append(InputError("no template: run 'postlingo extract' first", path))
            continue
        _guard(outcome, lambda s=source, p=path: _update_all(config, s, load_catalogue(p),
                                                             outcome))
    return outcome


def _update_all(config: Config, source: Source, template: polib.POFile,
                outcome: Outcome) -> None:
    for language in config.languages:
        _guard(outcome, lambda lang=language: _update_one(config, source, template, lang,
                                                          outcome))


def _update_one(config: Config, source: Source, template: polib.POFile, language: str,
                outcome: Outcome) -> None:
    path = catalogue_path(config.locales_dir, source.name, language)
    if path.exists():
        merged = merge(load_catalogue(path), template, language, config.fuzzy_threshold)
    else:
        merged = new_catalogue(template, language)
    outcome.record(path, save_catalogue(merged, path, config.wrap_width))


# --- build --------------------------------------------------------------------------------


def build(config: Config, include_fuzzy: bool = False) -> Outcome:
    """Write the variant of every post in every language that has a catalogue."""
    outcome = Outcome()
    for source, post, segments in _each(config, outcome):
        for language in config.languages:
            _guard(outcome, lambda s=source, p=post, g=segments, lang=language: _build_one(
                config, s, p, g, lang, include_fuzzy, outcome))
    return outcome


def variant_path(config: Config, source: Source, language: str) -> Path:
    layout = layout_for(config)
    return config.root / layout.variant_path(source.posts_dir, source.below, language)


def _build_one(config: Config, source: Source, post: Post, segments: list[Segment],
               language: str, include_fuzzy: bool, outcome: Outcome) -> None:
    po_path = catalogue_path(config.locales_dir, source.name, language)
    if not po_path.exists():
        return
    found = translations(load_catalogue(po_path), po_path, include_fuzzy)
    metadata = layout_for(config).metadata(language)
    variant = build_variant(post, segments, found, language, metadata)
    path = variant_path(config, source, language)
    outcome.record(path, write_if_changed(path, variant.text))


# --- sync ---------------------------------------------------------------------------------


def sync(config: Config, include_fuzzy: bool = False) -> Outcome:
    """extract, update and build, post by post, reading each file once."""
    outcome = Outcome()
    for source, post, segments in _each(config, outcome):
        def one(s: Source = source, p: Post = post, g: list[Segment] = segments) -> None:
            template = _write_template(config, s, g, outcome)
            _update_all(config, s, template, outcome)
            for language in config.languages:
                _guard(outcome, lambda lang=language: _build_one(
                    config, s, p, g, lang, include_fuzzy, outcome))
        _guard(outcome, one)
    return outcome
