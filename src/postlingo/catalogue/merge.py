"""Updating a catalogue from its template, the way ``msgmerge --previous`` does.

Nothing a translator wrote is lost: exact matches keep their msgstr, comments and flags;
changed text inherits the closest old translation as fuzzy with its previous msgid;
text that left the template becomes obsolete, and comes back if the text returns.

Differences from GNU msgmerge 0.21 on the same files (tests/golden/*/msgmerge.diff):
- the ``md-text`` flag an older postlingo wrote is removed (Weblate gets it as a component
  flag: GNU tools drop flags they do not know, so msgcat would change every such file);
- a catalogue's own flags (``no-wrap``, custom flags) are kept; msgmerge drops them;
- an extracted comment (``#.``) a translator's tool wrapped differently from the template
  keeps the tool's wrapping when its words are the template's (msgmerge rewrites it);
- an entry that becomes obsolete loses its previous msgid (msgmerge writes ``#~|``, which
  Babel cannot read and polib skips);
- similarity is difflib's ratio, not gettext's ``fstrcmp``; both are 2·matches/length and
  pick the same old text except in near ties, which go to the same context, then the
  earlier entry.
"""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from collections.abc import Iterable
from difflib import SequenceMatcher

import polib

from .locales import gettext_language
from .po import (
    BODY_FLAG,
    GENERATOR,
    Key,
    language_name,
    new_file,
    now,
    plural_forms,
)
from .poformat import GnuPOEntry, GnuPOFile

FUZZY = "fuzzy"
# Header fields the template owns; every other field belongs to the translators' tools.
_TEMPLATE_FIELDS = ("Report-Msgid-Bugs-To", "POT-Creation-Date")
_HEADER_ORDER = [
    "Project-Id-Version",
    "Report-Msgid-Bugs-To",
    "POT-Creation-Date",
    "PO-Revision-Date",
    "Last-Translator",
    "Language-Team",
    "Language",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Plural-Forms",
]
_TEMPLATE_FLAGS = frozenset({BODY_FLAG})
_TEMPLATE_PREFIX = "Translatable text of "


def new_catalogue(template: polib.POFile, language: str) -> GnuPOFile:
    """An empty catalogue for ``language``: msgstrs stay empty (never copies of msgids)."""
    po = new_file(template.wrapwidth)
    name = language_name(language)
    if template.header.startswith(_TEMPLATE_PREFIX):
        po.header = f"{name} translation of {template.header[len(_TEMPLATE_PREFIX) :]}"
    else:
        po.header = f"{name} translation. {template.header}".strip()
    po.metadata = {
        "Project-Id-Version": template.metadata.get("Project-Id-Version", ""),
        "Report-Msgid-Bugs-To": template.metadata.get("Report-Msgid-Bugs-To", ""),
        "POT-Creation-Date": template.metadata.get("POT-Creation-Date", now()),
        "PO-Revision-Date": now(),
        "Last-Translator": "",
        "Language-Team": "",
        **{field: _language_field(field, language) for field in _LANGUAGE_FIELDS},
    }
    return merge(po, template, language)


# The header fields a catalogue must have for its language, in gettext's order.
_LANGUAGE_FIELDS = (
    "Language",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Plural-Forms",
    "X-Generator",
)
_FIXED_FIELDS = {
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "X-Generator": GENERATOR,
}


def _language_field(field: str, language: str) -> str:
    """The value of one of ``_LANGUAGE_FIELDS`` for ``language`` (asked for only where a
    catalogue lacks it: the plural forms take babel.messages, slow to load)."""
    if field == "Language":
        return gettext_language(language)
    if field == "Plural-Forms":
        return plural_forms(language)
    return _FIXED_FIELDS[field]


