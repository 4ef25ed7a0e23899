"""One run at a time on a site: a lock file that the commands which write hold while they run.

The lock is the file ``.postlingo.lock`` in the project root, created with
``O_CREAT | O_EXCL`` (atomic on every local file system, no ``fcntl`` or ``msvcrt``) and
holding, as JSON, who holds it: process id, host, the process's start time where the system
tells it (Linux: ``/proc/<pid>/stat``), the command and when it started.

A second run waits up to ``lock_wait`` seconds (configuration), then fails with a message
naming the holder. A lock whose holder is gone is *stale* and is taken over:

- same host, and the process id no longer exists, or exists with another start time (the
  id was reused after the holder was killed), or is a zombie;
- a lock file without readable contents (its creator died between creating and writing it)
  older than ``GRACE`` seconds.

A lock from another host (a shared network folder) is never judged stale: the message says
to delete the file if no run is going on there. Two runs that find the same stale lock
at once take turns through a second, short-lived file (``.postlingo.lock.break``), and each
re-checks under it that the lock is still the stale one before deleting it.

A run that takes over a stale lock knows the last run was killed: it deletes the temporary
files that run may have left (``fileio.remove_stale_temporaries``). While the lock is held,
writes are confined to the site (``fileio.confined``). The lock is re-entrant within a
process: a command may call another that locks the same site.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import PostlingoError
from .fileio import confined, remove_stale_temporaries

LOCK_FILE = ".postlingo.lock"
GRACE = 5.0  # seconds a lock file may stay empty while its creator writes it
POLL = 0.05  # seconds between two attempts
_held: dict[Path, int] = {}  # lock files this process holds, with their nesting depth


class LockError(PostlingoError):
    """Another run holds the site's lock."""


@dataclass(frozen=True)
class Holder:
    """What a lock file says about the run that holds it (None: unreadable)."""

    pid: int | None = None
    host: str = ""
    start: str = ""  # the process's start time as the system reports it, "" if unknown
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
    recovered = _acquire(path, wait, command or _command())
    _held[path] = 1
    try:
        with confined(root):
            if recovered:
                remove_stale_temporaries(root)
            yield
    finally:
        del _held[path]
        _release(path)


def _command() -> str:
    """What this process is, for the message another run shows: ``postlingo sync``."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    verb = next((word for word in sys.argv[1:] if not word.startswith("-")), "")
    return f"{name} {verb}".strip()


def _acquire(path: Path, wait: float, command: str) -> bool:
    """Create the lock file; return whether a stale lock had to be taken over."""
    deadline = time.monotonic() + wait
    recovered = False
    mine = json.dumps(_me(command)).encode("utf-8")
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = read_holder(path)
            if holder is not None and is_stale(holder, path):
                recovered |= _break(path)
                continue
            if time.monotonic() >= deadline:
                shown = holder.describe() if holder else "a run that has just finished"
                raise LockError(
                    f"another postlingo run is working on this site ({shown}); waited "
                    f"{wait:g} s for it. If no postlingo run is going on, delete {path}",
                    path) from None
            time.sleep(POLL)
            continue
        except OSError as exc:
            raise LockError(f"cannot create the lock file: {exc.strerror or exc}", path) from None
        try:
            os.write(fd, mine)
        finally:
            os.close(fd)
        return recovered


def _release(path: Path) -> None:
    # Delete only our own lock: should another run have taken it over, it is theirs.
    holder = read_holder(path)
    if holder is not None and holder.pid == os.getpid() and holder.start == _start_time(
            os.getpid()):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _host() -> str:
    """This machine's name, as ``socket.gethostname()`` gives it (os.uname spares every
    command importing socket)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


def _me(command: str) -> dict[str, Any]:
    return {"pid": os.getpid(), "host": _host(), "start": _start_time(os.getpid()),
            "command": command, "since": datetime.now().astimezone().isoformat(timespec="seconds")}


def read_holder(path: Path) -> Holder | None:
    """The lock file's holder; ``Holder()`` (no pid) if it cannot be read; None if gone."""
    try:
        data = json.loads(path.read_bytes())
        return Holder(int(data["pid"]), str(data.get("host", "")), str(data.get("start", "")),
                      str(data.get("command", "")), str(data.get("since", "")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return Holder()


def is_stale(holder: Holder, path: Path) -> bool:
    """Whether the lock's holder is surely gone (see the module's description)."""
    if holder.pid is None:
        try:
            return time.time() - path.stat().st_mtime > GRACE
        except FileNotFoundError:
            return False
    if holder.host != _host():
        return False
    if not _alive(holder.pid):
        return True
    start = _start_time(holder.pid)
    return bool(holder.start and start and start != holder.start)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would stop the process there: assume it runs
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    return _state(pid) != "Z"


def _stat_fields(pid: int) -> list[str]:
    """Fields of ``/proc/<pid>/stat`` after the command name (Linux), [] elsewhere."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return []
    return text[text.rfind(")") + 2 :].split()


def _state(pid: int) -> str:
    fields = _stat_fields(pid)
    return fields[0] if fields else ""


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (field 22 of its stat line)."""
    fields = _stat_fields(pid)
    return fields[19] if len(fields) > 19 else ""


def _break(path: Path) -> bool:
    """Delete the stale lock at ``path`` unless another run got there first; return
    whether this run deleted it."""
    guard = path.with_name(path.name + ".break")
    try:
        fd = os.open(guard, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        # Another run is breaking it; its guard lives for a few system calls, unless
        # that run died right there.
        with contextlib.suppress(FileNotFoundError):
            if time.time() - guard.stat().st_mtime > GRACE:
                guard.unlink()
        time.sleep(POLL)
        return False
    try:
        holder = read_holder(path)  # again, under the guard: it may be a new lock by now
        if holder is not None and is_stale(holder, path):
            path.unlink()
            return True
        return False
    finally:
        os.close(fd)
        guard.unlink()
