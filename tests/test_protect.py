"""Masking fixed material before an engine sees a text, and checking what comes back."""

from __future__ import annotations

import re

import polib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import CATALOGUE, REPO
from postlingo.drafts import pseudo
from postlingo.drafts.protect import FIXED, ProtectionError, Term, mask, structure_changed

# (msgid, what must not reach the engine)
FIXED_CASES = [
    ("Siehe `git log --oneline` hier.", ["git log"]),
    ('Ein [Link](https://example.org/a_b "Titel") im Satz.', ["example.org", "Titel"]),
    ("Ein Bild ![Alt-Text](/assets/bild.png) hier.", ["/assets/bild.png"]),
    ("Mit {{ site.baseurl }} und {% link _posts/x.md %} drin.", ["site.baseurl", "_posts"]),
    ('Ein <abbr title="Hypertext">HTML</abbr>-Tag.', ["abbr", "Hypertext"]),
    ("Eine Fußnote[^quelle] am Ende.", ["quelle"]),
    ("Eine [Referenz][ref-1] hier.", ["ref-1"]),
    (
        "Auto <https://example.org/x> und www.example.com oder a@b.de.",
        ["example.org", "www.example.com", "a@b.de"],
    ),
    ("Zeichen &amp; &#169; und \\* Sternchen.", ["&amp;", "&#169;", "\\*"]),
]


@pytest.mark.parametrize(("text", "hidden"), FIXED_CASES)
def test_fixed_material_is_masked_and_restored(text: str, hidden: list[str]) -> None:
    masked = mask(text)
    for part in hidden:
        assert part not in masked.text
    assert re.search(r"\[X1X\]", masked.text)
    assert masked.restore(masked.text) == text


def test_link_text_keeps_its_brackets_and_a_gap_is_closed() -> None:
    masked = mask("Lies [die Anleitung](https://x.org) und [mehr][ref].")
    assert masked.text == "Lies [die Anleitung][X1X] und [mehr][X2X]."
    # An engine that puts a space between "]" and the destination would unmake the link.
    answer = "Read [the guide] [X1X] and [more] [X2X]."
    assert masked.restore(answer) == "Read [the guide](https://x.org) and [more][ref]."


def test_adjacent_material_shares_one_placeholder() -> None:
    masked = mask("Text <b>{{ a }}</b>`c` Ende")
    assert masked.text == "Text [X1X] Ende"
    assert masked.originals == ("<b>{{ a }}</b>`c`",)


@pytest.mark.parametrize("answer", ["[X 1 X] and [x2x]", "[ X1X ] and [X2 X]"])
def test_restore_accepts_what_engines_do_to_placeholders(answer: str) -> None:
    masked = mask("`a` und `b`")
    assert masked.restore(answer) == "`a` and `b`"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("only [X1X]", "placeholder for '`b`' missing"),
        ("[X1X] [X2X] [X2X]", "placeholder for '`b`' repeated 2 times"),
        ("[X1X] [X2X] [X3X]", "invented a placeholder [X3X]"),
        ("<X1> [X2X]", "placeholder for '`a`' missing"),
    ],
)
def test_restore_refuses_lost_repeated_or_invented_placeholders(answer: str, reason: str) -> None:
    with pytest.raises(ProtectionError, match=re.escape(reason)):
        mask("`a` und `b`").restore(answer)


def test_text_that_looks_like_a_placeholder_is_protected_too() -> None:
    masked = mask("Schreibe [X1X] wörtlich, dann `code`.")
    assert masked.text == "Schreibe [X1X] wörtlich, dann [X2X]."
    assert masked.restore("Write [X1X] literally, then [X2X].") == (
        "Write [X1X] literally, then `code`."
    )


def test_glossary_terms_are_kept_or_put_in_as_the_glossary_says() -> None:
    terms = [Term("Microsoft Teams"), Term("Werkzeug", "tool"), Term("git")]
    masked = mask("Microsoft teams ist ein Werkzeug, Werkzeuge nicht; `git` bleibt.", terms)
    # Whole words only, any case; never inside code.
    assert masked.text == "[X1X] ist ein [X2X], Werkzeuge nicht; [X3X] bleibt."
    assert masked.restore("[X1X] is a [X2X], tools not; [X3X] stays.") == (
        "Microsoft teams is a tool, tools not; `git` stays."
    )


def test_structure_check_allows_reordering_but_not_losing_markup() -> None:
    source = "Ein **fetter** [Link](u) und `code`."
    assert structure_changed(source, "`code` and a [link](u), **bold**.") is None
    assert "lost link_open 'u'" in (structure_changed(source, "A **bold** link and `code`.") or "")
    assert "gained" in (structure_changed(source, "**A** **bold** [link](u) `code`.") or "")


def test_structure_check_reads_the_posts_references() -> None:
    env = {"references": {"REF": {"href": "https://r", "title": ""}}}
    # Without the post's definitions neither side holds a link; with them, one lost it.
    assert structure_changed("Ein [Text][ref].", "A text ref.") is None
    assert structure_changed("Ein [Text][ref].", "A text ref.", env) is not None
    assert structure_changed("Ein [Text][ref].", "A [text][ref].", env) is None


def test_pseudo_translation_uses_the_same_fixed_material() -> None:
    assert pseudo.FIXED is FIXED


def test_example_catalogue_round_trips() -> None:
    po = polib.pofile(str(REPO / CATALOGUE))
    for entry in po:
        masked = mask(entry.msgid)
        assert masked.restore(masked.text) == entry.msgid


_PIECES = st.sampled_from(
    [
        "Wort",
        " ",
        "`co de`",
        "[Link](https://x.y/z)",
        "{{ page.title }}",
        "<em>",
        "</em>",
        "**fett**",
        "[^1]",
        "&amp;",
        "\\_",
        "www.example.org",
        ".",
        "[X1X]",
        "![b](/i.png)",
        "{% raw %}",
        "]",
        "[",
        "(",
        ")",
        "\n",
    ]
)


@given(st.lists(_PIECES, max_size=12).map("".join))
def test_masking_then_restoring_gives_the_text_back(text: str) -> None:
    masked = mask(text)
    assert masked.restore(masked.text) == text
    assert len(masked.originals) == len(re.findall(r"\[X\d+X\]", masked.text))
