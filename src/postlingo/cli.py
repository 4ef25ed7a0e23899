"""The command line: parses arguments, calls the library, prints, and sets the exit code."""

from __future__ import annotations

import functools
import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer

from . import __version__
from .config import Config
from .errors import InternalError, PostlingoError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from .drafts.draft import DraftReport
    from .outcome import Outcome

# Each command imports the part of the library it runs: start-up time is paid on every
# save where an author runs `postlingo sync`, and the check rules or the engines' HTTP
# clients are of no use there.


@functools.cache
def _console(stderr: bool) -> Console:
    # Made when first printed to: a sync with nothing to say does not load rich.
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def out() -> Console:
    return _console(False)


def err() -> Console:
    return _console(True)


# The command-line library's own exceptions (exits, usage errors) pass the boundary. Its
# base class is found through typer: typer vendors click since 0.28 and re-exports it before.
_CLI_EXCEPTIONS: tuple[type[BaseException], ...] = (
    typer.Exit,
    typer.Abort,
    *(klass for klass in typer.BadParameter.__mro__ if klass.__name__ == "ClickException"),
)
_options: dict[str, object] = {"debug": False, "root": None}  # the running command's globals


class _ErrorBoundary(typer.core.TyperGroup):
    """The one place where errors become messages: a ``PostlingoError`` prints
    ``error: <file>:<line>: <message>`` and exits with its code; any other exception prints
    one line too (exit 1). ``--debug`` adds the traceback."""

    def invoke(self, ctx: Any) -> Any:  # (click's Context: typer vendors click)
        try:
            return super().invoke(ctx)
        except _CLI_EXCEPTIONS:
            raise
        except PostlingoError as exc:
            _fail(exc)
        except Exception as exc:
            _fail(
                InternalError(
                    f"unexpected {type(exc).__name__}: {exc} (--debug shows where)",
                    details=_traceback(exc),
                )
            )


app = typer.Typer(
    cls=_ErrorBoundary,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    help="Translate Markdown blog posts through gettext catalogues.",
)

# --root before the command (a global option) or after it; the latter wins.
Root = Annotated[
    Path | None,
    typer.Option("--root", help="The site's project folder (default: here)."),
]
Lang = Annotated[
    Optional[list[str]],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option("--lang", "-l", help="Only this language (repeatable)."),
]
Fuzzy = Annotated[
    bool,
    typer.Option(
        "--include-fuzzy",
        help="Use fuzzy translations too (also: include_fuzzy = true in the configuration).",
    ),
]
KeepGoing = Annotated[
    bool,
    typer.Option(
        "--keep-going", help="Exit 0 even when translations were left out (the warnings stay)."
    ),
]
Force = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace variant files postlingo did not write (human translations: "
        "'postlingo import' keeps them instead).",
    ),
]


def _version(value: bool) -> None:
    if value:
        out().print(f"postlingo {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of unexpected errors.")
    ] = False,
    root: Root = None,
) -> None:
    """Translate Markdown blog posts through gettext catalogues."""
    _options["debug"] = debug
    _options["root"] = root


def _root(root: Path | None) -> Path:
    """The site's folder: --root after the command, else before it, else here."""
    chosen = root or _options["root"]
    return chosen if isinstance(chosen, Path) else Path(".")


def _traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)).rstrip()


def _error(problem: PostlingoError) -> None:
    """``error: <file>:<line>: <message>``, and under --debug how it came about."""
    one_line = " ".join(str(problem).splitlines())  # a parser's message may span lines
    err().print(f"error: {one_line}", markup=False, soft_wrap=True)
    if not _options["debug"]:
        return
    details = getattr(problem, "details", "") or (
        _traceback(problem.__cause__) if problem.__cause__ else ""
    )
    if details:
        err().print(details, markup=False, soft_wrap=True, highlight=False)


def _config(
    root: Path | None, languages: list[str] | None = None, catalogues: bool = False
) -> Config:
    """The configuration (``--lang`` applied); with ``catalogues``, for a command that reads
    catalogues, each ``--lang`` language must have some (else: an error naming what to run)."""
    from .api import load_config, require_catalogues

    config = load_config(_root(root), languages)  # (its errors: the boundary's)
    if catalogues and languages:
        require_catalogues(config, languages)
    return config


