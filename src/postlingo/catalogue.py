"""Catalogues: templates (POT) made from segments, and PO files read and written with polib."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import polib
from babel import Locale
from babel.messages.plurals import get_plural

from . import __version__
from .errors import InputError
from .fileio import read_text, write_if_changed
from .segment import Segment

BODY_FLAG = "md-text"  # tells Weblate to run its Markdown checks on body entries
GENERATOR = f"postlingo {__version__}"
DATE_FORMAT = "%Y-%m-%d %H:%M%z"


def template_path(locales: Path, name: str) -> Path:
    return locales / "templates" / f"{name}.pot"


def catalogue_path(locales: Path, name: str, language: str) -> Path:
    return locales / gettext_language(language) / "LC_MESSAGES" / f"{name}.po"


def gettext_language(code: str) -> str:
    """``pt-BR`` → ``pt_BR``: the form gettext uses for ``Language`` and folder names."""
    return str(Locale.parse(code.replace("-", "_")))


def plural_forms(code: str) -> str:
    return get_plural(gettext_language(code)).plural_forms


def now() -> str:
    return datetime.now(timezone.utc).astimezone().strftime(DATE_FORMAT)


def make_template(
    segments: list[Segment], source: str, project: str, wrap_width: int = 79
) -> polib.POFile:
    """The template of one post: one entry per distinct (context, msgid), in source order."""
    pot = polib.POFile(wrapwidth=wrap_width or 10**9, check_for_duplicates=False)
    pot.header = f"Translatable text of {source}."
    pot.metadata = {
        "Project-Id-Version": project,
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": now(),
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": "LANGUAGE <LL@li.org>",
        "Language": "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": GENERATOR,
    }
    pot.metadata_is_fuzzy = True
    entries: dict[tuple[str | None, str], polib.POEntry] = {}
    for segment in segments:
        entry = entries.get(segment.key)
        if entry is None:
            entry = polib.POEntry(
                msgid=segment.msgid,
                msgstr="",
                msgctxt=segment.context,
                flags=[] if segment.context else [BODY_FLAG],
            )
            entries[segment.key] = entry
            pot.append(entry)
        entry.occurrences.append((source, str(segment.line)))
        for note in segment.notes:
            entry.comment = f"{entry.comment}\n{note}" if entry.comment else note
    return pot


def same_template(old: polib.POFile, new: polib.POFile) -> bool:
    """Whether two templates differ in nothing but their creation date."""
    def content(po: polib.POFile) -> tuple[object, ...]:
        header = {k: v for k, v in po.metadata.items() if k != "POT-Creation-Date"}
        return header, [str(entry) for entry in po]

    return content(old) == content(new)


def load_catalogue(path: Path, display: Path | None = None) -> polib.POFile:
    """Parse a PO or POT file, or raise ``InputError`` naming the line."""
    shown = display or path
    try:
        text = read_text(path)
    except InputError as exc:
        raise InputError(exc.message, shown, exc.line) from None
    try:
        return polib.pofile(text, wrapwidth=79, check_for_duplicates=True)
    except (OSError, ValueError) as exc:
        message = str(exc)
        match = re.search(r"line (\d+)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(line \d+\)|\s*on line \d+", "", message)
        raise InputError(f"invalid PO file: {message}", shown, line) from None


def save_catalogue(po: polib.POFile, path: Path, wrap_width: int) -> bool:
    """Write ``po`` atomically unless the file already holds exactly this text."""
    po.wrapwidth = wrap_width or 10**9
    return write_if_changed(path, str(po) + "\n" if not str(po).endswith("\n") else str(po))


@dataclass(frozen=True)
class Translation:
    """A msgstr ready for building, with where it came from for error messages."""

    text: str
    path: Path
    line: int
    fuzzy: bool = False


def translations(po: polib.POFile, path: Path, include_fuzzy: bool = False) -> dict[
    tuple[str | None, str], Translation
]:
    """The usable translations of a catalogue, keyed by (msgctxt, msgid)."""
    found = {}
    for entry in po:
        if entry.obsolete or not entry.msgstr or (entry.fuzzy and not include_fuzzy):
            continue
        found[(entry.msgctxt, entry.msgid)] = Translation(
            entry.msgstr, path, entry.linenum, entry.fuzzy
        )
    return found
