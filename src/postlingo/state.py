"""What the last ``sync`` left behind, so that the next one skips the posts where nothing
changed: for each post, the size, time and digest of its source, template, catalogues and
variants as they were when it was last processed, its taxonomy terms and its warnings.

A post is processed again as soon as any of its files differs (a translator saved a
catalogue, an author edited the post, a variant was removed) or a setting that affects every
post did (the configuration, postlingo itself, the shared taxonomy catalogue). A post whose
processing failed is not recorded, so its error is reported again on every run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import PostlingoError, TranslationError
from .fileio import write_if_changed

STATE_FILE = Path(".cache") / "sync-state.json"
_IGNORE_ALL = "# postlingo's caches: not for version control\n*\n"

# [size, mtime_ns, digest, ctime_ns], or None for a file that does not exist. The ctime
# too: a hand edit that restores the file's size and mtime (touch -d) still changes it.
Print = list[Any]
RACY = -1  # the mtime of a print whose file was written too recently to be trusted


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def fingerprint(path: Path, settled: int | None = None) -> Print | None:
    """The file's print. With ``settled`` (a time in ns), a file written at or after it is
    *racy*: a second write within the same tick of the file system's clock would leave
    size and times as they are, so its digest is compared every time (``unchanged``)."""
    try:
        with open(path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            data = handle.read()
    except FileNotFoundError:
        return None
    mtime = stat.st_mtime_ns
    if settled is not None and max(mtime, stat.st_ctime_ns) >= settled:
        mtime = RACY
    return [stat.st_size, mtime, digest(data), stat.st_ctime_ns]


def unchanged(path: str, known: Print | None) -> bool:
    """Whether the file at ``path`` still is what ``known`` describes (its digest is read
    only when its size matches but one of its times does not)."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return known is None
    if known is None or stat.st_size != known[0]:
        return False
    if stat.st_mtime_ns == known[1] and stat.st_ctime_ns == known[3]:
        return True
    with open(path, "rb") as handle:
        return bool(digest(handle.read()) == known[2])


@dataclass
class Record:
    """One post as the last sync left it."""

    files: dict[str, Print | None]
    terms: list[list[Any]] = field(default_factory=list)  # taxonomy terms, as Term fields
    # [message, path, line, left out?]: a translation build left out fails the run again
    warnings: list[list[Any]] = field(default_factory=list)
    # Files the post shares with others (catalogue grouping): the digest of its part.
    views: dict[str, str] = field(default_factory=dict)

    def fresh(
        self,
        root: Path,
        view_of: Callable[[str], str | None] | None = None,
        prints: dict[str, Print | None] | None = None,
    ) -> bool:
        """Whether every file is as recorded. A shared file that changed still is, for
        this post, if its part (``view_of``, by the file's name) is as recorded; its print
        is then brought up to date (from ``prints``, taken once for all posts)."""
        top = f"{root}{os.sep}"  # plain strings: thousands of files are looked at
        for name, known in self.files.items():
            if prints is None or name not in self.views:
                if unchanged(top + name, known):
                    continue
            else:  # a shared file: looked at once for all posts (its digest read once)
                if name not in prints:
                    prints[name] = fingerprint(Path(top + name))
                now = prints[name]
                if now == known or (now and known and now[0] == known[0] and now[2] == known[2]):
                    continue
            if view_of is None or name not in self.views or view_of(name) != self.views[name]:
                return False
            if prints is None:
                prints = {}
            if name not in prints:
                prints[name] = fingerprint(Path(top + name))
            self.files[name] = prints[name]
        return True

    def replay(self) -> list[PostlingoError]:
        return [
            (TranslationError if left_out else PostlingoError)(message, path, line)
            for message, path, line, left_out in self.warnings
        ]


def record(
    root: Path,
    files: list[Path],
    terms: list[list[Any]],
    warnings: list[PostlingoError],
    prints: dict[Path, Print | None] | None = None,
    views: dict[str, str] | None = None,
) -> Record:
    """The record of a post just processed: its files as they are now (``prints``: those
    already taken, of files several posts share; ``views``: the digest of its part of
    those)."""
    prints = {} if prints is None else prints
    for path in files:
        if path not in prints:
            prints[path] = fingerprint(path)
    return Record(
        {path.relative_to(root).as_posix(): prints[path] for path in files},
        terms,
        [
            [w.message, str(w.path) if w.path else None, w.line, isinstance(w, TranslationError)]
            for w in warnings
        ],
        views or {},
    )


@dataclass
class State:
    """The records of all posts, valid for one set of settings."""

    path: Path
    settings: str
    posts: dict[str, Record] = field(default_factory=dict)

    @classmethod
    def load(cls, locales: Path, settings: str) -> State:
        path = locales / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path, settings)
        if data.get("settings") != settings:
            return cls(path, settings)
        posts = {name: Record(**item) for name, item in data.get("posts", {}).items()}
        return cls(path, settings, posts)

    def save(self) -> None:
        ignore = self.path.parent / ".gitignore"
        if not ignore.exists():
            write_if_changed(ignore, _IGNORE_ALL)
        data = {
            "settings": self.settings,
            "posts": {name: vars(item) for name, item in sorted(self.posts.items())},
        }
        # Compact: json writes it in C then (with indent, in Python: 5 times slower).
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        write_if_changed(self.path, text + "\n")


def settings_key(*parts: object) -> str:
    """The digest of everything that affects every post: the configuration, options,
    postlingo's version and code, shared catalogues."""
    code = Path(__file__).parent  # every module, the subpackages' too (rules, variants...)
    stamps = sorted(
        (p.relative_to(code).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
        for p in code.rglob("*.py")
    )
    return digest(repr((__version__, stamps, *parts)).encode("utf-8"))
