"""What ``check`` and ``status`` found for each post, kept for their next run
(``locales/.cache/check-results.json``, ``status-results.json``): a post is judged again only
when one of its files changed, or something every post depends on did.

For each post the cache holds the prints (``postlingo.state``: size, times, digest) of the
files its result was computed from (``pipeline.post_files``: its source, template, and the
catalogue and variant of each language) and the result itself. The prints are taken
*before* the post is judged, so a file written meanwhile shows as changed next time. A file
written within the last second is *racy* (``state.fingerprint``): its digest is compared on
every run until it has settled.

Everything else a post's result depends on makes up the key of the whole cache, and a
different key throws every result away:

- the configuration (every key: rule levels, glossary name, threshold, layout, ...), the
  command's options (``include_fuzzy``, ``--strict``, ``--min-percent``; not ``--shard``),
  postlingo's version and code (``state.settings_key``), and the versions of the libraries
  that parse posts and catalogues;
- the glossary of each language (its terms, as the rules read them), the shared taxonomy
  catalogues' translations, the site generator's configuration (its values: permalinks);

A post's result may also depend on other posts: where its variant's links lead to them
(``localize_links``, and check's ``language-links`` rule), it asks the table of link
targets of a language (which posts are published in it, at which URL, with which
translated slug). Each question it asks and the answer it got are kept with its result
(none for a post without such links). The post keeps its result only if the table answers
the same now: nothing the table is built from changed (every post's files, the set of
posts, the catalogues listed, the site's configuration), or else the table is built again
and asked. (A file written while a run judged the posts makes the next run build it.)

msgfmt's findings are kept per catalogue digest (``msgfmt-results.json``), and catalogues are
checked many to one msgfmt process (``msgfmt_many``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from ..config import Config
from ..errors import PostlingoError
from ..fileio import write_if_changed
from ..site.sources import Source
from ..state import _IGNORE_ALL, RACY, Print, digest, fingerprint, settings_key, unchanged

CACHE = Path(".cache")
SETTLE_NS = 1_000_000_000  # a file younger than this is racy (see state.fingerprint)
CLOCK_LAG_NS = 100_000_000  # how far a file's times may lag the system clock (a tick)
# The libraries whose version can change a result (parsing posts, catalogues, YAML).
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "polib", "PyYAML", "babel", "linkify-it-py")

Files = dict[str, Print | None]  # the prints of a post's files, by path from the root
R = TypeVar("R")


# --- the results of one command ----------------------------------------------------------------


@dataclass
class Results:
    """The cached results of one command (``kind``: "check" or "status") for this run's
    key: ``result(name)`` is a post's result when it may be reused, else None."""

    config: Config
    path: Path
    key: str
    links: str  # the digest of what the link targets' table is built from ("": unknown)
    # name -> [files, result, lookups]: lookups, what the post asked the link targets
    posts: dict[str, list[Any]] = field(default_factory=dict)
    reusable: dict[str, Any] = field(default_factory=dict)  # name -> result
    settled: int = 0  # files written at or after this time (ns) are racy
    changed: bool = False
    started: int = 0  # when this run began (ns)
    _digests: dict[str, str] | None = None
    _lookups: dict[str, Lookups] = field(default_factory=dict)  # of the posts judged

    def result(self, name: str) -> Any:
        return self.reusable.get(name)

    def judged(
        self,
        work: Callable[[list[Source]], list[R]],
        todo: list[Source],
        prepare: Callable[[], object] | None = None,
    ) -> list[tuple[Files | None, R]]:
        """``work(todo)`` spread over the cores (``parallel_map``), each post's result with
        the prints of its files, taken before it is judged (so that a file written
        meanwhile shows as changed next time)."""
        from ..variant import links
        from ..workers import parallel_map

        if not todo:
            return []
        _SYNCED_FILES.clear()  # (the workers inherit it)
        _SHARED_PRINTS.clear()
        _SYNCED_FILES.update(_sync_records(self.config))
        asked = links._targets
        links._targets = _recording(asked)  # type: ignore[assignment]  # (restored below)
        # The work is left where the workers find it when they fork, and not sent with each
        # chunk of posts (the configuration, the check's settings and the catalogue store
        # of 10,000 posts: 0.85 MB, pickled 500 times).
        token = len(_JOBS)
        _JOBS[token] = partial(_printed, self.config, self.settled, work)
        try:
            done: list[tuple[Files | None, R, Lookups]] = parallel_map(
                partial(_job, token), todo, None, prepare
            )
        finally:
            links._targets = asked
            del _JOBS[token]
        for source, (_, _, lookups) in zip(todo, done, strict=True):
            self._lookups[source.name] = lookups
        return [(files, result) for files, result, _ in done]

    def store(self, name: str, files: Files | None, result: Any) -> None:
        """Keep ``result`` of the post ``name`` (None: judge it again next time; its files
        are still recorded, for the link targets' inputs)."""
        if files is None:
            self.posts.pop(name, None)
        else:
            self.posts[name] = [files, result, self._lookups.get(name, [])]
        self.changed = True
        self._digests = None

    def digest_of(self, path: Path) -> str | None:
        """The digest of ``path`` as a post's record says (None when not recorded)."""
        if self._digests is None:
            self._digests = {
                name: str(known[2])
                for files, *_ in self.posts.values()
                for name, known in files.items()
                if known is not None
            }
        name = _relative(self.config.root, path)
        return None if name is None else self._digests.get(name)

    def save(self) -> None:
        """Write the cache (only when something changed; never creating the locales
        folder, and quietly not at all on a read-only checkout)."""
        if not self.changed or not self.config.locales_dir.is_dir():
            return
        # A file written since this run began may have been written after the link targets
        # were read: they are read again next time. (ctime: the file system's clock may lag
        # the system's by a tick.)
        late = any(
            known is not None and known[3] >= self.started - CLOCK_LAG_NS
            for files, *_ in self.posts.values()
            for known in files.values()
        )
        links = "" if late else self.links
        data = {"key": self.key, "links": links, "posts": dict(sorted(self.posts.items()))}
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        try:
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():
                write_if_changed(ignore, _IGNORE_ALL)
            write_if_changed(self.path, text + "\n")
        except OSError:
            pass  # (a cache: the next run judges again)


