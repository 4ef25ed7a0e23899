"""``postlingo draft``: machine drafts for untranslated entries, for humans to review.

Translation memory drafts first (exact and fuzzy matches); only what it does not know goes
to the engine. Only untranslated entries are drafted; translated and fuzzy ones are never
touched, except that an engine that ``revises`` (``openai``) gets a changed entry (fuzzy
with its previous msgid and a human translation) to revise. Batched engines get whole
entries, ``max_segments`` to a request, with their context. A draft is
marked ``#, fuzzy`` (``build`` skips it unless ``--include-fuzzy``) with the translator comment
``machine draft: <engine> <YYYY-MM-DD>``. A text goes to an engine masked (``protect``), split
at lines and, past the engine's limit, at sentences; its answer is accepted only if every
placeholder came back and the Markdown reads the same. An entry whose answer is refused stays
untranslated with a comment saying why. Catalogues are saved after every ``batch`` entries, so
an interrupted run loses at most one batch; answers are cached (engine, languages, text), so a
resumed run pays for nothing twice. Repeated failures stop the run with the reason.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
import re
import stat
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Protocol

import polib

from ..catalogue.locales import TAXONOMY, catalogue_path
from ..catalogue.merge import FUZZY
from ..catalogue.po import load_catalogue, save_catalogue
from ..catalogue.store import Store
from ..config import CONFIG_FILE, Config, key_line
from ..errors import ConfigError, InputError, PostlingoError
from ..fileio import TEMP_SUFFIX
from ..lock import site_lock
from ..qa.check import load_glossary
from ..site.sources import Source, find_sources
from ..source.markdown import parse_env
from ..source.post import read_post
from ..variant.security import unsafe_additions
from .engines import (
    MEMORY,
    BatchContext,
    Engine,
    EngineError,
    NoTranslation,
    Segment,
    engine_class,
    identity,
    make_engine,
    registry,
)
from .memory import Memory, load_memory
from .protect import Masked, ProtectionError, Term, mask, structure_changed

CHUNK = 65536  # bytes read at a time when looking for a torn record
MARK = "machine draft"  # translator comments postlingo writes start with this
CACHE_VERSION = "1"
# Where a sentence ends: its punctuation and closing quotes, then the gap before the next.
_SENTENCE_END = re.compile(
    r"[.!?\u2026:;][\"'\u201c\u201d\u2018\u2019\u00bb\u00ab\u203a)\]]*(?P<gap>[ \t]+)(?=\S)"
)
_WORDS = re.compile(r"[^\W\d_]")
_PLACEHOLDER = re.compile(r"\[X\d+X\]")
_MARKUP_CHARS = "<>{}&\\`"  # what a machine draft may not add (see _refuse_markup)


@dataclass(frozen=True)
class DraftOptions:
    engine: str | None = None  # None: the configured engine
    post: str | None = None  # only posts whose path, name or file name match this glob
    limit: int | None = None  # at most this many entries
    dry_run: bool = False
    batch: int = 10  # entries between two saves of a catalogue
    backoff: float = 1.0  # seconds before the first retry
    today: date | None = None


class Progress(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self, segments: int, characters: int) -> None: ...


class _Silent:
    def start(self, total: int) -> None:
        pass

    def advance(self, segments: int, characters: int) -> None:
        pass


@dataclass(frozen=True)
class Failure:
    """An entry left untranslated, and why."""

    path: Path
    line: int
    reason: str
    key: tuple[str | None, str] = (None, "")  # the entry's msgctxt and msgid


@dataclass(frozen=True)
class Plan:
    """What a dry run found for one engine."""

    engine: str
    segments: int  # entries that would be drafted
    requests: int  # texts that would be sent
    characters: int  # characters that would be sent
    cached: int  # texts already in the cache
    too_long: int  # entries with a sentence longer than the engine takes
    unsupported: str = ""  # why the engine cannot translate these languages
    sent: tuple[tuple[Path, int, int], ...] = ()  # (catalogue, line, characters) per segment
    price: float = 0.0  # per million characters, as configured or the engine's estimate

    @property
    def cost(self) -> float:
        return self.characters * self.price / 1_000_000


@dataclass
class DraftReport:
    engine: str
    drafted: int = 0
    failed: list[Failure] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    errors: list[PostlingoError] = field(default_factory=list)
    requests: int = 0  # texts sent to the engine
    characters: int = 0  # characters sent
    cached: int = 0  # texts answered from the cache
    unmatched: int = 0  # entries the memory had nothing for
    from_memory: int = 0  # entries drafted from translation memory
    revised: int = 0  # changed entries whose old translation the engine revised
    stopped: EngineError | None = None
    plans: list[Plan] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.stopped is None


# --- the work ---------------------------------------------------------------------------------


@dataclass
class Job:
    """The untranslated entries of one catalogue."""

    source: Source | None  # None: the taxonomy catalogue
    language: str
    path: Path
    po: polib.POFile
    entries: list[polib.POEntry]
    env: dict[str, Any]  # the post's references and footnotes, for reading its Markdown
    changed: list[polib.POEntry] = field(default_factory=list)  # to revise (fuzzy, changed)
    # The post's live entries, in order (posts that share a catalogue: only its own).
    live: list[polib.POEntry] = field(default_factory=list)
    last: bool = True  # no later job has this catalogue (posts that share one: saved then)


def pending(
    config: Config, options: DraftOptions, report: DraftReport, revise: bool = False
) -> list[Job]:
    """Every catalogue with entries to draft (the taxonomy's too), at most ``options.limit``
    entries in all; with ``revise``, changed entries with an old translation as well."""
    jobs: list[Job] = []
    shared: dict[Path, polib.POFile | None] = {}  # a catalogue posts share: loaded once
    claimed: dict[Path, set[tuple[str | None, str]]] = {}  # its entries given to a job
    left = options.limit if options.limit is not None else -1
    sources: list[Source | None] = [*find_sources(config), None]
    for source in sources:
        if options.post and not _matches(source, options.post):
            continue
        for language in config.languages:
            if left == 0:
                return _mark_last(jobs)
            try:
                job = _job(config, source, language, revise, shared, claimed)
            except PostlingoError as exc:
                report.errors.append(exc)
                continue
            if job is None:
                continue
            if left > 0:
                job.entries = job.entries[:left]
                left -= len(job.entries)
                job.changed = job.changed[: max(left, 0)]
                left -= len(job.changed)
            if job.entries or job.changed:
                jobs.append(job)
    return _mark_last(jobs)


def _mark_last(jobs: list[Job]) -> list[Job]:
    """A catalogue several posts share is written once, after its last job (a site's
    catalogue saved after every post would be written thousands of times)."""
    seen: set[Path] = set()
    for job in reversed(jobs):
        job.last = job.path not in seen
        seen.add(job.path)
    return jobs


def _matches(source: Source | None, pattern: str) -> bool:
    if source is None:
        return fnmatch(TAXONOMY, pattern) or fnmatch(f"{TAXONOMY}.po", pattern)
    names = (source.relative.as_posix(), source.name, source.relative.name)
    return any(fnmatch(name, pattern) for name in names)


def _job(
    config: Config,
    source: Source | None,
    language: str,
    revise: bool,
    shared: dict[Path, polib.POFile | None],
    claimed: dict[Path, set[tuple[str | None, str]]],
) -> Job | None:
    store = Store(config)
    if source is None:
        path = catalogue_path(config.locales_dir, TAXONOMY, language)
    else:
        path = store.catalogue_file(source, language)
    if not path.exists():
        if source is None:
            return None  # no taxonomy: nothing to draft there
        raise InputError("no catalogue: run 'postlingo update' first", path)
    if path in shared and shared[path] is None:
        return None  # (a broken shared catalogue: said once, for its first post)
    first = path not in shared
    if first:
        shared[path] = None  # (until it is read: a broken file is said once)
        shared[path] = load_catalogue(path)
    po = shared[path]
    assert po is not None
    live = [entry for entry in po if not entry.obsolete]
    if source is not None and store.grouped:  # its own entries; a shared one drafted once
        rel = source.relative.as_posix()
        live = [entry for entry in live if any(where == rel for where, _ in entry.occurrences)]
        taken = claimed.setdefault(path, set())
        mine = [e for e in live if (e.msgctxt, e.msgid) not in taken]
        taken.update((e.msgctxt, e.msgid) for e in mine)
    else:
        mine = live if first else []
    entries = [entry for entry in mine if untranslated(entry)]
    changed = [entry for entry in mine if revise and changed_entry(entry)]
    env: dict[str, Any] = {}
    if source is not None:
        post = read_post(config.root / source.relative, source.name, config.root / source.relative)
        env = parse_env(post.body)
    return Job(source, language, path, po, entries, env, changed, live)


def changed_entry(entry: polib.POEntry) -> bool:
    """Whether ``entry`` is a human translation whose source changed since (fuzzy with its
    previous msgid, as ``update`` leaves it), not a machine draft awaiting review."""
    return (
        not entry.obsolete
        and entry.fuzzy
        and bool(entry.msgstr)
        and bool(entry.previous_msgid)
        and not entry.msgid_plural
        and entry.previous_msgid != entry.msgid
        and not any(line.startswith(MARK) for line in (entry.tcomment or "").split("\n"))
    )


def untranslated(entry: polib.POEntry) -> bool:
    """Whether ``draft`` may fill ``entry``: live, no translation, not fuzzy, no plural."""
    return not entry.obsolete and not entry.msgstr and not entry.fuzzy and not entry.msgid_plural


def _is_markdown(entry: polib.POEntry) -> bool:
    return entry.msgctxt is None  # front-matter values carry their key as context


# --- splitting --------------------------------------------------------------------------------


def pieces(text: str, limit: int) -> list[tuple[str, str]]:
    """``text`` as (piece, separator) pairs: one per line (hard breaks stay where they are),
    lines longer than ``limit`` cut at sentence ends into pieces of at most ``limit``;
    ``NoTranslation`` if one sentence is longer than that."""
    out: list[tuple[str, str]] = []
    lines = text.split("\n")
    for number, line in enumerate(lines):
        separator = "\n" if number < len(lines) - 1 else ""
        parts = _sentences(line, limit) if len(line) > limit else [(line, "")]
        out += [*parts[:-1], (parts[-1][0], parts[-1][1] + separator)]
    return out


def _sentences(line: str, limit: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    start = 0
    cut_at: tuple[int, int] | None = None  # the last sentence end that fits
    ends = [m.span("gap") for m in _SENTENCE_END.finditer(line)] + [(len(line), len(line))]
    for end, next_start in ends:
        if end - start > limit:
            if cut_at is None:
                raise NoTranslation(
                    f"a sentence is longer than the engine's limit of {limit} characters"
                )
            out.append((line[start : cut_at[0]], line[cut_at[0] : cut_at[1]]))
            start = cut_at[1]
            if end - start > limit:
                raise NoTranslation(
                    f"a sentence is longer than the engine's limit of {limit} characters"
                )
        cut_at = (end, next_start)
    out.append((line[start:], ""))
    return out


def needs_engine(piece: str) -> bool:
    """Whether a piece has words to translate (not only placeholders and punctuation)."""
    return bool(_WORDS.search(_PLACEHOLDER.sub("", piece)))


# --- the cache --------------------------------------------------------------------------------


class Cache:
    """Engines' answers as a journal: one JSON line per answer, keyed by a hash of engine,
    languages and text, appended with one write per record and never rewritten in place.
    A record counts only once its line is complete: a last line cut short by a crash is
    dropped when read, and cut off before the next record is appended, so it never
    swallows one. The journal's folder is inside the site and is reached from the root
    one folder at a time without following a symbolic link (``O_NOFOLLOW``), as is the
    file itself; a FIFO or device there is refused. Keys are never part of it."""

    def __init__(self, root: Path, parts: tuple[str, ...], engine: str):
        self.root, self.parts, self.name = root, parts, f"{engine}.jsonl"
        self._answers: dict[str, str] | None = None

    @property
    def path(self) -> Path:
        return self.root.joinpath(*self.parts, self.name)

    @staticmethod
    def key(identity: str, source: str, target: str, text: str) -> str:
        material = "\x00".join((CACHE_VERSION, identity, source, target, text))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def get(self, key: str) -> str | None:
        return self._load().get(key)

    def put(self, key: str, answer: str) -> None:
        answers = self._load()
        if answers.get(key) == answer:
            return
        record = json.dumps({"key": key, "text": answer}, ensure_ascii=False) + "\n"
        folder = self._folder(create=True)
        assert folder is not None
        try:
            _ignore_in_git(folder)
            fd = self._open(folder, os.O_RDWR | os.O_CREAT | os.O_APPEND)
            try:
                _cut_torn_tail(fd)
                data = record.encode("utf-8")
                while data:  # one write: a record is whole or, cut by a crash, the torn tail
                    data = data[os.write(fd, data) :]
            finally:
                os.close(fd)
        finally:
            os.close(folder)
        answers[key] = answer

    def check(self) -> None:
        """Fail now (``InputError``) if the cache's folder or file leads through a symbolic
        link or is no regular file, before anything is sent."""
        self._load()

    def _load(self) -> dict[str, str]:
        if self._answers is None:
            self._answers = {}
            folder = self._folder(create=False)
            if folder is None:
                return self._answers
            try:
                fd = self._open(folder, os.O_RDONLY)
            except FileNotFoundError:
                return self._answers
            finally:
                os.close(folder)
            with os.fdopen(fd, "rb") as handle:
                data = handle.read()
            self._answers = _records(data)
        return self._answers

    def _folder(self, create: bool) -> int | None:
        """A descriptor of the cache's folder, reached from the root part by part without
        following links (made where missing if ``create``); None if missing."""
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        done: list[str] = []
        try:
            for part in self.parts:
                done.append(part)
                if create:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o777, dir_fd=fd)
                try:
                    child = os.open(
                        part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd
                    )
                except FileNotFoundError:
                    os.close(fd)
                    return None
                except OSError:  # ELOOP or ENOTDIR: a link, or a file
                    raise InputError(
                        f"draft cache: {_what_is(fd, part)}; the cache is "
                        "written only into real folders inside the site",
                        self.root.joinpath(*done),
                    ) from None
                os.close(fd)
                fd = child
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _open(self, folder: int, flags: int) -> int:
        try:
            fd = os.open(
                self.name,
                flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                0o644,
                dir_fd=folder,
            )
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise InputError(
                f"draft cache: cannot be opened ({exc.strerror}; a symbolic "
                "link is never followed)",
                self.path,
            ) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise InputError("draft cache: not a regular file", self.path)
        return fd


def _what_is(folder: int, name: str) -> str:
    """What ``name`` in ``folder`` is, when it is not the folder it should be."""
    try:
        mode = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
    except OSError as exc:
        return f"cannot be opened ({exc.strerror})"
    return "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"


def _records(data: bytes) -> dict[str, str]:
    """The journal's complete records (lines ending in a newline that hold a record)."""
    answers: dict[str, str] = {}
    lines = data.split(b"\n")
    for line in lines[:-1]:  # the last piece is empty or a torn record: dropped
        try:
            record = json.loads(line.decode("utf-8"))
            key, text = record["key"], record["text"]
        except (ValueError, KeyError, TypeError):
            continue  # a damaged line: only itself is lost
        if isinstance(key, str) and isinstance(text, str):
            answers[key] = text
    return answers


def _cut_torn_tail(fd: int) -> None:
    """Truncate the journal after its last newline: a record cut short by a crash goes,
    so that the next record starts a line of its own."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    end = size
    while end > 0:  # back to the last newline, a block at a time
        start = max(0, end - CHUNK)
        block = os.pread(fd, end - start, start)
        newline = block.rfind(b"\n")
        if newline >= 0:
            os.ftruncate(fd, start + newline + 1)
            return
        end = start
    os.ftruncate(fd, 0)


def _ignore_in_git(folder: int) -> None:
    """Put a .gitignore into the cache's folder unless there is one (written to a temporary
    file and linked into place: whole or absent, and never over another file)."""
    name = ".gitignore"
    with contextlib.suppress(FileNotFoundError):
        os.stat(name, dir_fd=folder, follow_symlinks=False)
        return
    temporary = f".{name}.{os.getpid()}{TEMP_SUFFIX}"
    fd = os.open(
        temporary,
        os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC,
        0o644,
        dir_fd=folder,
    )
    try:
        os.write(fd, b"# postlingo's cache of machine translations\n*\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        with contextlib.suppress(FileExistsError):
            os.link(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    finally:
        os.unlink(temporary, dir_fd=folder)


def cache_parts(config: Config) -> tuple[str, ...]:
    """The cache folder's path below the root, part by part: ``draft_cache`` or
    ``<locales>/.cache/drafts``; ``ConfigError`` naming the key if it leaves the root."""
    key = "draft_cache" if config.draft_cache else "locales"
    value = config.draft_cache or config.locales
    path = PurePosixPath(value)
    parts = tuple(part for part in path.parts if part != ".")
    if path.is_absolute() or PureWindowsPath(value).anchor or ".." in parts:
        source = config_source(config.root)
        raise ConfigError(
            f"configuration key {key!r} must name a folder inside the site's root, not {value!r}",
            source,
            key_line(source, key),
        )
    return parts if config.draft_cache else (*parts, ".cache", "drafts")


def config_source(root: Path) -> Path | None:
    """The file the configuration was read from (for messages)."""
    for name in (CONFIG_FILE, "pyproject.toml"):
        if (root / name).is_file():
            return root / name
    return None


def make_cache(config: Config, engine: str) -> Cache:
    return Cache(config.root, cache_parts(config), engine)


def cache_folder(config: Config) -> Path:
    return config.root.joinpath(*cache_parts(config))


# --- one run ----------------------------------------------------------------------------------


@dataclass
class _Run:
    config: Config
    engine: Engine | None  # None: translation memory only
    report: DraftReport
    progress: Progress
    today: str
    cache: Cache
    batch: int = 10
    terms: dict[str, list[Term]] = field(default_factory=dict)  # language -> glossary
    memories: dict[str, Memory] = field(default_factory=dict)
    saved: dict[Path, float] = field(default_factory=dict)  # catalogue -> when last written

    def glossary(self, language: str) -> list[Term]:
        if language not in self.terms:
            self.terms[language] = [
                Term(t.source, t.target or None) for t in load_glossary(self.config, language)
            ]
        return self.terms[language]

    def memory(self, language: str) -> Memory:
        if language not in self.memories:
            self.memories[language] = load_memory(self.config, language)
            self.report.errors += self.memories[language].problems
        return self.memories[language]


def draft(
    config: Config, options: DraftOptions | None = None, progress: Progress | None = None
) -> DraftReport:
    """Draft the untranslated entries of every catalogue (or plan it: ``dry_run``),
    holding the site's lock unless it only plans (one run at a time writes to a site):
    translation memory first, then the engine for what memory had nothing for."""
    options = options or DraftOptions()
    if options.dry_run:
        return _draft(config, options, progress)
    with site_lock(config.root, config.lock_wait):
        return _draft(config, options, progress)


def _draft(config: Config, options: DraftOptions, progress: Progress | None) -> DraftReport:
    name = options.engine or config.engine
    report = DraftReport(name)
    kind = engine_class(name) if name != MEMORY else None  # unknown: ConfigError
    if config.engine_max_answer <= 0:
        source = config_source(config.root)
        raise ConfigError(
            "configuration key 'engine_max_answer' must be more than 0",
            source,
            key_line(source, "engine_max_answer"),
        )
    cache = make_cache(config, name)
    cache.check()  # a cache through a symbolic link: stop before anything is sent
    jobs = pending(config, options, report, revise=kind is not None and kind.revises)
    if options.dry_run:
        report.plans = plan(config, jobs, [name] if options.engine else _remote_names(name))
        return report
    engine = None
    if kind is not None:
        named = [
            str(options["key_env"]) for options in config.engines.values() if "key_env" in options
        ]
        engine = make_engine(
            name,
            config.engines.get(name, {}),
            timeout=config.engine_timeout,
            retries=config.engine_retries,
            backoff=options.backoff,
            max_answer=config.engine_max_answer,
            secret_variables=named,
        )
        for language in {config.source_language, *(job.language for job in jobs)}:
            engine.code(language, target=language != config.source_language)  # fail early
    run = _Run(
        config,
        engine,
        report,
        progress or _Silent(),
        (options.today or date.today()).isoformat(),
        cache,
        max(options.batch, 1),
    )
    run.progress.start(sum(len(job.entries) + len(job.changed) for job in jobs))
    for job in jobs:
        _draft_job(run, job)
        if report.stopped is not None:
            break
    return report


def _remote_names(chosen: str) -> list[str]:
    """What a dry run without --engine compares: memory (run first), the configured engine,
    then every other engine that sends text away (memory alone stays alone)."""
    if chosen == MEMORY:
        return [MEMORY]
    others = [name for name, kind in registry().items() if kind.remote and name != chosen]
    return [MEMORY, chosen, *sorted(others)]


def _draft_job(run: _Run, job: Job) -> None:
    try:
        rest = _from_memory(run, job)
        if run.engine is None:
            run.report.unmatched += len(rest)
        elif run.engine.batched:
            _draft_batched(run, job, rest)
        else:
            _draft_singly(run, job, rest)
    except EngineError as exc:
        run.report.stopped = exc
    finally:  # also on Ctrl-C or a stop: what is finished is kept
        if job.last or run.report.stopped is not None or sys.exc_info()[0] is not None:
            _save(run, job)
    _locate_failures(run, job)


def _from_memory(run: _Run, job: Job) -> list[polib.POEntry]:
    """Fill what translation memory knows (exact and fuzzy matches); the rest is returned,
    for the engine. Pseudo-translation asks no memory (it shows what a layout translates)."""
    if run.engine is not None and not run.engine.remote:
        return list(job.entries)
    rest = []
    memory = run.memory(job.language)
    for entry in job.entries:
        match = memory.lookup(entry)
        if match is None:
            rest.append(entry)
            continue
        _fill(
            entry, match.text, f"{MARK}: {MEMORY} {run.today} ({match.describe(run.config.root)})"
        )
        if match.source != entry.msgid:  # what changed, as msgmerge shows it
            entry.previous_msgid = match.source
        run.report.drafted += 1
        run.report.from_memory += 1
        run.progress.advance(1, 0)
    if run.engine is None:
        run.progress.advance(len(rest), 0)
    return rest


def _draft_singly(run: _Run, job: Job, entries: list[polib.POEntry]) -> None:
    """One entry after the other, each in pieces of at most the engine's limit."""
    for done, entry in enumerate(entries, 1):
        before = run.report.characters
        _attempt(
            run,
            job,
            entry,
            lambda entry=entry: _fill(
                entry,
                _machine(run, job, entry),
                f"{MARK}: {run.engine.label if run.engine else ''} {run.today}",
            ),
        )
        run.progress.advance(1, run.report.characters - before)
        if done % run.batch == 0:
            _save(run, job, periodic=True)


