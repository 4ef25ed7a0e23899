"""What a command did to a site, and the error policy every command follows.

The policy, in one place:

- an **error** is an exception raised while one post (or one shared file) is processed: it
  is caught by ``contained``, becomes a ``PostlingoError`` naming the file (``unexpected``),
  and goes to ``Outcome.errors``; the other posts go on. The CLI exits non-zero.
- a **warning** is a problem a step reports and works around (a translation left out, a
  variant kept below the threshold): the step appends it to ``Outcome.warnings``.
- a **skip** is not a problem: a step that has nothing to do for a post or language
  (no catalogue yet, not published) returns without recording anything.

One run at a time writes to a site: the library takes the site's lock (``writing``) in
every command that writes, and only there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
    created: list[Path] = field(default_factory=list)  # of ``written``: files that were new
    checked: int = 0  # posts looked at (for the summary of a run with nothing to do)
    held_back: list[Path] = field(default_factory=list)  # new variants below the threshold

    @property
    def ok(self) -> bool:
        return not self.errors

    def record(self, path: Path, changed: bool, new: bool = False) -> None:
        """``path`` was written (``changed``; ``new``: it did not exist) or left as it was."""
        (self.written if changed else self.unchanged).append(path)
        if changed and new:
            self.created.append(path)

    def extend(self, other: Outcome) -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.errors += other.errors
        self.removed += other.removed
        self.warnings += other.warnings
        self.renamed += other.renamed
        self.created += other.created
        self.checked += other.checked
        self.held_back += other.held_back


@contextlib.contextmanager
def contained(
    outcome: Outcome, path: Path | None = None, doing: str = "processed"
) -> Iterator[None]:
    """The error policy: whatever the block raises becomes one error of ``outcome`` (about
    ``path`` if the exception names no file), and the command goes on."""
    try:
        yield
    except Exception as exc:  # one post's failure never stops the others
        outcome.errors.append(unexpected(exc, path, doing))


def writing(config: Config, write: bool = True) -> contextlib.AbstractContextManager[object]:
    """The site's lock (``postlingo.lock``) for a command that writes (``write``); a run
    that only reads or checks takes none."""
    if not write:
        return contextlib.nullcontext()
    return site_lock(config.root, config.lock_wait)