def open_results(
    config: Config, kind: str, parts: Sequence[object], sources: Sequence[Source], use: bool = True
) -> Results:
    """The cache of ``kind`` for this run: ``parts`` are what the command's results depend
    on besides the posts' files and the shared inputs (``shared_inputs``). Every post of
    ``sources`` (the whole site, also when checking one shard: the link targets depend on
    all posts) is looked at: a post whose files are as recorded keeps its result if the key
    is the same. With ``use`` off every result is judged again (and the cache rewritten)."""
    path = config.locales_dir / CACHE / f"{kind}-results.json"
    started = time.time_ns()
    settled = started - SETTLE_NS
    data = _load(path) if use else {}
    stored: dict[str, list[Any]] = data.get("posts", {}) if isinstance(data, dict) else {}
    posts: dict[str, list[Any]] = {}
    every = True  # every post has a record whose files are as they were
    changed = False
    for source in sources:
        entry = stored.get(source.name)
        files = _fresh(config.root, entry[0], settled) if entry else None
        if entry is None or files is None:
            every = False
            continue
        changed |= files != entry[0]  # (racy prints settled)
        posts[source.name] = [files, *entry[1:3]]
    key = settings_key(kind, list(parts), shared_inputs(config))
    # (read where posts ask the link targets: every one with links, on a plain Jekyll or
    # Hugo site; on a polyglot site those with post_url or link tags, found by a last run)
    asks = config.layout in ("jekyll", "hugo") or any(e[2] for e in stored.values() if len(e) == 3)
    links = _links_inputs(config, sources) if asks else ""
    results = Results(config, path, key, links, posts, settled=settled, started=started)
    results.changed = (
        changed or len(posts) != len(stored) or data.get("key") != key or data.get("links") != links
    )
    if data.get("key") != key:
        return results
    candidates = {name: e for name, e in posts.items() if e[1] is not None and len(e) == 3}
    # A post that asked the link targets keeps its result if they answer as they did: the
    # same when nothing they are built from changed, else the table is built here (before
    # the workers fork: they inherit it) and asked again.
    if not (every and links and data.get("links") == links):
        asking = {name: e for name, e in candidates.items() if e[2]}
        if asking:
            table = _table(config)
            for name, entry in asking.items():
                if not _answers_hold(entry[2], table):
                    del candidates[name]
    results.reusable = {name: entry[1] for name, entry in candidates.items()}
    return results


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


