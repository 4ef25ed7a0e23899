"""The command line: parses arguments, calls the library, prints, and sets the exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .config import Config, load_config, with_languages
from .errors import PostlingoError
from .project import Outcome, build, extract, sync, update
from .status import status as catalogue_status

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    help="Translate Markdown blog posts through gettext catalogues.",
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

Root = Annotated[Path, typer.Option("--root", help="The site's project folder.")]
Lang = Annotated[
    Optional[list[str]],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option("--lang", "-l", help="Only this language (repeatable)."),
]
Fuzzy = Annotated[
    bool, typer.Option("--include-fuzzy", help="Use fuzzy translations too.")
]


def _version(value: bool) -> None:
    if value:
        out.print(f"postlingo {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Translate Markdown blog posts through gettext catalogues."""


def _config(root: Path, languages: list[str] | None = None) -> Config:
    try:
        return with_languages(load_config(root), languages)
    except PostlingoError as exc:
        _fail(exc)


def _fail(exc: PostlingoError) -> typer.Exit:
    err.print(f"error: {exc}", markup=False, soft_wrap=True)
    raise typer.Exit(exc.exit_code)


def _finish(outcome: Outcome, verb: str) -> None:
    for path in outcome.written:
        out.print(f"{verb} {path}", markup=False, soft_wrap=True)
    for problem in outcome.errors:
        err.print(f"error: {problem}", markup=False, soft_wrap=True)
    if outcome.errors:
        raise typer.Exit(max(problem.exit_code for problem in outcome.errors))


@app.command("extract")
def extract_command(root: Root = Path(".")) -> None:
    """Write the template (POT) of every post."""
    _finish(extract(_config(root)), "wrote")


@app.command("update")
def update_command(root: Root = Path("."), lang: Lang = None) -> None:
    """Merge templates into every language's catalogues (PO), creating missing ones."""
    _finish(update(_config(root, lang)), "updated")


@app.command("build")
def build_command(root: Root = Path("."), lang: Lang = None, include_fuzzy: Fuzzy = False) -> None:
    """Write the localized variant of every post."""
    _finish(build(_config(root, lang), include_fuzzy), "built")


@app.command("sync")
def sync_command(root: Root = Path("."), lang: Lang = None, include_fuzzy: Fuzzy = False) -> None:
    """Extract, update and build in one go."""
    _finish(sync(_config(root, lang), include_fuzzy), "wrote")


@app.command("status")
def status_command(root: Root = Path("."), lang: Lang = None) -> None:
    """How far each post is translated, per language."""
    rows, errors = catalogue_status(_config(root, lang))
    table = Table("post", "lang", "translated", "fuzzy", "untranslated", "obsolete", "%")
    for row in rows:
        if not row.exists:
            table.add_row(row.name, row.language, "-", "-", "-", "-", "no catalogue")
            continue
        table.add_row(row.name, row.language, str(row.translated), str(row.fuzzy),
                      str(row.untranslated), str(row.obsolete), f"{row.percent:.0f}")
    out.print(table)
    _finish(Outcome(errors=errors), "")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
