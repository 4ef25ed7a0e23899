"""Catalogue grouping: which file holds a post's template and catalogues.

``catalogues`` in the configuration says how posts share files, for translation platforms
that want one component per file (Weblate: 100,000 files do not scale, 10 do):

- ``post`` (the default): ``templates/<name>.pot`` and ``<lang>/LC_MESSAGES/<name>.po``;
- ``directory``: one template and catalogue per folder of posts (the post's folder below
  the root; a Hugo page bundle's ``index.md``: the bundle's folder), ``_posts.po``;
- ``site``: one per language, ``site.po``.

In a shared file each entry's ``#:`` references name the posts it appears in, and a text
repeated in several posts (same msgctxt and msgid) is one entry, translated once.

The pipeline works on one post at a time. It sees a post's part of a shared file as a
catalogue of its own, a *view*: the entries that reference the post, in the post's order,
with only its references, and with the file's line numbers (messages name the file the
translator edits). What the steps make for a post is *staged*; ``Store.assemble`` then
writes each shared file once, from the staged views of the posts that were processed and
the file's entries for those that were not. The posts of other groupings' files (a site
that changed ``catalogues``) are read where the current file has nothing for a post, so
the next ``update`` migrates every translation; spent files are then removed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol

import polib

from ..config import Config
from ..errors import InputError
from ..fileio import fixed_prefix, read_bytes
from .locales import (
    MESSAGES,
    TAXONOMY,
    TEMPLATES,
    catalogue_languages,
    catalogue_names,
    catalogue_path,
    gettext_language,
    template_names,
    template_path,
)
from .merge import copy_entry, obsolete_entry
from .po import Key, language_name, load_catalogue, new_file, same_template
from .poformat import GnuPOEntry, GnuPOFile, entry_content

SITE = "site"  # the one group of ``catalogues = "site"`` (and of posts at the root)
CONFLICT = "postlingo: also translated as:"
# Header fields that change how a catalogue's entries are read (not its dates, translator).
_READ_FIELDS = (
    "Language",
    "Plural-Forms",
    "Content-Type",
)  # a migration's other translations, kept


class Post(Protocol):
    """A post as the store needs it (``site.sources.Source``)."""

    @property
    def relative(self) -> PurePosixPath: ...

    @property
    def name(self) -> str: ...


def group_name(grouping: str, post: Post) -> str:
    """The name of the files that hold ``post``'s entries."""
    if grouping == "post":
        return post.name
    if grouping == "site":
        return SITE
    folder = post.relative.parent
    if post.relative.stem == "index" and folder.parent != PurePosixPath("."):
        folder = folder.parent  # a Hugo page bundle: the bundle is the post, not a folder
    return SITE if folder == PurePosixPath(".") else folder.as_posix()


@dataclass(frozen=True)
class _Gone:
    """A post the catalogues name that is not here any more."""

    relative: PurePosixPath
    name: str


@dataclass
class _File:
    """A shared file as read: its catalogue and its entries by the post they reference."""

    po: GnuPOFile
    by_post: dict[str, list[polib.POEntry]] = field(default_factory=dict)
    _active: dict[Key, polib.POEntry] | None = None
    _gone: tuple[frozenset[str], list[polib.POEntry]] | None = None

    @property
    def active(self) -> dict[Key, polib.POEntry]:
        """The live entries by text (computed once: every post's view asks)."""
        if self._active is None:
            self._active = {_key(entry): entry for entry in self.po if not entry.obsolete}
        return self._active

    def candidates(self, current: frozenset[str]) -> list[polib.POEntry]:
        """What a merge may inherit from besides a post's own entries: those of posts
        that are gone (a renamed post's old text), and the obsolete ones."""
        if self._gone is None or self._gone[0] is not current:
            gone = [
                entry
                for rel, entries in self.by_post.items()
                if rel not in current
                for entry in entries
            ]
            self._gone = (current, [*gone, *(entry for entry in self.po if entry.obsolete)])
        return self._gone[1]


