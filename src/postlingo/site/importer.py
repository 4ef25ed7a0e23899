"""``postlingo import``: a site's existing human translations brought into the catalogues.

A variant that exists where the layout puts it is read as a source post is read (the same
segments), and aligned with its source: front-matter values key by key, the body block by
block. The body's alignment is a sequence alignment (Needleman-Wunsch, gaps free) over
markdown-it's blocks, where two blocks may pair only if they are of one kind (a paragraph, a
heading of one level, a cell of one table column), and pair the better the more their
anchors agree (what survives translation: numbers, URLs and link targets, code, Liquid tags
and shortcodes, footnote references, framing punctuation), the more word stems they share,
and the closer their lengths are to the two texts' ratio. Where the structures differ (a
paragraph split in two, an item added) the blocks around the difference still pair; the
others are left and reported.

Aligned texts go into the catalogue as fuzzy entries with the translator comment
``imported from <path>``: a translator confirms them. An entry that has a translation
keeps it. The variant itself is only read.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

import polib

from ..catalogue.po import IMPORTED
from ..catalogue.store import CONFLICT, Store
from ..config import Config
from ..errors import InputError, PostlingoError, TranslationError
from ..outcome import Outcome, contained, writing
from ..pipeline import Writer, planned_catalogue, planned_template, read_segments
from ..source.markdown import parse_body
from ..source.post import Post
from ..source.segment import Segment
from .sources import Source, find_sources, variant_path

FUZZY = "fuzzy"
# Beyond this many pairs of blocks to weigh, a post is not aligned (about 8 s of work:
# 600 blocks a side take 0.7 s).
MAX_CELLS = 4_000_000
# A pair is worth taking when its score passes this; gaps cost nothing.
_TAKE = 0.35
_LENGTH_SPREAD = 0.3  # how far (in log of the length ratio) a translation's length may stray
_CONTAINER_PENALTY = 0.2  # a pair whose blocks sit in different containers


@dataclass
class PostImport:
    """What import found in one variant."""

    variant: Path  # as shown
    language: str
    total: int  # the source's segments
    aligned: int = 0
    kept: int = 0  # aligned, but the entry already had a translation: left as it was
    same: int = 0  # aligned, the text the source's, the catalogue postlingo's: not imported
    other: int = 0  # kept, the human's other wording in a translator comment (shared text)
    source_left: list[int] = field(default_factory=list)  # lines of unaligned segments
    variant_left: list[int] = field(default_factory=list)

    def line(self) -> str:
        """``imported 27 of 30 segments from x.en.md (3 left: source line 40, …)``"""
        text = f"imported {self.aligned} of {self.total} segments from {self.variant}"
        left = []
        if self.source_left:
            left.append(f"{len(self.source_left)} left: source line {self.source_left[0]}")
        if self.variant_left:
            left.append(
                f"translation line {self.variant_left[0]}" + ("" if self.source_left else " left")
            )
        if left:
            text += f" ({', '.join(left)})"
        if self.kept:
            text += f"; {self.kept} kept: already translated"
        if self.other:
            text += (
                f" ({self.other} shared with another post and translated otherwise there: "
                f"this variant's wording is in a '{CONFLICT}' comment)"
            )
        if self.same:
            text += f"; {self.same} same as the source"
        return text


@dataclass
class ImportOutcome(Outcome):
    """The files written, and per variant what was imported."""

    posts: list[PostImport] = field(default_factory=list)


def import_translations(config: Config, post: str | None = None) -> ImportOutcome:
    """Import every existing variant of the configured languages (of the posts whose path,
    name or file name match the glob ``post``) into its catalogue."""
    outcome = ImportOutcome()
    with writing(config):
        for source in find_sources(config):
            if post and not _matches(source, post):
                continue
            outcome.checked += 1
            for language in config.languages:
                with contained(outcome, config.root / source.relative):
                    _import_one(config, source, language, outcome)
    return outcome


def _matches(source: Source, pattern: str) -> bool:
    names = (source.relative.as_posix(), source.name, source.relative.name)
    return any(fnmatch(name, pattern) for name in names)


def _import_one(config: Config, source: Source, language: str, outcome: ImportOutcome) -> None:
    path = variant_path(config, source, language)
    if not path.is_file():
        return
    relative = PurePosixPath(path.relative_to(config.root).as_posix())
    post, segments = read_segments(config, source)
    variant, translated = read_segments(config, Source(relative, source.posts_dir, source.name))
    if len(segments) * len(translated) > MAX_CELLS:
        raise InputError(
            f"too many segments to align ({len(segments)} and {len(translated)}): not imported",
            path,
        )
    pairs = align_posts(post, segments, variant, translated, {config.source_language, language})
    found = PostImport(path, language, len(segments))
    paired = {id(segment) for pair in pairs for segment in pair}
    found.source_left = [s.line for s in segments if id(s) not in paired]
    found.variant_left = [t.line for t in translated if id(t) not in paired]
    outcome.posts.append(found)
    store = Store(config, find_sources(config))
    template, current = planned_template(config, source, segments, store)
    keys = [(entry.msgctxt, entry.msgid) for entry in template]
    existing = store.view(source, language, keys, candidates=True)
    catalogue = planned_catalogue(config, template, language, existing)
    if not _fill(catalogue, pairs, relative.as_posix(), found, existing is None, store.grouped):
        return  # (an empty catalogue would hand the variant over to build: none is made)
    writer = Writer(config, outcome, store=store)
    if not current or store.grouped:
        writer.post_file(source, None, template)
    writer.post_file(source, language, catalogue)
    writer.flush()
    if (found.source_left or found.variant_left) and config.threshold < 100:
        outcome.warnings.append(PostlingoError(_replaced(found), path))


def _replaced(found: PostImport) -> str:
    """What a build would do to the rest of a variant imported in part."""
    lost = []
    if found.source_left:
        lost.append(f"{len(found.source_left)} source segment(s) get the source's text")
    if found.variant_left:
        lost.append(
            f"{len(found.variant_left)} block(s) of its own are not in the catalogue "
            f"(from line {found.variant_left[0]})"
        )
    return (
        f"build will rewrite this file: {' and '.join(lost)}; translate what is left "
        "first, or set threshold = 100 to keep the file until then"
    )


def _fill(
    catalogue: polib.POFile,
    pairs: list[tuple[Segment, Segment]],
    shown: str,
    found: PostImport,
    fresh: bool,
    shared: bool = False,
) -> int:
    """Put each pair's translation into its untranslated entry; the number written.
    A text equal to its source is imported only into a ``fresh`` catalogue: in a human
    variant it is the translator's choice (a name, a term), in a variant postlingo wrote
    from an existing catalogue it is the source's text standing in for a translation."""
    entries: dict[tuple[str | None, str], polib.POEntry] = {
        (e.msgctxt, e.msgid): e for e in catalogue if not e.obsolete
    }
    written = 0
    done: set[tuple[str | None, str]] = set()  # a text the post repeats: its first pair
    for source, target in pairs:
        found.aligned += 1
        entry = entries.get(source.key)
        if entry is None or source.key in done:
            continue  # (every segment has its entry: the catalogue is the template's)
        done.add(source.key)
        if entry.msgstr:
            found.kept += 1
            if shared and entry.msgstr != target.msgid and target.msgid != source.msgid:
                # A text this post shares with another one, translated there already: the
                # human's wording is kept beside it, as a migration keeps one (store).
                note = f"{CONFLICT} {target.msgid}"
                if note not in (entry.tcomment or "").split("\n"):
                    entry.tcomment = f"{entry.tcomment}\n{note}" if entry.tcomment else note
                    found.other += 1
            continue
        if target.msgid == source.msgid and not fresh:
            found.same += 1
            continue
        entry.msgstr = target.msgid
        entry.flags = [FUZZY, *(flag for flag in entry.flags if flag != FUZZY)]
        note = f"{IMPORTED} {shown}"
        entry.tcomment = f"{entry.tcomment}\n{note}" if entry.tcomment else note
        written += 1
    return written


