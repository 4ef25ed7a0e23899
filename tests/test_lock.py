"""One run at a time on a site (postlingo.lock): waiting, failing clearly, killed holders."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import invoke
from postlingo.errors import InputError
from postlingo.fileio import TEMP_SUFFIX, write_atomic
from postlingo.lock import Holder, LockError, lock_path, read_holder, site_lock

HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from postlingo.lock import site_lock
    root, seconds, log = Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
    with site_lock(root, wait=float(sys.argv[4]), command="holder"):
        with open(log, "a") as out:
            out.write("enter\\n")
            out.flush()
            time.sleep(seconds)
            out.write("leave\\n")
""")


def hold(root: Path, seconds: float, log: Path, wait: float = 30.0) -> subprocess.Popen[bytes]:
    """A process that holds the site's lock for ``seconds``, logging when it has it."""
    return subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root), str(seconds), str(log), str(wait)]
    )


def wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def write_lock(root: Path, **fields: object) -> Path:
    path = lock_path(root)
    holder = {
        "pid": dead_pid(),
        "host": socket.gethostname(),
        "start": "",
        "command": "x",
        "since": "2024-01-01T00:00:00+00:00",
        **fields,
    }
    path.write_text(json.dumps(holder), encoding="utf-8")
    return path


def test_the_lock_file_exists_while_held_and_is_gone_after(tmp_path: Path) -> None:
    with site_lock(tmp_path, command="postlingo sync"):
        holder = read_holder(lock_path(tmp_path))
        assert holder is not None and holder.pid == os.getpid()
        assert holder.command == "postlingo sync"
    assert not lock_path(tmp_path).exists()


def test_the_lock_is_released_when_the_block_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), site_lock(tmp_path):
        raise RuntimeError("boom")
    assert not lock_path(tmp_path).exists()


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    with site_lock(tmp_path, wait=0), site_lock(tmp_path, wait=0):
        assert lock_path(tmp_path).exists()
    assert not lock_path(tmp_path).exists()


def test_a_second_run_waits_briefly_then_fails_naming_the_holder(tmp_path: Path) -> None:
    log = tmp_path / "log"
    holder = hold(tmp_path, 5, log)
    try:
        wait_for(lambda: log.exists())
        started = time.monotonic()
        with pytest.raises(LockError) as caught, site_lock(tmp_path, wait=0.3):
            pass
        assert 0.3 <= time.monotonic() - started < 3
    finally:
        holder.kill()
        holder.wait()
    message = str(caught.value)
    assert f"process {holder.pid}, since " in message and ": holder)" in message
    assert message.endswith("waited 0.3 s for it")


def test_a_second_run_goes_on_once_the_first_is_done(tmp_path: Path) -> None:
    log = tmp_path / "log"
    holder = hold(tmp_path, 0.5, log)
    wait_for(lambda: log.exists())
    with site_lock(tmp_path, wait=20):
        assert log.read_text() == "enter\nleave\n"  # the first had finished
    holder.wait()


def test_runs_never_interleave(tmp_path: Path) -> None:
    log = tmp_path / "log"
    runs = [hold(tmp_path, 0.05, log) for _ in range(6)]
    assert all(run.wait() == 0 for run in runs)
    assert log.read_text() == "enter\nleave\n" * 6


def test_a_lock_whose_process_is_gone_is_taken_over(tmp_path: Path) -> None:
    write_lock(tmp_path)
    started = time.monotonic()
    with site_lock(tmp_path, wait=5):
        assert read_holder(lock_path(tmp_path)).pid == os.getpid()  # type: ignore[union-attr]
    assert time.monotonic() - started < 1


def test_taking_over_a_stale_lock_removes_the_killed_runs_temporary_files(tmp_path: Path) -> None:
    folder = tmp_path / "locales/en/LC_MESSAGES"
    folder.mkdir(parents=True)
    leftover = folder / f".post.po.abc123{TEMP_SUFFIX}"
    leftover.write_text("half a catalogue")
    own = folder / ".notes.tmp"  # not postlingo's: stays
    own.write_text("mine")
    hidden = tmp_path / ".git" / f".x{TEMP_SUFFIX}"  # hidden folders are not searched
    hidden.parent.mkdir()
    hidden.write_text("x")
    state = tmp_path / "locales/.cache" / f".sync-state.json.abc{TEMP_SUFFIX}"  # postlingo's
    state.parent.mkdir()
    state.write_text("{")
    with site_lock(tmp_path):
        assert leftover.exists()  # no stale lock: nothing is cleaned
    write_lock(tmp_path)
    with site_lock(tmp_path):
        pass
    assert not leftover.exists() and not state.exists()
    assert own.exists() and hidden.exists()


FLOCK = textwrap.dedent("""
    import fcntl, os, sys, time
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, sys.argv[2].encode())
    print("locked", flush=True)
    time.sleep(60)
""")