_JOBS: dict[int, Callable[[list[Source]], list[Any]]] = {}  # the work of Results.judged


def _job(token: int, sources: list[Source]) -> list[Any]:
    return _JOBS[token](sources)


# The files of each post as the last sync recorded them (``state``), and the posts of the
# chunk in hand whose files are, byte for byte, what it left: set in the parent before the
# workers fork, read in them.
_SYNCED_FILES: dict[str, Files] = {}
_SYNCED: set[str] = set()


def synced(name: str) -> bool:
    """Whether the post ``name`` (the one in hand) is, byte for byte, as the last sync left
    it (under this configuration and code, each post with catalogues of its own): its
    template then is what extract would write, its catalogues what update would write."""
    return name in _SYNCED


def synced_file(config: Config, path: Path) -> bool:
    """Whether ``path`` is a file of the post in hand and that post is as sync left it."""
    return bool(_SYNCED) and _relative(config.root, path) in _SYNCED_PATHS


_SYNCED_PATHS: set[str] = set()


def _printed(
    config: Config, settled: int, work: Callable[[list[Source]], list[R]], sources: list[Source]
) -> list[tuple[Files | None, R, Lookups]]:
    """Each post: the prints of its files, then its result (``work`` on it alone), and
    what it asked the link targets."""
    prints = [_prints(config, source, settled) for source in sources]
    alone = config.catalogues == "post"  # (a shared file: other posts' sync writes it too)
    done: list[tuple[Files | None, R, Lookups]] = []
    try:
        for source, files in zip(sources, prints, strict=True):
            _ASKED.clear()
            _SYNCED.clear()
            _SYNCED_PATHS.clear()
            recorded = _SYNCED_FILES.get(source.name)
            if alone and files is not None and _same_content(files, recorded):
                _SYNCED.add(source.name)
                _SYNCED_PATHS.update(files)
            (result,) = work([source])
            done.append((files, result, [[*key, answer] for key, answer in _ASKED.items()]))
    finally:
        _SYNCED.clear()
        _SYNCED_PATHS.clear()
        _ASKED.clear()
    return done


def _same_content(files: Files, recorded: Files | None) -> bool:
    if recorded is None or files.keys() != recorded.keys():
        return False
    for name, known in files.items():
        other = recorded[name]
        if (known is None) != (other is None) or (known and other and known[2] != other[2]):
            return False
    return True


def _sync_records(config: Config) -> dict[str, Files]:
    """The files of each post as the last sync recorded them, if it ran under this
    configuration and code (with or without include_fuzzy: templates do not depend on it)."""
    from ..incremental import _settings
    from ..state import State

    for include_fuzzy in (False, True):
        try:
            settings = _settings(config, include_fuzzy)
        except (PostlingoError, OSError, ValueError):
            return {}
        state = State.load(config.locales_dir, settings)
        if state.posts:
            return {name: record.files for name, record in state.posts.items()}
    return {}


def _prints(config: Config, source: Source, settled: int) -> Files | None:
    from ..pipeline import post_files  # (the files a post's record covers, as sync's)

    try:
        files = post_files(config, source)
    except PostlingoError:
        return None  # (a variant path outside the project: judged again every time)
    root = config.root
    found: Files = {}
    shared = config.catalogues != "post"  # (a catalogue posts share: printed once)
    for path in files:
        name = _relative(root, path)
        if name is None:
            return None
        if shared and path.suffix in (".po", ".pot"):
            if (name, settled) not in _SHARED_PRINTS:
                _SHARED_PRINTS[(name, settled)] = fingerprint(path, settled)
            found[name] = _SHARED_PRINTS[(name, settled)]
        else:
            found[name] = fingerprint(path, settled)
    return found


# The prints of catalogues several posts share, taken once per command (and per worker).
_SHARED_PRINTS: dict[tuple[str, int], Print | None] = {}


def _fresh(root: Path, files: Files, settled: int) -> Files | None:
    """``files`` if every file is as its print says (a racy print is read again, and
    replaced by its new print when the content is the same), else None."""
    top = f"{root}{os.sep}"
    now: Files = {}
    for name, known in files.items():
        if known is not None and known[1] == RACY:
            again = fingerprint(Path(top + name), settled)
            if again is None or again[0] != known[0] or again[2] != known[2]:
                return None
            now[name] = again
        elif unchanged(top + name, known):
            now[name] = known
        else:
            return None
    return now


