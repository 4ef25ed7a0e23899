"""Finding, reading and atomically writing the files postlingo owns.

Writes go to a temporary file in the target's folder (``.<name>.<random>.postlingo-tmp``),
are flushed to disk and then renamed over the target, so a file is always either its old or
its new complete version, whenever the process dies. Inside ``batched()`` the renames wait
for the end of the block, and one flush of the disk serves all its files.

While a command holds the site's lock (``postlingo.lock``) writes are *confined* to the
site: a path whose folder resolves outside the root (a symbolic link leading out of it) is
refused.
"""

from __future__ import annotations

import contextlib
import ctypes
import fnmatch
import functools
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path, PurePosixPath

from .errors import InputError, PostlingoError, unexpected

TEMP_SUFFIX = ".postlingo-tmp"
GLOB_CHARS = set("*?[")  # what makes a part of a glob a pattern
# Byte order marks of encodings postlingo does not read, for a helpful message.
_OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_confined_to: ContextVar[Path | None] = ContextVar("postlingo_confined_to", default=None)
_confined_as: ContextVar[Path | None] = ContextVar("postlingo_confined_as", default=None)
# Folders found inside the root while confined (a run writes thousands of files to a few).
_inside: ContextVar[set[Path]] = ContextVar("postlingo_inside")


def read_text(path: Path, limit: int | None = None, limit_key: str = "") -> str:
    """Decode a UTF-8 file exactly (BOM and line endings kept), or fail naming the line.
    A missing file raises ``FileNotFoundError``; any other failure (not a regular file,
    larger than ``limit`` bytes) is an ``InputError``."""
    try:
        data = read_bytes(path, limit, limit_key)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}", path) from None
    for bom, encoding in _OTHER_BOMS:
        if data.startswith(bom):
            raise InputError(
                f"{encoding} text: postlingo reads UTF-8 only (save the file as UTF-8)", path, 1
            )
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError("NUL byte: not a text file", path, line)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", path, line) from None


DEFAULT_CATALOGUE_LIMIT = 20_000_000
_catalogue_limit = [DEFAULT_CATALOGUE_LIMIT]


def set_catalogue_limit(size: int) -> None:
    """The configured ``max_catalogue_size`` (set when the configuration is loaded: the
    catalogue readers are called from many places that have no configuration at hand)."""
    _catalogue_limit[0] = size


def catalogue_limit() -> int:
    return _catalogue_limit[0]


def read_bytes(
    path: Path, limit: int | None = None, limit_key: str = "", head: bool = False
) -> bytes:
    """The bytes of a regular file. A FIFO, device or socket is an ``InputError`` naming
    it: it is opened without blocking and never read (a FIFO would wait for a writer
    forever). With ``limit``, a file larger than that many bytes is an ``InputError`` too
    (``limit_key``: the setting that sets it), unless only its ``head`` is wanted.
    A missing file raises ``FileNotFoundError``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}", path) from None
    with os.fdopen(fd, "rb") as handle:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise InputError(
                f"not a regular file ({_kind(status.st_mode)}): postlingo reads only regular files",
                path,
            )
        if limit is not None and status.st_size > limit and not head:
            raise InputError(_too_large(status.st_size, limit, limit_key), path)
        # (O_NONBLOCK has no effect on regular files: read() reads it all.)
        data = handle.read() if limit is None else handle.read(limit + 1)
    if head:
        return data[:limit]
    if limit is not None and len(data) > limit:  # it grew while being read
        raise InputError(_too_large(len(data), limit, limit_key), path)
    return data


def _too_large(size: int, limit: int, key: str) -> str:
    allowed = f"{key} = {limit:,}" if key else f"the limit of {limit:,} bytes"
    return f"{size:,} bytes: larger than {allowed} allows (not read)"


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


@contextlib.contextmanager
def reading(path: Path) -> Iterator[None]:
    """Report any failure while parsing ``path`` as an ``InputError`` naming it: deep
    nesting (``RecursionError``), memory, and the parsers' own exceptions become one line
    about the file instead of a traceback. The original stays as ``__cause__`` (--debug)."""
    try:
        yield
    except PostlingoError:
        raise
    except Exception as exc:  # RecursionError and MemoryError included
        raise unexpected(exc, path, "read") from exc


@contextlib.contextmanager
def confined(root: Path) -> Iterator[None]:
    """Refuse writes and removals whose folder resolves outside ``root`` while inside."""
    token, given = _confined_to.set(root.resolve()), _confined_as.set(root)
    inside = _inside.set(set())
    try:
        yield
    finally:
        _inside.reset(inside)
        _confined_as.reset(given)
        _confined_to.reset(token)


def resolves_inside(path: Path, root: Path) -> bool:
    """Whether ``path`` leads to a place inside ``root`` (symbolic links followed). While
    writes are confined to ``root``, each folder is resolved once."""
    if root != _confined_as.get() or path.is_symlink():
        return path.resolve().is_relative_to(root.resolve())
    return _folder_inside(path.parent)


def _folder_inside(folder: Path) -> bool:
    """Whether ``folder`` resolves inside the root writes are confined to (remembered for
    the confined run: it writes thousands of files to a few folders)."""
    known = _inside.get()
    if folder not in known:
        root = _confined_to.get()
        if root is None or not folder.resolve().is_relative_to(root):
            return False
        known.add(folder)
    return True


def check_inside(path: Path) -> None:
    """Raise ``InputError`` if writes are confined and ``path``'s folder leads out."""
    root = _confined_to.get()
    if root is not None and not _folder_inside(path.parent):
        raise InputError(
            f"not written: its folder leads outside the project ({root}) through a symbolic link",
            path,
        )