@dataclass
class Store:
    """The command's access to templates and catalogues, through ``catalogues``' grouping.
    With ``post`` a view is the file itself, and nothing is staged."""

    config: Config
    posts: Sequence[Post] = field(default_factory=list)  # every source post, in path order
    prune: bool = False  # assemble: the entries of posts that are gone go
    _files: dict[Path, _File | None] = field(default_factory=dict)
    _staged: dict[Path, dict[str, polib.POFile]] = field(default_factory=dict)
    _legacy: dict[str, list[Path]] = field(default_factory=dict)  # kind -> other files
    _spent: dict[Path, set[str]] = field(default_factory=dict)  # legacy file -> posts taken
    _posts_seen: frozenset[str] | None = None
    _written: set[str] = field(default_factory=set)  # posts whose template was made anew
    _dropped: set[str] = field(default_factory=set)  # renamed posts' old paths
    _gone_posts: dict[str, Post] | None = None
    _conflicts: dict[Path, list[GnuPOEntry]] = field(default_factory=dict)  # joined apart

    def __getstate__(self) -> dict[str, object]:
        # Sent to worker processes with every chunk of posts: without the files read
        # (the workers have them from the parent, ``preload``, or read them once).
        return {
            **vars(self),
            **{"_files": {}, "_legacy": {}, "_spent": {}, "_posts_seen": None, "_written": set()},
        }

    def preload(self) -> None:
        """Read the shared files now, in this process: worker processes forked after
        this have them, rather than each parsing a site's catalogue again."""
        if not self.grouped:
            return
        for path in self._group_files():
            language = _language_of(path, self.config)
            try:
                self._read(path, language)
            except InputError:
                continue  # (reported where a post's view is read)

    @property
    def grouped(self) -> bool:
        return self.config.catalogues != "post"

    # --- where ---------------------------------------------------------------------------

    def group(self, post: Post) -> str:
        name = group_name(self.config.catalogues, post)
        if self.grouped and any(char.isspace() for char in post.relative.as_posix()):
            raise InputError(
                "a post whose path has a space cannot share a catalogue: gettext splits its "
                "'#:' reference at the space; rename it, or use catalogues = \"post\"",
                self.config.root / post.relative,
            )
        if name == TAXONOMY and self.config.taxonomy:
            raise InputError(
                f"its catalogue would be the shared taxonomy catalogue ({TAXONOMY}.po): "
                f"rename the post or its folder, or choose another 'catalogues' grouping",
                self.config.root / post.relative,
            )
        return name

    def template_file(self, post: Post) -> Path:
        return template_path(self.config.locales_dir, self.group(post))

    def catalogue_file(self, post: Post, language: str) -> Path:
        return catalogue_path(self.config.locales_dir, self.group(post), language)

    def file(self, post: Post, language: str | None) -> Path:
        """The template (``language`` None) or the catalogue of ``language``."""
        if language is None:
            return self.template_file(post)
        return self.catalogue_file(post, language)

    # --- reading -------------------------------------------------------------------------

    def template(self, post: Post) -> GnuPOFile | None:
        """The post's template (its view of the shared one), None if it has none."""
        return self.view(post, None)

    def catalogue(self, post: Post, language: str) -> GnuPOFile | None:
        """The post's catalogue in ``language`` (its view), None if it has none."""
        return self.view(post, language)

    def has(self, post: Post, language: str | None) -> bool:
        """Whether the post has a template (``language`` None) or a catalogue there."""
        if not self.grouped and self.file(post, language).exists():
            return True
        own = self._own(post, language) if self.grouped else []
        return bool(own) or self._from_legacy(post, language) is not None

    def view(
        self,
        post: Post,
        language: str | None,
        keys: Iterable[Key] = (),
        candidates: bool = False,
    ) -> GnuPOFile | None:
        """The post's entries in the template or the catalogue of ``language``; also the
        file's entries for ``keys`` (texts the post shares with others: translated once)
        and, with ``candidates``, the file's obsolete entries and those of posts that are
        gone (what a merge may inherit from). None where the post has no entries and the
        file does not exist. Raises ``InputError`` for a broken file."""
        path = self.file(post, language)
        if not self.grouped and path.exists():
            return load_catalogue(path, language=language)
        found = self._read(path, language) if self.grouped else None
        own = self._own(post, language) if self.grouped else []
        source, first = found, False
        if not own:
            legacy = self._from_legacy(post, language)
            if legacy is not None:
                source, own, first = legacy
        if source is None or (not own and not keys and not candidates):
            return None  # (a post with nothing in a shared file has no catalogue)
        rel = post.relative.as_posix()
        view = _empty_like(source.po, f"Translatable text of {rel}.", language)
        if language is not None and not self.grouped:  # a post's own file again
            view.header = f"{language_name(language)} translation of {rel}."
        view.extend(sorted((_only(entry, rel) for entry in own), key=_first_line))
        view.borrowed = frozenset(
            _key(entry) for entry in own if entry.occurrences and entry.occurrences[0][0] != rel
        )
        taken = {_key(entry) for entry in view}
        if found is not None:
            for key in keys:
                shared = found.active.get(key)
                if shared is not None and key not in taken:
                    view.append(_only(shared, rel))
                    taken.add(key)
        if candidates:
            pool = list(found.candidates(self._current())) if found is not None else []
            if first and source is not found:  # a migrated file's obsolete entries, once
                pool += [entry for entry in source.po if entry.obsolete]
            for entry in pool:
                if _key(entry) not in taken:
                    view.append(entry)
                    taken.add(_key(entry))
        return view

    def carried(self, post: Post) -> bool:
        """Whether the post's entries were read from another grouping's file (a
        migration: its own files are to be written)."""
        rel = post.relative.as_posix()
        return any(rel in taken for taken in self._spent.values())

    def remember(self, path: Path, po: GnuPOFile) -> None:
        """``po`` was just written at ``path``: later stores read it from here (its
        entries know their lines) rather than parse the file again."""
        try:
            data = read_bytes(path)
        except FileNotFoundError:
            return
        language = _language_of(path, self.config)
        _PARSED[(path, language)] = (_digest(data), _File(po, _by_post(po)))
        self._files.pop(path, None)

    def part_digest(self, name: str, post: Post) -> str | None:
        """The digest of the post's part of the shared file ``name`` (from the root):
        what its entries say, and the header fields that change how they are read. None
        if the file cannot be read."""
        path = self.config.root / name
        language = _language_of(path, self.config)
        try:
            found = self._read(path, language)
        except InputError:
            return None
        if found is None:
            return None
        rel = post.relative.as_posix()
        header = [(k, v) for k, v in found.po.metadata.items() if k in _READ_FIELDS]
        own = [entry_content(_only(e, rel)) for e in found.by_post.get(rel, [])]
        return _digest(repr((header, own)).encode())

    def gone(self) -> dict[str, Post]:
        """The posts the shared templates name that are not here any more (a renamed or
        deleted post), by name."""
        if self._gone_posts is not None:
            return self._gone_posts
        current = self._current()
        found: dict[str, Post] = {}
        self._gone_posts = found
        for path in self._group_files():
            if path.suffix != ".pot":
                continue
            for rel in references_in(path) - current:
                name = self._name_of(rel)
                if name is not None:
                    found.setdefault(name, _Gone(PurePosixPath(rel), name))
        return found

    def drop(self, post: Post) -> None:
        """Leave the post's entries out of its files (a renamed post's old name: its
        translations went to its new one)."""
        self._dropped.add(post.relative.as_posix())
        for language in [None, *self.config.languages]:
            self._staged.setdefault(self.file(post, language), {})

    def names(self) -> set[str]:
        """The names of the posts that have a template or a catalogue (gone ones too)."""
        locales = self.config.locales_dir
        if not self.grouped:
            names = set(template_names(locales))
            for language in catalogue_languages(locales):
                names.update(catalogue_names(locales, language))
            return names - {TAXONOMY}
        found: set[str] = set()
        for path in self._group_files():
            found.update(references_in(path))
        return {name for rel in found if (name := self._name_of(rel)) is not None}

    def with_catalogue(self, language: str) -> list[tuple[PurePosixPath, PurePosixPath, str]]:
        """The source posts that have entries in a catalogue of ``language``, as their
        path, posts folder and name (found from the catalogues' references: the posts'
        folders are not walked)."""
        locales, root = self.config.locales_dir, self.config.root
        found: dict[str, tuple[PurePosixPath, PurePosixPath, str]] = {}
        for name in catalogue_names(locales, language):
            if name == TAXONOMY:
                continue
            try:
                loaded = self._read(catalogue_path(locales, name, language), language)
            except InputError:
                continue  # (reported where the post's catalogue is read)
            for rel in loaded.by_post if loaded else ():
                folder = next(
                    (
                        fixed
                        for fixed in map(fixed_prefix, self.config.posts)
                        if PurePosixPath(rel).is_relative_to(fixed)
                    ),
                    None,
                )
                if folder is None or rel in found or not (root / rel).is_file():
                    continue
                below = PurePosixPath(rel).relative_to(folder)
                found[rel] = (PurePosixPath(rel), folder, below.with_suffix("").as_posix())
        return list(found.values())

    def _name_of(self, rel: str) -> str | None:
        if not plain_reference(rel):
            return None
        path = PurePosixPath(rel)
        for pattern in self.config.posts:
            folder = fixed_prefix(pattern)
            if folder == PurePosixPath(".") or path.is_relative_to(folder):
                below = path.relative_to(folder) if folder != PurePosixPath(".") else path
                return below.with_suffix("").as_posix()
        return None

    def shared_files(self) -> list[Path]:
        """The files posts share (none with ``post`` grouping)."""
        return self._group_files() if self.grouped else []

    def _group_files(self) -> list[Path]:
        """Every template and catalogue (of the configured languages) but the taxonomy's."""
        locales = self.config.locales_dir
        files = [template_path(locales, name) for name in template_names(locales)]
        for language in self.config.languages:
            files += [
                catalogue_path(locales, name, language)
                for name in catalogue_names(locales, language)
            ]
        return [path for path in files if path.stem != TAXONOMY]

    def _read(self, path: Path, language: str | None) -> _File | None:
        if path not in self._files:
            self._files[path] = _parsed(path, language)
        return self._files[path]

    def _own(self, post: Post, language: str | None) -> list[polib.POEntry]:
        """The post's entries in its shared file: those that reference it. In a catalogue,
        only if one of them is a text of the post's template as postlingo last wrote it:
        a reference is a translator's text, and one pasted onto another post's entry must
        not make postlingo take a variant it did not write for its own."""
        found = self._read(self.file(post, language), language)
        own = found.by_post.get(post.relative.as_posix(), []) if found else []
        if not own or language is None:
            return own
        template = self._own(post, None)
        if template and not {_key(e) for e in template} & {_key(e) for e in own}:
            return []
        return own

    def _current(self) -> frozenset[str]:
        if self._posts_seen is None:
            self._posts_seen = frozenset(post.relative.as_posix() for post in self.posts)
        return self._posts_seen

    # --- other groupings' files (a migration) --------------------------------------------

    def _from_legacy(
        self, post: Post, language: str | None
    ) -> tuple[_File, list[polib.POEntry], bool] | None:
        """The post's entries in a file of another grouping: its own file of ``post``
        grouping (by name), or a shared one that references it; and whether this is the
        first post taken from that file."""
        if not self.posts:
            return None  # (which files are another grouping's is known from the posts)
        rel = post.relative.as_posix()
        own_file = self._post_file(post, language)
        for path in self._legacy_files(language):
            try:
                found = self._read(path, language)
            except InputError:
                continue  # (a broken file is reported where it is the post's own)
            if found is None:
                continue
            entries = found.by_post.get(rel)
            if not entries and path == own_file:
                entries = [e for e in found.po if not e.obsolete]
            if entries:
                first = path not in self._spent
                self._spent.setdefault(path, set()).add(rel)
                return found, entries, first
        return None

    def _post_file(self, post: Post, language: str | None) -> Path:
        """The post's file in ``post`` grouping."""
        locales = self.config.locales_dir
        if language is None:
            return template_path(locales, post.name)
        return catalogue_path(locales, post.name, language)

    def migrating(self) -> bool:
        """Whether another grouping's files hold entries of the posts here (the site
        changed ``catalogues``): its commands then go through ``flush``."""
        current = self._current()
        if not current:
            return False  # (a store that knows no posts: none of them migrates)
        kinds: list[str | None] = [None, *self.config.languages]
        return any(
            references_in(path) & current for kind in kinds for path in self._legacy_files(kind)
        )

    @property
    def carrying(self) -> bool:
        """Whether entries were taken from another grouping's files in this run."""
        return bool(self._spent)

    def _legacy_files(self, language: str | None) -> list[Path]:
        """Files in the folder that are no current group's (nor the taxonomy's)."""
        kind = language or ""
        if kind not in self._legacy:
            locales = self.config.locales_dir
            groups = {group_name(self.config.catalogues, post) for post in self.posts} | {TAXONOMY}
            if language is None:
                names = template_names(locales)
                self._legacy[kind] = [template_path(locales, n) for n in names if n not in groups]
            else:
                names = catalogue_names(locales, language)
                self._legacy[kind] = [
                    catalogue_path(locales, n, language) for n in names if n not in groups
                ]
        return self._legacy[kind]

    # --- writing -------------------------------------------------------------------------

    def stage(self, post: Post, language: str | None, po: polib.POFile) -> None:
        """What a step made for the post, to go into its shared file (``assemble``)."""
        self._staged.setdefault(self.file(post, language), {})[post.relative.as_posix()] = po

    def assemble(self) -> Iterator[tuple[Path, GnuPOFile | None]]:
        """Each shared file to write, from the staged views and what the file holds for
        the other posts; None for a file no post needs any more (``prune``)."""
        paths = list(self._staged)
        if self.prune:
            paths += [path for path in self._group_files() if path not in self._staged]
        templates: dict[Path, GnuPOFile] = {}
        # Templates first: a catalogue's header takes its group template's creation date.
        for path in sorted(paths, key=lambda p: (p.suffix != ".pot", str(p))):
            language = _language_of(path, self.config)
            po = self._assemble_one(path, language, templates)
            if po is not None and language is None:
                templates[path] = po
            yield path, po

    def settled_posts(self) -> set[str]:
        """The posts (paths) that use a text whose translation a join settled."""
        found: set[str] = set()
        for keys in self._conflicts.values():
            for entry in keys:
                found.update(where for where, _ in entry.occurrences)
        return found

    def conflicts(self, path: Path, po: polib.POFile) -> list[int]:
        """The lines (once ``po`` is written) of the entries of ``path`` that posts had
        translated differently, joined in this run."""
        keys = {_key(entry) for entry in self._conflicts.get(path, ())}
        return [int(entry.linenum or 0) for entry in po if _key(entry) in keys]

    def spent(self) -> list[Path]:
        """Other groupings' files whose entries were all carried into the current
        grouping's files: every current post they hold was taken from them, or already
        has its entries in the current files (a migration an earlier run began), or, for a
        template, had its template written anew from its source; gone posts only with
        ``prune``. Nothing in them is lost when they go. Only files named as some grouping
        names them (``site``, a folder's, a post's): a copy kept under another name stays."""
        done = []
        current = self._current()
        by_rel = {post.relative.as_posix(): post for post in self.posts}
        kinds: list[str | None] = [None, *self.config.languages]
        legacy = [(path, kind) for kind in kinds for path in self._legacy_files(kind)]
        for path, kind in legacy:
            if not self._grouping_file(path, kind):
                continue
            found = self._files.get(path)
            posts = set(found.by_post) if found is not None else references_in(path)
            taken = self._spent.get(path, set()) | (self._written if kind is None else set())
            owner = {rel for rel in current if self._is_post_file(rel, path)}
            mine = (posts | owner) & current
            if not mine or not (self.prune or posts <= current):
                continue
            if all(rel in taken or self._own(by_rel[rel], kind) for rel in mine):
                done.append(path)
        return done

    def _grouping_file(self, path: Path, kind: str | None) -> bool:
        """Whether ``path`` is named as a grouping names its files."""
        name = _group_of(path, self.config.locales_dir, kind)
        if name == SITE:
            return True
        return any(name in (post.name, group_name("directory", post)) for post in self.posts)

    def written(self, post: Post) -> None:
        """The post's template was written (or staged) from its source."""
        self._written.add(post.relative.as_posix())

    def _is_post_file(self, rel: str, path: Path) -> bool:
        name = next((post.name for post in self.posts if post.relative.as_posix() == rel), None)
        if name is None:
            return False
        locales = self.config.locales_dir
        return path == template_path(locales, name) or any(
            path == catalogue_path(locales, name, language) for language in self.config.languages
        )

    def _members(self, path: Path, language: str | None) -> list[Post]:
        # (by name, not ``file``: a post whose group is refused is reported as its own
        # problem, and must not stop the others' file)
        locales, grouping = self.config.locales_dir, self.config.catalogues
        return [
            post
            for post in self.posts
            if (
                template_path(locales, group_name(grouping, post))
                if language is None
                else catalogue_path(locales, group_name(grouping, post), language)
            )
            == path
        ]

    def _assemble_one(
        self, path: Path, language: str | None, templates: dict[Path, GnuPOFile]
    ) -> GnuPOFile | None:
        found = self._read(path, language)
        staged = self._staged.get(path, {})
        members = [post.relative.as_posix() for post in self._members(path, language)]
        members += [rel for rel in staged if rel not in members and rel not in self._dropped]
        views: list[tuple[str, list[polib.POEntry]]] = []
        for rel in members:
            if rel in staged:
                views.append((rel, [e for e in staged[rel] if not e.obsolete]))
            elif found is not None and rel in found.by_post:
                views.append((rel, found.by_post[rel]))
        if found is not None and not self.prune:  # posts that are gone stay until pruned
            views += [
                (rel, es)
                for rel, es in found.by_post.items()
                if rel not in members and rel not in self._dropped
            ]
        if not views:  # (every post gone, or renamed: their entries went with them)
            gone = found is not None and any(rel in self._dropped for rel in found.by_post)
            return None if self.prune or found is None or gone else found.po
        group = _group_of(path, self.config.locales_dir, language)
        what = "the site's posts" if group == SITE else f"the posts in {group}/"
        if language is None:
            header = f"Translatable text of {what}."
        elif found is not None:
            header = found.po.header
        else:
            header = f"{language_name(language)} translation of {what}."
        head = found.po if found is not None else next(iter(staged.values()))
        po = _empty_like(head, header, None)
        entries, conflicted = _join(views)
        po.extend(entries)
        if conflicted and language is not None:
            self._conflicts[path] = [e for e in entries if _key(e) in set(conflicted)]
        active = {_key(entry) for entry in po}
        obsolete = [e for view in staged.values() for e in view if e.obsolete]
        obsolete += [e for e in (found.po if found else []) if e.obsolete]
        if language is not None and found is not None:
            # A translated entry no post's reference names (a tool that strips '#:' lines,
            # a hand edit) keeps its translation, obsolete, as msgmerge keeps one.
            named = {_key(entry) for entries in found.by_post.values() for entry in entries}
            obsolete += [
                obsolete_entry(e)
                for e in found.po
                if not e.obsolete and e.msgstr and _key(e) not in named
            ]
        for entry in obsolete:
            if _key(entry) not in active:
                po.append(entry)
                active.add(_key(entry))
        if language is None:
            return found.po if found is not None and same_template(found.po, po) else po
        template = templates.get(template_path(self.config.locales_dir, group))
        if template is None:
            loaded = self._read(template_path(self.config.locales_dir, group), None)
            template = loaded.po if loaded else None
        date = template.metadata.get("POT-Creation-Date") if template else None
        if date and "POT-Creation-Date" in po.metadata:
            po.metadata["POT-Creation-Date"] = date
        return po


