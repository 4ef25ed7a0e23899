"""Writing PO files the way GNU gettext does, with polib as the model and the writer.

polib wraps with ``textwrap`` (a break puts the space at the start of the next line), wraps
translator comments, and sorts header fields; every gettext tool then rewrites the file.
``GnuPOFile`` and ``GnuPOEntry`` override polib's formatting to follow gettext's
``write-po.c``: strings split after each ``\\n`` and wrapped at Unicode line-break
opportunities so that a line, quotes included, fits the page width; comments are never
wrapped; references wrap by whole ``file:line`` items; header fields keep their order.

Line-break opportunities come from libunistring (UAX #14), the library gettext itself calls,
so the output is byte-identical to ``msgcat`` (tests/test_poformat.py); without libunistring
a simpler rule (after spaces, and after a hyphen or slash between letters) stands in.
Not reproduced: breaks kept out of ``*-format`` directives (postlingo writes no format
flags) and the quoting of file names with spaces in references.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import polib

PAGE_WIDTH = 79  # gettext's default page width
NO_WRAP = 2**31 - 2  # gettext's INT_MAX - 1: no string wrapping

_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v",
            "\\": "\\", '"': '"'}

# libunistring's break codes (unilbrk.h).
_UNDEFINED, _PROHIBITED, _POSSIBLE = 0, 1, 2
# Closing punctuation never starts a line, even after a space (UAX #14 rule LB13).
_NO_BREAK_BEFORE = frozenset(" )]},.;:!?/")


class GnuPOEntry(polib.POEntry):
    """A ``POEntry`` printed as gettext prints it."""

    @classmethod
    def of(cls, entry: polib.POEntry) -> GnuPOEntry:
        if isinstance(entry, cls):
            return entry
        gnu = cls.__new__(cls)
        gnu.__dict__.update(entry.__dict__)
        return gnu

    def __unicode__(self, wrapwidth: int = PAGE_WIDTH) -> str:
        lines = [*_comment_lines("#", self.tcomment), *_comment_lines("#.", self.comment)]
        lines += _reference_lines(self.occurrences, wrapwidth or PAGE_WIDTH)
        flags = ["fuzzy"] if self.obsolete and self.fuzzy else self.flags
        if flags and not (self.obsolete and not self.fuzzy):
            lines.append("#, " + ", ".join(flags))
        previous = "#~| " if self.obsolete else "#| "
        for name in ("msgctxt", "msgid", "msgid_plural"):
            value = getattr(self, f"previous_{name}")
            if value is not None:
                lines += self._field(previous, name, value, wrapwidth)
        prefix = "#~ " if self.obsolete else ""
        if self.msgctxt is not None:
            lines += self._field(prefix, "msgctxt", self.msgctxt, wrapwidth)
        lines += self._field(prefix, "msgid", self.msgid, wrapwidth)
        if self.msgid_plural:
            lines += self._field(prefix, "msgid_plural", self.msgid_plural, wrapwidth)
            for index in sorted(self.msgstr_plural):
                lines += self._field(prefix, f"msgstr[{index}]", self.msgstr_plural[index],
                                     wrapwidth)
        else:
            lines += self._field(prefix, "msgstr", self.msgstr, wrapwidth)
        return "\n".join(lines) + "\n"

    def _field(self, prefix: str, name: str, value: str, wrapwidth: int) -> list[str]:
        width = NO_WRAP if wrapwidth <= 0 or "no-wrap" in self.flags else wrapwidth
        return wrap_field(prefix, name, value, width)


class GnuPOFile(polib.POFile):
    """A ``POFile`` printed as gettext prints it; header fields stay in the order read.

    ``kept`` holds the text of entries as a file already has them (see ``keep_lines``):
    an entry with the same content is written with those lines, however they are wrapped;
    one that differs only in its notes and references gets new ``#.`` and ``#:`` lines.
    """

    kept: dict[tuple[object, ...], str] = {}  # noqa: RUF012 - replaced, never mutated

    def __unicode__(self) -> str:
        header = self.metadata_as_entry()
        header.tcomment = self.header
        parts = [self.kept.get(_header_content(self)) or self._text(header)]
        for entry in [*(e for e in self if not e.obsolete), *self.obsolete_entries()]:
            parts.append(self.kept.get(entry_content(entry)) or self._text(entry))
        return "\n".join(parts)

    def _text(self, entry: polib.POEntry) -> str:
        old = self.kept.get(_unplaced_content(entry))
        if old is None:
            return GnuPOEntry.of(entry).__unicode__(self.wrapwidth)
        lines = old.splitlines()
        at = next((i for i, line in enumerate(lines) if not _is_tcomment(line)), len(lines))
        rest = [line for line in lines[at:] if not line.startswith(("#.", "#:"))]
        place = [*_comment_lines("#.", entry.comment),
                 *_reference_lines(entry.occurrences, self.wrapwidth or PAGE_WIDTH)]
        return "\n".join([*lines[:at], *place, *rest]) + "\n"

    def ordered_metadata(self) -> list[tuple[str, str]]:
        return list(self.metadata.items())


def keep_lines(po: GnuPOFile, old_text: str) -> None:
    """Write the entries ``old_text`` already holds unchanged with the lines it has for
    them: a catalogue another tool wrapped its own way (translate-toolkit, Poedit) changes
    only where entries change. Blocks are the blank-line separated parts of the file."""
    kept: dict[tuple[object, ...], str] = {}
    for block in old_text.split("\n\n"):
        block = block.strip("\n")
        if not block.strip():
            continue
        try:
            parsed = parse(block + "\n")
        except (OSError, ValueError):
            continue
        if len(parsed) == 1 and not parsed.metadata:
            kept[entry_content(parsed[0])] = block + "\n"
            kept.setdefault(_unplaced_content(parsed[0]), block + "\n")
        elif not parsed and parsed.metadata:
            kept[_header_content(parsed)] = block + "\n"
    po.kept = kept


def entry_content(entry: polib.POEntry) -> tuple[object, ...]:
    """Everything an entry holds (what a PO reader gives back), for comparisons."""
    return (entry.obsolete, entry.msgctxt, entry.msgid, entry.msgid_plural, entry.msgstr,
            tuple(sorted(entry.msgstr_plural.items())), entry.tcomment, entry.comment,
            tuple(tuple(o) for o in entry.occurrences), tuple(entry.flags),
            entry.previous_msgctxt, entry.previous_msgid, entry.previous_msgid_plural)


def _unplaced_content(entry: polib.POEntry) -> tuple[object, ...]:
    """An entry's content but its notes and references, which follow the source."""
    return ("unplaced", *entry_content(entry)[:7], *entry_content(entry)[9:])