# --- alignment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A segment with what alignment weighs: its kind, its containers, its anchors, its size."""

    segment: Segment
    kind: str  # "paragraph", "h2", "cell 3", "front-matter title"
    container: str  # "blockquote bullet_list list_item", "" at the top
    anchors: Counter[str]
    size: int
    words: frozenset[str] = frozenset()  # the first four letters of its longer words


def align_posts(
    source: Post,
    segments: list[Segment],
    variant: Post,
    translated: list[Segment],
    languages: set[str],
) -> list[tuple[Segment, Segment]]:
    """The pairs (source segment, its translation) found, in source order; each segment
    is in one pair at most, and each translation renders in its source's shape."""
    pairs = _front_matter_pairs(segments, translated, languages)
    body = [
        _blocks(source, [s for s in segments if s.context is None], languages),
        _blocks(variant, [s for s in translated if s.context is None], languages),
    ]
    pairs += align(*body)
    return sorted((pair for pair in pairs if _renders(*pair)), key=lambda p: p[0].start)


def _renders(source: Segment, target: Segment) -> bool:
    try:
        source.render(target.msgid)
    except TranslationError:
        return False  # a heading's text with a line break, say: not this segment's
    return bool(target.msgid.strip())


def _front_matter_pairs(
    segments: list[Segment], translated: list[Segment], languages: set[str]
) -> list[tuple[Segment, Segment]]:
    """Values of the same key pair; a key with several values (a list) pairs them in order
    when both have as many, else by alignment."""
    pairs: list[tuple[Segment, Segment]] = []
    keys = dict.fromkeys(s.context for s in segments if s.context is not None)
    for key in keys:
        mine = [s for s in segments if s.context == key]
        theirs = [s for s in translated if s.context == key]
        if len(mine) == len(theirs):
            pairs += zip(mine, theirs, strict=True)
        else:
            pairs += align(
                [_block(s, f"front-matter {key}", "", languages) for s in mine],
                [_block(s, f"front-matter {key}", "", languages) for s in theirs],
            )
    return pairs


