"""``postlingo draft``: machine drafts for untranslated entries, for humans to review.

Only untranslated entries are drafted; translated and fuzzy ones are never touched. A draft is
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
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Protocol

import polib

from ..catalogue.locales import catalogue_path
from ..catalogue.merge import FUZZY
from ..catalogue.po import load_catalogue, save_catalogue
from ..config import CONFIG_FILE, Config, key_line
from ..errors import ConfigError, InputError, PostlingoError
from ..fileio import TEMP_SUFFIX
from ..lock import site_lock
from ..qa.check import load_glossary
from ..site.sources import Source, find_sources
from ..source.markdown import parse_env
from ..source.post import read_post
from ..variant.security import unsafe_additions
from .engines import ENGINES, Engine, EngineError, NoTranslation, identity, make_engine
from .memory import Memory, load_memory
from .protect import Masked, ProtectionError, Term, mask, structure_changed

CHUNK = 65536  # bytes read at a time when looking for a torn record
MARK = "machine draft"  # translator comments postlingo writes start with this
CACHE_VERSION = "1"
# Where a sentence ends: its punctuation and closing quotes, then the gap before the next.
_SENTENCE_END = re.compile(
    r"[.!?\u2026:;][\"'\u201c\u201d\u2018\u2019\u00bb\u00ab\u203a)\]]*(?P<gap>[ \t]+)(?=\S)")
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
    stopped: EngineError | None = None
    plans: list[Plan] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.stopped is None


# --- the work ---------------------------------------------------------------------------------


@dataclass
class Job:
    """The untranslated entries of one catalogue."""

    source: Source
    language: str
    path: Path
    po: polib.POFile
    entries: list[polib.POEntry]
    env: dict[str, Any]  # the post's references and footnotes, for reading its Markdown


def pending(config: Config, options: DraftOptions, report: DraftReport) -> list[Job]:
    """Every catalogue with entries to draft, at most ``options.limit`` entries in all."""
    jobs: list[Job] = []
    left = options.limit if options.limit is not None else -1
    for source in find_sources(config):
        if options.post and not _matches(source, options.post):
            continue
        for language in config.languages:
            if left == 0:
                return jobs
            try:
                job = _job(config, source, language)
            except PostlingoError as exc:
                report.errors.append(exc)
                continue
            if left > 0:
                job.entries = job.entries[:left]
                left -= len(job.entries)
            if job.entries:
                jobs.append(job)
    return jobs


def _matches(source: Source, pattern: str) -> bool:
    names = (source.relative.as_posix(), source.name, source.relative.name)
    return any(fnmatch(name, pattern) for name in names)


def _job(config: Config, source: Source, language: str) -> Job:
    path = catalogue_path(config.locales_dir, source.name, language)
    if not path.exists():
        raise InputError("no catalogue: run 'postlingo update' first", path)
    po = load_catalogue(path)
    entries = [entry for entry in po if untranslated(entry)]
    post = read_post(config.root / source.relative, source.name, config.root / source.relative)
    env = parse_env(post.body)
    return Job(source, language, path, po, entries, env)


def untranslated(entry: polib.POEntry) -> bool:
    """Whether ``draft`` may fill ``entry``: live, no translation, not fuzzy, no plural."""
    return (not entry.obsolete and not entry.msgstr and not entry.fuzzy
            and not entry.msgid_plural)


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
                raise NoTranslation(f"a sentence is longer than the engine's limit of {limit}"
                                    " characters")
            out.append((line[start:cut_at[0]], line[cut_at[0]:cut_at[1]]))
            start = cut_at[1]
            if end - start > limit:
                raise NoTranslation(f"a sentence is longer than the engine's limit of "
                                    f"{limit} characters")
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
                    data = data[os.write(fd, data):]
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
                    child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
                                    | os.O_CLOEXEC, dir_fd=fd)
                except FileNotFoundError:
                    os.close(fd)
                    return None
                except OSError:  # ELOOP or ENOTDIR: a link, or a file
                    raise InputError(f"draft cache: {_what_is(fd, part)}; the cache is "
                                     "written only into real folders inside the site",
                                     self.root.joinpath(*done)) from None
                os.close(fd)
                fd = child
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _open(self, folder: int, flags: int) -> int:
        try:
            fd = os.open(self.name, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                         0o644, dir_fd=folder)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise InputError(f"draft cache: cannot be opened ({exc.strerror}; a symbolic "
                             "link is never followed)", self.path) from None
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
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                 | os.O_CLOEXEC, 0o644, dir_fd=folder)
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
        raise ConfigError(f"configuration key {key!r} must name a folder inside the site's "
                          f"root, not {value!r}", source, key_line(source, key))
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
    engine: Engine
    report: DraftReport
    progress: Progress
    today: str
    cache: Cache
    terms: dict[str, list[Term]] = field(default_factory=dict)  # language -> glossary
    memories: dict[str, Memory] = field(default_factory=dict)

    def glossary(self, language: str) -> list[Term]:
        if language not in self.terms:
            self.terms[language] = [Term(t.source, t.target or None)
                                    for t in load_glossary(self.config, language)]
        return self.terms[language]

    def memory(self, language: str) -> Memory:
        if language not in self.memories:
            self.memories[language] = load_memory(self.config, language)
            self.report.errors += self.memories[language].problems
        return self.memories[language]


def draft(config: Config, options: DraftOptions | None = None,
          progress: Progress | None = None) -> DraftReport:
    """Draft the untranslated entries of every catalogue (or plan it: ``dry_run``),
    holding the site's lock unless it only plans (one run at a time writes to a site)."""
    options = options or DraftOptions()
    if options.dry_run:
        return _draft(config, options, progress)
    with site_lock(config.root, config.lock_wait):
        return _draft(config, options, progress)