def _fail(exc: PostlingoError) -> NoReturn:
    _error(exc)
    raise typer.Exit(exc.exit_code)


def _finish(
    outcome: Outcome, verb: str = "updated", removed: str = "removed", created: str = "created"
) -> None:
    """Print what was written ("created" for new files, ``verb`` for changed ones),
    renamed and removed, the warnings and the errors; exit with the worst error's code. A
    run that changed nothing and met no problem says so in one line."""
    new = set(outcome.created)
    # Thousands of plain lines: written at once (rich takes 50 µs a line).
    lines = [
        *(f"{created if path in new else verb} {path}" for path in outcome.written),
        *(f"renamed {old} -> {new}" for old, new in outcome.renamed),
        *(f"{removed} {path}" for path in outcome.removed),
    ]
    if lines:
        typer.echo("\n".join(lines))
    elif not outcome.errors and not outcome.warnings and not outcome.held_back and verb:
        posts = f"{outcome.checked} post{'' if outcome.checked == 1 else 's'}"
        typer.echo(f"nothing to do: {posts} checked, no file changed", err=True)
    if outcome.held_back:
        count = len(outcome.held_back)
        typer.echo(
            f"{count} variant{'' if count == 1 else 's'} not written yet, being below "
            "the translation threshold ('postlingo status' shows how far each post is)",
            err=True,
        )
    for problem in _distinct(outcome.warnings):
        err().print(f"warning: {problem}", markup=False, soft_wrap=True)
    for problem in _distinct(outcome.errors):
        _error(problem)
    if outcome.errors:
        raise typer.Exit(max(problem.exit_code for problem in outcome.errors))


def _finish_build(outcome: Outcome, verb: str, keep_going: bool) -> None:
    """As ``_finish``; exit 1 too when a translation was left out (a ``TranslationError``
    among the warnings: the variant keeps the source's text there), unless ``keep_going``."""
    from .errors import TranslationError

    _finish(outcome, verb)
    if not keep_going and any(isinstance(w, TranslationError) for w in outcome.warnings):
        raise typer.Exit(1)


def _distinct(problems: list[PostlingoError]) -> list[PostlingoError]:
    """Each problem once: sync meets a broken catalogue when it updates and when it builds."""
    return list({str(problem): problem for problem in reversed(problems)}.values())[::-1]


@app.command("init")
def init_command(
    root: Root = None,
    source_language: Annotated[
        str, typer.Option("--source-language", help="The language the posts are written in.")
    ] = "de",
    languages: Annotated[
        str | None,
        typer.Option(
            "--languages",
            help="Target languages, comma-separated (default: those the site has, else en).",
        ),
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Also make the edits the generator's config needs.")
    ] = False,
) -> None:
    """Write a postlingo.toml for the site (never over one).

    Says what the site generator's config still needs (--apply makes those edits)."""
    from .api import init
    from .site.init import report_lines

    codes = [code.strip() for code in languages.split(",") if code.strip()] if languages else None
    report = init(_root(root), source_language, codes, apply)
    typer.echo("\n".join(report_lines(report, apply)))
    for problem in report.problems:
        _error(problem)
    if report.problems:
        raise typer.Exit(1)


@app.command("extract")
def extract_command(root: Root = None) -> None:
    """Write the template (POT) of every post."""
    from .api import extract

    _finish(extract(_config(root)))


@app.command("update")
def update_command(
    root: Root = None,
    lang: Lang = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1 if any catalogue would change or a post "
            "changed since its template was extracted.",
        ),
    ] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove templates and catalogues whose post is gone.")
    ] = False,
    obsolete: Annotated[
        bool,
        typer.Option(
            "--obsolete/--no-obsolete", help="Keep translations of removed text as #~ entries."
        ),
    ] = True,
    force: Force = False,
) -> None:
    """Merge templates into every language's catalogues (PO).

    Creates missing catalogues (--lang adds a language); a renamed post's catalogues move
    to its new name."""
    from .api import update

    config = _config(root, lang)
    outcome = update(config, check=check, prune=prune, keep_obsolete=obsolete, force=force)
    _finish(
        outcome,
        "would update" if check else "updated",
        "would remove" if check else "removed",
        "would create" if check else "created",
    )
    if check and (outcome.written or outcome.removed):
        raise typer.Exit(1)