def align(source: Sequence[Block], target: Sequence[Block]) -> list[tuple[Segment, Segment]]:
    """Needleman-Wunsch over two block sequences: the pairs of greatest total score, in
    order, gaps free; pairs of different kinds or lengths far apart are never made."""
    n, m = len(source), len(target)
    ratio = _length_ratio(source, target)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = bytearray((n + 1) * (m + 1))  # 0: pair, 1: skip source block, 2: skip target
    for i in range(1, n + 1):
        row, above = best[i], best[i - 1]
        for j in range(1, m + 1):
            up, left = above[j], row[j - 1]
            value, step = (up, 1) if up >= left else (left, 2)
            score = _score(source[i - 1], target[j - 1], ratio)
            if score is not None and above[j - 1] + score - _TAKE > value:
                value, step = above[j - 1] + score - _TAKE, 0
            row[j] = value
            move[i * (m + 1) + j] = step
    return _trace(source, target, move)


def _trace(
    source: Sequence[Block], target: Sequence[Block], move: bytearray
) -> list[tuple[Segment, Segment]]:
    pairs = []
    i, j, width = len(source), len(target), len(target) + 1
    while i and j:
        step = move[i * width + j]
        if step == 0:
            pairs.append((source[i - 1].segment, target[j - 1].segment))
            i, j = i - 1, j - 1
        elif step == 1:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def _length_ratio(source: Sequence[Block], target: Sequence[Block]) -> float:
    """The log of how much longer the translation is overall (German runs longer than
    English): a pair's lengths are weighed against it. Bounded, for a half-translated post."""
    mine = sum(b.size for b in source) or 1
    theirs = sum(b.size for b in target) or 1
    return max(-0.5, min(0.5, math.log(theirs / mine)))


def _score(a: Block, b: Block, ratio: float) -> float | None:
    """How well two blocks pair, about 0..1; None where they may not."""
    if a.kind != b.kind:
        return None
    stray = math.log((b.size + 8) / (a.size + 8)) - ratio
    length = math.exp(-stray * stray / (2 * _LENGTH_SPREAD**2))
    if length < 0.2:
        return None  # half a paragraph, or another text
    score = 0.5 * length + 0.5 * _overlap(a.anchors, b.anchors) + _cognates(a.words, b.words)
    return score - (_CONTAINER_PENALTY if a.container != b.container else 0.0)


def _cognates(a: frozenset[str], b: frozenset[str]) -> float:
    """A bonus for words the two texts share (names, terms, cognates: *Controller*,
    *horizontal*), up to 0.3: between German and English a few are typical of a pair."""
    if not a or not b:
        return 0.0
    return 0.3 * min(1.0, 3 * len(a & b) / (len(a) + len(b)))


def _overlap(a: Counter[str], b: Counter[str]) -> float:
    """How far two blocks' anchors agree: shared over all (counts matter); neutral when
    neither has any; below nothing when none is shared (evidence of two other texts)."""
    if not a and not b:
        return 0.5
    shared = sum((a & b).values())
    return shared / sum((a | b).values()) if shared else -0.2


# --- blocks and their anchors -------------------------------------------------------------

# Anchors, in one pass so that a number inside a URL or code is not counted again.
_ANCHOR = re.compile(
    r"\{\{[<%]?\s*/?\s*([\w.-]*)[^}]*\}\}"  # Liquid output, Hugo shortcodes: their name
    r"|\{%-?\s*(\w+)[^%]*%\}"  # Liquid tags: their name
    r"|(`+)([^`]+)\3"  # code
    r"|\]\(\s*<?([^\s)>]*)"  # link and image targets
    r"|\b(?:src|href)\s*=\s*[\"']([^\"']*)"  # in HTML
    r"|(https?://[^\s)>\]\"']+)"  # bare URLs
    r"|\[\^([^\]\s]+)\]"  # footnote references
    r"|(\d+)"
)