def _draft(config: Config, options: DraftOptions, progress: Progress | None) -> DraftReport:
    name = options.engine or config.engine
    report = DraftReport(name)
    if name not in ENGINES:
        raise ConfigError(f"unknown engine {name!r} (known: {', '.join(sorted(ENGINES))})")
    if config.engine_max_answer <= 0:
        source = config_source(config.root)
        raise ConfigError("configuration key 'engine_max_answer' must be more than 0",
                          source, key_line(source, "engine_max_answer"))
    cache = make_cache(config, name)
    cache.check()  # a cache through a symbolic link: stop before anything is sent
    jobs = pending(config, options, report)
    if options.dry_run:
        report.plans = plan(config, jobs, [name] if options.engine else _remote_names(name))
        return report
    named = [str(options["key_env"]) for options in config.engines.values()
             if "key_env" in options]
    engine = make_engine(name, config.engines.get(name, {}), timeout=config.engine_timeout,
                         retries=config.engine_retries, backoff=options.backoff,
                         max_answer=config.engine_max_answer, secret_variables=named)
    run = _Run(config, engine, report, progress or _Silent(),
               (options.today or date.today()).isoformat(), cache)
    for language in {config.source_language, *(job.language for job in jobs)}:
        engine.code(language, target=language != config.source_language)  # fail early
    run.progress.start(sum(len(job.entries) for job in jobs))
    for job in jobs:
        _draft_job(run, job, options.batch)
        if report.stopped is not None:
            break
    return report


def _remote_names(chosen: str) -> list[str]:
    names = [name for name, engine in ENGINES.items() if engine.remote]
    return names if chosen in names else [chosen, *names]


def _draft_job(run: _Run, job: Job, batch: int) -> None:
    done = 0
    try:
        for entry in job.entries:
            sent = _draft_entry(run, job, entry)
            done += 1
            run.progress.advance(1, sent)
            if done % batch == 0:
                _save(run, job)
    except EngineError as exc:
        run.report.stopped = exc
    finally:  # also on Ctrl-C: what is finished is kept
        _save(run, job)
    _locate_failures(run, job)


def _locate_failures(run: _Run, job: Job) -> None:
    """Point failures at their entries' lines in the catalogue as saved (comments moved
    them)."""
    mine = [index for index, failure in enumerate(run.report.failed) if failure.path == job.path]
    if not mine:
        return
    lines = {(entry.msgctxt, entry.msgid): entry.linenum for entry in load_catalogue(job.path)}
    for index in mine:
        failure = run.report.failed[index]
        line = lines.get(failure.key, failure.line)
        run.report.failed[index] = dataclasses.replace(failure, line=line)


def _save(run: _Run, job: Job) -> None:
    if save_catalogue(job.po, job.path, run.config.wrap_width) and (
            job.path not in run.report.written):
        run.report.written.append(job.path)


