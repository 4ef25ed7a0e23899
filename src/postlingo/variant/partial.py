"""What readers get of a partial translation.

- ``fallback = "previous"``: the segment of a fuzzy entry whose source changed since it was
  translated (``update`` left the old translation in its msgstr and the old source in
  ``#| msgid``) shows that previous, reviewed translation instead of the source's text.
  Machine drafts (translator comment ``machine draft …``) never count as reviewed.
- ``status_key = "translation"``: the variant's front matter gets a one-line map a theme
  can show as a banner, in the front matter's own syntax::

      translation: {percent: 93, outdated: 2, machine: false, source_updated: 2021-01-05}
      translation = {percent = 93, outdated = 2, machine = false, source_updated = 2021-01-05}

  ``percent``: segments showing a current translation (not outdated, not a machine draft)
  in 100; ``outdated``: segments whose translation is older than their source (shown as
  the previous translation or as the source's text); ``machine``: some text shown is an
  unreviewed machine draft (only with ``include_fuzzy``); ``source_updated``: the date of
  the source's last change as its front matter says it (``last_modified_at``, ``lastmod``,
  ``date``, else the date in a Jekyll post's file name). Everything comes from the post
  and its catalogue, so the map is the same on every run and in every clone (file times
  and git history are not: a fresh clone has no mtimes of its own, a shallow one no log).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polib
import yaml

from ..catalogue.po import Translation, imported
from ..config import Config
from ..source.front_matter import metadata_edits, parse_toml, parse_yaml
from ..source.post import Post, parse_post
from ..source.segment import Segment
from .build import Variant, apply

Key = tuple[str | None, str]
MACHINE = "machine draft"  # (postlingo.drafts.draft.MARK: drafts stay out of the imports)
DATE_KEYS = ("last_modified_at", "lastmod", "date")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_PLACEHOLDER = "postlingo-status-placeholder"


def machine_draft(entry: polib.POEntry) -> bool:
    return any(line.startswith(MACHINE) for line in (entry.tcomment or "").split("\n"))


def outdated(entry: polib.POEntry) -> bool:
    """A human translation of an older source text: fuzzy, with its previous msgid."""
    return (
        entry.fuzzy
        and bool(entry.msgstr)
        and not entry.obsolete
        and (entry.previous_msgid is not None or entry.previous_msgctxt is not None)
        and not machine_draft(entry)
    )


def with_fallback(
    config: Config, catalogue: polib.POFile, path: Path, found: dict[Key, Translation]
) -> dict[Key, Translation]:
    """``found`` plus, with ``fallback = "previous"``, the previous translation of every
    outdated entry (marked fuzzy: it is not current)."""
    if config.fallback != "previous":
        return found
    out = dict(found)
    for entry in catalogue:
        key = (entry.msgctxt, entry.msgid)
        if key not in out and outdated(entry):
            out[key] = Translation(entry.msgstr, path, entry.linenum or 0, True)
    return out


@dataclass(frozen=True)
class Status:
    percent: int
    outdated: int
    machine: bool
    source_updated: str | None


def status(
    post: Post,
    segments: list[Segment],
    catalogue: polib.POFile,
    found: Mapping[Key, Translation],
    variant: Variant,
) -> Status:
    """The status of ``variant``, built from ``found`` (see the module's docstring)."""
    entries: dict[Key, polib.POEntry] = {
        (e.msgctxt, e.msgid): e for e in catalogue if not e.obsolete
    }
    stale = machine = old = 0
    for segment in segments:
        entry = entries.get(segment.key)
        if entry is None:
            continue
        old += outdated(entry)
        if segment.key in found and entry.fuzzy and not imported(entry):
            stale += 1  # shown, but not a current reviewed translation
            machine += machine_draft(entry)
    current = max(variant.translated - stale, 0)
    percent = 100 * current // variant.total if variant.total else 100
    return Status(percent, old, machine > 0, source_date(post))


def source_date(post: Post) -> str | None:
    """The source's last change as its front matter (or a Jekyll file name) gives it."""
    for key in DATE_KEYS:
        value = _raw_value(post, key)
        match = _DATE.match(value) if value else None
        if match:
            return match.group(1)
    match = _DATE.match(post.path.name)
    return match.group(1) if match else None


def _raw_value(post: Post, key: str) -> str | None:
    """A top-level scalar as written (YAML) or loaded (TOML dates), whatever its type."""
    front = post.front_matter
    if front is None:
        return None
    if front.format == "toml":
        value = parse_toml(post).get(key)
        return None if value is None or isinstance(value, dict | list) else str(value)
    root = parse_yaml(post)
    if not isinstance(root, yaml.MappingNode):
        return None
    for name, node in root.value:
        if getattr(name, "value", None) == key and isinstance(node, yaml.ScalarNode):
            return str(node.value)
    return None


def with_status(
    config: Config,
    post: Post,
    segments: list[Segment],
    catalogue: polib.POFile,
    found: Mapping[Key, Translation],
    variant: Variant,
) -> Variant:
    """``variant`` with the ``status_key`` map in its front matter (if configured)."""
    if not config.status_key:
        return variant
    state = status(post, segments, catalogue, found, variant)
    text = variant.text[len(post.bom) :]
    built = parse_post(text, post.path, post.name)
    edits = metadata_edits(built, {config.status_key: _PLACEHOLDER})
    toml = built.front_matter is not None and built.front_matter.format == "toml"
    rendered = _render(state, toml)
    for quoted in (f'"{_PLACEHOLDER}"', f"'{_PLACEHOLDER}'", _PLACEHOLDER):
        edits = [dataclasses.replace(e, text=e.text.replace(quoted, rendered)) for e in edits]
    return dataclasses.replace(variant, text=post.bom + apply(text, edits))


def _render(state: Status, toml: bool) -> str:
    values = [
        ("percent", str(state.percent)),
        ("outdated", str(state.outdated)),
        ("machine", "true" if state.machine else "false"),
    ]
    if state.source_updated:
        values.append(("source_updated", state.source_updated))
    if toml:
        return "{ " + ", ".join(f"{key} = {value}" for key, value in values) + " }"
    return "{" + ", ".join(f"{key}: {value}" for key, value in values) + "}"
