"""A site's source posts, found by the configuration's ``posts`` globs, and where their
variants go.

Finding the posts and looking at their files is all a sync does when nothing changed, so
this module loads none of the parsers or the catalogue machinery.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path, PurePosixPath

from ..catalogue.locales import TAXONOMY, catalogue_languages, catalogue_names, template_names
from ..config import Config, config_file, key_line
from ..errors import ConfigError, InputError, PostlingoError
from ..fileio import fixed_prefix, glob, remove, resolves_inside
from ..outcome import Outcome
from ..variant.layouts import layout_for


@dataclass(frozen=True)
class Source:
    """A source post found by the ``posts`` globs."""

    relative: PurePosixPath  # to the project root
    posts_dir: PurePosixPath  # the glob's fixed folder, to the project root
    name: str  # below posts_dir, without extension: names the catalogues

    @property
    def below(self) -> PurePosixPath:
        return self.relative.relative_to(self.posts_dir)


def find_sources(config: Config) -> list[Source]:
    """Every source post, sorted; generated variants are never sources."""
    layout = layout_for(config)
    # `--lang fr` narrows config.languages: the variants of the other languages that have
    # catalogues are still variants, not posts.
    languages = [*config.languages, *catalogue_languages(config.locales_dir)]
    found: dict[str, Source] = {}
    inside = _Inside(config.root.resolve())
    # Thousands of posts: their paths are worked on as text, with few path objects.
    top = str(config.root)
    for pattern in config.posts:
        posts_dir = fixed_prefix(pattern)
        skip = 0 if str(posts_dir) == "." else len(posts_dir.as_posix()) + 1
        matched = False
        for key, entry in glob(top, pattern):
            if key in found:
                matched = True
                continue
            if layout.is_variant(key, posts_dir, languages) or not inside(
                os.path.join(top, key), entry
            ):
                continue  # (a symbolic link out of the project is not followed)
            relative = PurePosixPath(key)
            below = key[skip:]
            name = below[: len(below) - len(relative.suffix)]
            found[key] = Source(relative, posts_dir, name)
            matched = True
        if not matched:
            _no_posts(config, pattern)
    # In path order (by parts, as paths compare), without comparing thousands of paths.
    return [found[key] for key in sorted(found, key=lambda key: key.split("/"))]


def _no_posts(config: Config, pattern: str) -> None:
    """A glob that finds no post is a mistake (a wrong folder), never a site with nothing
    to do: every command would succeed on zero posts."""
    source = config_file(config.root)
    raise ConfigError(
        f"'posts' pattern {pattern!r} matches no post", source, key_line(source, "posts")
    )


@dataclass
class _Inside:
    """Whether a path is a file (or a link to one) inside ``root``; each folder is
    resolved once."""

    root: Path
    folders: dict[str, bool] = field(default_factory=dict)

    def __call__(self, path: str, entry: os.DirEntry[str] | None = None) -> bool:
        try:
            if entry is not None:  # (a listing's entry knows its kind: no call to the disk)
                link, regular = entry.is_symlink(), entry.is_file(follow_symlinks=False)
            else:
                mode = os.lstat(path).st_mode
                link, regular = stat.S_ISLNK(mode), stat.S_ISREG(mode)
        except OSError:
            return False
        if link:
            target = Path(path)
            return target.is_file() and target.resolve().is_relative_to(self.root)
        if not regular:
            return False
        folder = os.path.dirname(path) or "."
        if folder not in self.folders:
            self.folders[folder] = Path(folder).resolve().is_relative_to(self.root)
        return self.folders[folder]


def variant_path(config: Config, source: Source, language: str) -> Path:
    """Where the variant goes; never outside the project root."""
    relative = layout_for(config).variant_path(source.relative, source.posts_dir, language)
    path = config.root / relative
    if not resolves_inside(path, config.root):
        raise InputError(
            f"the {language} variant would be written outside the project: {relative}",
            config.root / source.relative,
        )
    return path


def orphan_variants(config: Config, sources: list[Source] | None = None) -> list[Path]:
    """Variants of posts that are gone: files where the variant of a post with a template
    or catalogue would be, while that post is not there. A hand-written post in a language
    folder has no catalogue, so it is never taken for an orphan."""
    posts = find_sources(config) if sources is None else sources
    if config.catalogues == "post":  # (a sync with nothing to do loads no catalogue code)
        names = set(template_names(config.locales_dir))
        for language in config.languages:
            names.update(catalogue_names(config.locales_dir, language))
    else:  # posts that share catalogues: the posts their references name
        from ..catalogue.store import Store

        names = Store(config, posts).names()
    names -= {s.name for s in posts}
    names.discard(TAXONOMY)
    found = []
    for pattern in config.posts:
        posts_dir = fixed_prefix(pattern)
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


def report_orphan_variants(
    config: Config, outcome: Outcome, prune: bool = False, sources: list[Source] | None = None
) -> None:
    """Remove the variants of posts that are gone (``prune``), or warn about them."""
    for path in orphan_variants(config, sources):
        if prune:
            remove(path)
            outcome.removed.append(path)
        else:
            outcome.warnings.append(
                PostlingoError("variant without a source post ('build --prune' removes it)", path)
            )