def _attempt(run: _Run, job: Job, entry: polib.POEntry, action: Any) -> bool:
    """Run ``action`` for ``entry``; a refused answer leaves it untranslated with a note."""
    name = run.engine.label if run.engine is not None else MEMORY
    try:
        action()
    except (NoTranslation, ProtectionError) as exc:
        _note(entry, f"{MARK} failed: {name} {run.today}: {exc}")
        run.report.failed.append(
            Failure(job.path, entry.linenum or 0, str(exc), (entry.msgctxt, entry.msgid))
        )
        return False
    run.report.drafted += 1
    return True


# --- engines that take batches ----------------------------------------------------------------


@dataclass
class _Item:
    """One entry on its way through a batched engine."""

    entry: polib.POEntry
    core: str
    lead: str
    trail: str
    masked: Masked
    segment: Segment
    key: str  # in the cache
    answer: str | None = None
    problem: str = ""


def _draft_batched(run: _Run, job: Job, entries: list[polib.POEntry]) -> None:
    """Entries (and changed entries to revise) in batches of ``max_segments``, each batch
    ONE request; an id missing from the answer is asked alone once more."""
    engine = run.engine
    assert engine is not None
    source = engine.code(run.config.source_language, target=False)
    target = engine.code(job.language)
    items = [
        _item(run, job, entry, str(number), source, target)
        for number, entry in enumerate([*entries, *job.changed], 1)
    ]
    todo = []
    for item in items:
        cached = run.cache.get(item.key)
        if item.problem:
            continue
        if not needs_engine(item.masked.text) and item.segment.old_translation is None:
            item.answer = item.masked.text  # nothing to translate: the text as it is
        elif cached is not None:
            item.answer = cached
            run.report.cached += 1
        else:
            todo.append(item)
    size = max(1, engine.max_segments)
    batches = [todo[start : start + size] for start in range(0, len(todo), size)]
    for group in _in_waves(batches, engine.concurrency):
        results = _send_wave(run, job, group, source, target)
        for batch, (answers, sent, characters) in zip(group, results, strict=True):
            run.report.requests += sent
            run.report.characters += characters
            for item in batch:
                item.answer = answers.get(item.segment.id)
                if item.answer is None:
                    item.problem = f"{engine.name} gave no translation (asked twice)"
        _finish(run, job, [item for batch in group for item in batch])
        _save(run, job, periodic=True)
    asked = {id(item) for item in todo}
    _finish(run, job, [item for item in items if id(item) not in asked])


