"""The per-post pipeline, written once: every command drives it.

A command runs some of these named steps over each post, in this order (``STEPS``)::

    read → template → catalogues → variant → terms

- ``read``: the post, cut into segments (front-matter values first, then the body);
- ``template``: its template (POT), written where its entries changed;
- ``catalogues``: the template merged into each language's catalogue (PO): renames move a
  gone post's catalogues, a variant postlingo did not write is not taken over;
- ``variant``: each language's variant, through the gate (translations that would break the
  post are left out) with the layout's metadata, kept or unpublished below the threshold;
- ``terms``: its taxonomy terms, for the shared taxonomy catalogue.

``extract`` runs read, template and terms; ``update`` loads the template instead of reading
the post and runs catalogues; ``build`` runs read and variant; ``sync`` runs them all, for
the posts that changed. ``check``, ``status`` and ``import`` read posts with the same
``read`` step and judge what the ``planned_*`` functions say the steps would write.

The error policy is ``postlingo.outcome``'s (``contained``): a step's exception is an error
of its post (or of its language), the others go on. Every file is written through one
``Writer``, which records it in the command's ``Outcome`` (or, when checking, only says what
would change). The sources are found once per command.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import polib

from .catalogue.locales import (
    TAXONOMY,
    catalogue_names,
    catalogue_path,
    gettext_language,
    template_names,
    template_path,
)
from .catalogue.merge import merge, new_catalogue
from .catalogue.po import (
    language_name,
    load_catalogue,
    make_template,
    plural_forms,
    same_template,
    save_catalogue,
    translations,
)
from .catalogue.store import Store
from .catalogue.taxonomy import (
    Term,
    post_terms,
    taxonomy_edits,
    taxonomy_template,
    taxonomy_translations,
)
from .config import Config
from .errors import InputError, PostlingoError, unexpected
from .fileio import batched, reading, remove, write_if_changed
from .outcome import Outcome, contained, writing
from .site.renames import (
    find_renames,
    foreign_variant,
    moved_catalogues,
    old_variants,
    template_keys,
)
from .site.sources import Source, find_sources, report_orphan_variants, variant_path
from .source.front_matter import existing_value, front_matter_segments, metadata_edits
from .source.markdown import body_segments, parser
from .source.post import Post, read_post
from .source.segment import Segment
from .source.shortcodes import configure as configure_shortcodes
from .state import Record, record
from .variant.build import Gate, JudgedTerms, Refused, apply, build_variant
from .variant.layouts import layout_for, slugify
from .variant.links import forget as forget_links
from .variant.links import localized
from .variant.partial import with_fallback, with_status
from .workers import parallel_map

__all__ = [
    "STEPS",
    "Options",
    "PostWork",
    "Run",
    "Writer",
    "build",
    "extract",
    "parallel_map",
    "planned_catalogue",
    "planned_template",
    "planned_variant",
    "post_files",
    "read",
    "read_segments",
    "run_steps",
    "sync_posts",
    "update",
]


# The shared taxonomy catalogue as a work item of update's and sync's (not a post: a post
# may be named "taxonomy" too, so it is told apart by identity, never by name).
TAXONOMY_WORK = Source(PurePosixPath(TAXONOMY), PurePosixPath(), TAXONOMY)


# --- the run: its options, the one writer, the post in hand -------------------------------


@dataclass(frozen=True)
class Options:
    """What a command asks of the steps besides the configuration."""

    include_fuzzy: bool = False  # build from fuzzy translations too
    write: bool = True  # False (update --check): only say what would change
    keep_obsolete: bool = True  # merge keeps removed texts' translations as #~ entries
    force: bool = False  # replace variants postlingo did not write
    moves: dict[str, str] = field(default_factory=dict)  # renamed post: new name -> old name
    move_variants: bool = False  # sync: a renamed post's old variants go too


class Writer:
    """The one place where the pipeline writes files: each write is recorded in the
    command's outcome (written or unchanged, and created when the file is new); with
    ``write`` off nothing is written, and the outcome lists what would change."""

    def __init__(
        self, config: Config, outcome: Outcome, write: bool = True, store: Store | None = None
    ) -> None:
        self.config, self.outcome, self.write = config, outcome, write
        self.store = store or Store(config)

    def post_file(self, source: Source, language: str | None, po: polib.POFile) -> None:
        """A post's template (``language`` None) or catalogue: written, or staged for its
        shared file when posts share catalogues (``flush`` writes those)."""
        if language is None:
            self.store.written(source)
        if self.store.grouped:
            self.store.stage(source, language, po)
        else:
            self.catalogue(po, self.store.file(source, language))

    def flush(self) -> None:
        """Write the shared files the staged posts go into, and remove another grouping's
        files once everything in them was carried over (see ``catalogue.store``)."""
        for path, po in self.store.assemble():
            if po is None:
                if path.exists():
                    self.remove(path)
            else:
                self.catalogue(po, path)
                if self.write:
                    self.store.remember(path, po)
                for line in self.store.conflicts(path, po):
                    self.outcome.warnings.append(
                        PostlingoError(
                            "posts had translated this text differently: the translation "
                            "most of them used is kept, the others are in a translator "
                            "comment (# postlingo: also translated as: …)",
                            path,
                            line,
                        )
                    )
        for path in self.store.spent():
            self.remove(path)

    def catalogue(self, po: polib.POFile, path: Path) -> bool:
        new = not path.exists()
        changed = save_catalogue(po, path, self.config.wrap_width, self.write)
        self.outcome.record(path, changed, new)
        return changed

    def text(self, path: Path, text: str) -> bool:
        new = not path.exists()
        changed = write_if_changed(path, text)
        self.outcome.record(path, changed, new)
        return changed

    def remove(self, path: Path) -> None:
        if self.write:
            remove(path)
            _remove_empty_folders(path.parent, self.config.locales_dir)
        self.outcome.removed.append(path)

    def move(self, po: polib.POFile, old: Path, new: Path) -> None:
        """``po`` saved at ``new`` in place of the catalogue at ``old`` (a renamed post)."""
        if self.write:
            save_catalogue(po, new, self.config.wrap_width)
            remove(old)
            _remove_empty_folders(old.parent, self.config.locales_dir)
        self.outcome.renamed.append((old, new))


@dataclass
class Run:
    """One command's run of the pipeline."""

    config: Config
    outcome: Outcome
    options: Options = field(default_factory=Options)
    sources: dict[str, Source] = field(default_factory=dict)  # by name: all found, once
    store: Store | None = None  # shared by runs whose posts go into the same files
    writer: Writer = field(init=False)

    def __post_init__(self) -> None:
        if self.store is None:
            self.store = Store(self.config, list(self.sources.values()))
        self.writer = Writer(self.config, self.outcome, self.options.write, self.store)


