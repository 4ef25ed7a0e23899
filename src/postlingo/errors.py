"""The exceptions postlingo raises; the CLI turns them into one-line messages."""

from __future__ import annotations

import re
import traceback
from pathlib import Path


class PostlingoError(Exception):
    """A problem with one file, reported as ``<file>:<line>: <message>``.

    ``path`` and ``line`` are optional: a problem that belongs to no file
    (a missing dependency, a lock held by another run) carries neither.
    """

    exit_code = 1

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __reduce__(self) -> tuple[type[PostlingoError], tuple[object, ...]]:
        # Errors travel back from worker processes: keep the file and line, not only args.
        return (type(self), (self.message, self.path, self.line))

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}: " if self.line else f"{self.path}: "

    def __str__(self) -> str:
        return f"{self.location()}{self.message}"


class ConfigError(PostlingoError):
    """The configuration or the command line is wrong: exit code 2."""

    exit_code = 2


class InputError(PostlingoError):
    """A post, template or catalogue cannot be read: the file is skipped."""


class TranslationError(PostlingoError):
    """A translation would break the variant it belongs to."""


class InternalError(PostlingoError):
    """An exception postlingo did not expect while it read or processed a file: reported
    in one line naming the file; ``details`` keeps the traceback for ``--debug``."""

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        details: str = "",
    ):
        super().__init__(message, path, line)
        self.details = details

    def __reduce__(self) -> tuple[type[PostlingoError], tuple[object, ...]]:
        return (type(self), (self.message, self.path, self.line, self.details))


def unexpected(
    exc: BaseException, path: Path | str | None = None, doing: str = "processed"
) -> PostlingoError:
    """``exc`` as a one-line error about the file at ``path`` (a ``PostlingoError`` as it
    is): deep nesting and exhausted memory say so, anything else names the exception."""
    if isinstance(exc, PostlingoError):
        return exc
    if isinstance(exc, RecursionError):
        message = f"nested too deeply to be {doing}"
    elif isinstance(exc, MemoryError):
        message = f"too large to be {doing} (out of memory)"
    else:
        message = f"cannot be {doing}: {type(exc).__name__}: {exc}"
    error = InternalError(message, path, details="".join(traceback.format_exception(exc)).rstrip())
    error.__cause__ = exc
    return error


_TOML_AT = re.compile(r"\s*\(at line (\d+), column \d+\)")


def toml_problem(exc: Exception) -> tuple[str, int | None]:
    """A TOML error's message and line: tomllib has no ``lineno`` before Python 3.14, so
    the line is read from the message's "(at line N, column M)"."""
    found = _TOML_AT.search(str(exc))
    return _TOML_AT.sub("", str(exc)), int(found.group(1)) if found else None