# Shared files parsed in this process, by path and language, with the digest of the bytes
# they were parsed from: a command's posts are spread over chunks (each with its own
# store), and each would parse the same site-wide catalogue again.
_PARSED: dict[tuple[Path, str | None], tuple[str, _File]] = {}


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _parsed(path: Path, language: str | None) -> _File | None:
    try:
        data = read_bytes(path)
    except FileNotFoundError:
        return None
    digest = _digest(data)
    known = _PARSED.get((path, language))
    if known is not None and known[0] == digest:
        return known[1]
    po = load_catalogue(path, language=language)
    if len(_PARSED) > 64:
        _PARSED.clear()
    found = _PARSED[(path, language)] = (digest, _File(po, _by_post(po)))
    return found[1]


def references_in(path: Path) -> set[str]:
    """The paths the ``#:`` lines of a file name (without parsing it: a site's catalogue
    has tens of thousands of entries, and only the posts are wanted here)."""
    try:
        text = read_bytes(path).decode("utf-8", errors="replace")
    except FileNotFoundError:
        return set()
    found: set[str] = set()
    for line in text.splitlines():
        if line.startswith("#: "):
            found.update(ref.rsplit(":", 1)[0] for ref in line[3:].split())
    return {rel for rel in found if plain_reference(rel)}


