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
import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from itertools import pairwise
from typing import Any

import polib

PAGE_WIDTH = 79  # gettext's default page width
NO_WRAP = 2**31 - 2  # gettext's INT_MAX - 1: no string wrapping

# (The backslash comes first: _escape replaces in this order.)
_ESCAPES = {
    "\\": "\\",
    "\a": "a",
    "\b": "b",
    "\f": "f",
    "\n": "n",
    "\r": "r",
    "\t": "t",
    "\v": "v",
    '"': '"',
}

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
                lines += self._field(
                    prefix, f"msgstr[{index}]", self.msgstr_plural[index], wrapwidth
                )
        else:
            lines += self._field(prefix, "msgstr", self.msgstr, wrapwidth)
        return "\n".join(lines) + "\n"

    def _field(self, prefix: str, name: str, value: str, wrapwidth: int) -> tuple[str, ...]:
        width = NO_WRAP if wrapwidth <= 0 or "no-wrap" in self.flags else wrapwidth
        return wrap_field(prefix, name, value, width)


class GnuPOFile(polib.POFile):
    """A ``POFile`` printed as gettext prints it; header fields stay in the order read.

    ``kept`` holds the text of entries as a file already has them (see ``keep_lines``):
    an entry with the same content is written with those lines, however they are wrapped;
    one that differs only in its notes and references gets new ``#.`` and ``#:`` lines.
    """

    kept: dict[tuple[object, ...], str] = {}  # noqa: RUF012 - replaced, never mutated
    # A post's view of a catalogue several posts share (``catalogue.store``): the texts
    # whose entry another post's references come first in, judged with that post.
    borrowed: frozenset[tuple[str | None, str]] = frozenset()

    def __unicode__(self) -> str:
        header = self.metadata_as_entry()
        header.tcomment = self.header
        kept = self.kept
        parts = [kept.get(_header_content(self)) or self._text(header)]
        line = 2 + parts[0].count("\n")  # entries are separated by one blank line
        for entry in [*(e for e in self if not e.obsolete), *self.obsolete_entries()]:
            parts.append((kept and kept.get(entry_content(entry))) or self._text(entry))
            entry.linenum = line  # as polib would read it back: messages can name the line
            line += 1 + parts[-1].count("\n")
        return "\n".join(parts)

    def _text(self, entry: polib.POEntry) -> str:
        old = self.kept.get(_unplaced_content(entry)) if self.kept else None
        if old is None:
            return _entry_text(entry, self.wrapwidth)
        lines = old.splitlines()
        at = next((i for i, line in enumerate(lines) if not _is_tcomment(line)), len(lines))
        rest = [line for line in lines[at:] if not line.startswith(("#.", "#:"))]
        place = [
            *_comment_lines("#.", entry.comment),
            *_reference_lines(entry.occurrences, self.wrapwidth or PAGE_WIDTH),
        ]
        return "\n".join([*lines[:at], *place, *rest]) + "\n"

    def ordered_metadata(self) -> list[tuple[str, str]]:
        return list(self.metadata.items())


_RENDERED: dict[tuple[object, ...], str] = {}
_RENDERED_MAX = 4096


def _entry_text(entry: polib.POEntry, wrapwidth: int) -> str:
    """The lines of ``entry``. Remembered for a while: a new catalogue's entries are its
    template's, and a template's are written again for every language."""
    key = (wrapwidth, *entry_content(entry))
    text = _RENDERED.get(key)
    if text is None:
        if len(_RENDERED) >= _RENDERED_MAX:
            _RENDERED.clear()
        text = _RENDERED[key] = GnuPOEntry.of(entry).__unicode__(wrapwidth)
    return text


def keep_lines(po: GnuPOFile, old_text: str) -> None:
    """Write the entries ``old_text`` already holds unchanged with the lines it has for
    them: a catalogue another tool wrapped its own way (translate-toolkit, Poedit) changes
    only where entries change. Blocks are the blank-line separated parts of the file.

    A block that is already written as ``po`` would write one of its entries is that entry:
    it is not parsed again (a polib parser per block costs 20 times a rendering, and most
    blocks of a catalogue are as postlingo or gettext left them)."""
    kept: dict[tuple[object, ...], str] = {}
    po.kept = kept
    if not old_text:
        return
    ours = {_entry_text(entry, po.wrapwidth): entry for entry in po}
    for block in old_text.split("\n\n"):
        block = block.strip("\n")
        if not block.strip():
            continue
        entry = ours.get(block + "\n")
        if entry is None:
            try:
                parsed = parse(block + "\n")
            except (OSError, ValueError):
                continue
            if not parsed and parsed.metadata:
                kept[_header_content(parsed)] = block + "\n"
            if len(parsed) != 1 or parsed.metadata:
                continue
            entry = parsed[0]
        kept[entry_content(entry)] = block + "\n"
        kept.setdefault(_unplaced_content(entry), block + "\n")