def _in_waves(batches: list[list[_Item]], width: int) -> list[list[list[_Item]]]:
    width = max(1, width)
    return [batches[start : start + width] for start in range(0, len(batches), width)]


def _item(
    run: _Run, job: Job, entry: polib.POEntry, number: str, source: str, target: str
) -> _Item:
    engine = run.engine
    assert engine is not None
    core, lead, trail = _strip(entry.msgid)
    masked = mask(core, run.glossary(job.language))
    old_source = old_translation = None
    if entry in job.changed:
        old_source = _masked_like(masked, _strip(entry.previous_msgid or "")[0])
        old_translation = _masked_like(masked, _strip(entry.msgstr)[0])
    segment = Segment(number, masked.text, old_source, old_translation)
    material = (
        masked.text
        if old_source is None
        else "\x00".join((masked.text, old_source, old_translation or ""))
    )
    item = _Item(
        entry,
        core,
        lead,
        trail,
        masked,
        segment,
        Cache.key(engine.identity, source, target, material),
    )
    if len(masked.text) > engine.limit:
        item.problem = f"longer than the engine's limit of {engine.limit} characters"
    return item


def _masked_like(masked: Masked, text: str) -> str:
    """``text`` (a changed entry's old source or translation) with the fixed material it
    shares with the new source replaced by the same placeholders, so the model sees which
    is which."""
    order = sorted(range(len(masked.originals)), key=lambda i: -len(masked.originals[i]))
    for index in order:
        original = masked.originals[index]
        if original:
            text = text.replace(original, f"[X{index + 1}X]")
    return text


