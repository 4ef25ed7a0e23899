"""Catalogues: templates (POT) made from segments, and PO files read and written with polib.

Files are written as GNU gettext writes them (``poformat``), so ``msgcat``, ``msgmerge``,
Poedit and postlingo can take turns on a catalogue without reformatting each other's work.
"""

from __future__ import annotations

import gettext
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import polib
from babel import Locale, UnknownLocaleError

from .. import __version__
from ..errors import InputError
from ..fileio import catalogue_limit, read_bytes, read_text, reading, write_if_changed
from ..source.segment import Segment
from .locales import gettext_language
from .poformat import (
    GnuPOEntry,
    GnuPOFile,
    POSyntaxError,
    entry_content,
    keep_lines,
    parse,
    po_lines,
)

# Weblate's flag for Markdown checks. No longer written into files: GNU msgcat drops flags it
# does not know, so it is a component flag in Weblate (``postlingo weblate``); ``update``
# removes it from catalogues an older postlingo wrote.
BODY_FLAG = "md-text"
GENERATOR = f"postlingo {__version__}"
DATE_FORMAT = "%Y-%m-%d %H:%M%z"

Key = tuple[str | None, str]


@lru_cache(maxsize=64)
def language_name(code: str) -> str:
    """The language's name in English (``pt-BR`` → ``Portuguese (Brazil)``)."""
    return Locale.parse(code.replace("-", "_")).english_name or code


# Where CLDR (babel, CLDR 42 and later) and gettext disagree: CLDR gives these languages a
# third form, "many", for exact millions ("1 million de fichiers"); GNU gettext's own table
# (gettext-tools/src/plural-table.c, what msginit writes) and Poedit's (its
# language_impl_plurals.h) give them two, and a third form would make every plural entry
# ask the translator for a text hardly any count selects.
_GETTEXT_PLURALS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "pt_BR": "nplurals=2; plural=(n > 1);",
    "pt": "nplurals=2; plural=(n != 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "it": "nplurals=2; plural=(n != 1);",
    "ca": "nplurals=2; plural=(n != 1);",
}


@lru_cache(maxsize=64)
def plural_forms(code: str) -> str:
    """The ``Plural-Forms`` header a new catalogue of ``code`` gets: what GNU gettext and
    Poedit write for it, else CLDR's rule (babel)."""
    language = gettext_language(code)
    found = _GETTEXT_PLURALS.get(language) or _GETTEXT_PLURALS.get(language.split("_")[0])
    if found is not None:
        return found
    # (babel.messages, with its dates and time zones, is loaded only for new catalogues)
    from babel.messages.plurals import get_plural

    return get_plural(language).plural_forms


def now() -> str:
    return _local_time(int(time.time()))


@lru_cache(maxsize=1)
def _local_time(second: int) -> str:
    # Once a second, not per catalogue: finding the local zone costs more than the rest.
    return datetime.fromtimestamp(second, timezone.utc).astimezone().strftime(DATE_FORMAT)


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


def load_catalogue(
    path: Path, display: Path | None = None, language: str | None = None
) -> GnuPOFile:
    """Parse a PO or POT file, or raise ``InputError`` naming the line: syntax errors,
    duplicate entries, a header that declares another charset than UTF-8, a malformed
    ``Plural-Forms`` and, given the ``language`` the catalogue is for, a ``Language`` header
    naming another language. A UTF-8 BOM (which gettext cannot read) is dropped."""
    shown = display or path
    try:
        text = read_text(path, catalogue_limit(), "max_catalogue_size")
    except InputError as exc:
        raise InputError(exc.message + _charset_hint(path), shown, exc.line) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError(
            "empty file, not a catalogue (delete it: 'postlingo update' makes a new one)", shown, 1
        )
    with reading(shown):  # what the reader raises beyond its syntax errors
        try:
            po = parse(text, wrapwidth=79, check_for_duplicates=False)
        except POSyntaxError as exc:
            raise InputError(f"invalid PO file: {exc.reason}", shown, exc.line) from None
        except (OSError, ValueError) as exc:
            message = str(exc)
            match = re.search(r"line (\d+)", message)
            line = int(match.group(1)) if match else None
            message = re.sub(r"\s*\(line \d+\)|\s*on line \d+", "", message)
            raise InputError(f"invalid PO file: {message}", shown, line) from None
    if not po.metadata and not len(po):
        raise InputError("neither a header nor any entry: not a catalogue", shown, 1)
    _check_duplicates(po, text, shown)
    _check_header(po, text, shown, language)
    for entry in po.obsolete_entries():
        # polib skips gettext's "#~|" lines; a "#|" it attached to an obsolete entry would
        # be written back as one and lost on the next read: gone now rather than later.
        entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None
    po.check_for_duplicates = True
    return po