def _draft_entry(run: _Run, job: Job, entry: polib.POEntry) -> int:
    """Fill one entry (or note why not); return the characters sent for it."""
    engine = run.engine
    before = run.report.characters
    try:
        if engine.whole_entries:
            match = run.memory(job.language).lookup(entry)
            if match is None:
                run.report.unmatched += 1
                return 0
            _fill(entry, match.text, f"{MARK}: {engine.name} {run.today} "
                  f"({match.describe(run.config.root)})")
            if match.source != entry.msgid:  # what changed, as msgmerge shows it
                entry.previous_msgid = match.source
        else:
            _fill(entry, _machine(run, job, entry), f"{MARK}: {engine.name} {run.today}")
    except (NoTranslation, ProtectionError) as exc:
        _note(entry, f"{MARK} failed: {engine.name} {run.today}: {exc}")
        run.report.failed.append(Failure(job.path, entry.linenum, str(exc),
                                         (entry.msgctxt, entry.msgid)))
    else:
        run.report.drafted += 1
    return run.report.characters - before


def _machine(run: _Run, job: Job, entry: polib.POEntry) -> str:
    """The engine's draft of ``entry``, checked."""
    engine = run.engine
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
    return core, text[:start], text[start + len(core):]


def _checked(masked: Masked, answer: str, source: str, env: dict[str, Any],
             markdown: bool) -> str:
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
    kept = [line for line in (entry.tcomment or "").split("\n")
            if line and not line.startswith(MARK)]
    entry.tcomment = "\n".join([*kept, " ".join(comment.split())])


# --- dry run ----------------------------------------------------------------------------------


def plan(config: Config, jobs: list[Job], names: list[str]) -> list[Plan]:
    """Per engine: what a run would send, after the cache; nothing is sent or written."""
    plans = []
    for name in names:
        engine_class = ENGINES[name]
        if engine_class.whole_entries:
            memory = {job.language: load_memory(config, job.language) for job in jobs}
            found = sum(1 for job in jobs for entry in job.entries
                        if memory[job.language].lookup(entry) is not None)
            plans.append(Plan(name, found, 0, 0, 0, 0))
            continue
        plans.append(_plan_engine(config, jobs, name))
    return plans


def _plan_engine(config: Config, jobs: list[Job], name: str) -> Plan:
    try:
        return _plan_texts(config, jobs, name)
    except ConfigError as exc:  # a language the engine does not know
        return Plan(name, 0, 0, 0, 0, 0, exc.message)


def _plan_texts(config: Config, jobs: list[Job], name: str) -> Plan:
    engine_class = ENGINES[name]
    options = config.engines.get(name, {})
    limit = int(options.get("max_chars", engine_class.max_chars))
    engine_identity = identity(name, options)
    cache = make_cache(config, name)
    segments = requests = characters = cached = too_long = 0
    for job in jobs:
        source = engine_class.code(config.source_language, target=False)
        target = engine_class.code(job.language)
        terms = [Term(t.source, t.target or None) for t in load_glossary(config, job.language)]
        for entry in job.entries:
            try:
                parts = pieces(mask(_strip(entry.msgid)[0], terms).text, limit)
            except NoTranslation:
                too_long += 1
                continue
            segments += 1
            for piece, _ in parts:
                if not needs_engine(piece):
                    continue
                if cache.get(Cache.key(engine_identity, source, target, piece)) is not None:
                    cached += 1
                else:
                    requests += 1
                    characters += len(piece)
    return Plan(name, segments, requests, characters, cached, too_long)


# --- words for the command line ---------------------------------------------------------------


def summary(report: DraftReport) -> str:
    """One line: what the run did and what it cost."""
    parts = [f"{report.drafted} drafted"]
    if report.failed:
        parts.append(f"{len(report.failed)} left untranslated")
    if report.unmatched:
        parts.append(f"{report.unmatched} without a match in memory")
    cost = (f"{report.characters:,} characters sent in {report.requests} "
            f"request{'s' if report.requests != 1 else ''}")
    if not ENGINES[report.engine].remote:
        cost = "offline: nothing sent"
    if report.cached:
        cost += f", {report.cached} answer{'s' if report.cached != 1 else ''} from the cache"
    return f"{report.engine}: {', '.join(parts)}; {cost}"


def plan_lines(report: DraftReport) -> list[str]:
    """A dry run's findings, one line per engine."""
    lines = []
    for plan in report.plans:
        if ENGINES[plan.engine].whole_entries:
            lines.append(f"{plan.engine}: {plan.segments} segments would be drafted from "
                         "memory, 0 characters sent")
            continue
        line = (f"{plan.engine}: {plan.segments} segments, {plan.characters:,} characters in "
                f"{plan.requests} request{'s' if plan.requests != 1 else ''} would be sent")
        if plan.cached:
            line += f" ({plan.cached} from the cache)"
        if plan.too_long:
            line += f"; {plan.too_long} too long for it"
        if plan.unsupported:
            line = f"{plan.engine}: {plan.unsupported}"
        lines.append(line)
    return lines
