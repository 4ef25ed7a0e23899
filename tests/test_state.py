"""Incremental sync: what the last sync left behind lets the next skip unchanged posts,
never a post whose files changed, and parallel runs write what a single process writes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polib
import pytest

from postlingo.config import load_config
from postlingo.incremental import sync
from postlingo.pipeline import parallel_map
from postlingo.state import STATE_FILE

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from sitegen import generate


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    generate(root, 12, ["en"])
    assert sync(load_config(root)).ok
    return root


def test_a_sync_with_nothing_to_do_loads_no_parser(site: Path) -> None:
    # An author syncs on every save: such a sync only looks at files (see bench/run.py).
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "postlingo", "sync", "--root", str(site)],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = {line.split("|")[-1].strip() for line in run.stderr.splitlines()}
    assert "postlingo.site.sources" in loaded and "postlingo.state" in loaded
    assert not loaded & {
        "markdown_it",
        "yaml",
        "polib",
        "babel.messages",
        "rich",
        "socket",
        "postlingo.pipeline",
        "postlingo.catalogue.po",
    }
    # One post changed: its parsers, but no worker processes and no new catalogue's needs.
    touched = site / "content/_posts" / sorted(os.listdir(site / "content/_posts"))[0]
    touched.write_text(touched.read_text(encoding="utf-8") + "\nNeu.\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "postlingo", "sync", "--root", str(site)],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = {line.split("|")[-1].strip() for line in run.stderr.splitlines()}
    assert "markdown_it" in loaded
    assert not loaded & {"concurrent.futures", "multiprocessing", "babel.messages", "socket"}


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".cache" not in p.parts
    }


def test_a_second_sync_skips_every_post_and_writes_nothing(site: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    outcome = sync(load_config(site))
    assert outcome.ok and outcome.written == []
    assert outcome.unchanged == []  # skipped: not even read
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == before
    assert (site / "locales" / STATE_FILE).is_file()


def test_a_translators_edit_rebuilds_that_post_only(site: Path) -> None:
    po_path = sorted((site / "locales/en/LC_MESSAGES").glob("*.po"))[3]
    po = polib.pofile(str(po_path))
    entry = next(e for e in po if e.msgctxt == "title")
    entry.msgstr = "A translated title"
    po.save(str(po_path))
    outcome = sync(load_config(site))
    variant = site / "content/_posts/en" / f"{po_path.stem}.md"
    assert variant in outcome.written
    assert {p.stem for p in outcome.written + outcome.unchanged} == {po_path.stem}
    assert 'title: "A translated title"' in variant.read_text(encoding="utf-8")


def test_a_removed_or_edited_output_is_made_again(site: Path) -> None:
    variant = sorted((site / "content/_posts/en").glob("*.md"))[0]
    expected = variant.read_bytes()
    variant.unlink()
    assert sync(load_config(site)).written == [variant]
    assert variant.read_bytes() == expected
    variant.write_bytes(b"hand-edited\n")
    assert sync(load_config(site)).written == [variant]
    assert variant.read_bytes() == expected


def test_an_edited_source_is_processed_again(site: Path) -> None:
    source = sorted((site / "content/_posts").glob("*.md"))[5]
    source.write_text(
        source.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8"
    )
    written = sync(load_config(site)).written
    assert [p.suffix for p in written] == [".pot", ".po", ".md"]
    assert all(p.stem == source.stem for p in written)


def test_a_changed_setting_processes_every_post(site: Path) -> None:
    (site / "postlingo.toml").write_text(
        'languages = ["en"]\nfront_matter = ["title"]\n', encoding="utf-8"
    )
    outcome = sync(load_config(site))
    assert len(outcome.written) == 2 * 12  # every template and catalogue lost a value


def test_errors_are_reported_on_every_run(site: Path) -> None:
    broken = site / "content/_posts/2030-01-01-kaputt.md"
    broken.write_text('---\ntitle: "offen\n---\nText.\n', encoding="utf-8")
    for _ in range(2):
        errors = sync(load_config(site)).errors
        assert [(e.path, e.line) for e in errors] == [(broken, 2)]


def test_warnings_are_replayed_for_skipped_posts(site: Path) -> None:
    (site / "postlingo.toml").write_text('languages = ["en"]\nthreshold = 50\n', encoding="utf-8")
    first = sync(load_config(site)).warnings
    assert len(first) == 12  # every variant is kept though below the threshold
    second = sync(load_config(site))
    assert second.written == []
    assert [str(w) for w in second.warnings] == [str(w) for w in first]


def test_parallel_sync_writes_what_one_process_writes(tmp_path: Path) -> None:
    generate(tmp_path / "one", 90, ["en", "fr"])
    shutil.copytree(tmp_path / "one", tmp_path / "two")
    assert sync(load_config(tmp_path / "one"), jobs=1).ok
    assert sync(load_config(tmp_path / "two"), jobs=2).ok
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert len(one) == 90 * 6 + 1 and one.keys() == two.keys()
    different = [
        name for name in one if one[name] != two[name] and not name.endswith((".po", ".pot"))
    ]
    assert different == []


def test_parallel_map_keeps_order_and_uses_processes() -> None:
    items = list(range(200))
    results = parallel_map(_pid_and_square, items, jobs=2)
    assert [square for _, square in results] == [n * n for n in items]
    pids = {pid for pid, _ in results}
    assert len(pids) == 2 and os.getpid() not in pids
    assert {pid for pid, _ in parallel_map(_pid_and_square, items[:10], jobs=2)} == {
        os.getpid()
    }  # too little work for a second process


def test_parallel_map_prepares_only_before_forking() -> None:
    prepared: list[int] = []
    parallel_map(
        _pid_and_square, list(range(10)), jobs=2, prepare=lambda: prepared.append(os.getpid())
    )
    assert prepared == []  # done in this process: nothing to share with workers
    parallel_map(
        _pid_and_square, list(range(200)), jobs=2, prepare=lambda: prepared.append(os.getpid())
    )
    assert prepared == [os.getpid()]  # once, here


def _pid_and_square(chunk: list[int]) -> list[tuple[int, int]]:
    assert 0 < len(chunk) <= 50
    # (A chunk takes a while, as posts do: on a busy machine one worker would otherwise
    # finish every chunk before the other has started.)
    time.sleep(0.05)
    return [(os.getpid(), n * n) for n in chunk]


def test_an_unreadable_variant_is_rewritten_not_an_error(site: Path) -> None:
    variant = sorted((site / "content/_posts/en").glob("*.md"))[1]
    expected = variant.read_bytes()
    variant.write_bytes(b"\x00broken")
    outcome = sync(load_config(site))
    assert outcome.ok and outcome.written == [variant]
    assert variant.read_bytes() == expected