def _check_duplicates(po: polib.POFile, text: str, path: Path) -> None:
    """Two live (or two obsolete) entries with one context and msgid: gettext's error."""
    if any(entry.msgid == "" and entry.msgctxt is None and not entry.obsolete for entry in po):
        raise InputError(
            'duplicate message definition: a second header entry (msgid "")',
            path,
            _second_header_line(text),
        )
    seen: dict[tuple[bool, str | None, str], int] = {}
    for entry in po:
        key = (entry.obsolete, entry.msgctxt, entry.msgid)
        if key in seen:
            raise InputError(
                f"duplicate message definition: {_short(entry.msgid)} already "
                f"exists on line {seen[key]}",
                path,
                entry.linenum,
            )
        seen[key] = max(entry.linenum or 0, 1)  # polib numbers a file's very first entry 0


def _second_header_line(text: str) -> int | None:
    """The line of the second ``msgid ""`` that no continuation line follows."""
    lines = po_lines(text)
    empty = [
        number
        for number, line in enumerate(lines, 1)
        if line.strip() == 'msgid ""'
        and not (number < len(lines) and lines[number].lstrip().startswith('"'))
    ]
    return empty[1] if len(empty) > 1 else None


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[: width - 1] + "…")


_CHARSET = re.compile(r"charset\s*=\s*([\w.:-]+)", re.IGNORECASE)
_UTF8_ALIKE = {"utf-8", "utf8", "charset", "ascii", "us-ascii"}  # CHARSET: xgettext's blank
_MAX_PLURALS = 6  # the most plural forms a language has (Arabic)
_PLURAL_FORMS = re.compile(r"\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*([^;]+?)\s*;?\s*")


def _charset_hint(path: Path) -> str:
    """For a catalogue that is not UTF-8: what its header declares, and what to do."""
    try:
        found = _CHARSET.search(read_bytes(path, 4096, head=True).decode("ascii", errors="replace"))
    except (OSError, InputError):  # (a FIFO is never read: read_bytes refuses it)
        return ""
    if found is None or found.group(1).lower() in _UTF8_ALIKE:
        return ""
    return (
        f"; the header declares charset={found.group(1)}: convert the catalogue with "
        "'msgconv -t UTF-8'"
    )


def _header_line(text: str, field: str) -> int:
    """The line of the header where ``field`` is written (1 if not found)."""
    for number, line in enumerate(po_lines(text), 1):
        if f'"{field}:' in line:
            return number
        if number > 1 and not line.strip():
            break  # the header entry ends at the first blank line
    return 1


def _check_header(po: polib.POFile, text: str, path: Path, language: str | None) -> None:
    charset = _CHARSET.search(po.metadata.get("Content-Type", ""))
    if charset and charset.group(1).lower() not in _UTF8_ALIKE:
        raise InputError(
            f"the header declares charset={charset.group(1)}, but postlingo "
            "reads and writes UTF-8: convert it with 'msgconv -t UTF-8'",
            path,
            _header_line(text, "Content-Type"),
        )
    declared = po.metadata.get("Language", "").strip()
    if language and declared:
        try:
            same = (
                Locale.parse(declared.replace("-", "_")).language
                == Locale.parse(gettext_language(language)).language
            )
        except (ValueError, TypeError, UnknownLocaleError):
            raise InputError(
                f"unknown language {declared!r} in the Language header",
                path,
                _header_line(text, "Language"),
            ) from None
        if not same:
            raise InputError(
                f"the Language header says {declared!r}, but this is the catalogue of {language!r}",
                path,
                _header_line(text, "Language"),
            )
    forms = po.metadata.get("Plural-Forms", "").strip()
    if forms:
        problem = plural_forms_problem(forms)
        if problem:
            raise InputError(
                f"Plural-Forms header: {problem}", path, _header_line(text, "Plural-Forms")
            )
        _check_plural_counts(po, int(_PLURAL_FORMS.fullmatch(forms).group(1)), path)  # type: ignore[union-attr]


