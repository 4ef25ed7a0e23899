"""One run at a time on a site: a kernel lock on a file that the commands which write hold
while they run.

The lock is ``flock`` (Windows: ``LockFileEx``) on ``.postlingo.lock`` in the project root,
through ``filelock``. The kernel frees it when its holder exits, however it exits: a killed
run never leaves a lock behind, so there is no stale-lock guessing (process ids, start
times, zombies, grace times) to get wrong. The file itself holds, as JSON, who holds the
lock: process id, host, the command and when it started.

A second run waits up to ``lock_wait`` seconds (configuration), then fails with a message
naming the holder from that file.

A run that ends deletes the file (while it still holds the lock; ``filelock`` makes a waiter
that locked the deleted file try again on the new one). So a lock file that still holds a
holder when a run takes the lock was left by a killed run: the new run deletes the
temporary files that run may have left (``fileio.remove_stale_temporaries``). While the
lock is held, writes are confined to the site (``fileio.confined``). The lock is
re-entrant within a process: a command may call another that locks the same site.

Network folders: Linux maps ``flock`` on NFS to NFS byte-range locks, which hold across
machines when the mount has locking (NFSv4, or NFSv3 with lockd; not ``-o nolock``, where a
lock holds on one machine only); a machine that dies loses its lock when its NFS lease
expires (about 90 s). On SMB/CIFS mounted with ``nobrl`` locks are also local only. Run one
postlingo at a time by hand there. Upgrading from a postlingo that locked by creating the
file: let the running command finish first (the old lock is not a kernel lock).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import PostlingoError
from .fileio import confined, remove_stale_temporaries

if TYPE_CHECKING:
    import filelock

LOCK_FILE = ".postlingo.lock"
POLL = 0.05  # seconds between two attempts
_held: dict[Path, int] = {}  # lock files this process holds, with their nesting depth


class LockError(PostlingoError):
    """Another run holds the site's lock."""


@dataclass(frozen=True)
class Holder:
    """What a lock file says about the run that holds it (None: unreadable)."""

    pid: int | None = None
    host: str = ""
    command: str = ""
    since: str = ""

    def describe(self) -> str:
        if self.pid is None:
            return "a run whose lock file is still being written"
        where = "" if self.host == _host() else f" on {self.host}"
        what = f": {self.command}" if self.command else ""
        return f"process {self.pid}{where}, since {self.since or '?'}{what}"


def lock_path(root: Path) -> Path:
    return root / LOCK_FILE


@contextlib.contextmanager
def site_lock(root: Path, wait: float = 10.0, command: str | None = None) -> Iterator[None]:
    """Hold the site's lock (waiting up to ``wait`` seconds) and confine writes to
    ``root`` for the duration of the block."""
    path = lock_path(root).absolute()
    if _held.get(path):
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    taken = _Taking(json.dumps(_me(command or _command())).encode("utf-8"))
    lock = _acquire(path, wait, taken)
    _held[path] = 1
    try:
        with confined(root):
            if taken.recovered:
                remove_stale_temporaries(root)
            yield
    finally:
        del _held[path]
        _release(path, lock, taken)


class _Taking:
    """Writes this run into the lock file the moment the lock is taken, and remembers
    whether a killed run's record was there, and which file was locked."""

    def __init__(self, record: bytes) -> None:
        self.record = record
        self.recovered = False
        self.locked: os.stat_result | None = None

    def __call__(self, fd: int) -> None:
        # (lseek, read and write rather than pread and pwrite, which Windows lacks)
        os.lseek(fd, 0, os.SEEK_SET)
        self.recovered = bool(os.read(fd, 1))  # a clean run deletes the file
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, self.record)
        self.locked = os.fstat(fd)


def _command() -> str:
    """What this process is, for the message another run shows: ``postlingo sync``."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    verb = next((word for word in sys.argv[1:] if not word.startswith("-")), "")
    return f"{name} {verb}".strip()


def _acquire(path: Path, wait: float, taken: _Taking) -> filelock.BaseFileLock:
    import filelock  # (here: 12 ms of start-up that commands which only read do not need)

    lock = filelock.FileLock(
        path,
        timeout=wait,
        thread_local=False,
        poll_interval=POLL,
        fallback_to_soft=False,
        on_acquired=taken,
    )
    try:
        lock.acquire()
    except filelock.Timeout:
        holder = read_holder(path)
        shown = holder.describe() if holder else "a run that has just finished"
        raise LockError(
            f"another postlingo run is working on this site ({shown}); waited {wait:g} s for it",
            path,
        ) from None
    except OSError as exc:
        raise LockError(f"cannot lock the site: {exc.strerror or exc}", path) from None
    return lock


def _release(path: Path, lock: filelock.BaseFileLock, taken: _Taking) -> None:
    # The file goes while the lock is still held: a lock file with a holder in it then
    # always means a killed run. Only the file this run locked (should someone have
    # deleted it by hand and another run made a new one, that one is theirs).
    try:
        with contextlib.suppress(OSError):
            if taken.locked and os.path.samestat(os.stat(path), taken.locked):
                path.unlink()
    finally:
        lock.release()


def _host() -> str:
    """This machine's name, as ``socket.gethostname()`` gives it (os.uname spares every
    command importing socket)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


def _me(command: str) -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": _host(),
        "command": command,
        "since": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def read_holder(path: Path) -> Holder | None:
    """The lock file's holder; ``Holder()`` (no pid) if it cannot be read; None if gone."""
    try:
        data = json.loads(path.read_bytes())
        return Holder(
            int(data["pid"]),
            str(data.get("host", "")),
            str(data.get("command", "")),
            str(data.get("since", "")),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return Holder()
