"""Variants: a post with its segments replaced by their translations.

Only the regions of translated segments and the metadata keys change; every other byte of
the source is copied. A translation is used only if the entry rules of ``check`` find no
error in it (``Gate``: one judgement for both commands), it adds no code the source lacks
and it leaves the post's structure alone (its front matter loads back to the translated
values, its Markdown parses to the same blocks); otherwise the variant keeps the source's
text for that segment and the translation is reported (``Refused``, with its PO line).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polib
import yaml

from ..catalogue.po import Translation
from ..config import Config
from ..errors import InputError, TranslationError
from ..source.front_matter import Edit, metadata_edits, parse_toml, parse_yaml
from ..source.markdown import parse_body, parse_env
from ..source.post import Post, parse_post
from ..source.segment import Segment
from ..source.shortcodes import depends_on_settings, is_param
from .security import UnsafeTranslation, leads_out, unsafe_additions

if TYPE_CHECKING:
    from ..qa.rules import Settings

Key = tuple[str | None, str]
_STR = "tag:yaml.org,2002:str"


class Refused(TranslationError):
    """A translation ``build`` leaves out, the variant keeping the source's text there: a
    warning at its catalogue line. ``rule``: the entry rule that calls it an error (check
    reports it under that rule), or ``build`` (what only building finds: it breaks the
    post, or adds code ``allow_unsafe`` does not allow)."""

    def __init__(
        self,
        reason: str,
        path: Path | str | None = None,
        line: int | None = None,
        rule: str = "build",
    ):
        super().__init__(
            f"not used, the variant keeps the source text: {reason} [{rule}]", path, line
        )
        self.reason, self.rule = reason, rule

    def __reduce__(  # (one more field, as InternalError has)
        self,
    ) -> tuple[type[Refused], tuple[str, Path | None, int | None, str]]:
        return (type(self), (self.reason, self.path, self.line, self.rule))

    def __eq__(self, other: object) -> bool:  # the same report, from whichever process
        return isinstance(other, Refused) and self.__reduce__() == other.__reduce__()

    def __hash__(self) -> int:
        return hash(self.__reduce__()[1])


def refused(reason: str, found: Translation, rule: str = "build") -> Refused:
    return Refused(reason, found.path, found.line, rule)


class Gate:
    """The judgement ``build`` passes a translation through before using it: the entry
    rules (``entry_rules.judge``, the very function ``check`` reports with) at the levels
    of the configuration's ``[check]`` table. Only translations that differ from their
    msgid and would be used are judged; the glossary and the post's link references are
    read at the first one."""

    def __init__(self, config: Config, language: str, post: Post):
        self._config, self._language, self._post = config, language, post

    @cached_property
    def levels(self) -> dict[str, str]:
        # (the rules load with the first translation to judge: a sync of untranslated
        # posts does without them, ~12 ms of imports)
        from ..qa.rules import entry_levels

        # Only errors keep a translation out: rules at other levels need not run here.
        return {
            name: level if level == "error" else "off"
            for name, level in entry_levels(self._config.check).items()
        }

    @cached_property
    def settings(self) -> Settings:
        from ..qa.rules import settings_for

        return settings_for(self._config, self._language)

    @cached_property
    def env(self) -> Mapping[str, Any]:
        return parse_env(self._post.body)

    def refusal(self, msgid: str, context: str | None, found: Translation) -> Refused | None:
        """Why ``found`` must not be used, if the entry rules find an error in it."""
        from ..qa.rules import error_findings, make_pair

        entry = polib.POEntry(msgid=msgid, msgstr=found.text, msgctxt=context)
        problems = error_findings(make_pair(entry, self.settings, self.env), self.levels)
        if not problems:
            return None
        # One line: code the translation adds says most about it.
        rule, message = next((p for p in problems if p[0] == "security"), problems[0])
        return refused(message, found, rule)


class JudgedTerms(Mapping[Key, Translation]):
    """The translations of taxonomy terms as ``gate`` lets them through, each judged when a
    post looks it up; one left out goes to ``left_out`` (the source's term stays)."""

    def __init__(self, found: Mapping[Key, Translation], gate: Gate, left_out: list[Refused]):
        self._found, self._gate, self._left_out = found, gate, left_out

    def __getitem__(self, key: Key) -> Translation:
        found = self._found[key]
        problem = None if found.text == key[1] else self._gate.refusal(key[1], key[0], found)
        if problem is not None:
            self._left_out.append(problem)
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[Key]:
        return iter(self._found)

    def __len__(self) -> int:
        return len(self._found)


@dataclass(frozen=True)
class Variant:
    """A localized post: its text, how much of it is translated, and the translations
    left out (each a warning)."""

    post: Post
    language: str
    text: str  # with the source's BOM, ready to write
    translated: int  # segments whose translation was used
    total: int
    refused: tuple[Refused, ...] = ()


Planned = tuple[Edit, Segment, Translation]


def build_variant(
    post: Post,
    segments: list[Segment],
    translations: Mapping[Key, Translation],
    language: str,
    metadata: Mapping[str, str | bool],
    extra: list[Edit] | None = None,
    allow_unsafe: Collection[str] = (),
    gate: Gate | None = None,
) -> Variant:
    """Replace every translated segment of ``post``, set ``metadata`` and apply ``extra``
    edits (translated taxonomy terms). A translation that ``gate`` finds an error in, that
    would break the post, or that adds code to it (``security``; ``allow_unsafe`` lists
    the kinds of code a translation may add) is left out: the variant keeps the source's
    text there, and ``Variant.refused`` names its catalogue line. What is only wrong in
    combination (pieces of several translations) raises ``TranslationError``: the variant
    is not built."""
    edits: list[Planned] = []
    left_out: list[Refused] = []
    same = 0
    for segment in segments:
        found = translations.get(segment.key)
        if found is None:
            continue
        if found.text == segment.msgid:
            # Same text: the source's own bytes, which is what rendering the msgid gives
            # (tests/test_identity.py renders every segment): skipped as an optimisation.
            same += 1
            continue
        planned = _planned(segment, found, allow_unsafe, gate)
        if isinstance(planned, Refused):
            left_out.append(planned)
        else:
            edits.append(planned)
    for key, value in metadata.items():
        if isinstance(value, str) and leads_out(key, value) and "path" not in allow_unsafe:
            raise UnsafeTranslation(
                f"the layout sets {key} to '{value}', which would lead "
                "out of the site; the variant is not built",
                post.path,
            )
    meta = metadata_edits(post, dict(metadata)) + (extra or [])
    if edits:
        edits = _keep_structure(post, edits, meta, left_out)
    text = apply(post.text, [edit for edit, _, _ in edits] + meta)
    if edits or extra:
        # Pieces from several translations (or terms) could make up what none holds alone.
        added = unsafe_additions(
            post.text,
            text
            if not any(is_param(s) for _, s, _ in edits)
            else apply(post.text, [e for e, s, _ in edits if not is_param(s)] + meta),
            allow_unsafe,
        )  # (a value is judged alone)
        if added:
            raise UnsafeTranslation(
                f"the variant in {language} {added[0].message}; it is not built", post.path
            )
    left_out.sort(key=lambda problem: problem.line or 0)
    return Variant(
        post, language, post.bom + text, same + len(edits), len(segments), tuple(left_out)
    )


def _planned(
    segment: Segment, found: Translation, allow_unsafe: Collection[str], gate: Gate | None
) -> Planned | Refused:
    """The edit that puts ``found`` in the place of ``segment``, or why it is left out."""
    if gate is not None:
        problem = gate.refusal(segment.msgid, segment.context, found)
        if problem is not None:
            return problem
    try:  # (the last net, whatever the levels of the rules: never code, never a broken post)
        if gate is None or gate.levels["security"] != "error":  # (else the gate just did)
            refuse_unsafe(segment.msgid, found, allow_unsafe, segment.context)
        text = segment.render(found.text)
    except TranslationError as exc:
        return refused(exc.message, found)
    return Edit(segment.start, segment.end, text), segment, found


def refuse_unsafe(
    msgid: str, found: Translation, allow_unsafe: Collection[str] = (), key: str | None = None
) -> None:
    """Raise ``UnsafeTranslation`` naming the catalogue line if ``found`` (the value of the
    front-matter ``key``, if any) adds code or leads out of the site."""
    added = unsafe_additions(msgid, found.text, allow_unsafe, key)
    if added:
        raise UnsafeTranslation(
            f"{added[0].message}; not built (to accept it: allow_unsafe = "
            f'["{added[0].kind}"] in the configuration)',
            found.path,
            found.line,
        )


def apply(text: str, edits: list[Edit]) -> str:
    out, pos = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[pos : edit.start])
        out.append(edit.text)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)


