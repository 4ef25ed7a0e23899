"""The hand-written hostile translations (tests/data/hostile/hand.json), as a user meets them:
a site with a post per attack, its catalogue translated by the attacker, then ``build`` and
``check`` through the CLI. Each attack is one line of build's output naming its PO line,
nothing of it reaches a variant, and check reports it; and every active element and
attribute that postlingo.variant.security knows is refused when a translation adds it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polib
import pytest

from conftest import POSTS, invoke, write_post
from postlingo.variant import security
from postlingo.variant.security import KINDS, unsafe_additions

HAND = json.loads((Path(__file__).parent / "data/hostile/hand.json").read_text(encoding="utf-8"))
BODY, DESCRIPTION = "Ein Absatz hier.", "Eine Beschreibung"


def hostile_site(root: Path) -> dict[Path, int]:
    """A post per attack in ``root``, synced and translated; the PO line of each attack."""
    for number, row in enumerate(HAND):
        body = row["msgid"] if row["field"] == "body" else BODY
        description = row["msgid"] if row["field"] == "description" else DESCRIPTION
        write_post(
            root,
            f"2021-02-{number % 28 + 1:02d}-hostile-{number}.md",
            f"---\ntitle: Angriff {number}\ndescription: {json.dumps(description)}\n---\n{body}\n",
        )
    assert invoke("sync", "--root", root).exit_code == 0
    lines = {}
    for number, row in enumerate(HAND):
        path = root / f"locales/en/LC_MESSAGES/2021-02-{number % 28 + 1:02d}-hostile-{number}.po"
        po = polib.pofile(str(path))
        entry = next(e for e in po if e.msgid == row["msgid"])
        entry.msgstr = row["msgstr"]
        po.save(str(path))
        lines[path] = next(e.linenum for e in polib.pofile(str(path)) if e.msgid == row["msgid"])
    return lines


def test_every_hand_written_attack_is_refused_by_build_and_reported_by_check(
    bare_site: Path,
) -> None:
    lines = hostile_site(bare_site)
    result = invoke("build", "--root", bare_site)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    reported = result.stderr.splitlines()
    for path, line in lines.items():
        mine = [text for text in reported if f" {path}:" in text]
        assert len(mine) == 1 and f" {path}:{line}: " in mine[0], (path, mine)
    variants = "".join(
        path.read_text(encoding="utf-8") for path in (bare_site / POSTS / "en").glob("*hostile*.md")
    )
    for row in HAND:  # the variants keep the source's text
        assert row["msgstr"] not in variants and row["msgid"] in variants

    checked = invoke("check", "--root", bare_site)
    assert checked.exit_code == 1
    for path, line in lines.items():
        assert re.search(rf"{re.escape(str(path))}:{line}: (security|liquid): ", checked.stdout), (
            path,
            checked.stdout,
        )


# --- every element and attribute the module names ------------------------------------------

SOURCE = 'Ein <a href="/x" title="Titel">Link</a> hier.'


@pytest.mark.parametrize("element", sorted(security.SCRIPT_ELEMENTS))
def test_each_active_element_is_refused(element: str) -> None:
    for written in (f"<{element}>", f"<{element.upper()} x>", f"<{element}/>"):
        added = unsafe_additions(SOURCE, f'A <a href="/x" title="Title">link</a> {written}.')
        assert (added[0].kind, added[0].what) == ("script", element), written
    assert unsafe_additions(f"Ein <{element}> hier.", f"A <{element}> here.") == []


@pytest.mark.parametrize("attribute", sorted(security.URL_ATTRIBUTES))
def test_each_url_attribute_is_judged_by_its_scheme(attribute: str) -> None:
    source = f'Ein <a {attribute}="/x">Link</a>.'
    assert unsafe_additions(source, f'A <a {attribute}="https://example.com/y">link</a>.') == []
    for url in ("javascript:alert(1)", " JAVA&#x09;SCRIPT&colon;alert(1)", "data:text/html,x"):
        added = unsafe_additions(source, f'A <a {attribute}="{url}">link</a>.')
        assert [item.kind for item in added] == ["javascript-url"], (url, added)
    assert [
        item.kind
        for item in unsafe_additions(source, f'A <a {attribute}="ftp://example.com/">link</a>.')
    ] == ["url"]


@pytest.mark.parametrize("attribute", sorted(security.FREE_VALUES))
def test_each_free_attribute_may_change_its_value_not_appear(attribute: str) -> None:
    source = f'Ein <span {attribute}="Wert">Text</span>.'
    assert unsafe_additions(source, f'A <span {attribute}="value">text</span>.') == []
    added = unsafe_additions("Ein <span>Text</span>.", f'A <span {attribute}="v">text</span>.')
    assert [(item.kind, item.what) for item in added] == [("html", f"<span {attribute}>")]


@pytest.mark.parametrize(
    "attribute",
    ["onclick", "onerror", "onload", "ONMOUSEOVER", "onfocus", "ontoggle", "onanimationstart"],
)
def test_each_event_handler_is_refused_however_written(attribute: str) -> None:
    for written in (
        f'<b {attribute}="x()">',
        f"<b/{attribute}=x()>",
        f"<b\t{attribute} = x()>",
        f'*b*{{: {attribute}="x()"}}',
        f'*b*{{:{attribute}="x()"}}',
    ):
        added = unsafe_additions("Ein <b>Text</b> *b*.", f"A {written} text *b*.")
        assert added and added[0].kind == "event-handler", (written, added)
    # Values of other attributes and of text are no handlers.
    assert unsafe_additions('Ein <b title="x">T</b>', f'A <b title="{attribute}=x">T</b>') == []


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_a_message_naming_what_it_adds(kind: str) -> None:
    message = security.Unsafe(kind, "x:y").message
    assert message and "x" in message
