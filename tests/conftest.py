"""Shared fixtures: a temporary copy of the example site, and helpers to run and inspect it."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import polib
import pytest
from typer.testing import CliRunner, Result

from libre_server import FakeServer
from postlingo.cli import app

REPO = Path(__file__).resolve().parents[1]
POST_NAME = "2021-01-05-erfolgreiche-kundeninteraktionen"
POST_FILE = f"{POST_NAME}.md"
POSTS = Path("content/_posts")
SOURCE = POSTS / POST_FILE
VARIANT = POSTS / "en" / POST_FILE
TEMPLATE = Path("locales/templates") / f"{POST_NAME}.pot"
CATALOGUE = Path("locales/en/LC_MESSAGES") / f"{POST_NAME}.po"


def _ignore_variants(folder: str, names: list[str]) -> list[str]:
    # The repository's generated English variants: tests must make their own.
    return ["en"] if Path(folder).name == "_posts" else []


def make_site(root: Path) -> Path:
    """Copy the example site (posts, Jekyll files, locales, postlingo.toml) to ``root``,
    without the repository's generated variants."""
    content = root / "content"
    shutil.copytree(REPO / "content/_posts", content / "_posts", ignore=_ignore_variants)
    shutil.copytree(REPO / "content/_layouts", content / "_layouts")
    shutil.copy2(REPO / "content/_config.yml", content / "_config.yml")
    shutil.copy2(REPO / "content/index.html", content / "index.html")
    shutil.copytree(REPO / "locales", root / "locales")
    shutil.copy2(REPO / "postlingo.toml", root / "postlingo.toml")
    return root


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The repository's example site as it is: posts, variants, catalogues, configuration."""
    root = tmp_path / "example"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "locales", root / "locales")
    shutil.copy2(REPO / "postlingo.toml", root / "postlingo.toml")
    return root


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the example site, no variants."""
    return make_site(tmp_path / "site")


def publish_untranslated(root: Path) -> Path:
    """Pin ``threshold = 0`` in ``root``'s postlingo.toml: with empty or untranslated
    catalogues a variant is below the default threshold (80) and not published, but tests of
    identity builds (fidelity, structure, what a run writes) need that variant. The line goes
    first, so that it stays a top-level key whatever tables the file holds."""
    config = root / "postlingo.toml"
    config.write_text(
        "threshold = 0  # identity builds: publish untranslated variants\n"
        + config.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    return root


@pytest.fixture
def bare_site(site: Path) -> Path:
    """The example site without any catalogue: everything postlingo writes is new. Every
    variant is built from empty catalogues, so the threshold is pinned to 0."""
    shutil.rmtree(site / "locales")
    return publish_untranslated(site)


@pytest.fixture
def empty_site(tmp_path: Path) -> Path:
    """A project with the default configuration and an empty posts folder."""
    root = tmp_path / "empty"
    (root / POSTS).mkdir(parents=True)
    (root / "postlingo.toml").write_text('languages = ["en"]\n', encoding="utf-8")
    return root


@pytest.fixture
def source_bytes() -> bytes:
    """The example post exactly as the repository holds it."""
    return (REPO / SOURCE).read_bytes()


def invoke(*args: str | Path) -> Result:
    """Run the CLI in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(app, [str(arg) for arg in args])


def write_post(root: Path, name: str, text: str | bytes) -> Path:
    """Write a post below the posts folder; text is written as given (no newline translation)."""
    path = root / POSTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def snapshot(root: Path) -> dict[Path, tuple[bytes, int]]:
    """Every file below ``root`` with its bytes and modification time."""
    return {
        path.relative_to(root): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def fill_catalogue(path: Path, translate: Callable[[polib.POEntry], str]) -> None:
    """Set every live entry's msgstr to ``translate(entry)`` and clear fuzzy flags."""
    po = polib.pofile(str(path))
    for entry in po:
        if entry.obsolete:
            continue
        entry.msgstr = translate(entry)
        if entry.fuzzy:
            entry.flags.remove("fuzzy")
    po.save(str(path))


def msgfmt_check(path: Path) -> subprocess.CompletedProcess[str]:
    """GNU msgfmt's checks on one PO/POT file, output discarded."""
    return subprocess.run(
        ["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8", "LANGUAGE": ""},
    )


def lang_line_removed(variant: bytes, eol: bytes) -> bytes:
    """The variant without the one ``lang: en`` line postlingo adds (the line must exist once)."""
    line = b"lang: en" + eol
    assert variant.count(line) == 1, variant[:400]
    return variant.replace(line, b"", 1)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    """A fake translation server (LibreTranslate's API) on 127.0.0.1, for the test's length."""
    with FakeServer() as running:
        yield running


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A command run without --root acts on the current folder: never let it be the repository.
    monkeypatch.chdir(tmp_path)