def flock_holder(root: Path, record: str) -> subprocess.Popen[str]:
    """A process that holds the lock with a bare ``flock`` and writes ``record`` into the
    lock file (a run that was killed or is still writing it)."""
    process = subprocess.Popen(
        [sys.executable, "-c", FLOCK, str(lock_path(root)), record],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline() == "locked\n"
    return process


def leftover(root: Path) -> Path:
    """A killed run's temporary file."""
    path = root / "locales/en/LC_MESSAGES" / f".post.po.abc123{TEMP_SUFFIX}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("half a catalogue")
    return path


def test_a_killed_holder_frees_the_lock_at_once(tmp_path: Path) -> None:
    log = tmp_path / "log"
    holder = hold(tmp_path, 60, log)
    wait_for(lambda: log.exists())
    temporary = leftover(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    # Not reaped yet: a zombie holds nothing.
    wait_for(lambda: Path(f"/proc/{holder.pid}/stat").read_text().split(") ")[1][0] == "Z")
    assert read_holder(lock_path(tmp_path)).pid == holder.pid  # type: ignore[union-attr]
    with site_lock(tmp_path, wait=0):
        assert read_holder(lock_path(tmp_path)).pid == os.getpid()  # type: ignore[union-attr]
    assert not temporary.exists()  # its record was there: the killed run's files go
    holder.wait()


def test_a_holder_still_writing_its_record_is_waited_for(tmp_path: Path) -> None:
    holder = flock_holder(tmp_path, "")
    temporary = leftover(tmp_path)
    try:
        with (
            pytest.raises(LockError, match="a run whose lock file is still being written"),
            site_lock(tmp_path, wait=0.1),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
    with site_lock(tmp_path, wait=0):  # killed before it wrote: it did no work either
        pass
    assert temporary.exists()


def test_a_holder_on_another_host_is_named_with_its_host(tmp_path: Path) -> None:
    record = json.dumps(
        {
            "pid": 1,
            "host": "elsewhere.example",
            "command": "postlingo sync",
            "since": "2024-01-01T00:00:00+00:00",
        }
    )
    holder = flock_holder(tmp_path, record)
    try:
        with (
            pytest.raises(
                LockError,
                match=r"process 1 on elsewhere\.example, since "
                r"2024-01-01T00:00:00\+00:00: postlingo sync",
            ),
            site_lock(tmp_path, wait=0.1),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
    assert Holder(1, socket.gethostname()).describe() == "process 1, since ?"


def test_a_stale_lock_is_broken_by_one_run_at_a_time(tmp_path: Path) -> None:
    write_lock(tmp_path)
    log = tmp_path / "log"
    runs = [hold(tmp_path, 0.05, log) for _ in range(6)]
    assert all(run.wait() == 0 for run in runs)
    assert log.read_text() == "enter\nleave\n" * 6


def test_release_leaves_another_runs_lock_file_alone(tmp_path: Path) -> None:
    with site_lock(tmp_path):
        lock_path(tmp_path).unlink()  # deleted by hand, and another run made a new one
        write_lock(tmp_path, pid=os.getppid())
    assert read_holder(lock_path(tmp_path)).pid == os.getppid()  # type: ignore[union-attr]


def test_writes_are_confined_to_the_site_while_locked(tmp_path: Path) -> None:
    site, outside = tmp_path / "site", tmp_path / "outside"
    site.mkdir()
    outside.mkdir()
    (site / "linked").symlink_to(outside)
    with site_lock(site):
        write_atomic(site / "inside.txt", b"x")
        with pytest.raises(InputError, match="leads outside the project"):
            write_atomic(site / "linked" / "x.po", b"x")
    assert list(outside.iterdir()) == []
    write_atomic(site / "linked" / "x.po", b"x")  # not locked: the caller's business


@pytest.mark.parametrize("command", [["extract"], ["update"], ["build"], ["sync"]])
def test_commands_that_write_fail_while_another_run_holds_the_lock(
    bare_site: Path, command: list[str]
) -> None:
    (bare_site / "postlingo.toml").open("a").write("lock_wait = 0.2\n")
    log = bare_site.parent / "log"
    holder = hold(bare_site, 10, log)
    try:
        wait_for(lambda: log.exists())
        before = sorted(bare_site.rglob("*"))
        result = invoke(*command, "--root", bare_site)
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"error: {lock_path(bare_site).absolute()}: another postlingo run"
    ), result.stderr
    assert sorted(bare_site.rglob("*")) == before


def test_read_only_commands_do_not_wait_for_the_lock(bare_site: Path) -> None:
    assert invoke("sync", "--root", bare_site).exit_code == 0
    (bare_site / "postlingo.toml").open("a").write("lock_wait = 30\n")
    log = bare_site.parent / "log"
    holder = hold(bare_site, 30, log)
    try:
        wait_for(lambda: log.exists())
        started = time.monotonic()
        assert invoke("status", "--root", bare_site).exit_code == 0
        assert invoke("update", "--root", bare_site, "--check").exit_code == 0
        assert time.monotonic() - started < 10
    finally:
        holder.kill()
        holder.wait()