@dataclass
class PostWork:
    """One post (or the shared taxonomy) going through the steps: what each step made."""

    source: Source
    name: str = ""
    post: Post | None = None
    segments: list[Segment] = field(default_factory=list)
    template: polib.POFile | None = None
    catalogues: dict[str, polib.POFile] = field(default_factory=dict)  # merged, by language
    terms: list[Term] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.name = self.name or self.source.name

    def shown(self, config: Config) -> Path:
        return config.root / self.source.relative


Step = Callable[[Run, PostWork], None]


# --- the steps ------------------------------------------------------------------------------


def read_segments(config: Config, source: Source) -> tuple[Post, list[Segment]]:
    """Read a post and cut it into segments: front-matter values first, then the body."""
    shown = config.root / source.relative
    post = read_post(config.root / source.relative, source.name, shown, config.max_post_size)
    if not post.text.strip():
        raise InputError("empty post: nothing to translate", shown, 1)
    configure_shortcodes(config)  # (Hugo reads shortcodes; the parse cache follows)
    with reading(shown):  # whatever the parsers raise is a problem of this post
        segments = front_matter_segments(post, config.front_matter) + body_segments(post)
    return post, segments


def _step_read(run: Run, work: PostWork) -> None:
    work.post, work.segments = read_segments(run.config, work.source)


def _step_template(run: Run, work: PostWork) -> None:
    store = run.writer.store
    template, current = planned_template(run.config, work.source, work.segments, store)
    if current and not store.grouped:
        run.outcome.record(store.template_file(work.source), False)
    else:  # (a shared file is written once, by flush, from every post's view)
        run.writer.post_file(work.source, None, template)
    work.template = template