@app.command("build")
def build_command(
    root: Root = None,
    lang: Lang = None,
    include_fuzzy: Fuzzy = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove variants whose source post is gone.")
    ] = False,
    keep_going: KeepGoing = False,
) -> None:
    """Write the localized variant of every post."""
    from .api import build

    _finish_build(
        build(_config(root, lang, catalogues=True), include_fuzzy, prune), "updated", keep_going
    )


@app.command("import")
def import_command(
    root: Root = None,
    lang: Lang = None,
    post: Annotated[
        str | None,
        typer.Option("--post", help="Only posts whose path, name or file name match this glob."),
    ] = None,
) -> None:
    """Import existing translated variants into the catalogues.

    Each aligned text becomes a fuzzy entry for a translator to confirm; the variants
    (human translations) are only read."""
    from .api import import_translations

    outcome = import_translations(_config(root, lang), post=post)
    for found in outcome.posts:
        out().print(found.line(), markup=False, soft_wrap=True)
    _finish(outcome)


@app.command("sync")
def sync_command(
    root: Root = None,
    lang: Lang = None,
    include_fuzzy: Fuzzy = False,
    jobs: Annotated[
        Optional[int],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Option("--jobs", "-j", min=1, help="Processes to use (default: one per core)."),
    ] = None,
    force: Force = False,
    keep_going: KeepGoing = False,
) -> None:
    """Extract, update and build the posts changed since the last sync.

    Posts unchanged since the last sync are skipped."""
    from .api import sync

    _finish_build(sync(_config(root, lang), include_fuzzy, jobs, force), "updated", keep_going)


class StatusFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    html = "html"


class CheckFormat(str, Enum):  # the keys of report.FINDING_FORMATS
    text = "text"
    json = "json"
    github = "github"
    junit = "junit"


@app.command("status")
def status_command(
    root: Root = None,
    lang: Lang = None,
    include_fuzzy: Fuzzy = False,
    output: Annotated[
        StatusFormat, typer.Option("--format", help="Output format.")
    ] = StatusFormat.table,
    to_file: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Option("--output", "-o", help="Write the json, csv or html output to this file."),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Look at every post again, not only those whose files changed since the "
            "last status (locales/.cache).",
        ),
    ] = False,
) -> None:
    """How far each post is translated; whether its variant is current.

    One row per post and language."""
    from .api import status as catalogue_status
    from .outcome import Outcome
    from .qa.report import print_wide, status_csv, status_json, status_table

    config = _config(root, lang, catalogues=True)
    rows, errors, orphans = catalogue_status(config, include_fuzzy, cache=not no_cache)
    if output is StatusFormat.html or to_file is not None:
        from .qa.html import write_status

        try:
            write_status(config, output.value, rows, orphans, errors, to_file)
        except PostlingoError as exc:
            _fail(exc)
    elif output is StatusFormat.table:
        print_wide(out(), status_table(rows, orphans, config.locales_dir))
    else:
        writer = status_json if output is StatusFormat.json else status_csv
        typer.echo(writer(rows, orphans, config.locales_dir), nl=False)
    _finish(Outcome(errors=errors), "")  # (no verb: no summary line either)


class _CheckCommand(typer.core.TyperCommand):
    """The ``check`` command, whose help ends with the table of rules (loaded for it)."""

    @property
    def epilog(self) -> str:
        from .qa.report import rules_help

        return rules_help()

    @epilog.setter
    def epilog(self, value: str | None) -> None:
        pass  # the rules are the epilog