def _keep_structure(
    post: Post, edits: list[Planned], meta: list[Edit], left_out: list[Refused]
) -> list[Planned]:
    """``edits`` without those that change the post's structure alone (each goes to
    ``left_out``); ``TranslationError`` if the others still change it together."""
    expected = _structure(post, apply(post.text, meta))
    if _structure(post, apply(post.text, [edit for edit, _, _ in edits] + meta)) == expected:
        return edits
    kept = []
    for planned in edits:
        edit, segment, found = planned
        if _structure(post, apply(post.text, [edit, *meta])) == expected:
            kept.append(planned)
            continue
        where = "front matter" if segment.context else "Markdown structure"
        left_out.append(
            refused(f"it would change the {where} of {post.path}:{segment.line}", found)
        )
    if kept and _structure(post, apply(post.text, [e for e, _, _ in kept] + meta)) != expected:
        raise TranslationError(
            f"the translations together would change the structure of "
            f"{post.path}; the variant is not built"
        )
    return kept


def _structure(post: Post, text: str) -> tuple[object, ...]:
    """What a translation must not change: front-matter keys and types, Markdown blocks."""
    try:
        variant = parse_post(text, post.path, post.name)
        front = variant.front_matter
        toml = front is not None and front.format == "toml"
        head = _toml_shape(parse_toml(variant)) if toml else _shape(parse_yaml(variant))
    except InputError as exc:
        return ("unreadable", exc.message)
    return (head, block_structure(variant.body))