def _step_catalogues(run: Run, work: PostWork) -> None:
    """Merge the template into every language's catalogue (each language apart: one
    language's broken catalogue does not stop the others)."""
    assert work.template is not None, "the catalogues step follows template"
    config = run.config
    if work.name in run.options.moves:
        work.catalogues.update(_move(run, work.name, work.template))
    for language in config.languages:
        if language in work.catalogues:
            continue
        with contained(run.outcome):
            work.catalogues[language] = _update_one(run, work.source, work.template, language)


def _step_variant(run: Run, work: PostWork) -> None:
    """Build every language's variant, from the catalogue just merged or from its file."""
    assert work.post is not None, "the variant step follows read"
    for language in run.config.languages:
        with contained(run.outcome, work.shown(run.config)):
            _build_one(run, work, language)


def _step_terms(run: Run, work: PostWork) -> None:
    assert work.post is not None, "the terms step follows read"
    work.terms = post_terms(work.post, work.source.relative.as_posix(), run.config.taxonomy)


STEPS: dict[str, Step] = {
    "read": _step_read,
    "template": _step_template,
    "catalogues": _step_catalogues,
    "variant": _step_variant,
    "terms": _step_terms,
}
# Which steps each command runs (in STEPS' order).
EXTRACT = ("read", "terms", "template")  # terms first: kept when the template fails
UPDATE = ("catalogues",)  # after the template is loaded from its file
BUILD = ("read", "variant")
SYNC = ("read", "template", "catalogues", "variant", "terms")


def run_steps(run: Run, work: PostWork, steps: Sequence[str]) -> bool:
    """Run ``steps`` on one post. A step that raises ends the post's work, its problem an
    error of the run about the post (``read`` failing: the post "cannot be read"); what a
    step contains itself (one language's catalogue) does not stop the next. Whether every
    step ran to its end."""
    for name in steps:
        try:
            STEPS[name](run, work)
        except Exception as exc:  # the error policy (postlingo.outcome): the others go on
            doing = "read" if name == "read" else "processed"
            run.outcome.errors.append(unexpected(exc, work.shown(run.config), doing))
            return False
    return True


def read(config: Config, source: Source, outcome: Outcome) -> PostWork:
    """A post through the read step alone, for the commands that judge what the other steps
    would write (check, status): its ``post`` is None when it cannot be read, the problem
    then in ``outcome.errors`` (the same error policy as every step's)."""
    work = PostWork(source)
    run_steps(Run(config, outcome), work, ("read",))
    return work


def _posts(run: Run, steps: Sequence[str]) -> list[PostWork]:
    """Every post of the run through ``steps`` (each as far as it got)."""
    done = []
    for source in run.sources.values():
        work = PostWork(source)
        run_steps(run, work, steps)
        run.outcome.checked += 1
        done.append(work)
    return done


def _found(config: Config) -> dict[str, Source]:
    return {source.name: source for source in find_sources(config)}


# --- extract ------------------------------------------------------------------------------


def extract(config: Config) -> Outcome:
    """Write the template of every post (only where its entries changed), and the shared
    taxonomy template when the configuration names taxonomy keys."""
    outcome = Outcome()
    with writing(config):
        run = Run(config, outcome, sources=_found(config))
        terms = {work.name: work.terms for work in _posts(run, EXTRACT) if work.post is not None}
        with contained(outcome):
            run.writer.flush()
        if config.taxonomy:
            # A post that cannot be read keeps the terms it had (see held_terms).
            sources = list(run.sources.values())
            held = held_terms(config) if any(s.name not in terms for s in sources) else {}
            every = [
                term
                for s in sources
                for term in terms.get(s.name, held.get(s.relative.as_posix(), []))
            ]
            with contained(outcome):
                _write_taxonomy(run, every)
    return outcome


def _write_taxonomy(run: Run, terms: list[Term]) -> polib.POFile:
    config = run.config
    path = template_path(config.locales_dir, TAXONOMY)
    planned: polib.POFile = taxonomy_template(terms, config.project_name, config.wrap_width)
    template, current = _current_template(path, planned)
    if current:
        run.outcome.record(path, False)
    else:
        run.writer.catalogue(template, path)
    return template