def bad_references(path: Path) -> list[tuple[int, str]]:
    """The ``#:`` references of a file that cannot name a post (``plain_reference``), with
    their lines."""
    try:
        text = read_bytes(path).decode("utf-8", errors="replace")
    except FileNotFoundError:
        return []
    return [
        (number, ref)
        for number, line in enumerate(text.splitlines(), 1)
        if line.startswith("#: ")
        for ref in (item.rsplit(":", 1)[0] for item in line[3:].split())
        if not plain_reference(ref)
    ]


def plain_reference(rel: str) -> bool:
    """Whether a ``#:`` reference can name a post: a path below the project root, without
    ``..`` or ``.`` parts. A reference is a translator's text: ``../../README.md`` must
    never name a "gone post" whose "variant" a prune would remove."""
    wrapped = f"/{rel}/"  # (plain text, no path object: tens of thousands are looked at)
    return bool(rel) and not rel.startswith("/") and "/../" not in wrapped and "/./" not in wrapped


def _group_of(path: Path, locales: Path, language: str | None) -> str:
    """The group a shared file is named after (``content/posts`` for
    ``templates/content/posts.pot``)."""
    folder = locales / TEMPLATES if language is None else path.parent
    if language is not None:  # <lang>/LC_MESSAGES/<group>.po: LC_MESSAGES is below <lang>
        folder = locales / gettext_language(language) / MESSAGES
    return path.relative_to(folder).with_suffix("").as_posix()