def merge(
    po: polib.POFile,
    template: polib.POFile,
    language: str,
    threshold: float = 0.6,
    keep_obsolete: bool = True,
) -> GnuPOFile:
    """A new catalogue: ``template``'s entries, in its order, with ``po``'s translations."""
    result = new_file(po.wrapwidth)
    result.header = po.header
    result.metadata = _header(po, template, language)
    result.metadata_is_fuzzy = po.metadata_is_fuzzy
    # A msgid both live and obsolete (a file edited by hand): the live translation wins.
    old = {_key(entry): entry for entry in sorted(po, key=lambda e: not e.obsolete)}
    used: set[Key] = set()
    unmatched: list[GnuPOEntry] = []
    for proto in template:
        if proto.obsolete:
            continue
        match = old.get(_key(proto))
        if match is None:
            entry = _fresh(proto)
            unmatched.append(entry)
        elif match.obsolete:
            entry = _revive(match, proto)
        else:
            entry = _carry(match, proto)
        if match is not None:
            used.add(_key(match))
        result.append(entry)
    candidates = FuzzyIndex([entry for entry in po if entry.msgstr])
    for entry in unmatched:
        found = candidates.closest(entry, threshold)
        if found is not None:
            _inherit(entry, found)
            used.add(_key(found))
    if keep_obsolete:
        result.extend(obsolete_entry(e) for e in po if _key(e) not in used and e.msgstr)
    return result


def _key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt, entry.msgid)


def _header(po: polib.POFile, template: polib.POFile, language: str) -> dict[str, str]:
    """The catalogue's header as it is, with the template's fields and any missing one in
    its usual place, as msgmerge does."""
    header = dict(po.metadata)
    for field in _TEMPLATE_FIELDS:
        if field in template.metadata:
            header = _with_field(header, field, template.metadata[field])
    for field in _LANGUAGE_FIELDS:
        if not header.get(field):
            header = _with_field(header, field, _language_field(field, language))
    return header


def _with_field(header: dict[str, str], field: str, value: str) -> dict[str, str]:
    """``header`` with ``field`` set: in place if present, else before the first field
    that gettext writes after it."""
    if field in header:
        return {**header, field: value}
    later = _HEADER_ORDER[_HEADER_ORDER.index(field) + 1 :] if field in _HEADER_ORDER else []
    at = next((i for i, key in enumerate(header) if key in later), len(header))
    items = list(header.items())
    return dict([*items[:at], (field, value), *items[at:]])


def _fresh(proto: polib.POEntry) -> GnuPOEntry:
    return GnuPOEntry(
        msgid=proto.msgid,
        msgstr="",
        msgctxt=proto.msgctxt,
        occurrences=list(proto.occurrences),
        flags=[f for f in proto.flags if f != FUZZY],
        comment=proto.comment,
    )


def copy_entry(entry: polib.POEntry) -> polib.POEntry:
    """A copy of ``entry`` that shares nothing changeable with it: an entry holds text,
    flags, references (tuples) and plural forms (text), so its lists and dicts copied one
    level deep are a deep copy (deepcopy itself took 13% of a check)."""
    new = copy.copy(entry)
    for name, value in vars(entry).items():
        if isinstance(value, list | dict):
            setattr(new, name, value.copy())
    return new


def _carry(old: polib.POEntry, proto: polib.POEntry) -> GnuPOEntry:
    """The old entry with the template's references and notes; what translators and their
    tools wrote (msgstr, comments, flags) untouched. A previous msgid only stays while the
    entry is fuzzy: it tells what changed since the translation was checked."""
    entry = GnuPOEntry.of(copy_entry(old))
    entry.occurrences = list(proto.occurrences)
    # A note the translator's tool wrapped (polib wraps "#." lines at 78 columns) is the
    # template's note: kept as the tool wrote it, or every run would rewrite the file.
    if old.comment.split() != proto.comment.split():
        entry.comment = proto.comment
    # The flag postlingo once wrote itself (now a Weblate component flag) goes.
    entry.flags = [flag for flag in entry.flags if flag not in _TEMPLATE_FLAGS]
    if not entry.fuzzy:
        entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None
    return entry


def _revive(old: polib.POEntry, proto: polib.POEntry) -> GnuPOEntry:
    """An obsolete entry whose text is back: its translation, as it was."""
    entry = _carry(old, proto)
    entry.obsolete = False
    entry.flags = _flags(entry.fuzzy, entry.flags, proto.flags)
    return entry


def _inherit(entry: GnuPOEntry, match: polib.POEntry) -> None:
    """Give a new entry the translation of a similar old one, to be checked (fuzzy)."""
    entry.msgstr = match.msgstr
    entry.tcomment = match.tcomment
    entry.flags = _flags(True, match.flags, entry.flags)
    entry.previous_msgid = match.msgid
    entry.previous_msgctxt = match.msgctxt if match.msgctxt != entry.msgctxt else None


