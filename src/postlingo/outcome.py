"""What a command did to a site, and the two rules every command follows: one post's
failure never stops the others (``guard``), and one run at a time writes (``locking``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config
from .errors import PostlingoError, unexpected
from .lock import site_lock


@dataclass
class Outcome:
    """What a command did: files written, files left as they were, problems met."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    errors: list[PostlingoError] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    warnings: list[PostlingoError] = field(default_factory=list)
    renamed: list[tuple[Path, Path]] = field(default_factory=list)  # (old, new) catalogues

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
        self.renamed += other.renamed


def guard(outcome: Outcome, action: Callable[[], None], path: Path | None = None) -> None:
    """Run ``action``; its problem (about ``path`` if unexpected) goes to ``outcome``."""
    try:
        action()
    except Exception as exc:  # one post's failure never stops the others
        outcome.errors.append(unexpected(exc, path))


def locking(command: Callable[..., Outcome]) -> Callable[..., Outcome]:
    """Run ``command`` holding the site's lock (``postlingo.lock``) unless it only checks
    (``check=True``): one run at a time writes to a site."""
    @functools.wraps(command)
    def locked(config: Config, *args: Any, **options: Any) -> Outcome:
        if options.get("check"):
            return command(config, *args, **options)
        with site_lock(config.root, config.lock_wait):
            return command(config, *args, **options)
    return locked
