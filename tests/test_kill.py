"""Kill tests: ``postlingo sync`` and ``postlingo draft`` killed with SIGKILL at random
moments leave every catalogue and variant either as it was or completely rewritten (it
parses with polib and passes ``msgfmt -c``), and the next run completes.

A run is a forked child of a small server process that imported postlingo once (so a kill
lands in postlingo's work, not in Python's start-up) and runs ``postlingo.cli.main`` as the
console script does. Each round changes some posts, kills runs at random moments, then lets
a fresh ``postlingo`` process finish; every file seen after a kill must be the round's old
or its final bytes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polib
import pytest

from conftest import REPO, msgfmt_check
from libre_server import FakeServer
from postlingo.fileio import TEMP_SUFFIX
from postlingo.lock import LOCK_FILE

sys.path.insert(0, str(REPO / "bench"))
from sitegen import generate

POSTS = 200
KILLS_PER_ROUND = 14
ROUNDS = [20, 110, 20, 30]  # posts changed per round: 110 run on two processes
ENV = {**os.environ, "LC_ALL": "C.UTF-8", "POSTLINGO_TEST_KEY": "kill-test-key"}

SERVER = textwrap.dedent("""
    import json, os, sys
    from postlingo.cli import main
    for line in sys.stdin:
        command, argument = line.split(" ", 1)
        if command == "wait":
            _, status = os.waitpid(int(argument), 0)
            print(os.waitstatus_to_exitcode(status), flush=True)
            continue
        pid = os.fork()
        if pid == 0:
            os.setsid()
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            sys.argv = ["postlingo", *json.loads(argument)]
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            os._exit(code)
        print(pid, flush=True)
""")


class Runs:
    """Forks ``postlingo <args>`` runs from a process that has postlingo imported."""

    def __init__(self) -> None:
        self.server = subprocess.Popen(
            [sys.executable, "-c", SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=ENV,
        )

    def _ask(self, line: str) -> int:
        assert self.server.stdin is not None and self.server.stdout is not None
        self.server.stdin.write(line + "\n")
        self.server.stdin.flush()
        return int(self.server.stdout.readline())

    def start(self, *args: str) -> int:
        return self._ask(f"run {json.dumps(args)}")

    def wait(self, pid: int) -> int:
        return self._ask(f"wait {pid}")

    def kill_after(self, delay: float, *args: str) -> int:
        """Start a run, SIGKILL it after ``delay`` seconds; its exit code (negative: the
        signal that ended it)."""
        pid = self.start(*args)
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        return self.wait(pid)

    def duration(self, root: Path, scratch: Path) -> float:
        """How long a sync of ``root`` runs (after start-up): timed on a copy, so that the
        kills can be spread over a run's length however fast the machine is."""
        shutil.copytree(root, scratch)
        start = time.perf_counter()
        assert self.wait(self.start("sync", "--root", str(scratch))) == 0
        return time.perf_counter() - start

    def close(self) -> None:
        self.server.kill()
        self.server.wait()


@pytest.fixture(scope="module")
def runs() -> Iterator[Runs]:
    server = Runs()
    yield server
    server.close()


def outputs(root: Path) -> dict[Path, bytes]:
    """Every template, catalogue and variant of the site, with its bytes."""
    files = [*(root / "locales").rglob("*.po*"), *(root / "content/_posts/en").glob("*.md")]
    return {path: path.read_bytes() for path in files if not path.name.endswith(TEMP_SUFFIX)}


def assert_complete(paths: list[Path]) -> None:
    """Each file parses (polib for catalogues, as a post for variants); catalogues pass
    ``msgfmt -c``."""
    catalogues = [path for path in paths if path.suffix in (".po", ".pot")]
    for path in catalogues:
        polib.pofile(str(path))
    with ThreadPoolExecutor(max_workers=4) as pool:
        for path, result in zip(catalogues, pool.map(msgfmt_check, catalogues), strict=True):
            assert result.returncode == 0, (path, result.stderr)
    for path in paths:
        if path.suffix == ".md":
            text = path.read_text(encoding="utf-8")
            assert text.startswith("---\n") and "\nlang: en\n" in text and text.endswith("\n")