def _is_tcomment(line: str) -> bool:
    return line == "#" or line.startswith("# ")


def _header_content(po: polib.POFile) -> tuple[object, ...]:
    return ("header", po.header, tuple(po.metadata.items()), bool(po.metadata_is_fuzzy))


def po_lines(text: str) -> list[str]:
    """The lines of PO text, split where gettext splits them: at \n only (str.splitlines
    would also split at U+2028, U+0085 and others that a msgstr may hold)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


class _PoText(str):
    """PO text that polib splits into lines the way gettext does."""

    def splitlines(self, keepends: bool = False) -> list[str]:  # type: ignore[override]
        return po_lines(self)


def parse(text: str, **options: Any) -> GnuPOFile:
    """Parse PO text with polib into a ``GnuPOFile`` (polib's errors pass through)."""
    return polib.pofile(_PoText(text), klass=GnuPOFile, **options)


# --- comments -------------------------------------------------------------------------------


def _comment_lines(mark: str, text: str) -> list[str]:
    if not text:
        return []
    return [f"{mark} {line}" if line else mark for line in text.split("\n")]


def _reference_lines(occurrences: Iterable[tuple[str, str]], page_width: int) -> list[str]:
    """``#:`` lines filled with whole references, as gettext does (never split one)."""
    lines: list[str] = []
    line, column = "#:", 2
    for path, number in occurrences:
        while path.startswith("./"):
            path = path[2:]
        item = f"{path}:{number}" if number else path
        if column > 2 and column + len(item) + 1 > page_width:
            lines.append(line)
            line, column = "#:", 2
        line += " " + item
        column += len(item) + 1
    if column > 2:
        lines.append(line)
    return lines


# --- strings --------------------------------------------------------------------------------


def wrap_field(prefix: str, name: str, value: str, page_width: int) -> list[str]:
    """The lines of ``name "value"`` as gettext's ``wrap()`` writes them: one run of lines
    per ``\\n``-terminated portion, each line at most ``page_width`` columns wide."""
    # Columns count from after the prefix and the opening quote; keep one for the closing.
    width = page_width - 2 - len(prefix)
    portions = re.findall(r"[^\n]*\n|[^\n]+", value) or [""]
    lines: list[str] = []
    first = True
    for index, portion in enumerate(portions):
        chars, overrides = _escaped(portion)
        start = len(name) + 1 if first else 0
        breaks = _linebreaks(chars, overrides, width, start)
        if first and chars and (index < len(portions) - 1 or start > width or any(breaks)):
            # A string that will not fit on the keyword's line starts on the next one.
            lines.append(f'{prefix}{name} ""')
            first = False
            breaks = _linebreaks(chars, overrides, width, 0)
        head = f"{prefix}{name} " if first else prefix
        first = False
        pieces = [""]
        for char, brk in zip(chars, breaks, strict=True):
            if brk:
                pieces.append("")
            pieces[-1] += char
        lines += [f'{head if i == 0 else prefix}"{piece}"' for i, piece in enumerate(pieces)]
    return lines


def _escaped(portion: str) -> tuple[list[str], list[int]]:
    """The portion as written (escapes as two-character units) with gettext's overrides:
    never break inside an escape, nor just before a final ``\\n``."""
    chars, overrides = [], []
    for char in portion:
        if char in _ESCAPES:
            chars += ["\\", _ESCAPES[char]]
            overrides += [_UNDEFINED, _PROHIBITED]
        else:
            chars.append(char)
            overrides.append(_UNDEFINED)
    if portion.endswith("\n"):
        overrides[-2] = _PROHIBITED
    return chars, overrides


def _linebreaks(chars: list[str], overrides: list[int], width: int, start: int) -> list[bool]:
    """For each character, whether a line break goes before it."""
    return _breaker()(chars, overrides, width, start) if chars else []


Breaker = Callable[[list[str], list[int], int, int], list[bool]]


@cache
def _breaker() -> Breaker:
    library = _libunistring()
    if library is None:
        return _fallback_breaks
    function = library.ulc_width_linebreaks_v2
    function.restype = ctypes.c_int
    function.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                         ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p]

    def breaks(chars: list[str], overrides: list[int], width: int, start: int) -> list[bool]:
        data, marks, owners = bytearray(), bytearray(), []
        for char, override in zip(chars, overrides, strict=True):
            encoded = char.encode("utf-8")
            data += encoded
            marks += bytes([override]) + bytes([_PROHIBITED]) * (len(encoded) - 1)
            owners.append(len(data) - len(encoded))
        out = ctypes.create_string_buffer(len(data))
        function(bytes(data), len(data), width, start, 0, bytes(marks), b"UTF-8", out)
        raw = out.raw
        return [raw[offset] == _POSSIBLE for offset in owners]

    return breaks