def entry_content(entry: polib.POEntry) -> tuple[object, ...]:
    """Everything an entry holds (what a PO reader gives back), for comparisons."""
    return (
        entry.obsolete,
        entry.msgctxt,
        entry.msgid,
        entry.msgid_plural,
        entry.msgstr,
        tuple(sorted(entry.msgstr_plural.items())),
        entry.tcomment,
        entry.comment,
        tuple(tuple(o) for o in entry.occurrences),
        tuple(entry.flags),
        entry.previous_msgctxt,
        entry.previous_msgid,
        entry.previous_msgid_plural,
    )


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

    def splitlines(self, keepends: bool = False) -> list[str]:
        return po_lines(self)


def parse(text: str, **options: Any) -> GnuPOFile:
    """Parse PO text into a ``GnuPOFile`` of polib entries, or raise ``POSyntaxError``
    naming the line: what GNU ``msgfmt`` rejects as syntax is rejected (see ``_read``)."""
    po = GnuPOFile(
        wrapwidth=options.get("wrapwidth", 78),
        check_for_duplicates=options.get("check_for_duplicates", False),
    )
    _Reader(po).read(text)
    return po


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


@lru_cache(maxsize=65536)
def wrap_field(prefix: str, name: str, value: str, page_width: int) -> tuple[str, ...]:
    """The lines of ``name "value"`` as gettext's ``wrap()`` writes them: one run of lines
    per ``\\n``-terminated portion, each line at most ``page_width`` columns wide. (Cached:
    a msgid is written to its template and to every language's catalogue.)"""
    # Columns count from after the prefix and the opening quote; keep one for the closing.
    width = page_width - 2 - len(prefix)
    escaped = _escape(value)
    if "\n" not in value and _fits(escaped, width - len(name) - 1):
        return (f'{prefix}{name} "{escaped}"',)
    portions = re.findall(r"[^\n]*\n|[^\n]+", value) or [""]
    lines: list[str] = []
    first = True
    for index, portion in enumerate(portions):
        text = escaped if len(portions) == 1 else _escape(portion)
        prohibited = _prohibited(text)
        start = len(name) + 1 if first else 0
        # Text longer than a whole line breaks on the keyword's line if it breaks at all
        # (where there is less room): the cuts from column 0 answer both questions.
        from_zero = first and len(text) > width and not _MAYBE_NARROW.search(text)
        cuts = _linebreaks(text, prohibited, width, 0 if from_zero else start)
        if first and text and (index < len(portions) - 1 or start > width or cuts):
            # A string that will not fit on the keyword's line starts on the next one.
            lines.append(f'{prefix}{name} ""')
            first = False
            if not from_zero:
                cuts = _linebreaks(text, prohibited, width, 0)
        head = f"{prefix}{name} " if first else prefix
        first = False
        pieces = [text[a:b] for a, b in pairwise([0, *cuts, len(text)])]
        lines += [f'{head if i == 0 else prefix}"{piece}"' for i, piece in enumerate(pieces)]
    return tuple(lines)


# Characters that may take no column (combining marks, format controls, Hangul vowels...),
# and so make a text narrower than it is long. Latin-1, the common punctuation (quotes,
# dashes, ellipsis) and the currency signs take one column each. Written as what is *not*
# in the set: the class with the range up to U+10FFFF takes 4 ms to compile, this one 0.5 ms
# (the same characters: compared on every code point).
_MAYBE_NARROW = re.compile("[^\x00-\u00ac\u00ae-\u02ff\u2010-\u2027\u2030-\u205e\u20a0-\u20c0]")