def _language_of(path: Path, config: Config) -> str | None:
    """The configured language whose catalogue folder holds ``path`` (None: a template)."""
    if path.suffix == ".pot":
        return None
    folder = path.relative_to(config.locales_dir).parts[0]
    for language in config.languages:
        if gettext_language(language) == folder:
            return language
    return folder


def _key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt, entry.msgid)


def _by_post(po: polib.POFile) -> dict[str, list[polib.POEntry]]:
    found: dict[str, list[polib.POEntry]] = {}
    for entry in po:
        if entry.obsolete:
            continue
        seen = set()
        for where, _ in entry.occurrences:
            if where not in seen and plain_reference(where):
                seen.add(where)
                found.setdefault(where, []).append(entry)
    return found


def _only(entry: polib.POEntry, rel: str) -> GnuPOEntry:
    """A copy of ``entry`` with only the references to the post at ``rel``."""
    copy = GnuPOEntry.of(copy_entry(entry))
    copy.occurrences = [occ for occ in entry.occurrences if occ[0] == rel]
    return copy


def _first_line(entry: polib.POEntry) -> int:
    lines = [int(line) for _, line in entry.occurrences if str(line).isdigit()]
    return min(lines) if lines else 0


def _empty_like(po: polib.POFile, header: str, language: str | None) -> GnuPOFile:
    view = new_file(po.wrapwidth)
    view.header = header if language is None else po.header
    view.metadata = dict(po.metadata)
    view.metadata_is_fuzzy = po.metadata_is_fuzzy
    return view


