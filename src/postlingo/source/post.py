"""A post as postlingo reads it: exact text, its lines, and where front matter and body lie."""

from __future__ import annotations

import contextlib
import re
import sys
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import InputError
from ..fileio import read_text

if TYPE_CHECKING:
    from frontmatter.default_handlers import BaseHandler

BOM = "\ufeff"
# CommonMark's line endings; str.splitlines() would also split on U+2028 and friends.
_ENDING = re.compile(r"(\r\n|\r|\n)")
_TOML_BOUNDARY = re.compile(r"^\+{3}[ \t]*$")
_YAML_CLOSE = re.compile(r"^(?:-{3}|\.{3})[ \t]*$")


class Line(NamedTuple):
    """One source line: ``text[start:end]`` is its content, ``eol`` its ending ('' on the last).
    (A named tuple: a post has hundreds of lines, made three times faster than a dataclass.)"""

    start: int
    end: int
    eol: str


@dataclass(frozen=True)
class FrontMatter:
    """Where the front matter sits: its content lies between the delimiter lines."""

    format: str  # "yaml" or "toml"
    first_line: int  # index of the first content line (after the opening delimiter)
    content_start: int  # offset of the content in the post text
    content_end: int  # offset just after the content (start of the closing delimiter line)
    close_end: int  # offset just after the closing delimiter's line ending

    @property
    def insert_at(self) -> int:
        """Where a new key line goes: just before the closing delimiter."""
        return self.content_end


@dataclass(frozen=True)
class Post:
    """A source post. Offsets and line numbers refer to ``text`` (the file without its BOM)."""

    path: Path  # as found, relative to the project root
    name: str  # path below the posts folder, without extension: names its catalogues
    text: str
    bom: str = ""
    lines: tuple[Line, ...] = field(default=(), repr=False)
    front_matter: FrontMatter | None = None

    @cached_property
    def body_start(self) -> int:
        return self.front_matter.close_end if self.front_matter else 0

    @cached_property
    def body_first_line(self) -> int:
        """Index of the first body line."""
        if self.front_matter is None:
            return 0
        return self.line_at(self.front_matter.close_end) if self.body else len(self.lines)

    @property
    def body(self) -> str:
        return self.text[self.body_start :]

    @cached_property
    def eol(self) -> str:
        """The post's line ending, for lines postlingo adds."""
        return next((line.eol for line in self.lines if line.eol), "\n")

    def line_at(self, offset: int) -> int:
        """Index of the line holding ``offset``."""
        low, high = 0, len(self.lines) - 1
        while low < high:
            mid = (low + high + 1) // 2
            if self.lines[mid].start <= offset:
                low = mid
            else:
                high = mid - 1
        return low

    def line_text(self, index: int) -> str:
        line = self.lines[index]
        return self.text[line.start : line.end]


def split_lines(text: str) -> tuple[Line, ...]:
    """The lines of ``text``: one more than its line endings, unless it ends in one."""
    if "\r" in text:
        pieces = _ENDING.split(text)  # contents and the endings between them
        contents, endings = pieces[0::2], pieces[1::2]
    else:  # (the usual case: twice as quick)
        contents = text.split("\n")
        endings = ["\n"] * (len(contents) - 1)
    lines, start = [], 0
    for content, ending in zip(contents, [*endings, ""], strict=True):
        end = start + len(content)
        lines.append(Line(start, end, ending))
        start = end + len(ending)
    if len(lines) > 1 and lines[-1].start == len(text):
        lines.pop()  # nothing after the final line ending
    return tuple(lines)


def parse_post(text: str, path: Path, name: str) -> Post:
    """Split ``text`` into lines and locate its front matter; nothing is normalised."""
    bom = BOM if text.startswith(BOM) else ""
    text = text[len(bom) :]
    lines = split_lines(text)
    front = _find_front_matter(text, lines, path)
    return Post(path=path, name=name, text=text, bom=bom, lines=lines, front_matter=front)


def read_post(
    path: Path, name: str, display: Path | None = None, max_size: int | None = None
) -> Post:
    """Read the post at ``path`` (shown as ``display`` in messages). A file larger than
    ``max_size`` bytes is an ``InputError``: it is not read."""
    shown = display or path
    if max_size is not None:
        with contextlib.suppress(OSError):  # reading will tell what is wrong
            size = path.stat().st_size
            if size > max_size:
                raise InputError(
                    f"{size / 1e6:.1f} MB: larger than max_post_size "
                    f"({max_size / 1e6:g} MB), not read",
                    shown,
                )
    try:
        text = read_text(path)
    except InputError as exc:
        raise InputError(exc.message, shown, exc.line) from None
    return parse_post(text, shown, name)


@cache
def front_matter_handlers() -> dict[str, BaseHandler]:
    """python-frontmatter's handlers by format: they detect the opening delimiter and load
    the values (imported on first use: start-up time). Its own ``TOMLHandler`` needs the
    ``toml`` package, which it does not install: this one loads with tomllib."""
    from frontmatter.default_handlers import BaseHandler, YAMLHandler

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    class TomlHandler(BaseHandler):
        FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)  # TOMLHandler's
        START_DELIMITER = END_DELIMITER = "+++"

        def load(self, fm: str) -> dict[str, Any]:
            return tomllib.loads(fm)

    return {"yaml": YAMLHandler(), "toml": TomlHandler()}


def _find_front_matter(text: str, lines: tuple[Line, ...], path: Path) -> FrontMatter | None:
    if not lines:
        return None
    from frontmatter import detect_format  # (imported with the handlers)

    first = text[lines[0].start : lines[0].end]
    handlers = front_matter_handlers()
    handler = detect_format(first, handlers.values())
    if handler is None or first.rstrip(" \t") not in ("---", "+++"):
        return None  # "----" opens front matter for python-frontmatter, not for Jekyll or Hugo
    # The closing line is Jekyll's and Hugo's, not python-frontmatter's: YAML may also end
    # with "...", and a "----" line inside is content.
    fmt = "yaml" if handler is handlers["yaml"] else "toml"
    closing = _YAML_CLOSE if fmt == "yaml" else _TOML_BOUNDARY
    for index in range(1, len(lines)):
        line = lines[index]
        if closing.match(text[line.start : line.end]):
            return FrontMatter(
                format=fmt,
                first_line=1,
                content_start=lines[1].start,
                content_end=line.start,
                close_end=line.end + len(line.eol),
            )
    raise InputError(
        f"front matter opened on line 1 is never closed (no {first.strip()} line)", path, 1
    )