_OPENERS = frozenset("([\"'“„«»¿¡")
_CLOSERS = frozenset(":?!")


def anchors(text: str, languages: set[str]) -> Counter[str]:
    """What of ``text`` a translation keeps: numbers, URLs and link targets (language
    folders left out: ``/de/docs/x`` and ``/docs/x`` are one page), code, tag and
    shortcode names, footnote references."""
    found: Counter[str] = Counter()
    text = text.strip()
    # Punctuation that frames a text survives translation too: an aside in parentheses,
    # a question, a text that leads into a list.
    if text[:1] in _OPENERS:
        found[f"starts {text[0]}"] += 1
    end = text.rstrip(".")[-1:]  # (an aside closed before the full stop: "…)." too)
    if end in _CLOSERS:
        found[f"ends {end}"] += 1
    for match in _ANCHOR.finditer(text):
        tag, liquid, _, code, target, html, url, note, number = match.groups()
        if code is not None:
            found[f"code {code.strip()}"] += 1
        elif number is not None:
            found[f"number {int(number)}"] += 1
        elif note is not None:
            found[f"note {note}"] += 1
        elif liquid is not None or tag is not None:
            found[f"tag {liquid or tag} {_tag_target(match.group())}".rstrip()] += 1
        else:
            found[f"link {_normal_link(target or html or url or '', languages)}"] += 1
    return found


# A tag's or shortcode's parameters that name a thing rather than say something.
_TAG_TARGET = re.compile(r"\b(?:\w*_id|id|src|href|url|ref|link)\s*=\s*[\"']?([^\"'\s>}%]+)")


def _tag_target(tag: str) -> str:
    """What a tag points to (``term_id="pod"``, ``src="x.png"``): a translation keeps it,
    where it translates the tag's ``text``."""
    return " ".join(match.group(1).lower() for match in _TAG_TARGET.finditer(tag))


def _normal_link(link: str, languages: set[str]) -> str:
    for language in languages:
        link = re.sub(rf"(^|/){re.escape(language)}(?=/|$)", "", link, flags=re.IGNORECASE)
    return link.rstrip("/") or "/"


def _block(segment: Segment, kind: str, container: str, languages: set[str]) -> Block:
    text = segment.msgid
    # (by their first four letters: Liste and list, Version and version, Cluster/cluster)
    words = frozenset(w[:4].lower() for w in _WORDS.findall(_ANCHOR.sub(" ", text)))
    return Block(segment, kind, container, anchors(text, languages), len(text), words)


_WORDS = re.compile(r"[^\W\d_]{4,}")


_CONTAINERS = {
    "blockquote_open",
    "bullet_list_open",
    "ordered_list_open",
    "list_item_open",
    "footnote_open",
    "table_open",
}


def _blocks(post: Post, segments: list[Segment], languages: set[str]) -> list[Block]:
    """The body segments as blocks: kinds and containers from markdown-it's tokens."""
    where = dict(_token_kinds(post))
    blocks = []
    for segment in segments:
        kind, container = where.get(segment.line, (segment.kind, ""))
        if segment.kind == "table-cell":
            kind = f"cell {_column(post, segment)}"
        blocks.append(_block(segment, kind, container, languages))
    return blocks


def _token_kinds(post: Post) -> Iterator[tuple[int, tuple[str, str]]]:
    """(line, (kind, containers)) of each paragraph, heading and table row of the body."""
    tokens, _ = parse_body(post.body)
    offset = post.body_first_line + 1
    stack: list[str] = []
    for token in tokens:
        if token.type in _CONTAINERS:
            stack.append(token.type.removesuffix("_open"))
        elif token.type.removesuffix("_close") + "_open" in _CONTAINERS:
            if stack:
                stack.pop()
        elif token.map is None:
            continue
        elif token.type == "paragraph_open":
            yield token.map[0] + offset, ("paragraph", " ".join(stack))
        elif token.type == "heading_open":
            yield token.map[0] + offset, (token.tag, " ".join(stack))
        elif token.type == "tr_open":
            yield token.map[0] + offset, ("table-cell", " ".join(stack))


def _column(post: Post, segment: Segment) -> int:
    """Which cell of its row a table cell is: the unescaped pipes before it."""
    line = post.lines[segment.line - 1]
    before = post.text[line.start : segment.start]
    pipes = len(re.findall(r"(?<!\\)\|", before))
    return pipes - (1 if re.match(r"[\s>]*\|", before) else 0)