def _escape(text: str) -> str:
    """``text`` with C escapes for backslash, quote and control characters. (Replacing in
    turn, the backslash first, is ten times quicker than str.translate on non-ASCII text.)"""
    for char, code in _ESCAPES.items():
        if char in text:
            text = text.replace(char, "\\" + code)
    return text


def _fits(escaped: str, width: int) -> bool:
    """Whether the escaped string surely fits in ``width`` columns: every character below
    U+1100 is at most one column wide (wide East Asian characters start there)."""
    return len(escaped) <= width and (escaped.isascii() or max(escaped) < "\u1100")


def _prohibited(text: str) -> list[int]:
    """Where gettext never breaks an escaped string: inside an escape, nor just before a
    final ``\\n``."""
    positions = [match.start() + 1 for match in _ESCAPE_PAIR.finditer(text)]
    if text.endswith("\\n") and positions and positions[-1] == len(text) - 1:
        positions.append(len(text) - 2)
    return positions


def _linebreaks(text: str, prohibited: list[int], width: int, start: int) -> list[int]:
    """The indices of ``text`` before which a line break goes."""
    return _breaker()(text, prohibited, width, start) if text else []


Breaker = Callable[[str, list[int], int, int], list[int]]


@cache
def _breaker() -> Breaker:
    library = _libunistring()
    if library is None:
        return _fallback_breaks
    function = library.ulc_width_linebreaks_v2
    function.restype = ctypes.c_int
    function.argtypes = [
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
    ]

    def breaks(text: str, prohibited: list[int], width: int, start: int) -> list[int]:
        data = text.encode("utf-8")
        ascii_only = len(data) == len(text)
        marks = bytearray(data.translate(_CONTINUATION_BYTES))
        for index in prohibited if ascii_only else _byte_offsets(text, prohibited):
            marks[index] = _PROHIBITED
        out = _buffer(len(data))
        function(data, len(data), width, start, 0, bytes(marks), b"UTF-8", out)
        offsets = [m.start() for m in _POSSIBLE_BYTE.finditer(ctypes.string_at(out, len(data)))]
        if ascii_only:
            return offsets
        return _char_offsets(data, offsets)

    return breaks


# Offsets between characters and UTF-8 bytes, for sorted positions, one piece at a time:
# converting each from the start of the text was quadratic in a long non-ASCII string.


def _byte_offsets(text: str, indices: list[int]) -> list[int]:
    offsets, last, total = [], 0, 0
    for index in sorted(indices):  # (_prohibited puts the one before a final \n last)
        total += len(text[last:index].encode("utf-8"))
        offsets.append(total)
        last = index
    return offsets


def _char_offsets(data: bytes, offsets: list[int]) -> list[int]:
    indices, last, total = [], 0, 0
    for offset in offsets:
        total += len(data[last:offset].decode("utf-8"))
        indices.append(total)
        last = offset
    return indices


def _buffer(size: int) -> ctypes.Array[ctypes.c_char]:
    """A buffer of at least ``size`` bytes for libunistring's answer, reused (one per
    thread): allocating one per string cost as much as the call itself."""
    buffer: ctypes.Array[ctypes.c_char] | None = getattr(_BUFFERS, "buffer", None)
    if buffer is None or len(buffer) < size:
        buffer = _BUFFERS.buffer = ctypes.create_string_buffer(max(size, 4096))
    return buffer


_BUFFERS = threading.local()
# UTF-8 continuation bytes get "prohibited" (libunistring wants a mark on every byte).
_CONTINUATION_BYTES = bytes(_PROHIBITED if 0x80 <= b < 0xC0 else _UNDEFINED for b in range(256))
_POSSIBLE_BYTE = re.compile(bytes([_POSSIBLE]))
_ESCAPE_PAIR = re.compile(r"\\.")


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


def _fallback_breaks(text: str, prohibited: list[int], width: int, start: int) -> list[int]:
    """Greedy filling with break opportunities after spaces and after a hyphen between
    letters; the same piece-by-piece rule as libunistring's ``u8_width_linebreaks``."""
    chars, overrides = list(text), [_UNDEFINED] * len(text)
    for index in prohibited:
        overrides[index] = _PROHIBITED
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
    return [index for index, cut in enumerate(result) if cut]