def _context(run: _Run, job: Job, batch: list[_Item]) -> BatchContext:
    """The batch's surroundings: the post's title, the texts before and after it, and the
    glossary entries it holds."""
    live = job.live
    first = live.index(batch[0].entry) if batch[0].entry in live else -1
    last = live.index(batch[-1].entry) if batch[-1].entry in live else -1
    title = next((entry.msgid for entry in live if entry.msgctxt == "title"), "")
    terms = tuple((term.source, term.target) for term in run.glossary(job.language) if term.target)
    words = " ".join(item.core for item in batch).casefold()
    return BatchContext(
        title=title,
        preceding=live[first - 1].msgid if first > 0 else "",
        following=live[last + 1].msgid if 0 <= last < len(live) - 1 else "",
        glossary=tuple(term for term in terms if term[0].casefold() in words),
        terms=terms,
    )


def _send_wave(
    run: _Run, job: Job, group: list[list[_Item]], source: str, target: str
) -> list[tuple[dict[str, str], int, int]]:
    """Send the batches of ``group`` (in parallel up to ``concurrency``: each worker with
    its own engine, its own connection and deadline)."""
    engine = run.engine
    assert engine is not None
    contexts = [_context(run, job, batch) for batch in group]
    if len(group) == 1:
        return [_send(engine, group[0], source, target, contexts[0])]
    workers = [engine.clone() for _ in group]
    with ThreadPoolExecutor(max_workers=len(group)) as pool:
        futures = [
            pool.submit(_send, worker, batch, source, target, context)
            for worker, batch, context in zip(workers, group, contexts, strict=True)
        ]
        return [future.result() for future in futures]  # the first EngineError stops the run