def _current_template(path: Path, template: polib.POFile) -> tuple[polib.POFile, bool]:
    """The file at ``path`` if it holds ``template``'s entries (and with them its
    POT-Creation-Date, which changes only with the content), else ``template``."""
    if path.exists():
        try:
            old = load_catalogue(path)
        except InputError:
            return template, False  # a generated file: a broken one is written anew
        if same_template(old, template):
            return old, True
    return template, False


def planned_template(
    config: Config, source: Source, segments: list[Segment], store: Store | None = None
) -> tuple[polib.POFile, bool]:
    """The template ``extract`` would leave for ``source``, and whether the file on disk
    (the post's view of a shared one) already is it. Nothing is written."""
    store = store or Store(config)
    template = make_template(
        segments, source.relative.as_posix(), config.project_name, config.wrap_width
    )
    if not store.grouped:
        return _current_template(store.template_file(source), template)
    try:
        old = store.template(source)
    except InputError:
        return template, False  # a generated file: a broken one is written anew
    if old is not None and same_template(old, template):
        return old, True
    return template, False


# --- update -------------------------------------------------------------------------------


def update(
    config: Config,
    check: bool = False,
    prune: bool = False,
    keep_obsolete: bool = True,
    force: bool = False,
) -> Outcome:
    """Merge every template into the catalogue of every language, creating missing ones
    (not where a variant postlingo did not write is in the way, unless ``force``); a
    renamed post's catalogues move to its new name, in every language. ``prune`` removes
    the templates and catalogues of posts that are gone; ``check`` writes nothing
    (``written`` and ``removed`` then list what would change)."""
    outcome = Outcome()
    with writing(config, not check):
        sources = find_sources(config)
        moves = find_renames(config, sources, template_keys(config))
        options = Options(write=not check, keep_obsolete=keep_obsolete, force=force, moves=moves)
        run = Run(config, outcome, options, {source.name: source for source in sources})
        names = [source.name for source in sources] + ([TAXONOMY] if config.taxonomy else [])
        shared = [TAXONOMY_WORK] if config.taxonomy else []
        for source in [*sources, *shared]:
            outcome.checked += 1
            work = PostWork(source)
            with contained(outcome):
                work.template = _template(run, work)
                if work.template is not None:
                    _run_shared(run, work, UPDATE)
        if prune:
            _prune(run, set(names))
        with contained(outcome):
            run.writer.flush()
    return outcome


def _template(run: Run, work: PostWork) -> polib.POFile | None:
    """The template update merges from: the post's (its view of a shared one), or the
    taxonomy's; None, the problem in the outcome, where extract has not made it."""
    store = run.writer.store
    if work.source is TAXONOMY_WORK:
        path = template_path(run.config.locales_dir, TAXONOMY)
        template = load_catalogue(path) if path.exists() else None
    else:
        path = store.template_file(work.source)
        template = store.template(work.source)
        if template is not None and store.carried(work.source):
            run.writer.post_file(work.source, None, template)  # (migrated: written anew)
    if template is None:
        run.outcome.errors.append(InputError("no template: run 'postlingo extract' first", path))
    return template


def _run_shared(run: Run, work: PostWork, steps: Sequence[str]) -> None:
    """``steps`` on a template rather than a post (update reads no posts; the shared
    taxonomy has none): what they raise is the caller's to contain."""
    for name in steps:
        STEPS[name](run, work)


def _update_one(run: Run, source: Source, template: polib.POFile, language: str) -> polib.POFile:
    config, store, name = run.config, run.writer.store, source.name
    if source is TAXONOMY_WORK:
        path = catalogue_path(config.locales_dir, TAXONOMY, language)
        existing = load_catalogue(path, language=language) if path.exists() else None
        merged = planned_catalogue(config, template, language, existing)
        run.writer.catalogue(merged, path)
        return merged
    keys = [(entry.msgctxt, entry.msgid) for entry in template]
    existing = store.view(source, language, keys, candidates=True)
    if name in run.sources and not run.options.force:
        problem = foreign_variant(config, source, language, store)
        if problem is not None:
            raise problem  # its catalogue would make the file look like postlingo's
    merged = planned_catalogue(config, template, language, existing, run.options.keep_obsolete)
    run.writer.post_file(source, language, merged)
    return merged