def _relative(root: Path, path: Path) -> str | None:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return None


# --- results as JSON: dataclasses (by class name) and paths (from the root) -----------------


def dump(root: Path, value: Any) -> Any:
    """``value`` (lists, tuples, dataclasses of plain values and paths) as JSON."""
    if isinstance(value, Path):
        name = _relative(root, value)
        return {"path": name} if name is not None else {"absolute": str(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [dump(root, getattr(value, f.name)) for f in dataclasses.fields(value)]
        return {"class": type(value).__name__, "fields": fields}
    if isinstance(value, (list, tuple)):
        return [dump(root, item) for item in value]
    return value


def load(root: Path, data: Any, classes: Mapping[str, Callable[..., Any]]) -> Any:
    """What ``dump`` made of a value, made again (``classes``: the dataclasses by name).
    (Plain values are taken as they are, without a call each: a warm check of 10,000 posts
    loads 190,000 of them.)"""
    if isinstance(data, list):
        return [
            item if not isinstance(item, dict | list) else load(root, item, classes)
            for item in data
        ]
    if isinstance(data, dict):
        if "path" in data:
            return root / data["path"]
        if "absolute" in data:
            return Path(data["absolute"])
        fields = [
            item if not isinstance(item, dict | list) else load(root, item, classes)
            for item in data["fields"]
        ]
        return classes[data["class"]](*fields)
    return data


# --- what every post depends on -----------------------------------------------------------------


def shared_inputs(config: Config) -> list[object]:
    """What every post's check or status depends on besides its own files: the
    configuration, each language's glossary, the taxonomy's translations, the generator's
    configuration, the libraries' versions (postlingo's code is in ``settings_key``)."""
    from .rules import settings_for

    options = sorted((k, repr(v)) for k, v in vars(config).items() if k != "root")
    glossaries = [_or_problem(settings_for, config, lang) for lang in config.languages]
    taxonomy = [_taxonomy(config, lang) for lang in config.languages if config.taxonomy]
    return [options, glossaries, taxonomy, site_inputs(config), _versions()]


def _taxonomy(config: Config, language: str) -> str | None:
    """The digest of the language's taxonomy catalogue (the file the variants' terms are
    translated from), None when there is none."""
    from ..catalogue.locales import TAXONOMY, catalogue_path

    known = fingerprint(catalogue_path(config.locales_dir, TAXONOMY, language))
    return None if known is None else str(known[2])


def _or_problem(function: Callable[..., object], *args: object) -> str:
    """``repr`` of what ``function`` gives, or the problem it raises (a broken glossary:
    each post's result is then what that problem makes of it)."""
    try:
        return repr(function(*args))
    except (PostlingoError, OSError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"


def site_inputs(config: Config) -> str:
    """The generator's configuration as postlingo reads it (its file and values)."""
    from ..site.generators import find_site

    def read() -> tuple[str, str, object] | None:
        site = find_site(config)
        return None if site is None else (site.kind, str(site.path), site.values)

    return _or_problem(read)


def _versions() -> list[str]:
    found = [sys.version]
    for name in _LIBRARIES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return found


def _links_inputs(config: Config, sources: Sequence[Source]) -> str:
    """The digest of what the link targets' table is built from besides the posts' files
    (the configuration, the posts, the catalogues listed, the site's configuration); ""
    for a layout whose links are not followed."""
    from ..catalogue.locales import catalogue_names
    from ..variant import links

    if config.layout not in links._LAYOUTS:
        return ""
    return settings_key(
        "links",
        sorted((k, repr(v)) for k, v in vars(config).items() if k != "root"),
        [(s.name, str(s.relative), str(s.posts_dir)) for s in sources],
        [catalogue_names(config.locales_dir, language) for language in config.languages],
        site_inputs(config),
    )


# --- what a post asks the link targets ---------------------------------------------------------

Lookups = list[list[Any]]  # [language, key, answer]: key None asks whether there are any
_EVERY = "*"  # (the key of a look at the whole table)
_ASKED: dict[tuple[str, str | None], Any] = {}  # the post in hand's questions and answers


def _recording(
    targets: Callable[[Config, str], Mapping[str, Any]],
) -> Callable[[Config, str], Mapping[str, Any]]:
    """``links._targets`` made to note each question a post asks the table, and its answer."""

    def asked(config: Config, language: str) -> Mapping[str, Any]:
        return _Asked(targets(config, language), language)

    return asked


class _Asked(Mapping[str, Any]):
    """A language's link targets, noting what is asked of them (``_ASKED``)."""

    def __init__(self, table: Mapping[str, Any], language: str) -> None:
        self._table, self._language = table, language

    def get(self, key: str, default: Any = None) -> Any:
        _ASKED[(self._language, key)] = _answer(self._table, key)
        return self._table.get(key, default)

    def __getitem__(self, key: str) -> Any:
        _ASKED[(self._language, key)] = _answer(self._table, key)
        return self._table[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            _ASKED[(self._language, key)] = _answer(self._table, key)
        return key in self._table

    def __len__(self) -> int:
        # links asks whether there are any targets only to skip looking each link up: with
        # some, the lookups that follow are the question (a post without links asks none,
        # and depends on no other post); with none, any later target may be one of its.
        if not self._table:
            _ASKED[(self._language, None)] = False
        return len(self._table)

    def __iter__(self) -> Iterator[str]:
        _ASKED[(self._language, _EVERY)] = _answer(self._table, _EVERY)
        return iter(self._table)


def _answer(table: Mapping[str, Any], key: str | None) -> Any:
    """What ``table`` answers to ``key`` (as JSON): its target, whether it has any, or
    (for a look at all of it) its digest."""
    if key is None:
        return bool(table)
    if key == _EVERY:
        return digest(repr(sorted((k, repr(v)) for k, v in table.items())).encode("utf-8"))
    found = table.get(key)
    return None if found is None else repr(found)


def _table(config: Config) -> dict[str, Mapping[str, Any]]:
    from ..variant import links

    return {language: links._targets(config, language) for language in config.languages}


def _answers_hold(lookups: Lookups, table: dict[str, Mapping[str, Any]]) -> bool:
    return all(
        language in table and _answer(table[language], key) == answer
        for language, key, answer in lookups
    )


# --- msgfmt, many catalogues at a time, and its findings kept --------------------------------


MsgfmtResult = list[tuple[int | None, bool, str]]  # as postlingo.qa.check's
BATCH = 40  # catalogues per msgfmt process
_DOMAIN = re.compile(rb"^[ \t]*domain\b", re.MULTILINE)
_UTF8 = re.compile(rb"charset=UTF-8\\n", re.IGNORECASE)


@dataclass
class MsgfmtCache:
    """msgfmt's findings by catalogue (its path from the root and its digest), valid for
    one msgfmt program and postlingo's code."""

    path: Path
    key: str
    known: dict[str, list[Any]]  # path -> [digest, findings]
    changed: bool = False

    @classmethod
    def open(cls, config: Config, use: bool = True) -> MsgfmtCache:
        path = config.locales_dir / CACHE / "msgfmt-results.json"
        program = shutil.which("msgfmt")
        stamp = None
        if program is not None:
            stat = os.stat(program)
            stamp = (program, stat.st_size, stat.st_mtime_ns)
        key = settings_key("msgfmt", stamp)
        data = _load(path) if use else {}
        known = data.get("known", {}) if data.get("key") == key else {}
        return cls(path, key, known if isinstance(known, dict) else {})

    def get(self, name: str, print_digest: str) -> MsgfmtResult | None:
        entry = self.known.get(name)
        if entry is None or entry[0] != print_digest:
            return None
        return [(line, bool(warning), str(message)) for line, warning, message in entry[1]]

    def put(self, name: str, print_digest: str, result: MsgfmtResult) -> None:
        self.known[name] = [print_digest, [list(item) for item in result]]
        self.changed = True

    def keep_only(self, names: set[str]) -> None:
        gone = set(self.known) - names
        for name in gone:
            del self.known[name]
        self.changed |= bool(gone)

    def save(self, locales: Path) -> None:
        if not self.changed or not locales.is_dir():
            return
        data = {"key": self.key, "known": dict(sorted(self.known.items()))}
        with contextlib.suppress(OSError):  # (a cache: the next run judges again)
            write_if_changed(
                self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
            )


def msgfmt_results(
    config: Config,
    paths: Sequence[Path],
    cached: Results,
    single: Callable[[Path], MsgfmtResult | PostlingoError],
    use: bool = True,
    whole: bool = True,
) -> list[MsgfmtResult | PostlingoError]:
    """msgfmt's findings on each of ``paths``: kept ones where the catalogue's digest (as
    its post's record says, else read now) is the one they were found on, the others from
    msgfmt (``msgfmt_many``). ``whole``: these are all the site's catalogues (no shard), so
    the kept findings of the others are dropped."""
    known = MsgfmtCache.open(config, use)
    root = config.root
    names = [_relative(root, path) for path in paths]
    found: list[MsgfmtResult | PostlingoError | None] = [None] * len(paths)
    todo = []
    for index, (path, name) in enumerate(zip(paths, names, strict=True)):
        now = cached.digest_of(path) or _digest_of(path)
        hit = known.get(name, now) if name is not None and now is not None else None
        if hit is None:
            todo.append(index)
        else:
            found[index] = hit
    for index, (judged, result) in zip(
        todo, msgfmt_many([paths[i] for i in todo], single), strict=True
    ):
        found[index] = result
        name = names[index]
        if name is not None and judged is not None and not isinstance(result, PostlingoError):
            known.put(name, judged, result)
    if whole:
        known.keep_only({name for name in names if name is not None})
    known.save(config.locales_dir)
    return [result if result is not None else [] for result in found]


def _digest_of(path: Path) -> str | None:
    known = fingerprint(path)
    return None if known is None else str(known[2])


def msgfmt_many(
    paths: Sequence[Path], single: Callable[[Path], MsgfmtResult | PostlingoError]
) -> list[tuple[str | None, MsgfmtResult | PostlingoError]]:
    """msgfmt's findings on each of ``paths``, with the digest of the bytes it judged (for
    the cache; None where unreadable). ``single(path)`` runs it on one catalogue.
    Catalogues are judged many at once, each in a ``domain`` of its own of one input (one
    msgfmt start instead of forty: starting msgfmt costs 2-3 ms, checking a catalogue hardly
    anything). A batch msgfmt says nothing about is clean; one it says anything about is
    halved until each catalogue it complains about is judged alone, by ``single`` (so the
    findings, their lines and words, are exactly msgfmt's on that file). A catalogue that
    is not plain UTF-8, or holds a ``domain`` directive of its own, is judged alone."""
    program = shutil.which("msgfmt")
    contents = [_read(path) for path in paths]
    results: list[MsgfmtResult | PostlingoError] = [[] for _ in paths]
    together = [i for i, data in enumerate(contents) if program and _batchable(data)]
    alone = sorted(set(range(len(paths))) - set(together))
    batches = [[i] for i in alone] + [
        together[start : start + BATCH] for start in range(0, len(together), BATCH)
    ]

    def judge(batch: list[int]) -> None:
        if len(batch) == 1:
            results[batch[0]] = single(paths[batch[0]])
            return
        assert program is not None
        if _clean(program, [contents[i] or b"" for i in batch]):
            return  # (their results stay empty)
        half = len(batch) // 2
        judge(batch[:half])
        judge(batch[half:])

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        list(pool.map(judge, batches))
    return [
        (None if data is None else digest(data), result)
        for data, result in zip(contents, results, strict=True)
    ]


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _batchable(data: bytes | None) -> bool:
    """Whether a catalogue may be judged with others: UTF-8 (declared and written), no
    BOM, no domain directive of its own."""
    if data is None or data.startswith(b"\xef\xbb\xbf") or _DOMAIN.search(data):
        return False
    if not _UTF8.search(data[:4096]):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _clean(program: str, contents: list[bytes]) -> bool:
    """Whether msgfmt -c --check-format finds nothing at all in any of ``contents``, each
    given as a domain of its own (its .mo files go to a folder thrown away)."""
    stream = b"".join(
        b'domain "postlingo_%d"\n' % index + data + (b"" if data.endswith(b"\n") else b"\n")
        for index, data in enumerate(contents)
    )
    with tempfile.TemporaryDirectory(prefix="postlingo-msgfmt-") as folder:
        result = subprocess.run(
            [program, "-c", "--check-format", "-"],
            input=stream,
            capture_output=True,
            cwd=folder,
            check=False,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANGUAGE": ""},
        )
    return result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip()