def _join(views: list[tuple[str, list[polib.POEntry]]]) -> tuple[list[GnuPOEntry], list[Key]]:
    """One entry per text, the posts' views in order: a text several posts share gets
    all their references, and the translation ``_settle`` picks."""
    joined: dict[Key, GnuPOEntry] = {}
    votes: dict[Key, list[polib.POEntry]] = {}
    for rel, entries in views:
        for entry in entries:
            key = _key(entry)
            occurrences = [occ for occ in entry.occurrences if occ[0] == rel]
            votes.setdefault(key, []).append(entry)
            if key not in joined:
                joined[key] = _only(entry, rel)
                continue
            known = joined[key]
            known.occurrences += [occ for occ in occurrences if occ not in known.occurrences]
            _keep_conflict_notes(known, entry)
    conflicted = [
        key for key, entry in joined.items() if len(votes[key]) > 1 and _settle(entry, votes[key])
    ]
    return list(joined.values()), conflicted


def _keep_conflict_notes(entry: GnuPOEntry, other: polib.POEntry) -> None:
    """The other view's ``CONFLICT`` lines (a wording kept by a migration or an import)
    are not lost when the two views' entry is joined."""
    lines = (entry.tcomment or "").split("\n") if entry.tcomment else []
    new = [
        line
        for line in (other.tcomment or "").split("\n")
        if line.startswith(CONFLICT) and line not in lines
    ]
    if new:
        entry.tcomment = "\n".join([*lines, *new])


