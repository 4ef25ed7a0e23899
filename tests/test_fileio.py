"""Strict reading and atomic writing (postlingo.fileio)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postlingo import fileio
from postlingo.errors import InputError
from postlingo.fileio import batched, glob, read_text, write_atomic, write_if_changed


def test_read_text_keeps_bom_and_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "p.md"
    path.write_bytes(b"\xef\xbb\xbfA\r\nB\rC\n\xe2\x80\xa8")
    assert read_text(path) == "\ufeffA\r\nB\rC\n\u2028"


def test_read_text_rejects_invalid_utf8_naming_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "p.md"
    path.write_bytes(b"eins\nzwei\nGr\xfc\xdfe\n")
    with pytest.raises(InputError) as caught:
        read_text(path)
    assert caught.value.line == 3
    assert caught.value.path == path
    assert "0xfc" in caught.value.message


def test_read_text_rejects_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "p.md"
    path.write_bytes(b"eins\n\x00\n")
    with pytest.raises(InputError) as caught:
        read_text(path)
    assert caught.value.line == 2


def test_write_atomic_creates_parents_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "a/b/c.po"
    write_atomic(path, b"x")
    assert path.read_bytes() == b"x"
    assert os.listdir(path.parent) == ["c.po"]
    assert path.stat().st_mode & 0o777 == 0o644


def test_write_atomic_keeps_the_mode_of_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "c.po"
    path.write_bytes(b"old")
    path.chmod(0o600)
    write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o777 == 0o600


def test_write_atomic_failure_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.po"
    path.write_bytes(b"old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["c.po"]


def test_write_if_changed(tmp_path: Path) -> None:
    path = tmp_path / "v.md"
    assert write_if_changed(path, "Grüße\r\n") is True
    assert path.read_bytes() == "Grüße\r\n".encode()
    os.utime(path, ns=(1, 1))
    assert write_if_changed(path, "Grüße\r\n") is False
    assert path.stat().st_mtime_ns == 1
    assert write_if_changed(path, "Hallo\n") is True
    assert path.read_bytes() == b"Hallo\n"
    assert path.stat().st_mtime_ns != 1


def test_batched_writes_take_effect_together_at_the_end(tmp_path: Path) -> None:
    old = tmp_path / "old.po"
    old.write_bytes(b"old")
    new = tmp_path / "sub/new.po"
    with batched():
        write_atomic(old, b"changed")
        write_atomic(new, b"created")
        assert old.read_bytes() == b"old" and not new.exists()  # nothing in place yet
    assert old.read_bytes() == b"changed" and new.read_bytes() == b"created"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["new.po", "old.po", "sub"]


def test_a_failing_batch_changes_nothing_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    old = tmp_path / "old.po"
    old.write_bytes(b"old")
    with pytest.raises(RuntimeError), batched():
        write_atomic(old, b"changed")
        write_atomic(tmp_path / "new.po", b"created")
        raise RuntimeError("stop")
    assert old.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["old.po"]


def test_a_file_written_twice_in_a_batch_ends_as_last_written(tmp_path: Path) -> None:
    path = tmp_path / "p.po"
    path.write_bytes(b"first")
    with batched():
        assert write_if_changed(path, "second")
        assert not write_if_changed(path, "first")  # back to what it is on disk
    assert path.read_bytes() == b"first"
    with batched():
        write_atomic(path, b"second")
        write_atomic(path, b"third")
    assert path.read_bytes() == b"third"
    assert [p.name for p in tmp_path.iterdir()] == ["p.po"]


@pytest.mark.parametrize("syncfs", [True, False])
def test_a_batch_flushes_once_not_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, syncfs: bool
) -> None:
    fsyncs: list[int] = []
    syncs: list[int] = []
    monkeypatch.setattr(fileio.os, "fsync", lambda fd: fsyncs.append(fd))
    monkeypatch.setattr(
        fileio, "_syncfs", lambda: (lambda fd: syncs.append(fd) or 0) if syncfs else None
    )
    with batched():
        for name in "abc":
            write_atomic(tmp_path / f"{name}.po", name.encode())
    assert (len(syncs), len(fsyncs)) == ((1, 0) if syncfs else (0, 3))
    write_atomic(tmp_path / "d.po", b"d")  # outside a batch: flushed on its own
    assert len(fsyncs) == (1 if syncfs else 4)


def test_the_real_syncfs_is_found_on_linux() -> None:
    assert (fileio._syncfs() is not None) == sys.platform.startswith("linux")


# Trees of folders, hidden names, links to files and folders (and broken ones), and globs
# with every kind of part: the files found must be those pathlib's glob finds.
_PART = st.sampled_from(["a", "b", ".h", "x.md", "y.md", ".z.md", "a.md"])
_ENTRY = st.tuples(
    st.lists(_PART, min_size=1, max_size=3).map("/".join),
    st.sampled_from(["file", "folder", "link-file", "link-folder", "broken"]),
)
_PATTERN = st.sampled_from(
    [
        "**/*.md",
        "a/**/*.md",
        "*/*.md",
        "**/a/*.md",
        "a/*.md",
        "a/x.md",
        "*.md",
        ".h/*.md",
        "**/.h/**/*.md",
        "a/**/**/*.md",
        "**/[xy].md",
        "?/*.md",
        "a/../a/*.md",
        "./a//*.md",
        "**/*",
        "a/*",
        "**",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_ENTRY, max_size=10), _PATTERN)
def test_glob_finds_what_pathlib_finds(entries: list[tuple[str, str]], pattern: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, kind in entries:
            path = root / name
            if (
                any(parent.is_file() or parent.is_symlink() for parent in path.parents)
                or path.exists()
                or path.is_symlink()
            ):
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "file":
                path.write_text("Ein Text.\n", encoding="utf-8")
            elif kind == "folder":
                path.mkdir()
            else:
                target = {"link-file": "x.md", "link-folder": ".", "broken": "gone"}[kind]
                path.symlink_to(target)

        def files(keys: list[str]) -> set[str]:  # (a final ** finds folders: never posts)
            return {key for key in keys if not (root / key).is_dir()}

        expected = [path.relative_to(root).as_posix() for path in root.glob(pattern)]
        found = [key for key, _ in glob(str(root), pattern)]
        assert files(found) == files(expected)
