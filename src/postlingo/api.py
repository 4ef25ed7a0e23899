"""postlingo as a library: the functions behind each command, typed, with their results.

    import postlingo
    config = postlingo.load_config("my-site", languages=["en"])
    outcome = postlingo.sync(config)
    for problem in outcome.errors: ...

Every function that writes takes the site's lock itself (one run at a time writes to a
site); problems with single files are collected in the result (``Outcome.errors``), and
only a problem that stops the whole command (a broken configuration, a held lock) is
raised, as a ``PostlingoError``. Each function imports the part of postlingo it runs:
``import postlingo`` stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config, with_languages
from .config import load_config as _load_config
from .errors import InputError, PostlingoError
from .outcome import Outcome

if TYPE_CHECKING:
    from .drafts.draft import DraftOptions, DraftReport, Progress
    from .qa.check import Options as CheckOptions
    from .qa.check import Report
    from .qa.status import CatalogueStatus
    from .site.importer import ImportOutcome
    from .site.init import InitReport

__all__ = [
    "Config",
    "Outcome",
    "PostlingoError",
    "build",
    "check",
    "draft",
    "extract",
    "import_translations",
    "init",
    "load_config",
    "require_catalogues",
    "status",
    "sync",
    "update",
]


def load_config(root: Path | str = ".", languages: list[str] | None = None) -> Config:
    """The configuration of the site at ``root`` (``postlingo.toml`` or ``[tool.postlingo]``
    in ``pyproject.toml``), restricted to ``languages`` if given."""
    return with_languages(_load_config(root), languages)


def require_catalogues(config: Config, languages: list[str]) -> None:
    """Raise ``InputError`` naming what to run when one of ``languages`` has no catalogue
    at all: for the commands that read catalogues (build, status, check, draft), a
    language without any is a mistake, not a site with nothing to do."""
    from .catalogue.locales import catalogue_names, gettext_language

    for language in languages:
        if not catalogue_names(config.locales_dir, language):
            folder = config.locales_dir / gettext_language(language)
            raise InputError(
                f"no catalogues for {language!r}: run 'postlingo update --lang "
                f"{language}' (or 'sync --lang {language}') first",
                folder,
            )


def extract(config: Config) -> Outcome:
    """Write the template (POT) of every post."""
    from . import pipeline

    return pipeline.extract(config)


def update(
    config: Config,
    check: bool = False,
    prune: bool = False,
    keep_obsolete: bool = True,
    force: bool = False,
) -> Outcome:
    """Merge templates into every language's catalogues; ``check`` writes nothing and adds
    an error for each post changed since its template was extracted."""
    from . import pipeline

    outcome = pipeline.update(
        config, check=check, prune=prune, keep_obsolete=keep_obsolete, force=force
    )
    if check:  # a post changed since its template was made: its catalogues are behind too
        from .qa.check import outdated_templates

        outcome.errors += outdated_templates(config)
    return outcome


def build(config: Config, include_fuzzy: bool = False, prune: bool = False) -> Outcome:
    """Write the localized variant of every post in every language with a catalogue."""
    from . import pipeline

    return pipeline.build(config, include_fuzzy, prune)


def sync(
    config: Config, include_fuzzy: bool = False, jobs: int | None = None, force: bool = False
) -> Outcome:
    """extract, update and build for the posts changed since the last sync."""
    from .incremental import sync as sync_posts

    return sync_posts(config, include_fuzzy, jobs, force)


def check(config: Config, options: CheckOptions | None = None) -> Report:
    """Apply check's rules to the site; nothing is written."""
    from .qa import check as checking

    return checking.check(config, options)


def status(
    config: Config, include_fuzzy: bool = False, cache: bool = True
) -> tuple[list[CatalogueStatus], list[PostlingoError], list[Path]]:
    """Each post's catalogue per language (counts, variant state), the problems met, and
    the templates and catalogues no post names. With ``cache``, a post whose files did not
    change since the last status keeps its rows (``qa.cache``)."""
    from .qa import status as statuses

    rows, errors = statuses.status(config, include_fuzzy or config.include_fuzzy, cache)
    return rows, errors, statuses.orphan_catalogues(config)


def draft(
    config: Config, options: DraftOptions | None = None, progress: Progress | None = None
) -> DraftReport:
    """Fill untranslated entries with machine drafts, marked fuzzy."""
    from .drafts import draft as drafting

    return drafting.draft(config, options, progress)


def import_translations(config: Config, post: str | None = None) -> ImportOutcome:
    """Bring existing translated variants into the catalogues, as fuzzy entries."""
    from .site import importer

    return importer.import_translations(config, post=post)


def init(
    root: Path | str = ".",
    source_language: str = "de",
    languages: list[str] | None = None,
    apply: bool = False,
) -> InitReport:
    """Write a postlingo.toml for the site at ``root`` (never over one)."""
    from .site import init as initing

    return initing.init(Path(root), source_language, languages, apply)