@app.command("check", cls=_CheckCommand)
def check_command(
    root: Root = None,
    lang: Lang = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fuzzy and untranslated entries are errors.")
    ] = False,
    min_percent: Annotated[
        Optional[float],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Option(
            "--min-percent",
            min=0,
            max=100,
            help="Fail below this percentage translated over all posts and languages.",
        ),
    ] = None,
    include_fuzzy: Annotated[
        bool, typer.Option("--include-fuzzy", help="Check fuzzy translations, as build uses them.")
    ] = False,
    output: Annotated[
        CheckFormat, typer.Option("--format", help="Output format.")
    ] = CheckFormat.text,
    shard: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Option(
            "--shard",
            metavar="K/N",
            help="Only the K-th of N stable shards of the posts (parallel CI jobs); "
            "shard 1 also checks what belongs to the whole site.",
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Check every post again, not only those whose files changed since the "
            "last check (locales/.cache).",
        ),
    ] = False,
) -> None:
    """Check catalogues, translations and variants for CI.

    Exit 1 when a rule at level error fails."""
    from .api import check as check_project
    from .qa.check import Options
    from .qa.report import FINDING_FORMATS, summary
    from .qa.shard import parse_shard

    config = _config(root, lang, catalogues=True)
    chosen = parse_shard(shard) if shard is not None else None
    options = Options(strict, min_percent, include_fuzzy, chosen, cache=not no_cache)
    report = check_project(config, options)
    typer.echo(FINDING_FORMATS[output.value](report), nl=False)
    if output is CheckFormat.text:
        err().print(summary(report), markup=False, soft_wrap=True)
    raise typer.Exit(1 if report.failed else 0)


@app.command("weblate")
def weblate_command(root: Root = None) -> None:
    """Print Weblate's component settings for the site as JSON.

    How to use them goes to stderr; the JSON is what Weblate's API accepts."""
    from .site.weblate import settings_json, settings_text

    config = _config(root)
    try:
        typer.echo(settings_json(config), nl=False)
        err().print(settings_text(config), markup=False, soft_wrap=True, end="")
    except PostlingoError as exc:
        _fail(exc)


class _DraftProgress:
    """A progress bar on stderr: segments done, characters sent."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None
        self.characters = 0

    def start(self, total: int) -> None:
        self.task = self.progress.add_task("drafting", total=total, characters="0")

    def advance(self, segments: int, characters: int) -> None:
        self.characters += characters
        if self.task is not None:
            self.progress.update(self.task, advance=segments, characters=f"{self.characters:,}")


@app.command("draft")
def draft_command(
    root: Root = None,
    lang: Lang = None,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            "-e",
            help="Engine: memory, openai, deepl, google, microsoft, mymemory, "
            "libre, yandex, pseudo, or one a package registers (default: 'engine' in the "
            "configuration, else memory). Memory is asked first.",
        ),
    ] = None,
    post: Annotated[
        str | None,
        typer.Option("--post", help="Only posts whose path, name or file name match this glob."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="Draft at most this many entries."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Send nothing, write nothing; print per engine what would be sent "
            "(each segment, its characters) and the cost estimate.",
        ),
    ] = False,
) -> None:
    """Fill untranslated entries with machine drafts (fuzzy).

    A translator reviews each draft and removes its fuzzy flag."""
    config = _config(root, lang, catalogues=True)
    # The engines' HTTP clients take a while to import: only drafting loads them.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from .api import draft
    from .drafts.draft import DraftOptions

    options = DraftOptions(engine=engine, post=post, limit=limit, dry_run=dry_run)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("segments, {task.fields[characters]} characters sent"),
        TimeElapsedColumn(),
    )
    # draft() holds the site's lock itself (a dry run writes nothing: none)
    with Progress(
        *columns, console=err(), transient=True, disable=not err().is_terminal
    ) as progress:
        report = draft(config, options, _DraftProgress(progress))
    _finish_draft(report, dry_run)


def _finish_draft(report: DraftReport, dry_run: bool) -> None:
    from .drafts.draft import plan_lines
    from .drafts.draft import summary as draft_summary

    for line in plan_lines(report):
        out().print(line, markup=False, soft_wrap=True)
    for path in report.written:
        out().print(f"drafted {path}", markup=False, soft_wrap=True)
    for failure in report.failed:
        err().print(
            f"warning: {failure.path}:{failure.line}: left untranslated: {failure.reason}",
            markup=False,
            soft_wrap=True,
        )
    if not dry_run:
        err().print(draft_summary(report), markup=False, soft_wrap=True)
    problems = [*report.errors, *([report.stopped] if report.stopped else [])]
    for problem in problems:
        err().print(f"error: {problem}", markup=False, soft_wrap=True)
    if problems:
        raise typer.Exit(max(problem.exit_code for problem in problems))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err().print("interrupted")
        sys.exit(130)