def _libunistring() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("unistring")
    for candidate in (name, "libunistring.so.5", "libunistring.so.2", "libunistring.dylib"):
        if not candidate:
            continue
        try:
            library = ctypes.CDLL(candidate)
            library.ulc_width_linebreaks_v2  # noqa: B018 - the symbol must exist
        except (OSError, AttributeError):
            continue
        return library
    return None


def _width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _fallback_breaks(chars: list[str], overrides: list[int], width: int,
                     start: int) -> list[bool]:
    """Greedy filling with break opportunities after spaces and after a hyphen between
    letters; the same piece-by-piece rule as libunistring's ``u8_width_linebreaks``."""
    result = [False] * len(chars)
    last, column, piece = None, start, 0
    for index, char in enumerate(chars):
        opportunity = index > 0 and overrides[index] != _PROHIBITED and _may_break(chars, index)
        if opportunity:
            if last is not None and column + piece > width:
                result[last] = True
                column = 0
            last = index
            column += piece
            piece = 0
        piece += _width(char)
    if last is not None and column + piece > width:
        result[last] = True
    return result


def _may_break(chars: list[str], index: int) -> bool:
    """A few UAX #14 rules: after spaces (not before closing punctuation), after a hyphen
    or slash between a letter and a letter."""
    before, here = chars[index - 1], chars[index]
    if here == " ":
        return False
    if before == " ":
        return here not in _NO_BREAK_BEFORE
    return before in "-/" and index > 1 and chars[index - 2].isalnum() and here.isalpha()
