"""``sync``: extract, update and build in one go, for the posts that changed since the last
sync.

An author runs it on every save and CI on every push, so a sync with nothing to do must
cost almost nothing: it looks at the posts' files (``state``) and loads the pipeline
(``pipeline``), with its parsers and catalogue machinery, only when a post needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any, cast

from .config import Config
from .outcome import Outcome, contained, writing
from .site.sources import Source, find_sources, report_orphan_variants
from .state import Record, State, settings_key


def sync(
    config: Config, include_fuzzy: bool = False, jobs: int | None = None, force: bool = False
) -> Outcome:
    """extract, update and build, post by post, reading each file once. Posts whose files
    did not change since the last sync are skipped (``state``); the others are spread over
    ``jobs`` processes (default: one per core, when there is enough work). A variant that
    postlingo did not write is an error and stays as it is, unless ``force``."""
    with writing(config):
        return _sync(config, include_fuzzy or config.include_fuzzy, jobs, force)


def _sync(config: Config, include_fuzzy: bool, jobs: int | None, force: bool) -> Outcome:
    outcome = Outcome()
    sources = find_sources(config)  # once: every step below gets this list
    if config.link_source:  # (asked here: only then is the pipeline needed for it)
        from .pipeline import link_sources

        link_sources(config, outcome, sources)
    state = State.load(config.locales_dir, _settings(config, include_fuzzy))
    before = {name: dict(kept.files) for name, kept in state.posts.items()}
    fresh = _freshness(config, sources)
    todo = [s for s in sources if s.name not in state.posts or not fresh(state.posts[s.name], s)]
    refreshed = any(kept.files != before.get(name) for name, kept in state.posts.items())
    if todo:
        from .pipeline import plan_renames, sync_posts, warm_up
        from .variant.links import forget as forget_links
        from .workers import parallel_map

        forget_links()  # (a new command: posts may have changed)

        renames = plan_renames(config, sources, todo, force)
        if config.catalogues == "post" and not _migrating(config, sources):
            # Each post on its own: the workers need not know the other posts (a list of
            # them sent with every chunk, and looked through for every new post, made a
            # cold sync of 10,000 posts grow with the square of their number).
            work = partial(sync_posts, config, include_fuzzy, replace(renames, posts=[]))
            results = parallel_map(work, todo, jobs, prepare=partial(warm_up, config))
        else:  # posts that share files are merged into them together, in one process
            results = sync_posts(config, include_fuzzy, renames, todo)
        for source, (result, kept) in zip(todo, results, strict=True):
            outcome.extend(result)
            if kept is None:
                state.posts.pop(source.name, None)
            else:
                state.posts[source.name] = kept
        # When posts are synced (not on every save with nothing to do: no YAML loaded).
        from .site.generators import generator_findings

        outcome.warnings += [found.error() for found in generator_findings(config)]
    names = {source.name for source in sources}
    known = len(state.posts)
    state.posts = {name: kept for name, kept in state.posts.items() if name in names}
    changed = bool(todo) or len(state.posts) != known or refreshed
    done = {source.name for source in todo}
    for source in sources:
        if source.name not in done:
            outcome.warnings += state.posts[source.name].replay()
    if config.taxonomy:
        from .catalogue.taxonomy import Term
        from .pipeline import held_terms, sync_taxonomy

        # A post that failed keeps the terms it had (the template lists them): one broken
        # post never changes the shared catalogue.
        held = held_terms(config) if any(s.name not in state.posts for s in sources) else {}
        terms = [
            term
            for source in sources
            for term in (
                [Term(*fields) for fields in state.posts[source.name].terms]
                if source.name in state.posts
                else held.get(source.relative.as_posix(), [])
            )
        ]
        with contained(outcome):
            sync_taxonomy(config, terms, outcome)
    with contained(outcome):
        report_orphan_variants(config, outcome, sources=sources)
    if changed or (sources and not state.path.exists()):
        with contained(outcome):
            state.save()
    outcome.checked = len(sources)
    return outcome


def _migrating(config: Config, sources: list[Source]) -> bool:
    from .catalogue.store import Store

    return Store(config, sources).migrating()


def _freshness(config: Config, sources: list[Source]) -> Callable[[Record, Source], bool]:
    """Whether a post's files are as the last sync left them. Where posts share
    catalogues, a shared file that another post's translation changed still is, for this
    post, when its part of it is the same (``state.Record.fresh``): the file is then read
    once, for all posts."""
    if config.catalogues == "post":
        return lambda kept, source: kept.fresh(config.root)
    stores: list[Any] = []  # (the store reading shared files: made when one changed)
    prints: dict[str, Any] = {}

    def fresh(kept: Record, source: Source) -> bool:
        def part(name: str) -> str | None:
            if not stores:
                from .catalogue.store import Store

                stores.append(Store(config, sources))
            return cast(str | None, stores[0].part_digest(name, source))

        return kept.fresh(config.root, part, prints)

    return fresh


def _settings(config: Config, include_fuzzy: bool) -> str:
    """What every post's sync depends on besides its own files."""
    shared = {}
    if config.taxonomy:
        from .catalogue.taxonomy import taxonomy_translations

        shared = {
            lang: sorted(
                (k, v.text)
                for k, v in taxonomy_translations(config.locales_dir, lang, include_fuzzy).items()
            )
            for lang in config.languages
        }
    options = {k: v for k, v in vars(config).items() if k != "root"}
    return settings_key(sorted(options.items()), include_fuzzy, shared)