def _may_break(chars: list[str], index: int) -> bool:
    """A few UAX #14 rules: after spaces (not before closing punctuation), after a hyphen
    or slash between a letter and a letter."""
    before, here = chars[index - 1], chars[index]
    if here == " ":
        return False
    if before == " ":
        return here not in _NO_BREAK_BEFORE
    return before in "-/" and index > 1 and chars[index - 2].isalnum() and here.isalpha()


# --- reading --------------------------------------------------------------------------------
#
# polib's reader is lenient where GNU gettext is strict (``msgstr The Challenges`` reads as
# "he Challenge": it drops the first and last character of whatever follows the keyword) and
# builds a wrapped string by appending line after line to an attribute, which is quadratic
# (a 16 MB msgstr took 82 s). This reader follows GNU's ``po-lex.c`` and ``po-gram.y``:
# tokens (keywords, quoted strings, ``[``, number, ``]``) may be spread over lines as GNU
# allows, ``#~`` and ``#|`` mark the tokens after them on their line, ``#`` starts a comment
# anywhere else; every string is read once and the pieces joined. It builds polib entries
# with polib's own reading of comments, flags, references and the header.


class POSyntaxError(ValueError):
    """PO text that GNU gettext would not read; ``line`` is where it goes wrong."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(f"{reason} (line {line})")
        self.reason, self.line = reason, line


class _Token:
    __slots__ = ("kind", "line", "obsolete", "previous", "text")

    def __init__(self, kind: str, text: str, line: int, obsolete: bool, previous: bool):
        self.kind, self.text, self.line = kind, text, line  # kind: keyword, "string", ...
        self.obsolete, self.previous = obsolete, previous

    def shown(self) -> str:
        return "a string" if self.kind == "string" else f"'{self.kind}'"


_KEYWORDS = frozenset(("msgctxt", "msgid", "msgid_plural", "msgstr"))
_SPACE = frozenset(" \t\r\f\v")
_WORD = re.compile(r"[A-Za-z0-9_$]+")
# A string on one line: escapes are pairs, so an escaped quote never closes it.
_STRING = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"')
_ESCAPE_SEQUENCE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]+)|(.)|$)", re.DOTALL)
_SIMPLE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "b": "\b",
    "r": "\r",
    "f": "\f",
    "v": "\v",
    "a": "\a",
    "\\": "\\",
    '"': '"',
}
_MAX_PLURALS = 6  # the most plural forms a language has (Arabic)


def _tokens(text: str) -> list[_Token]:
    """The tokens of PO text, as GNU's lexer reads them."""
    tokens: list[_Token] = []
    previous = False
    for number, line in enumerate(po_lines(text), 1):
        previous = _line_tokens(line, number, tokens, previous)
    return tokens


def _line_tokens(line: str, number: int, tokens: list[_Token], previous: bool) -> bool:
    """Adds the tokens of one line; returns whether the next line's are "previous" ones:
    gettext's lexer forgets ``#|`` at the end of a line, but a comment after ``#|`` takes
    the end of the line with it (``#| # note`` makes the next line a ``#|`` line)."""
    pos, end = 0, len(line)
    obsolete = False
    while True:
        while pos < end and line[pos] in _SPACE:
            pos += 1
        if pos == end:
            return False
        char = line[pos]
        if char == "#":
            mark = line[pos + 1 : pos + 2]
            if mark == "~":
                obsolete, pos = True, pos + 2
                if line.startswith("|", pos):
                    previous, pos = True, pos + 1
                continue
            if mark == "|":
                previous, pos = True, pos + 2
                continue
            tokens.append(_Token("comment", line[pos:].rstrip(), number, obsolete, previous))
            return previous
        if char == '"':
            match = _STRING.match(line, pos)
            if match is None:
                raise POSyntaxError(
                    "unterminated or malformed string: no closing double quote on its line", number
                )
            value = _unescape(match.group(1), number)
            tokens.append(_Token("string", value, number, obsolete, previous))
            pos = match.end()
        elif char in "[]":
            tokens.append(_Token(char, char, number, obsolete, previous))
            pos += 1
        else:
            pos = _word(line, pos, number, obsolete, previous, tokens)