@lru_cache(maxsize=64)
def block_structure(body: str) -> tuple[tuple[str, str, str, int], ...]:
    """The Markdown blocks of a body. Cached: the source's body is the reference for every
    language, and a variant whose body no translation touched has the source's body."""
    return tuple(
        (token.type, token.tag, token.markup, token.level)
        for token in parse_body(body)[0]
        if token.type != "inline"
    )


depends_on_settings(block_structure.cache_clear)  # (Hugo's shortcodes change blocks)


def _toml_shape(value: object) -> object:
    """Loaded TOML with the text of strings left out."""
    if isinstance(value, dict):
        return tuple((key, _toml_shape(item)) for key, item in value.items())
    if isinstance(value, list):
        return tuple(_toml_shape(item) for item in value)
    return "str" if isinstance(value, str) else repr(value)


def _shape(node: yaml.Node | None) -> object:
    """A YAML node tree with the text of string values left out."""
    if isinstance(node, yaml.MappingNode):
        return tuple((getattr(key, "value", None), _shape(value)) for key, value in node.value)
    if isinstance(node, yaml.SequenceNode):
        return tuple(_shape(item) for item in node.value)
    if isinstance(node, yaml.ScalarNode):
        return node.tag if node.tag == _STR else (node.tag, node.value)
    return None