def planned_catalogue(
    config: Config,
    template: polib.POFile,
    language: str,
    existing: polib.POFile | None,
    keep_obsolete: bool = True,
) -> polib.POFile:
    """The catalogue ``update`` would write from ``template`` over ``existing`` (None: the
    file does not exist yet). Nothing is written."""
    if existing is None:
        return new_catalogue(template, language)
    return merge(existing, template, language, config.fuzzy_threshold, keep_obsolete)


def _move(run: Run, name: str, template: polib.POFile) -> dict[str, polib.POFile]:
    """Move the catalogues of the post ``name`` was renamed from, in every language that
    has one, merged with its new ``template``; its template and (``move_variants``) its
    variants go. The merged catalogues by language of the run."""
    config, old = run.config, run.options.moves[name]
    if run.writer.store.grouped:
        return _move_shared(run, name, template)
    wanted = {gettext_language(language): language for language in config.languages}
    merged: dict[str, polib.POFile] = {}
    for language, old_path, new_path in moved_catalogues(config, old, name):
        po = planned_catalogue(
            config,
            template,
            language,
            load_catalogue(old_path, language=language),
            run.options.keep_obsolete,
        )
        run.writer.move(po, old_path, new_path)
        if language in wanted:
            merged[wanted[language]] = po
    old_template = template_path(config.locales_dir, old)
    if old_template.exists():
        run.writer.remove(old_template)
    if run.options.move_variants and name in run.sources:
        for path in old_variants(config, old, run.sources[name]):
            run.writer.remove(path)
    return merged


def _move_shared(run: Run, name: str, template: polib.POFile) -> dict[str, polib.POFile]:
    """``_move`` where posts share catalogues: the gone post's part of each language's
    file, merged with the new ``template``, becomes the renamed post's; its part of its
    own files goes (and with ``move_variants``, its variants)."""
    store, source = run.writer.store, run.sources[name]
    gone = store.gone()[run.options.moves[name]]
    merged: dict[str, polib.POFile] = {}
    for language in run.config.languages:
        old = store.view(gone, language)
        if old is None:
            continue
        po = planned_catalogue(run.config, template, language, old, run.options.keep_obsolete)
        run.writer.post_file(source, language, po)
        merged[language] = po
    store.drop(gone)
    if run.options.move_variants:
        for path in old_variants(run.config, gone.name, source):
            run.writer.remove(path)
    return merged


def _prune(run: Run, names: set[str]) -> None:
    """Remove what belongs to no post (nor a renamed one): templates, and catalogues of
    the run's languages."""
    locales = run.config.locales_dir
    taken = set(run.options.moves.values())
    if run.writer.store.grouped:
        run.writer.store.prune = True  # (flush leaves out the posts that are gone)
        return
    for name in template_names(locales):
        if name not in names and name not in taken:
            run.writer.remove(template_path(locales, name))
    for language in run.config.languages:
        for name in catalogue_names(locales, language):
            if name not in names and name not in taken:
                run.writer.remove(catalogue_path(locales, name, language))


def _remove_empty_folders(folder: Path, top: Path) -> None:
    # Posts in subfolders have catalogues in subfolders: leave no empty ones behind.
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        if folder.name in ("LC_MESSAGES", "templates"):
            break
        folder.rmdir()
        folder = folder.parent


# --- build --------------------------------------------------------------------------------


def build(config: Config, include_fuzzy: bool = False, prune: bool = False) -> Outcome:
    """Write the variant of every post in every language that has a catalogue; with
    ``prune``, remove variants whose source is gone. Fuzzy translations are used with
    ``include_fuzzy`` or the configuration's ``include_fuzzy``."""
    forget_links()  # (a new command: posts may have changed)
    outcome = Outcome()
    with writing(config):
        sources = find_sources(config)
        options = Options(include_fuzzy=include_fuzzy or config.include_fuzzy)
        run = Run(config, outcome, options, {source.name: source for source in sources})
        link_sources(config, outcome, sources)
        _posts(run, BUILD)
        with contained(outcome):
            report_orphan_variants(config, outcome, prune, sources)
    return outcome


