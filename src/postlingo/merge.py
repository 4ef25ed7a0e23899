"""Updating a catalogue from its template, the way ``msgmerge --previous`` does.

Nothing a translator wrote is lost: exact matches keep their msgstr, comments and flags;
changed text inherits the closest old translation as fuzzy with its previous msgid;
text that left the template becomes obsolete, and comes back if the text returns.
"""

from __future__ import annotations

import copy
from difflib import SequenceMatcher

import polib

from .catalogue import BODY_FLAG, GENERATOR, gettext_language, now, plural_forms

# Header fields the template owns; every other field belongs to the translators' tools.
_TEMPLATE_FIELDS = ("Project-Id-Version", "POT-Creation-Date")
_TEMPLATE_FLAGS = {BODY_FLAG}

Key = tuple[str | None, str]


def new_catalogue(template: polib.POFile, language: str) -> polib.POFile:
    """An empty catalogue for ``language``: msgstrs stay empty (never copies of msgids)."""
    po = polib.POFile(wrapwidth=template.wrapwidth, check_for_duplicates=False)
    po.header = template.header.replace("Translatable text", f"{language} translation")
    po.metadata = {
        "Project-Id-Version": template.metadata.get("Project-Id-Version", ""),
        "Report-Msgid-Bugs-To": template.metadata.get("Report-Msgid-Bugs-To", ""),
        "POT-Creation-Date": template.metadata.get("POT-Creation-Date", now()),
        "PO-Revision-Date": now(),
        "Last-Translator": "",
        "Language-Team": "",
        "Language": gettext_language(language),
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms(language),
        "X-Generator": GENERATOR,
    }
    return merge(po, template, language)


def merge(
    po: polib.POFile, template: polib.POFile, language: str, threshold: float = 0.6,
    keep_obsolete: bool = True,
) -> polib.POFile:
    """A new catalogue: ``template``'s entries, in its order, with ``po``'s translations."""
    result = polib.POFile(wrapwidth=po.wrapwidth, check_for_duplicates=False)
    result.header = po.header
    result.metadata = _header(po, template, language)
    result.metadata_is_fuzzy = po.metadata_is_fuzzy
    old = {(entry.msgctxt, entry.msgid): entry for entry in po}
    used: set[Key] = set()
    unmatched: list[polib.POEntry] = []
    for proto in template:
        key = (proto.msgctxt, proto.msgid)
        if key in old:
            result.append(_carry(old[key], proto))
            used.add(key)
        else:
            entry = _fresh(proto)
            result.append(entry)
            unmatched.append(entry)
    candidates = [e for e in po if not e.obsolete and e.msgstr]
    for entry in unmatched:
        match = closest(entry, candidates, threshold)
        if match is not None:
            _inherit(entry, match)
            used.add((match.msgctxt, match.msgid))
    if keep_obsolete:
        for entry in po:
            if (entry.msgctxt, entry.msgid) not in used and (entry.msgstr or entry.obsolete):
                gone = copy.deepcopy(entry)
                gone.obsolete = True
                gone.occurrences = []
                result.append(gone)
    return result


def _header(po: polib.POFile, template: polib.POFile, language: str) -> dict[str, str]:
    header = dict(po.metadata)
    for field in _TEMPLATE_FIELDS:
        if field in template.metadata:
            header[field] = template.metadata[field]
    header.setdefault("Language", gettext_language(language))
    header.setdefault("Content-Type", "text/plain; charset=UTF-8")
    header.setdefault("Content-Transfer-Encoding", "8bit")
    header.setdefault("Plural-Forms", plural_forms(language))
    return header


def _fresh(proto: polib.POEntry) -> polib.POEntry:
    return polib.POEntry(
        msgid=proto.msgid, msgstr="", msgctxt=proto.msgctxt, occurrences=list(proto.occurrences),
        flags=list(proto.flags), comment=proto.comment,
    )


def _carry(old: polib.POEntry, proto: polib.POEntry) -> polib.POEntry:
    """The old entry with the template's references, notes and flags; the rest untouched."""
    entry = copy.deepcopy(old)
    entry.obsolete = False
    entry.occurrences = list(proto.occurrences)
    entry.comment = proto.comment
    entry.flags = [f for f in old.flags if f not in _TEMPLATE_FLAGS] + [
        f for f in proto.flags if f in _TEMPLATE_FLAGS
    ]
    return entry


def _inherit(entry: polib.POEntry, match: polib.POEntry) -> None:
    entry.msgstr = match.msgstr
    entry.tcomment = match.tcomment
    entry.flags.append("fuzzy")
    entry.previous_msgid = match.msgid
    if match.msgctxt != entry.msgctxt:
        entry.previous_msgctxt = match.msgctxt


def closest(
    entry: polib.POEntry, candidates: list[polib.POEntry], threshold: float
) -> polib.POEntry | None:
    """The candidate whose msgid is most like ``entry``'s, if at least ``threshold`` alike.
    Front-matter values only match values of the same key; body text only body text."""
    best, best_score = None, threshold
    for candidate in candidates:
        if candidate.msgctxt != entry.msgctxt:
            continue
        matcher = SequenceMatcher(None, entry.msgid, candidate.msgid, autojunk=False)
        if matcher.real_quick_ratio() < best_score or matcher.quick_ratio() < best_score:
            continue
        score = matcher.ratio()
        if score >= best_score:
            best, best_score = candidate, score
    return best