def _send(
    engine: Engine, batch: list[_Item], source: str, target: str, context: BatchContext
) -> tuple[dict[str, str], int, int]:
    """One request for the batch, then one for each id its answer lacked: the answers, the
    requests sent and the characters sent."""
    segments = [item.segment for item in batch]
    answers = engine.translate_batch(segments, source, target, context)
    sent, characters = 1, sum(len(segment.text) for segment in segments)
    for segment in segments:
        if segment.id not in answers:
            answers.update(engine.translate_batch([segment], source, target, context))
            sent, characters = sent + 1, characters + len(segment.text)
    return answers, sent, characters


def _finish(run: _Run, job: Job, items: list[_Item]) -> None:
    """Check each answer as every draft is checked, then fill, note and cache it."""
    engine = run.engine
    assert engine is not None
    for item in items:
        revised = item.segment.old_translation is not None

        def use(item: _Item = item, revised: bool = revised) -> None:
            if item.problem or item.answer is None:
                raise NoTranslation(item.problem or f"{engine.name} gave no translation")
            text = _checked(
                item.masked, item.answer.strip(), item.core, job.env, _is_markdown(item.entry)
            )
            engine.screen(text, item.entry.msgid)
            engine.measure(text, item.core)
            _refuse_markup(item.entry, text, run.config.allow_unsafe)
            if engine.remote:
                run.cache.put(item.key, item.answer)
            _fill(
                item.entry,
                item.lead + text + item.trail,
                f"{MARK}: {engine.label} {run.today}{' (revised)' if revised else ''}",
            )

        if _attempt(run, job, item.entry, use) and revised:
            run.report.revised += 1
        run.progress.advance(1, len(item.segment.text))