def _build_one(run: Run, work: PostWork, language: str) -> None:
    """Build one variant, from the catalogue the catalogues step saved or from its file;
    skipped where there is no catalogue (an error only where a variant postlingo did not
    write is in the way: a human translation, or a mistyped 'locales')."""
    config, source = run.config, work.source
    assert work.post is not None
    catalogue = work.catalogues.get(language)
    if catalogue is None:
        catalogue = run.writer.store.catalogue(source, language)
    if catalogue is None:
        problem = foreign_variant(config, source, language, run.writer.store)
        if problem is not None:
            run.outcome.errors.append(problem)
        return
    path, text = planned_variant(
        config,
        source,
        work.post,
        work.segments,
        language,
        catalogue,
        run.options.include_fuzzy,
        run.outcome.warnings,
    )
    if text is not None:
        run.writer.text(path, text)
    elif not path.exists():
        run.outcome.held_back.append(path)  # (not translated enough yet: said in one line)


def planned_variant(
    config: Config,
    source: Source,
    post: Post,
    segments: list[Segment],
    language: str,
    catalogue: polib.POFile,
    include_fuzzy: bool = False,
    warnings: list[PostlingoError] | None = None,
) -> tuple[Path, str | None]:
    """Where ``build`` would write the variant in ``language`` and its text (None: not
    published, being below the threshold). A translation with an error finding (the rules
    of ``check``), or one that would break the post, is left out (the variant keeps the
    source's text there) and becomes a ``Refused`` warning; raises ``TranslationError``
    where translations break the post only together. Nothing is written."""
    po_path = Store(config).catalogue_file(source, language)
    path = variant_path(config, source, language)
    found = with_fallback(
        config,
        catalogue,
        po_path,  # (fallback = "previous")
        translations(catalogue, po_path, include_fuzzy),
    )
    gate = Gate(config, language, post)
    existing = _read_existing(path)
    slug = _slug(config, post, segments, found, existing, gate)
    layout = layout_for(config)
    metadata: dict[str, str | bool] = dict(layout.metadata(source.name, language, slug, post))
    left_out: list[Refused] = []
    terms = (
        taxonomy_edits(
            post,
            config.taxonomy,
            JudgedTerms(
                taxonomy_translations(config.locales_dir, language, include_fuzzy), gate, left_out
            ),
        )
        if config.taxonomy
        else []
    )
    variant = with_status(
        config,
        post,
        segments,
        catalogue,
        found,
        build_variant(post, segments, found, language, metadata, terms, config.allow_unsafe, gate),
    )
    variant = localized(config, source.relative, post, language, variant)  # (links)
    if warnings is not None:
        warnings += [*left_out, *variant.refused]
    percent = 100.0 * variant.translated / variant.total if variant.total else 100.0
    if percent >= config.threshold:
        return path, variant.text
    note = f"{percent:.0f}% translated, below the threshold of {config.threshold:g}%"
    if existing is None:
        return path, None
    if config.below_threshold == "unpublish":
        metadata["published"] = False
        if warnings is not None:
            warnings.append(PostlingoError(f"{note}: marked 'published: false'", path))
        return path, build_variant(
            post, segments, found, language, metadata, terms, config.allow_unsafe, gate
        ).text
    if warnings is not None:
        warnings.append(PostlingoError(f"{note}: kept as it was", path))
    return path, existing.bom + existing.text


def _read_existing(path: Path) -> Post | None:
    """The variant as it is, or None if there is none, or none readable (it is rewritten)."""
    try:
        return read_post(path, path.stem)
    except (FileNotFoundError, InputError):
        return None


def _slug(
    config: Config,
    post: Post,
    segments: list[Segment],
    found: dict[tuple[str | None, str], Any],
    existing: Post | None,
    gate: Gate,
) -> str | None:
    """The translated slug: the one the variant already has (a published URL does not
    move), else made from the translated title."""
    if config.slug != "translate":
        return None
    if existing is not None:
        current = existing_value(existing, "slug")
        if current and current != existing_value(post, "slug"):
            return current  # a slug of its own, not the source's copied over
    for segment in segments:
        if segment.context == "title" and segment.key in found:
            title = found[segment.key]
            if gate.refusal(segment.msgid, segment.context, title) is not None:
                return None  # (build_variant reports it)
            return slugify(title.text) or None
    return None