def _rank(entry: polib.POEntry) -> int:
    """Untranslated 0, fuzzy 1, translated 2."""
    if not entry.msgstr and not any(entry.msgstr_plural.values()):
        return 0
    return 1 if entry.fuzzy else 2


def _text(entry: polib.POEntry) -> str:
    return entry.msgstr or "\n".join(v for _, v in sorted(entry.msgstr_plural.items()))


def _settle(entry: GnuPOEntry, votes: list[polib.POEntry]) -> bool:
    """The translation of a text several posts share: the best kind (translated, then
    fuzzy), then the one most posts use, then the first post's. Other translations (posts
    of ``post`` grouping whose catalogues now join) go into a translator comment, so that
    nothing is lost (``conflicts`` finds them)."""
    ranked = [vote for vote in votes if _rank(vote)]
    if not ranked:
        return False
    count: dict[str, int] = {}
    for vote in ranked:
        count[_text(vote)] = count.get(_text(vote), 0) + 1
    best = max(ranked, key=lambda vote: (_rank(vote), count[_text(vote)]))
    _take_translation(entry, best)
    for vote in votes:  # (wordings kept before, by a migration or an import, stay)
        _keep_conflict_notes(entry, vote)
    others = list(dict.fromkeys(_text(v) for v in ranked if _text(v) != _text(best)))
    if not others:
        return False
    kept = [line for line in (entry.tcomment or "").split("\n") if line]
    new = [f"{CONFLICT} {text}" for text in others if f"{CONFLICT} {text}" not in kept]
    entry.tcomment = "\n".join([*kept, *new])
    return bool(new)


def _take_translation(entry: GnuPOEntry, other: polib.POEntry) -> None:
    entry.msgstr = other.msgstr
    entry.msgstr_plural = dict(other.msgstr_plural)
    entry.flags = list(other.flags)
    entry.tcomment = other.tcomment
    entry.previous_msgid = other.previous_msgid
    entry.previous_msgctxt = other.previous_msgctxt
    entry.previous_msgid_plural = other.previous_msgid_plural


def conflicts(po: polib.POFile) -> list[polib.POEntry]:
    """The entries a migration joined from different translations."""
    return [entry for entry in po if CONFLICT in (entry.tcomment or "")]