def _check_plural_counts(po: polib.POFile, count: int, path: Path) -> None:
    """Every plural entry has as many forms as the header's nplurals (msgfmt -c)."""
    for entry in po:
        if entry.msgid_plural and len(entry.msgstr_plural) != count:
            raise InputError(
                f"{len(entry.msgstr_plural)} plural forms, but the header's "
                f"Plural-Forms has nplurals={count}",
                path,
                entry.linenum,
            )


@lru_cache(maxsize=32)
def plural_forms_problem(forms: str) -> str | None:
    """What is wrong with a ``Plural-Forms`` value, as ``msgfmt -c`` would see it; None if
    nothing."""
    match = _PLURAL_FORMS.fullmatch(forms)
    if match is None:
        return f"{forms!r} is not 'nplurals=N; plural=EXPRESSION;'"
    count = int(match.group(1))
    if not 1 <= count <= _MAX_PLURALS:
        return f"nplurals={count}: a language has from 1 to {_MAX_PLURALS} plural forms"
    try:
        # gettext's own parser of C plural expressions; it accepts nothing but their tokens.
        plural = gettext.c2py(match.group(2))
        values = {plural(n) for n in range(1000)}
    except (ValueError, SyntaxError, ZeroDivisionError, RecursionError, TypeError) as exc:
        reason = repr(str(exc))[1:-1]  # one line: the offending token may be a line break
        return f"the plural expression {match.group(2)!r} is not valid ({reason})"
    if count < 1 or max(values) >= count or min(values) < 0:
        return f"the plural expression gives values up to {max(values)}, but nplurals is {count}"
    return None


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
        old = read_text(path).removeprefix("\ufeff")  # written back without: gettext chokes
    except (FileNotFoundError, InputError):
        old = ""
    gnu = po if isinstance(po, GnuPOFile) else _as_gnu(po)
    gnu.wrapwidth = wrap_width  # (as ``render`` writes it: blocks are compared with that)
    keep_lines(gnu, old)
    text = render(gnu, wrap_width)
    gnu.kept = {}
    if write:
        return write_if_changed(path, text)
    try:
        return read_bytes(path) != text.encode("utf-8")
    except FileNotFoundError:
        return True


@dataclass(frozen=True)
class Translation:
    """A msgstr ready for building, with where it came from for error messages."""

    text: str
    path: Path
    line: int
    fuzzy: bool = False


# The translator comment ``postlingo import`` gives the human translations it brings in.
IMPORTED = "imported from"


def imported(entry: polib.POEntry) -> bool:
    """Whether a fuzzy entry holds a published human translation as ``postlingo import``
    left it: fuzzy only until a translator confirms it, and used by build as it is (the
    text the site already shows). Once its source text changes, merge's ``#| msgid`` tells
    it is no longer the translation of that text: then it is an ordinary fuzzy entry."""
    return (
        entry.previous_msgid is None
        and entry.previous_msgctxt is None
        and any(line.startswith(IMPORTED + " ") for line in (entry.tcomment or "").split("\n"))
    )


def usable(entry: polib.POEntry, include_fuzzy: bool = False) -> bool:
    """Whether build uses ``entry``'s translation: translated and not fuzzy, or fuzzy and
    imported (``imported``) or ``include_fuzzy``. Machine drafts stay out."""
    if entry.obsolete or not entry.msgstr:
        return False
    return not entry.fuzzy or include_fuzzy or imported(entry)


def translations(
    po: polib.POFile, path: Path, include_fuzzy: bool = False
) -> dict[Key, Translation]:
    """The usable translations of a catalogue (``usable``), keyed by (msgctxt, msgid)."""
    found: dict[Key, Translation] = {}
    for entry in po:
        if not usable(entry, include_fuzzy):
            continue
        found[(entry.msgctxt, entry.msgid)] = Translation(
            entry.msgstr, path, entry.linenum or 0, entry.fuzzy
        )
    return found