def remove(path: Path) -> None:
    """Delete a file postlingo wrote (confined as writes are)."""
    check_inside(path)
    path.unlink()


def remove_stale_temporaries(root: Path) -> list[Path]:
    """Delete the temporary files a killed run left below ``root`` (hidden folders such as
    .git are not searched, but for postlingo's own ``.cache``, where the sync state and the
    draft cache are written); only call this while holding the site's lock."""
    removed = []
    for folder, folders, files in os.walk(root):
        folders[:] = [name for name in folders if not name.startswith(".") or name == ".cache"]
        for name in files:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                path = Path(folder) / name
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    return removed


def glob(root: str, pattern: str) -> Iterator[tuple[str, os.DirEntry[str] | None]]:
    """What ``Path(root).glob(pattern)`` finds, as paths relative to ``root`` ("/" between
    parts), each with its folder listing's entry where a listing found it: no path object
    is made for each of a site's thousands of files. As in pathlib, ``**`` is a folder and
    every folder below it, not through symbolic links; other parts match names, hidden
    ones too, case-sensitively; folders that cannot be read are passed over. A property
    test holds it to pathlib's. (The configuration refuses patterns pathlib refuses.)"""
    yield from _select(root, "", PurePosixPath(pattern).parts)


def _select(
    root: str, folder: str, parts: tuple[str, ...]
) -> Iterator[tuple[str, os.DirEntry[str] | None]]:
    part, rest = parts[0], parts[1:]
    if part == "**":
        for below in _folders(root, folder):
            if rest:
                yield from _select(root, below, rest)
    elif not GLOB_CHARS & set(part):
        key = folder + part
        if rest and os.path.isdir(os.path.join(root, key)):
            yield from _select(root, key + "/", rest)
        elif not rest and os.path.exists(os.path.join(root, key)):
            yield key, None
    else:
        matches = _matcher(part)
        for entry in _listing(root, folder):
            if not matches(entry.name):
                continue
            if not rest:
                yield folder + entry.name, entry
            elif _is_folder(entry, follow_symlinks=True):
                yield from _select(root, folder + entry.name + "/", rest)


def _folders(root: str, folder: str) -> Iterator[str]:
    yield folder
    for entry in _listing(root, folder):
        if _is_folder(entry, follow_symlinks=False):
            yield from _folders(root, folder + entry.name + "/")


def _listing(root: str, folder: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(os.path.join(root, folder)) as entries:
            return list(entries)
    except (PermissionError, FileNotFoundError, NotADirectoryError):
        return []


def _is_folder(entry: os.DirEntry[str], follow_symlinks: bool) -> bool:
    try:
        return entry.is_dir(follow_symlinks=follow_symlinks)
    except OSError:
        return False


@functools.cache
def _matcher(part: str) -> Callable[[str], re.Match[str] | None]:
    return re.compile(fnmatch.translate(part)).fullmatch


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` is either its old or its new complete version (in a
    ``batched()`` block: once the block ends)."""
    check_inside(path)
    folder = str(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=folder)
    except FileNotFoundError:  # (the folder is made only when missing: one call less)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=folder)
    staged = _staged.get()
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if staged is None:
                os.fsync(fd)
        finally:
            os.close(fd)
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(tmp, mode)
        if staged is None:
            os.replace(tmp, path)
        else:
            _discard(staged.pop(path, None))  # written twice in the block: the last counts
            staged[path] = tmp
    except BaseException:
        _discard(tmp)
        raise


_staged: ContextVar[dict[Path, str] | None] = ContextVar("postlingo_staged", default=None)


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """Hold back the renames of the files written inside until the block ends; then flush
    them to disk at once and rename each into place. Every file is still its old or its
    new version whenever the process dies (a killed run's temporary files are removed by
    the next), at the cost of one flush for the block instead of one per file. If the
    block raises, nothing it wrote takes effect. A file written in the block reads as it
    was until the block ends."""
    if _staged.get() is not None:  # already inside one: it commits
        yield
        return
    staged: dict[Path, str] = {}
    token = _staged.set(staged)
    try:
        yield
        _flush(list(staged.values()))
        while staged:
            path, tmp = next(iter(staged.items()))
            os.replace(tmp, path)
            del staged[path]
    finally:
        _staged.reset(token)
        for tmp in staged.values():
            _discard(tmp)


def _flush(files: list[str]) -> None:
    """Put ``files`` on disk: one ``syncfs`` per file system where Linux has it (the files
    were just written, so it is about as quick as one ``fsync``), else ``fsync`` each."""
    syncfs = _syncfs()
    devices: dict[int, str] = {}
    for name in files:
        devices.setdefault(os.stat(name).st_dev, name)
    if syncfs is not None:
        for name in devices.values():
            fd = os.open(name, os.O_RDONLY)
            try:
                if syncfs(fd) != 0:
                    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), name)
            finally:
                os.close(fd)
        return
    for name in files:
        fd = os.open(name, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


def _discard(tmp: str | None) -> None:
    if tmp is not None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` as UTF-8 unless the file already holds it; return whether it was written."""
    data = text.encode("utf-8")
    try:
        if read_bytes(path) == data:
            staged = _staged.get()
            _discard(staged.pop(path, None) if staged else None)  # back to what it was
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, data)
    return True


def fixed_prefix(pattern: str) -> PurePosixPath:
    """The folders of a posts glob before its first wildcard (``content/_posts``)."""
    parts = []
    for part in PurePosixPath(pattern).parts[:-1]:
        if GLOB_CHARS & set(part):
            break
        parts.append(part)
    return PurePosixPath(*parts)