def link_sources(config: Config, outcome: Outcome, sources: list[Source] | None = None) -> None:
    """Write the layout's link keys into the source posts themselves (``link_source``),
    before they are read for anything else, so templates see them from the start."""
    if not config.link_source:
        return
    layout = layout_for(config)
    writer = Writer(config, outcome)
    for source in find_sources(config) if sources is None else sources:
        path = config.root / source.relative
        with contained(outcome):
            post = read_post(path, source.name, path)
            edits = metadata_edits(post, dict(layout.source_metadata(source.name)))
            if edits:
                writer.text(path, post.bom + apply(post.text, edits))


# --- sync: the posts that changed ---------------------------------------------------------


@dataclass(frozen=True)
class Renames:
    """What a sync decides for all its posts before it spreads them over processes."""

    moves: dict[str, str] = field(default_factory=dict)  # new post name -> gone post name
    force: bool = False  # replace variants postlingo did not write
    posts: list[Source] = field(default_factory=list)  # every source (shared catalogues)


def plan_renames(
    config: Config, sources: list[Source], todo: list[Source], force: bool = False
) -> Renames:
    """Which of ``todo`` are renamed posts (decided here, once: two workers must not take
    the same gone post's catalogues)."""

    def keys(source: Source) -> set[tuple[str | None, str]]:
        try:
            template, _ = planned_template(config, source, read_segments(config, source)[1])
        except Exception:
            return set()
        return {(entry.msgctxt, entry.msgid) for entry in template if not entry.obsolete}

    return Renames(find_renames(config, sources, keys, todo), force, sources)


def warm_up(config: Config) -> None:
    """Build the parser and load the languages' locale data: given to ``parallel_map`` to
    be done once, before its workers fork, rather than in every one of them."""
    parser(body=True)
    for language in config.languages:
        language_name(language), plural_forms(language)
    Store(config).preload()  # (catalogues posts share: parsed once, not in every worker)


def sync_posts(
    config: Config, include_fuzzy: bool, renames: Renames, sources: list[Source]
) -> list[tuple[Outcome, Record | None]]:
    """Sync some posts, their files written together (``batched``); for each post its
    outcome and its record for the state, or None if anything failed. ``renames`` says
    which posts take over a gone post's catalogues, and whether to replace variants
    postlingo did not write (``force``)."""
    done: list[tuple[Outcome, list[Path] | None, list[list[Any]]]] = []
    store = Store(config, renames.posts)  # (no posts: none shares a file, none migrates)
    try:
        with batched():
            done = [_sync_post(config, include_fuzzy, renames, source, store) for source in sources]
            if store.grouped or store.carrying or store.migrating():  # (shared files: once)
                flushed = Outcome()
                with contained(flushed):
                    Writer(config, flushed, store=store).flush()
                done = _with_flush(done, flushed)
        with batched():  # (after the block above: the shared files are on disk now)
            _rebuild_settled(config, include_fuzzy, store, sources, done)
    except Exception as exc:  # the files could not be put in place: none of them is
        problem = unexpected(exc)
        return [(_failed(outcome, problem), None) for outcome, _, _ in done]
    prints: dict[Path, Any] = {}  # (a catalogue the posts share is read once)
    parts = Store(config, store.posts) if store.grouped else None  # (as just written)
    return [
        (
            outcome,
            None
            if files is None
            else record(
                config.root, files, terms, outcome.warnings, prints, _parts(parts, source, files)
            ),
        )
        for source, (outcome, files, terms) in zip(sources, done, strict=True)
    ]


def _rebuild_settled(
    config: Config,
    include_fuzzy: bool,
    store: Store,
    sources: list[Source],
    done: list[tuple[Outcome, list[Path] | None, list[list[Any]]]],
) -> None:
    """Build again, from the files as written, the variants of the posts whose shared
    texts a migration settled on another post's translation (``catalogue.store._settle``):
    they were built from their own before the shared file was joined."""
    settled = store.settled_posts()
    for source, (outcome, files, _) in zip(sources, done, strict=True):
        if files is None or source.relative.as_posix() not in settled:
            continue
        again = Outcome()
        run = Run(config, again, Options(include_fuzzy=include_fuzzy), {source.name: source})
        run_steps(run, PostWork(source), BUILD)
        outcome.errors += again.errors
        outcome.warnings += [w for w in again.warnings if w not in outcome.warnings]
        outcome.written += [p for p in again.written if p not in outcome.written]


