"""The command line (postlingo.cli): commands, help, version, exit codes, status output."""

from __future__ import annotations

import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path

import polib
import pytest

from conftest import (
    CATALOGUE,
    POST_NAME,
    TEMPLATE,
    VARIANT,
    fill_catalogue,
    invoke,
    write_post,
)
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
    ok = subprocess.run(
        [script, "sync", "--root", str(bare_site)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert f"created {bare_site / CATALOGUE}" in ok.stdout
    bad = write_post(bare_site, "2021-02-01-kaputt.md", '---\ntitle: "unclosed\n---\nText.\n')
    failed = subprocess.run(
        [script, "sync", "--root", str(bare_site)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
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
    po_path.write_text('msgid "a"\nmsgstr "b"\ngarbage\n', encoding="utf-8")
    result = invoke("status", "--root", site)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: {po_path}:3: "), result.stderr


# --- issue 17: the CLI's words, summary, --root, help and exit codes -----------------------


def test_new_files_are_created_and_changed_ones_updated(bare_site: Path) -> None:
    first = invoke("sync", "--root", bare_site)
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert {f"created {bare_site / TEMPLATE}", f"created {bare_site / CATALOGUE}"} <= set(lines)
    assert not [line for line in lines if not line.startswith("created ")]
    (bare_site / VARIANT).unlink(missing_ok=True)  # (written or not, by the threshold)
    fill_catalogue(bare_site / CATALOGUE, lambda entry: entry.msgid)
    built = invoke("build", "--root", bare_site)
    assert built.stdout.splitlines() == [f"created {bare_site / VARIANT}"], built.output
    fill_catalogue(bare_site / CATALOGUE, lambda entry: entry.msgid.replace("Kunden", "Leute"))
    rebuilt = invoke("build", "--root", bare_site)
    assert rebuilt.stdout.splitlines() == [f"updated {bare_site / VARIANT}"], rebuilt.output


@pytest.mark.parametrize("command", ["extract", "update", "build", "sync"])
def test_a_run_with_nothing_to_do_says_so_in_one_line(bare_site: Path, command: str) -> None:
    assert invoke("sync", "--root", bare_site).exit_code == 0
    result = invoke(command, "--root", bare_site)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "nothing to do: 1 post checked, no file changed\n"


def test_root_works_before_and_after_the_command(bare_site: Path) -> None:
    before = invoke("--root", bare_site, "sync")
    assert before.exit_code == 0, before.output
    assert f"created {bare_site / CATALOGUE}" in before.stdout
    after = invoke("--root", "/nonexistent", "status", "--root", bare_site, "--format", "csv")
    assert after.exit_code == 0, after.output  # the one after the command wins


@pytest.mark.parametrize("command", ["build", "status", "check", "draft"])
def test_a_language_without_catalogues_is_an_error_naming_what_to_run(
    bare_site: Path, command: str
) -> None:
    assert invoke("sync", "--root", bare_site).exit_code == 0
    result = invoke(command, "--root", bare_site, "--lang", "es")
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: {bare_site / 'locales/es'}: no catalogues for 'es': run "
        "'postlingo update --lang es' (or 'sync --lang es') first\n"
    )
    assert not (bare_site / "locales/es").exists()


def test_main_help_has_one_line_per_command() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "80"}, terminal_width=80)
    listed = [
        line for line in result.stdout.split("Commands")[1].splitlines() if line.startswith("│")
    ]
    names = [line.strip("│ ").split(" ", 1)[0] for line in listed]
    assert names == [command.name for command in app.registered_commands], listed
    assert "--root" in result.stdout.split("Commands")[0]


def test_draft_lang_is_shown_as_optional() -> None:
    result = invoke("draft", "--help")
    line = next(line for line in result.stdout.splitlines() if "--lang" in line)
    assert "required" not in line.lower()


def test_a_variant_held_back_by_the_threshold_is_said_in_one_line(site: Path) -> None:
    shutil.rmtree(site / "locales")  # new, empty catalogues: 0% translated, under 80%
    result = invoke("sync", "--root", site)
    assert result.exit_code == 0, result.output
    assert not (site / VARIANT).exists()
    lines = [line for line in result.stderr.splitlines() if "not written yet" in line]
    assert lines == [
        "1 variant not written yet, being below the translation threshold "
        "('postlingo status' shows how far each post is)"
    ]