def _flags(fuzzy: bool, own: Iterable[str], template: Iterable[str]) -> list[str]:
    """fuzzy first (as gettext writes it), then the entry's own flags, then the template's."""
    flags = [FUZZY] if fuzzy else []
    for flag in [*(f for f in own if f not in _TEMPLATE_FLAGS), *template]:
        if flag != FUZZY and flag not in flags:
            flags.append(flag)
    return flags


def obsolete_entry(old: polib.POEntry) -> GnuPOEntry:
    """An entry whose text left the template, kept with its translation (``#~``); gettext
    writes no references, notes or flags but ``fuzzy`` on obsolete entries. Entries that
    were obsolete already stay as they are."""
    entry = GnuPOEntry.of(copy_entry(old))
    if old.obsolete:
        return entry
    entry.obsolete = True
    entry.occurrences = []
    entry.comment = ""
    entry.flags = [FUZZY] if old.fuzzy else []
    # Unlike msgmerge, no "#~| msgid": Babel cannot read it, and a removed text's earlier
    # version helps no one.
    entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None
    return entry


def similarity(a: str, b: str, at_least: float = 0.0) -> float:
    """How alike two texts are, 0..1 (difflib's ratio); 0 when surely below ``at_least``.
    Texts longer than ``LONGEST`` are not compared (0): difflib's ratio is quadratic."""
    if len(a) > LONGEST or len(b) > LONGEST:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < at_least or matcher.quick_ratio() < at_least:
        return 0.0
    return matcher.ratio()


def closest(
    entry: polib.POEntry, candidates: list[polib.POEntry], threshold: float
) -> polib.POEntry | None:
    """The candidate whose msgid is most like ``entry``'s, if at least ``threshold`` alike.
    As msgmerge, any context may match (the old context goes to ``#| msgctxt``); on equal
    scores the same context wins, then the earlier entry."""
    best, best_rank = None, (threshold, False)
    for candidate in candidates:
        score = similarity(entry.msgid, candidate.msgid, best_rank[0])
        rank = (score, candidate.msgctxt == entry.msgctxt)
        if score >= threshold and (best is None or rank > best_rank):
            best, best_rank = candidate, rank
    return best


# Bounded fuzzy matching. Comparing every changed text with every old one is quadratic: a
# post of 10,000 paragraphs with 5% changed made 5 million comparisons. As msgmerge does
# (msgl-fsearch.c), an index of character n-grams picks the few old texts that share the
# most with a new one, and only those are compared. Small catalogues are searched in full.
EXHAUSTIVE = 200  # up to this many candidates, every one is compared (as before the index)
SHORTLIST = 16  # candidates compared in full for each text: those sharing most n-grams
POSTINGS = 5_000  # index entries looked at per text, its rarest n-grams first
LONGEST = 20_000  # characters: longer texts are not compared at all


class FuzzyIndex:
    """Old entries to find the closest of, for many new texts in turn."""

    def __init__(self, candidates: list[polib.POEntry]):
        self.candidates = candidates
        self.postings: dict[str, list[int]] | None = None
        if len(candidates) > EXHAUSTIVE:
            postings: defaultdict[str, list[int]] = defaultdict(list)
            for number, candidate in enumerate(candidates):
                for gram in _grams(candidate.msgid):
                    postings[gram].append(number)
            self.postings = dict(postings)

    def closest(self, entry: polib.POEntry, threshold: float) -> polib.POEntry | None:
        return closest(entry, self.shortlist(entry), threshold)

    def shortlist(self, entry: polib.POEntry) -> list[polib.POEntry]:
        """The candidates worth comparing with ``entry``, in their order."""
        if self.postings is None:
            return self.candidates
        shared: Counter[int] = Counter()
        found = [self.postings[gram] for gram in _grams(entry.msgid) if gram in self.postings]
        budget = POSTINGS
        for numbers in sorted(found, key=len):  # rare n-grams tell candidates apart best
            if len(numbers) > budget:
                break
            shared.update(numbers)
            budget -= len(numbers)
        return [
            self.candidates[number]
            for number in sorted(number for number, _ in shared.most_common(SHORTLIST))
        ]


def _grams(text: str) -> set[str]:
    """The distinct three-character pieces of ``text`` (none if it is too long to compare)."""
    if len(text) > LONGEST:
        return set()
    return {text[i : i + 3] for i in range(len(text) - 2)}
