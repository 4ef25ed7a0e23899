"""``check --shard K/N``: the posts split over N parallel CI jobs.

A post's shard is a hash of its name, not its position: adding or removing a post moves no
other post to another shard, so a job's findings stay comparable between runs. What belongs
to the whole site (the totals, the taxonomy catalogues, orphans, the generator's
configuration) is checked by shard 1 only; the union of the N reports is the unsharded one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

from ..catalogue.store import Store
from ..config import Config
from ..errors import ConfigError
from ..pipeline import planned_template, read_segments
from ..site.sources import Source
from .status import CatalogueStatus, count

Shard = tuple[int, int]  # (K, N): the K-th of N, from 1

_SHARD = re.compile(r"([1-9][0-9]{0,5})/([1-9][0-9]{0,5})")


def parse_shard(text: str) -> Shard:
    """``"K/N"`` with 1 <= K <= N."""
    match = _SHARD.fullmatch(text.strip())
    if match is None or int(match[1]) > int(match[2]):
        raise ConfigError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. 2/4")
    return int(match[1]), int(match[2])


def shard_of(name: str, shards: int) -> int:
    """The shard (1..shards) of the post named ``name``; the same on every machine."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards + 1


def in_shard(sources: list[Source], shard: Shard | None) -> list[Source]:
    if shard is None:
        return sources
    k, n = shard
    return [source for source in sources if shard_of(source.name, n) == k]


def owns_site(shard: Shard | None) -> bool:
    """Whether this run checks what belongs to the whole site."""
    return shard is None or shard[0] == 1


def counts_elsewhere(
    config: Config, sources: list[Source], mine: list[Source]
) -> list[CatalogueStatus]:
    """The counts of the posts of other shards, as ``check`` would count them, for the
    site's totals: their catalogues are read but not checked (no findings come from here:
    their own shard reports them)."""
    checked = {source.name for source in mine}
    stats: list[CatalogueStatus] = []
    store = Store(config, sources)
    for source in sources:
        if source.name not in checked:
            stats += _counts(config, source, store)
    return stats


def _counts(config: Config, source: Source, store: Store) -> list[CatalogueStatus]:
    stats = []
    template = None
    for language in config.languages:
        path = store.catalogue_file(source, language)
        try:
            po = store.catalogue(source, language)
            if po is not None:
                stats.append(count(po, source.name, language, path))
                continue
            if template is None:  # a missing catalogue counts its template as untranslated
                template = planned_template(config, source, read_segments(config, source)[1])[0]
            status = count(template, source.name, language, path)
            stats.append(dataclasses.replace(status, exists=False))
        except Exception:  # as check's own reading: one post never stops the others
            continue  # unreadable: not counted (the post's own shard reports it)
    return stats