def _parts(store: Store | None, source: Source, files: list[Path]) -> dict[str, str]:
    """The digests of the post's parts of the files it shares with other posts (see
    ``state.Record.fresh``): a translator's edit elsewhere in them leaves it alone."""
    if store is None:
        return {}
    shared = {store.template_file(source)} | {
        store.catalogue_file(source, language) for language in store.config.languages
    }
    found = {}
    for path in files:
        if path in shared:
            name = path.relative_to(store.config.root).as_posix()
            digest = store.part_digest(name, source)
            if digest is not None:
                found[name] = digest
    return found


def _with_flush(
    done: list[tuple[Outcome, list[Path] | None, list[list[Any]]]], flushed: Outcome
) -> list[tuple[Outcome, list[Path] | None, list[list[Any]]]]:
    """The posts' results with the shared files' writing told once (with the first post);
    if it failed, no post is recorded as done."""
    if not done:
        return done
    first = done[0][0]
    first.extend(flushed)
    if flushed.errors:
        return [(outcome, None, terms) for outcome, _, terms in done]
    return done


def _failed(outcome: Outcome, problem: PostlingoError) -> Outcome:
    outcome.errors.append(problem)
    outcome.written.clear()
    outcome.created.clear()
    return outcome


def _sync_post(
    config: Config, include_fuzzy: bool, renames: Renames, source: Source, store: Store
) -> tuple[Outcome, list[Path] | None, list[list[Any]]]:
    """Sync one post (every step); the files its record for the state covers (None if
    anything failed), and its taxonomy terms."""
    outcome = Outcome(checked=1)
    options = Options(
        include_fuzzy=include_fuzzy, force=renames.force, moves=renames.moves, move_variants=True
    )
    run = Run(config, outcome, options, {source.name: source}, store)
    work = PostWork(source)
    if not run_steps(run, work, SYNC) or outcome.errors:
        return outcome, None, []
    terms = [list(vars(term).values()) for term in work.terms]
    return outcome, post_files(config, source, store), terms


def post_files(config: Config, source: Source, store: Store | None = None) -> list[Path]:
    """The files a post's sync reads and writes: its source, template, and the catalogue
    and variant of each language (the shared ones where posts share catalogues). What
    the state's record of the post covers."""
    store = store or Store(config)
    files = [config.root / source.relative, store.template_file(source)]
    for language in config.languages:
        files += [store.catalogue_file(source, language), variant_path(config, source, language)]
    return files


def held_terms(config: Config) -> dict[str, list[Term]]:
    """The terms the taxonomy template on disk lists, by post (its path relative to the
    root): what a post that cannot be read now held when it last could be. Its terms stay
    in the shared catalogue meanwhile, so their translations do not turn obsolete (and
    come back, rebuilding every variant, once the post is fixed)."""
    path = template_path(config.locales_dir, TAXONOMY)
    held: dict[str, list[Term]] = {}
    template: polib.POFile | list[polib.POEntry]
    try:
        template = load_catalogue(path) if path.exists() else []
    except InputError:
        return held  # a generated file: a broken one is written anew
    for entry in template:
        if entry.obsolete or entry.msgctxt is None:
            continue
        for source, line in entry.occurrences:
            held.setdefault(source, []).append(
                Term(entry.msgctxt, entry.msgid, source, int(line) if line.isdigit() else 0)
            )
    return held


def sync_taxonomy(config: Config, terms: list[Term], outcome: Outcome) -> None:
    """Write the shared taxonomy template from all posts' ``terms``, and merge it into
    every language's taxonomy catalogue."""
    run = Run(config, outcome)
    template = _write_taxonomy(run, terms)
    work = PostWork(TAXONOMY_WORK, template=template)
    _run_shared(run, work, UPDATE)