def finish(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The next run, a fresh ``postlingo`` process: it must complete."""
    result = subprocess.run(
        ["postlingo", *args, "--root", str(root)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def check_round(
    old: dict[Path, bytes], seen: list[dict[Path, bytes]], new: dict[Path, bytes]
) -> int:
    """Every file after every kill is its old or its new version; returns how many files
    were caught in their new version before the round was over."""
    caught = 0
    for after_kill in seen:
        assert set(after_kill) >= set(old), "a file disappeared"
        for path, data in after_kill.items():
            assert data in (old.get(path), new.get(path)), f"{path} is neither old nor new"
            caught += data != old.get(path)
    return caught


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 200-post site, synced, half of each catalogue translated."""
    root = tmp_path_factory.mktemp("kill") / "site"
    generate(root, POSTS, ["en"])
    finish(root, "sync")
    for path in (root / "locales/en/LC_MESSAGES").glob("*.po"):
        po = polib.pofile(str(path))
        for index, entry in enumerate(po):
            if index % 2 == 0:
                # (markup kept: build leaves out what check calls an error, and every
                # run here must succeed)
                entry.msgstr = "EN " + entry.msgid
        po.save(str(path))
    finish(root, "sync")
    return root


def test_killing_sync_loses_nothing(site: Path, runs: Runs, tmp_path: Path) -> None:
    rng = random.Random(8)
    posts = sorted((site / "content/_posts").glob("*.md"))
    kills = caught = 0
    for number, changed in enumerate(ROUNDS):
        for post in rng.sample(posts, changed):
            with post.open("a", encoding="utf-8") as handle:
                handle.write(f"\nRunde {number}: ein neuer Absatz.\n")
        old = outputs(site)
        seen = []
        # Kills spread over the first three quarters of a run: a run that ends before its
        # kill leaves the rest of the round nothing to do.
        window = 0.75 * runs.duration(site, tmp_path / f"round-{number}")
        for _ in range(KILLS_PER_ROUND):
            code = runs.kill_after(rng.uniform(0.0, window), "sync", "--root", str(site))
            assert code in (-signal.SIGKILL, 0), code  # killed, or done before the kill
            kills += code == -signal.SIGKILL
            seen.append(outputs(site))
        finish(site, "sync")
        new = outputs(site)
        assert_complete([path for path in new if new[path] != old.get(path)])
        caught += check_round(old, seen, new)
        assert not list(site.rglob(f"*{TEMP_SUFFIX}")), "a killed run's temporary files"
        assert not (site / LOCK_FILE).exists()
    assert kills >= 0.6 * KILLS_PER_ROUND * len(ROUNDS)
    assert caught > 0  # some kills came after writes: the test saw work in progress
    # Nothing is left to do, and the site checks clean of structural problems.
    assert "wrote" not in finish(site, "sync").stdout


def test_killing_draft_loses_nothing(site: Path, runs: Runs) -> None:
    rng = random.Random(9)
    pattern = "*-beitrag-0001[0-5].md"
    catalogues = sorted((site / "locales/en/LC_MESSAGES").glob("*-beitrag-0001[0-5].po"))
    seen: list[dict[Path, dict[tuple[str | None, str], str]]] = []
    with FakeServer() as server:
        with (site / "postlingo.toml").open("a", encoding="utf-8") as handle:
            handle.write(
                f'engine = "libre"\nengine_timeout = 5\n[engines.libre]\n'
                f'url = "{server.url}"\nkey_env = "POSTLINGO_TEST_KEY"\n'
            )
        args = ("draft", "--post", pattern, "--root", str(site))
        kills = 0
        for _ in range(12):
            code = runs.kill_after(rng.uniform(0.0, 0.6), *args)
            assert code in (-signal.SIGKILL, 0), code
            kills += code == -signal.SIGKILL
            seen.append({path: translations(path) for path in catalogues})
        finish(site, *args)
        assert server.requests and all(r.key == "kill-test-key" for r in server.requests)
    assert kills >= 6
    assert_complete(catalogues)
    final = {path: translations(path) for path in catalogues}
    drafted = 0
    for after_kill in seen:
        for path, entries in after_kill.items():
            assert entries.keys() == final[path].keys()
            for key, text in entries.items():
                assert text in ("", final[path][key]), (path, key)  # none, or the whole draft
                drafted += bool(text)
    assert all(all(entries.values()) for entries in final.values())  # the last run finished
    assert drafted > 0  # some kills came after saves
    cache = site / "locales/.cache/drafts/libre.jsonl"
    lines = cache.read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line)["text"] for line in lines[:-1])  # only the last may be cut


def translations(path: Path) -> dict[tuple[str | None, str], str]:
    """The live entries' translations, by context and msgid (the file must parse)."""
    return {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in polib.pofile(str(path))
        if not entry.obsolete
    }
