"""Catalogues: templates (POT) made from segments, and PO files read and written with polib.

Files are written as GNU gettext writes them (``poformat``), so ``msgcat``, ``msgmerge``,
Poedit and postlingo can take turns on a catalogue without reformatting each other's work.
"""

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
from .poformat import GnuPOEntry, GnuPOFile, entry_content, keep_lines, parse, po_lines
from .segment import Segment

BODY_FLAG = "md-text"  # tells Weblate to run its Markdown checks on body entries
GENERATOR = f"postlingo {__version__}"
DATE_FORMAT = "%Y-%m-%d %H:%M%z"
TEMPLATES = "templates"
MESSAGES = "LC_MESSAGES"

Key = tuple[str | None, str]


def template_path(locales: Path, name: str) -> Path:
    return locales / TEMPLATES / f"{name}.pot"


def catalogue_path(locales: Path, name: str, language: str) -> Path:
    return locales / gettext_language(language) / MESSAGES / f"{name}.po"


def template_names(locales: Path) -> list[str]:
    """The names of the templates in ``locales`` (``sub/post`` for ``sub/post.pot``)."""
    return _names(locales / TEMPLATES, ".pot")


def catalogue_names(locales: Path, language: str) -> list[str]:
    """The names of the catalogues of ``language`` in ``locales``."""
    return _names(locales / gettext_language(language) / MESSAGES, ".po")


def catalogue_languages(locales: Path) -> list[str]:
    """The languages that have a catalogue folder in ``locales`` (gettext form)."""
    if not locales.is_dir():
        return []
    return sorted(folder.name for folder in locales.iterdir()
                  if folder.name != TEMPLATES and (folder / MESSAGES).is_dir())


def _names(folder: Path, suffix: str) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(path.relative_to(folder).with_suffix("").as_posix()
                  for path in folder.rglob(f"*{suffix}") if path.is_file())


def gettext_language(code: str) -> str:
    """``pt-BR`` → ``pt_BR``: the form gettext uses for ``Language`` and folder names."""
    return str(Locale.parse(code.replace("-", "_")))


def language_name(code: str) -> str:
    """The language's name in English (``pt-BR`` → ``Portuguese (Brazil)``)."""
    return Locale.parse(code.replace("-", "_")).english_name or code


def plural_forms(code: str) -> str:
    return get_plural(gettext_language(code)).plural_forms


def now() -> str:
    return datetime.now(timezone.utc).astimezone().strftime(DATE_FORMAT)


def new_file(wrap_width: int) -> GnuPOFile:
    return GnuPOFile(wrapwidth=wrap_width, check_for_duplicates=False)


def template_header(project: str) -> dict[str, str]:
    """A template's header fields, as xgettext writes them (postlingo's own generator)."""
    return {
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


def make_template(
    segments: list[Segment], source: str, project: str, wrap_width: int = 79
) -> GnuPOFile:
    """The template of one post: one entry per distinct (context, msgid), in source order."""
    pot = new_file(wrap_width)
    pot.header = f"Translatable text of {source}."
    pot.metadata = template_header(project)
    pot.metadata_is_fuzzy = True
    entries: dict[Key, GnuPOEntry] = {}
    for segment in segments:
        entry = entries.get(segment.key)
        if entry is None:
            entry = GnuPOEntry(
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
        return po.header, header, [entry_content(entry) for entry in po]

    return content(old) == content(new)


def load_catalogue(path: Path, display: Path | None = None) -> GnuPOFile:
    """Parse a PO or POT file, or raise ``InputError`` naming the line."""
    shown = display or path
    try:
        text = read_text(path)
    except InputError as exc:
        raise InputError(exc.message, shown, exc.line) from None
    try:
        _check_strings(text)
        return parse(text, wrapwidth=79, check_for_duplicates=True)
    except (OSError, ValueError) as exc:
        message = str(exc)
        match = re.search(r"line (\d+)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(line \d+\)|\s*on line \d+", "", message)
        raise InputError(f"invalid PO file: {message}", shown, line) from None


# A line holding a string: keyword or continuation, live, obsolete (#~) or previous (#|).
_STRING_LINE = re.compile(r'(#~\s*)?(#~?\|\s*)?(msgctxt|msgid|msgid_plural|msgstr(\[\d+\])?)?\s*"')
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"\s*')


def _check_strings(text: str) -> None:
    """Reject a string line whose quotes do not close: polib would cut its last character
    (``msgctxt "title`` reads as ``titl``) where gettext reports the error."""
    for number, line in enumerate(po_lines(text), 1):
        match = _STRING_LINE.match(line)
        if match and not _QUOTED.fullmatch(line, match.end() - 1):
            raise ValueError(f"unterminated or malformed string (line {number})")


def render(po: polib.POFile, wrap_width: int) -> str:
    """The file's text as GNU gettext would write it at ``wrap_width`` (0: no wrapping)."""
    gnu = po if isinstance(po, GnuPOFile) else _as_gnu(po)
    gnu.wrapwidth = wrap_width
    return str(gnu)


def _as_gnu(po: polib.POFile) -> GnuPOFile:
    gnu = new_file(po.wrapwidth)
    gnu.header, gnu.metadata, gnu.metadata_is_fuzzy = po.header, po.metadata, po.metadata_is_fuzzy
    gnu.extend(po)
    return gnu


def save_catalogue(po: polib.POFile, path: Path, wrap_width: int, write: bool = True) -> bool:
    """Write ``po`` atomically unless the file already holds exactly this text; return
    whether the file changed (with ``write=False``: whether it would change). Entries the
    file already holds keep their lines, as the tool that last saved it wrapped them."""
    try:
        old = read_text(path)
    except (FileNotFoundError, InputError):
        old = ""
    gnu = po if isinstance(po, GnuPOFile) else _as_gnu(po)
    keep_lines(gnu, old)
    text = render(gnu, wrap_width)
    gnu.kept = {}
    if write:
        return write_if_changed(path, text)
    try:
        return path.read_bytes() != text.encode("utf-8")
    except FileNotFoundError:
        return True


@dataclass(frozen=True)
class Translation:
    """A msgstr ready for building, with where it came from for error messages."""

    text: str
    path: Path
    line: int
    fuzzy: bool = False


def translations(po: polib.POFile, path: Path, include_fuzzy: bool = False) -> dict[
    Key, Translation
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