def _locate_failures(run: _Run, job: Job) -> None:
    """Point failures at their entries' lines in the catalogue as saved (comments moved
    them)."""
    mine = [index for index, failure in enumerate(run.report.failed) if failure.path == job.path]
    if not mine:
        return
    lines: dict[tuple[str | None, str], int | None] = {
        (entry.msgctxt, entry.msgid): entry.linenum for entry in load_catalogue(job.path)
    }
    for index in mine:
        failure = run.report.failed[index]
        line = lines.get(failure.key) or failure.line
        run.report.failed[index] = dataclasses.replace(failure, line=line)


SAVE_INTERVAL = 5.0  # seconds between a catalogue's writes while drafting


def _save(run: _Run, job: Job, periodic: bool = False) -> None:
    """Write the job's catalogue. While drafting (``periodic``), at most every few seconds:
    often enough that little is lost when a run is stopped, and not thousands of times
    for a catalogue many posts share."""
    now = time.monotonic()
    if periodic and now - run.saved.get(job.path, 0.0) < SAVE_INTERVAL:
        return
    run.saved[job.path] = now
    if save_catalogue(job.po, job.path, run.config.wrap_width) and (
        job.path not in run.report.written
    ):
        run.report.written.append(job.path)


def _machine(run: _Run, job: Job, entry: polib.POEntry) -> str:
    """The engine's draft of ``entry``, checked."""
    engine = run.engine
    assert engine is not None
    source = engine.code(run.config.source_language, target=False)
    target = engine.code(job.language)
    core, lead, trail = _strip(entry.msgid)
    masked = mask(core, run.glossary(job.language))
    answers: list[str] = []
    fresh: list[tuple[str, str]] = []
    for piece, separator in pieces(masked.text, engine.limit):
        answer = piece
        if needs_engine(piece):
            key = Cache.key(engine.identity, source, target, piece)
            cached = run.cache.get(key) if engine.remote else None
            if not engine.remote:
                answer = engine.translate(piece, source, target)
            elif cached is None:
                answer = engine.translate(piece, source, target)
                run.report.requests += 1
                run.report.characters += len(piece)
                fresh.append((key, answer))
            else:
                answer = cached
                run.report.cached += 1
        answers.append(answer.strip() + separator)
    text = _checked(masked, "".join(answers), core, job.env, _is_markdown(entry))
    engine.screen(text, entry.msgid)  # a secret split over pieces, or from an old cache
    engine.measure(text, core)  # a cache written by an older version was not measured
    _refuse_markup(entry, text, run.config.allow_unsafe)
    if engine.remote:
        for key, answer in fresh:  # only answers that passed: a refused one is asked again
            run.cache.put(key, answer)
    return lead + text + trail


