"""The command line (postlingo.cli): commands, help, version, exit codes, status output."""

from __future__ import annotations

import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path

import polib
import pytest

from conftest import CATALOGUE, POST_NAME, TEMPLATE, VARIANT, invoke, write_post
from postlingo import __version__
from postlingo.cli import app
from postlingo.config import load_config
from postlingo.qa.status import status

COMMANDS = {
    "extract": ["--root"],
    "update": ["--root", "--lang"],
    "build": ["--root", "--lang", "--include-fuzzy"],
    "sync": ["--root", "--lang", "--include-fuzzy"],
    "status": ["--root", "--lang"],
}


def test_the_foundation_commands_exist() -> None:
    names = {command.name for command in app.registered_commands}
    assert set(COMMANDS) <= names


@pytest.mark.parametrize("command", [c.name for c in app.registered_commands])
def test_every_command_has_help(command: str) -> None:
    callback = next(c.callback for c in app.registered_commands if c.name == command)
    summary = (callback.__doc__ or "").strip().splitlines()[0]
    assert len(summary) > 10, command
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    assert " ".join(summary.split()[:3]) in " ".join(result.stdout.split())
    for option in COMMANDS.get(command, ["--root"]):
        assert option in result.stdout, (command, option)


def test_top_level_help_lists_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0, result.output
    for command in COMMANDS:
        assert f" {command} " in result.stdout, command
    assert "--version" in result.stdout


def test_no_arguments_shows_help() -> None:
    result = invoke()
    assert result.exit_code in (0, 2), result.output
    assert "Usage" in result.output and "sync" in result.output


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"postlingo {__version__}\n"
    assert __version__ == version("postlingo")


@pytest.mark.parametrize("args", [["nonsense"], ["sync", "--nonsense"], ["build", "--lang"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output


def test_success_exits_0_and_reports_what_it_wrote(bare_site: Path) -> None:
    result = invoke("sync", "--root", bare_site)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    reported = {line.split(" ", 1)[1] for line in result.stdout.splitlines()}
    assert reported == {str(bare_site / path) for path in (TEMPLATE, CATALOGUE, VARIANT)}


def test_unprocessable_file_exits_1(bare_site: Path) -> None:
    write_post(bare_site, "2021-02-01-kaputt.md", b"\xff\xfe kein UTF-8\n")
    result = invoke("extract", "--root", bare_site)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: "), result.stderr


def test_configuration_error_exits_2(tmp_path: Path) -> None:
    (tmp_path / "postlingo.toml").write_text("languages = 5\n", encoding="utf-8")
    result = invoke("build", "--root", tmp_path)
    assert result.exit_code == 2, result.output


def test_update_without_template_exits_1(bare_site: Path) -> None:
    result = invoke("update", "--root", bare_site)
    assert result.exit_code == 1, result.output
    assert f"error: {bare_site / TEMPLATE}: " in result.stderr
    assert "extract" in result.stderr


def test_console_script(bare_site: Path) -> None:
    script = shutil.which("postlingo")
    assert script, "the postlingo console script is not installed"
    ok = subprocess.run([script, "sync", "--root", str(bare_site)],
                        capture_output=True, text=True, check=False, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert f"created {bare_site / VARIANT}" in ok.stdout
    bad = write_post(bare_site, "2021-02-01-kaputt.md", '---\ntitle: "unclosed\n---\nText.\n')
    failed = subprocess.run([script, "sync", "--root", str(bare_site)],
                            capture_output=True, text=True, check=False, timeout=60)
    assert failed.returncode == 1, failed.stderr
    assert failed.stderr.startswith(f"error: {bad}:"), failed.stderr
    assert "Traceback" not in failed.stderr


# --- status --------------------------------------------------------------------------------


def translate_some(po_path: Path) -> None:
    """Two entries translated, one fuzzy, one obsolete; the other three stay untranslated."""
    po = polib.pofile(str(po_path))
    live = [entry for entry in po if not entry.obsolete]
    assert len(live) == 6
    live[0].msgstr = "Successful customer interactions"
    live[1].msgstr = "A paragraph."
    live[2].msgstr = "Challenges?"
    live[2].flags.append("fuzzy")
    po.append(polib.POEntry(msgid="Weg", msgstr="Gone", obsolete=True))
    po.save(str(po_path))


def table_rows(table: str, post: str) -> list[list[str]]:
    """The first six cells of the table rows whose post cell starts with ``post``
    (whatever box style the table is drawn in; cells hold no spaces)."""
    rows = [line.replace("│", " ").replace("┃", " ").split() for line in table.splitlines()]
    return [row[:6] for row in rows if row and row[0].startswith(post)]


def test_status_counts(bare_site: Path) -> None:
    assert invoke("sync", "--root", bare_site).exit_code == 0
    rows, errors = status(load_config(bare_site))
    assert errors == []
    assert [(r.translated, r.fuzzy, r.untranslated, r.obsolete) for r in rows] == [(0, 0, 6, 0)]
    translate_some(bare_site / CATALOGUE)
    rows, errors = status(load_config(bare_site))
    assert errors == []
    (row,) = rows
    assert (row.name, row.language) == (POST_NAME, "en")
    assert (row.translated, row.fuzzy, row.untranslated, row.obsolete) == (2, 1, 3, 1)
    assert row.percent == pytest.approx(100 * 2 / 6)


def test_status_table(bare_site: Path) -> None:
    write_post(bare_site, "kurz.md", "---\ntitle: Kurz\n---\nText.\n")
    (bare_site / "content/_posts" / f"{POST_NAME}.md").unlink()
    assert invoke("sync", "--root", bare_site).exit_code == 0
    po_path = bare_site / "locales/en/LC_MESSAGES/kurz.po"
    po = polib.pofile(str(po_path))
    po[0].msgstr = "Short"
    po.save(str(po_path))
    result = invoke("status", "--root", bare_site)
    assert result.exit_code == 0, result.output
    # Columns: post, lang, translated, fuzzy, untranslated, obsolete, then more.
    assert table_rows(result.stdout, "kurz") == [["kurz", "en", "1", "0", "1", "0"]], result.stdout


def test_status_names_every_post_in_full(bare_site: Path) -> None:
    """An 80-column terminal (CI logs) must still tell the posts apart."""
    write_post(bare_site, "2021-01-05-erfolgreiche-kundengespraeche.md", "Text.\n")
    assert invoke("sync", "--root", bare_site).exit_code == 0
    result = invoke("status", "--root", bare_site)
    assert result.exit_code == 0, result.output
    assert POST_NAME in result.stdout, result.stdout
    assert "2021-01-05-erfolgreiche-kundengespraeche" in result.stdout, result.stdout


def test_status_without_catalogue(bare_site: Path) -> None:
    result = invoke("status", "--root", bare_site)
    assert result.exit_code == 0, result.output
    (row,) = status(load_config(bare_site))[0]
    assert not row.exists and row.total == 0
    (cells,) = table_rows(result.stdout, POST_NAME[:8])
    assert cells[1:] == ["en", "-", "-", "-", "-"], result.stdout


def test_status_reports_a_broken_catalogue(site: Path) -> None:
    po_path = site / CATALOGUE
    po_path.write_text("msgid \"a\"\nmsgstr \"b\"\ngarbage\n", encoding="utf-8")
    result = invoke("status", "--root", site)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: {po_path}:3: "), result.stderr