def _word(
    line: str, pos: int, number: int, obsolete: bool, previous: bool, tokens: list[_Token]
) -> int:
    match = _WORD.match(line, pos)
    if match is None:
        raise POSyntaxError(f"unexpected character {line[pos]!r} outside a string", number)
    word = match.group()
    if word.isdigit():
        tokens.append(_Token("number", word, number, obsolete, previous))
    elif word in _KEYWORDS:
        tokens.append(_Token(word, word, number, obsolete, previous))
    else:
        raise POSyntaxError(f"{word!r} is not a keyword: text must be in double quotes", number)
    return match.end()


def _unescape(content: str, line: int) -> str:
    """The characters a string's escapes stand for. Octal and hex escapes are bytes, as
    in gettext: a run of them must be UTF-8."""
    if "\\" not in content:
        return content
    parts: list[str] = []
    pending = bytearray()
    last = 0
    for match in _ESCAPE_SEQUENCE.finditer(content):
        if match.start() > last:
            _flush_bytes(pending, parts, line)
            parts.append(content[last : match.start()])
        last = match.end()
        octal, hexadecimal, other = match.groups()
        if octal is None and hexadecimal is None:
            if other not in _SIMPLE_ESCAPES:
                shown = "\\" + other if other else "\\ at the end"
                raise POSyntaxError(f"unknown escape sequence '{shown}'", line)
            _flush_bytes(pending, parts, line)
            parts.append(_SIMPLE_ESCAPES[other])
            continue
        digits = octal or hexadecimal.lstrip("0") or "0"  # (\x0000041 is one byte)
        code = int(digits, 8 if octal else 16) if len(digits) <= 3 else 0x100
        if not 0 < code <= 0xFF:
            raise POSyntaxError(
                f"escape sequence '{match.group()}' does not stand for a byte from 1 to 255", line
            )
        pending.append(code)
    _flush_bytes(pending, parts, line)
    parts.append(content[last:])
    return "".join(parts)


def _flush_bytes(pending: bytearray, parts: list[str], line: int) -> None:
    if not pending:
        return
    try:
        parts.append(pending.decode("utf-8"))
    except UnicodeDecodeError:
        raise POSyntaxError("escape sequences that are not UTF-8", line) from None
    pending.clear()