def _strip(text: str) -> tuple[str, str, str]:
    core = text.strip()
    if not core:
        return text, "", ""
    start = text.index(core)
    return core, text[:start], text[start + len(core) :]


def _checked(masked: Masked, answer: str, source: str, env: dict[str, Any], markdown: bool) -> str:
    text = masked.restore(answer)
    if markdown:
        reason = structure_changed(source, text, env)
        if reason:
            raise ProtectionError(reason)
    return text


def _refuse_markup(entry: polib.POEntry, text: str, allowed: list[str]) -> None:
    """Refuse a draft that adds markup to its source (``ProtectionError``). The source's
    markup went to the engine as placeholders, so a sound answer has only words: it may
    add none of the characters of ``_MARKUP_CHARS`` (HTML, entities, Liquid, kramdown's
    ``{::…}`` and ``{:…}``, escapes, code) nor anything ``postlingo.variant.security`` calls
    unsafe."""
    core = _strip(entry.msgid)[0]
    for char in _MARKUP_CHARS:
        if text.count(char) > core.count(char):
            raise ProtectionError(f"the answer adds markup its source lacks ({char!r})")
    added = unsafe_additions(entry.msgid, text, allowed, entry.msgctxt)
    if added:
        raise ProtectionError(f"the answer adds {added[0].kind} its source lacks")


def _fill(entry: polib.POEntry, text: str, comment: str) -> None:
    entry.msgstr = text
    if FUZZY not in entry.flags:
        entry.flags.insert(0, FUZZY)
    _note(entry, comment)


def _note(entry: polib.POEntry, comment: str) -> None:
    """Set postlingo's translator comment, keeping every other one."""
    kept = [
        line for line in (entry.tcomment or "").split("\n") if line and not line.startswith(MARK)
    ]
    entry.tcomment = "\n".join([*kept, " ".join(comment.split())])


# --- dry run ----------------------------------------------------------------------------------


