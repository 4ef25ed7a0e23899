"""A PO file as three readers see it: polib, Babel and translate-toolkit (Weblate's)."""

from __future__ import annotations

from pathlib import Path

import polib
from babel.messages.pofile import read_po
from translate.storage import pypo

# What every reader models: context, msgid, msgstr, fuzzy, obsolete, references.
Seen = tuple[str | None, str, str, bool, bool, tuple[str, ...]]


def polib_view(po: polib.POFile) -> list[Seen]:
    return [
        _seen(
            e.msgctxt,
            e.msgid,
            e.msgstr or e.msgstr_plural.get(0, ""),
            e.fuzzy,
            e.obsolete,
            [f"{p}:{n}" if n else p for p, n in e.occurrences],
        )
        for e in [*(x for x in po if not x.obsolete), *po.obsolete_entries()]
    ]


def babel_view(path: Path) -> list[Seen]:
    with path.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    live = [m for m in catalog if m.id]
    seen = [
        _seen(
            m.context,
            _first(m.id),
            _first(m.string),
            m.fuzzy,
            False,
            [f"{p}:{n}" if n else p for p, n in m.locations],
        )
        for m in live
    ]
    seen += [
        _seen(m.context, _first(m.id), _first(m.string), m.fuzzy, True, [])
        for m in catalog.obsolete.values()
    ]
    return seen


def toolkit_view(path: Path) -> list[Seen]:
    store = pypo.pofile(path.read_bytes())
    units = [u for u in store.units if not u.isheader()]
    return [
        _seen(
            u.getcontext() or None,
            _first(u.source),
            _target(u),
            u.isfuzzy(),
            u.isobsolete(),
            u.getlocations(),
        )
        for u in units
    ]


def assert_same_entries(path: Path, expected: polib.POFile | None = None) -> None:
    """polib, Babel and translate-toolkit read the same entries from ``path`` (and the
    entries of ``expected``, the catalogue written there, when given)."""
    reference = polib_view(polib.pofile(str(path)))
    if expected is not None:
        assert polib_view(expected) == reference
    assert babel_view(path) == reference
    assert toolkit_view(path) == reference


def _seen(
    context: str | None, msgid: str, msgstr: str, fuzzy: bool, obsolete: bool, references: list[str]
) -> Seen:
    # Only live entries have references in every reader.
    return (
        context,
        msgid,
        msgstr,
        bool(fuzzy),
        bool(obsolete),
        () if obsolete else tuple(references),
    )


def _first(value: object) -> str:
    # Babel and translate-toolkit give plurals as tuples/multistrings: compare the first.
    if isinstance(value, (tuple, list)):
        return str(value[0])
    return str(value)


def _target(unit: pypo.pounit) -> str:
    target = unit.target
    if unit.hasplural():
        return str(target.strings[0]) if hasattr(target, "strings") else str(target)
    return str(target)