class _Reader:
    """Builds ``po`` from the tokens, message by message (``msgfmt``'s grammar)."""

    def __init__(self, po: GnuPOFile) -> None:
        self.po = po
        self.tokens: list[_Token] = []
        self.at = 0

    def read(self, text: str) -> None:
        self.tokens = tokens = _tokens(text)
        comments: list[_Token] = []
        started = False
        while self.at < len(tokens):
            token = tokens[self.at]
            if token.kind == "comment":
                comments.append(token)
                self.at += 1
                continue
            if not started:
                comments = self._file_header(comments)
                started = True
            entry = polib.POEntry(linenum=comments[0].line if comments else token.line)
            for comment in comments:
                _add_comment(entry, comment.text)
            comments = []
            self._message(entry)
            list.append(self.po, entry)  # (POFile.append would look for duplicates: n²)
        if not started:
            self._file_header(comments)
        self._take_header()

    def _file_header(self, comments: list[_Token]) -> list[_Token]:
        """The translator comments a file starts with are the file's header (as polib
        reads them); returns the rest."""
        count = 0
        while count < len(comments) and _comment_kind(comments[count].text) == "#":
            count += 1
        self.po.header = "\n".join(_translator_text(c.text) for c in comments[:count])
        return comments[count:]

    def _take_header(self) -> None:
        po = self.po
        index = next(
            (
                i
                for i, entry in enumerate(po)
                if entry.msgid == "" and entry.msgctxt is None and not entry.obsolete
            ),
            None,
        )
        if index is None:
            return
        header = po[index]
        list.__delitem__(po, index)
        po.metadata_is_fuzzy = header.flags  # type: ignore[assignment,unused-ignore]  # (polib writes the flags back)
        key = None
        for line in header.msgstr.splitlines():
            name, colon, value = line.partition(":")
            if colon:
                key = name
                po.metadata[key] = value.strip()
            elif key is not None:
                po.metadata[key] += "\n" + line.strip()

    # -- one message ------------------------------------------------------------------

    def _message(self, entry: polib.POEntry) -> None:
        first = self.tokens[self.at]
        self.obsolete = first.obsolete
        if first.previous:
            self._previous(entry)
        if self._next_is("msgctxt"):
            entry.msgctxt = self._field("msgctxt")
        entry.msgid = self._field("msgid")
        if self._next_is("msgid_plural"):
            entry.msgid_plural = self._field("msgid_plural")
            self._plural_forms(entry)
        else:
            keyword = self._expect("msgstr", "msgstr")
            if self._next_is("["):
                raise POSyntaxError("msgstr[N] without a msgid_plural", keyword.line)
            entry.msgstr = self._strings(keyword)
        entry.obsolete = self.obsolete

    def _previous(self, entry: polib.POEntry) -> None:
        """``#|`` lines: the msgctxt, msgid and msgid_plural a fuzzy entry had. (polib
        skips those of obsolete entries, ``#~|``: so does this reader.)"""
        values = {}
        if self._next_is("msgctxt", previous=True):
            values["msgctxt"] = self._field("msgctxt", previous=True)
        values["msgid"] = self._field("msgid", previous=True)
        if self._next_is("msgid_plural", previous=True):
            values["msgid_plural"] = self._field("msgid_plural", previous=True)
        if not self.obsolete:
            for name, value in values.items():
                setattr(entry, f"previous_{name}", value)

    def _plural_forms(self, entry: polib.POEntry) -> None:
        index = 0
        while index == 0 or self._next_is("msgstr"):
            keyword = self._expect("msgstr", "msgstr[0]")
            self._expect("[", "msgstr[N] (the entry has a msgid_plural)")
            number = self._expect("number", "a number in msgstr[...]")
            self._expect("]", "]")
            if int(number.text) != index:
                raise POSyntaxError(
                    f"plural form msgstr[{number.text}] where msgstr[{index}] belongs", number.line
                )
            if index >= _MAX_PLURALS:
                raise POSyntaxError(f"more than {_MAX_PLURALS} plural forms", number.line)
            entry.msgstr_plural[index] = self._strings(keyword)
            index += 1

    def _next_is(self, kind: str, previous: bool = False) -> bool:
        if self.at >= len(self.tokens):
            return False
        token = self.tokens[self.at]
        return token.kind == kind and token.previous == previous

    def _expect(self, kind: str, wanted: str, previous: bool = False) -> _Token:
        token = self.tokens[self.at] if self.at < len(self.tokens) else None
        if token is None:
            last = self.tokens[-1].line
            raise POSyntaxError(f"the file ends where {wanted} belongs", last)
        if token.kind != kind or token.previous != previous:
            found = token.shown() if token.kind != "comment" else "a comment"
            if token.previous and not previous:
                found = f"'#|' {found}"
            raise POSyntaxError(f"{found} where {wanted} belongs", token.line)
        if token.obsolete != self.obsolete:
            raise POSyntaxError(
                "inconsistent use of #~: part of the entry is obsolete, part is not", token.line
            )
        self.at += 1
        return token

    def _field(self, keyword: str, previous: bool = False) -> str:
        shown = f"#| {keyword}" if previous else keyword
        return self._strings(self._expect(keyword, shown, previous), previous)

    def _strings(self, keyword: _Token, previous: bool = False) -> str:
        """The strings after ``keyword``, joined (at least one)."""
        parts = [self._expect("string", f"a string after {keyword.kind}", previous).text]
        while self._next_is("string", previous):
            parts.append(self._expect("string", "a string", previous).text)
        return "".join(parts)


def _comment_kind(text: str) -> str:
    mark = text[1:2]
    return "#" + mark if mark in (":", ",", ".") else "#"


def _translator_text(text: str) -> str:
    """``# note`` → ``note``: the mark and one space go."""
    body = text[1:]
    return body[1:] if body.startswith(" ") else body


def _add_comment(entry: polib.POEntry, text: str) -> None:
    """A comment line on ``entry``, as polib reads it."""
    kind, body = _comment_kind(text), text[2:]
    if kind == "#":
        note = _translator_text(text)
        entry.tcomment = f"{entry.tcomment}\n{note}" if entry.tcomment else note
    elif kind == "#." and body.strip():
        note = body[1:] if body.startswith(" ") else body
        entry.comment = f"{entry.comment}\n{note}" if entry.comment else note
    elif kind == "#:":
        for item in body.split():
            path, colon, number = item.rpartition(":")
            entry.occurrences.append((path, number) if colon and number.isdigit() else (item, ""))
    elif kind == "#," and body.strip():
        entry.flags += [flag.strip() for flag in body.split(",")]