def plan(config: Config, jobs: list[Job], names: list[str]) -> list[Plan]:
    """Per engine: what a run would send, after memory and the cache; nothing is sent or
    written. Memory comes first, so a network engine is planned for what it leaves."""
    memory = {job.language: load_memory(config, job.language) for job in jobs}
    known = {
        id(entry)
        for job in jobs
        for entry in job.entries
        if memory[job.language].lookup(entry) is not None
    }
    plans = []
    for name in names:
        if name == MEMORY:
            plans.append(Plan(name, len(known), 0, 0, 0, 0))
            continue
        plan = _plan_engine(config, jobs, name, known)
        if name != names[min(1, len(names) - 1)]:  # segments listed for the chosen one only
            plan = dataclasses.replace(plan, sent=())
        plans.append(plan)
    return plans


def _plan_engine(config: Config, jobs: list[Job], name: str, known: set[int]) -> Plan:
    try:
        return _plan_texts(config, jobs, name, known)
    except ConfigError as exc:  # a language the engine does not know
        return Plan(name, 0, 0, 0, 0, 0, exc.message)


def _plan_texts(config: Config, jobs: list[Job], name: str, known: set[int]) -> Plan:
    kind = engine_class(name)
    options = config.engines.get(name, {})
    limit = int(options.get("max_chars", kind.max_chars))
    size = int(options.get("max_segments", kind.batch_size))
    engine_identity = identity(name, options)
    cache = make_cache(config, name)
    segments = requests = characters = cached = too_long = 0
    sent: list[tuple[Path, int, int]] = []
    for job in jobs:
        source = kind.code(config.source_language, target=False)
        target = kind.code(job.language)
        terms = [Term(t.source, t.target or None) for t in load_glossary(config, job.language)]
        entries = [entry for entry in job.entries if id(entry) not in known or not kind.remote]
        if kind.revises:
            entries += job.changed
        batch = 0
        for entry in entries:
            masked = mask(_strip(entry.msgid)[0], terms).text
            try:
                parts = [(masked, "")] if kind.batched else pieces(masked, limit)
            except NoTranslation:
                too_long += 1
                continue
            if kind.batched and len(masked) > limit:
                too_long += 1
                continue
            segments += 1
            for piece, _ in parts:
                if not needs_engine(piece):
                    continue
                if kind.batched and entry in job.changed:
                    cached_answer = None  # its key holds the old texts too: asked again
                else:
                    cached_answer = cache.get(Cache.key(engine_identity, source, target, piece))
                if cached_answer is not None:
                    cached += 1
                    continue
                characters += len(piece)
                sent.append((job.path, entry.linenum or 0, len(piece)))
                batch += 1
                if not kind.batched:
                    requests += 1
        if kind.batched:
            requests += math.ceil(batch / max(size, 1))
    price = float(options.get("price", kind.price))
    return Plan(name, segments, requests, characters, cached, too_long, "", tuple(sent), price)


# --- words for the command line ---------------------------------------------------------------


def summary(report: DraftReport) -> str:
    """One line: what the run did and what it cost."""
    parts = [f"{report.drafted} drafted"]
    if report.from_memory and report.engine != MEMORY:
        parts[0] += f" ({report.from_memory} from memory)"
    if report.revised:
        parts.append(f"{report.revised} revised")
    if report.failed:
        parts.append(f"{len(report.failed)} left untranslated")
    if report.unmatched:
        parts.append(f"{report.unmatched} without a match in memory")
    cost = (
        f"{report.characters:,} characters sent in {report.requests} "
        f"request{'s' if report.requests != 1 else ''}"
    )
    if report.engine == MEMORY or not engine_class(report.engine).remote:
        cost = "offline: nothing sent"
    if report.cached:
        cost += f", {report.cached} answer{'s' if report.cached != 1 else ''} from the cache"
    return f"{report.engine}: {', '.join(parts)}; {cost}"


def plan_lines(report: DraftReport) -> list[str]:
    """A dry run's findings: per engine a line, then one line per segment it would send
    (catalogue, line, characters)."""
    lines = []
    for plan in report.plans:
        if plan.engine == MEMORY:
            lines.append(
                f"{plan.engine}: {plan.segments} segments would be drafted from "
                "memory, 0 characters sent"
            )
            continue
        if plan.unsupported:
            lines.append(f"{plan.engine}: {plan.unsupported}")
            continue
        line = (
            f"{plan.engine}: {plan.segments} segments, {plan.characters:,} characters in "
            f"{plan.requests} request{'s' if plan.requests != 1 else ''} would be sent"
        )
        if plan.cached:
            line += f" ({plan.cached} from the cache)"
        if plan.too_long:
            line += f"; {plan.too_long} too long for it"
        line += (
            f"; cost estimate {plan.cost:.2f} at {plan.price:g} per million characters"
            if plan.price
            else f"; cost estimate: set price in [engines.{plan.engine}] (per million characters)"
        )
        lines.append(line)
        lines += [
            f"  {path}:{line_number}: {size:,} characters" for path, line_number, size in plan.sent
        ]
    return lines
