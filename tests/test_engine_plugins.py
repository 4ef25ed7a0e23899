"""A third-party engine registers through the entry-point group ``postlingo.engines`` (a tiny
installed distribution on sys.path, as pip would leave it) and is used by
``draft --engine NAME``; a broken registration is one clear line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polib
import pytest

from conftest import CATALOGUE, invoke
from postlingo.drafts.engines import engine_names, registry

ENGINE = '''
from postlingo.drafts.engines import Engine


class ShoutEngine(Engine):
    """Translates by shouting (placeholders are upper case already)."""

    name = "shout"
    remote = False
    options = {"suffix": str}

    def _request(self, text, source, target):
        return text.upper() + str(self.settings.options.get("suffix", ""))


class NotAnEngine:
    name = "broken"
'''


def install(folder: Path, entry_points: str) -> None:
    """A distribution as pip installs it: its module and its dist-info."""
    (folder / "shout_engine.py").write_text(ENGINE, encoding="utf-8")
    info = folder / "postlingo_shout-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: postlingo-shout\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(f"[postlingo.engines]\n{entry_points}", encoding="utf-8")


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    registry.cache_clear()
    yield folder
    registry.cache_clear()  # the next test sees the installed engines only


def test_a_registered_engine_drafts_with_draft_engine_name(bare_site: Path, plugins: Path) -> None:
    install(plugins, "shout = shout_engine:ShoutEngine\n")
    assert "shout" in engine_names()
    with (bare_site / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write('[engines.shout]\nsuffix = "!"\n')  # its own options are checked
    assert invoke("sync", "--root", bare_site).exit_code == 0
    result = invoke("draft", "--root", bare_site, "--engine", "shout")
    assert result.exit_code == 0, result.output
    today = date.today().isoformat()
    entries = [e for e in polib.pofile(str(bare_site / CATALOGUE)) if not e.obsolete]
    assert entries
    for entry in entries:
        assert entry.fuzzy and entry.tcomment == f"machine draft: shout {today}"
        assert entry.msgstr.endswith("!") and entry.msgstr[:-1] == entry.msgid.upper()
    assert f"shout: {len(entries)} drafted; offline: nothing sent" in result.stderr


def test_an_unknown_option_of_a_registered_engine_is_refused(
    bare_site: Path, plugins: Path
) -> None:
    install(plugins, "shout = shout_engine:ShoutEngine\n")
    with (bare_site / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write("[engines.shout]\nvolume = 11\n")
    result = invoke("draft", "--root", bare_site, "--engine", "shout")
    assert result.exit_code == 2
    assert "unknown option 'volume' in engines.shout (known: suffix)" in result.stderr


def test_without_the_distribution_the_name_is_unknown(bare_site: Path, plugins: Path) -> None:
    assert "shout" not in engine_names()
    assert invoke("sync", "--root", bare_site).exit_code == 0
    result = invoke("draft", "--root", bare_site, "--engine", "shout")
    assert result.exit_code == 2 and "unknown engine 'shout'" in result.stderr


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("broken = shout_engine:NotAnEngine\n", "is not a postlingo.drafts.engines.Engine"),
        ("gone = shout_engine:Missing\n", "could not be loaded: AttributeError"),
        ("deepl = shout_engine:ShoutEngine\n", "the name is taken by a built-in engine"),
        ("loud = shout_engine:ShoutEngine\n", "calls itself 'shout'"),
    ],
)
def test_a_broken_registration_is_one_line(
    bare_site: Path, plugins: Path, line: str, message: str
) -> None:
    install(plugins, line)
    assert invoke("sync", "--root", bare_site).exit_code == 0
    result = invoke("draft", "--root", bare_site, "--engine", "pseudo")
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
